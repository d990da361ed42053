// SPDX-License-Identifier: MIT
/* kdecomp simulate's last steps: decompress, parse_elf and handle_relocations (boot/extract.c). */
#include <stdlib.h>
#include <string.h>

#include "simulate.h"

/* The kernel's destination as the stub sees it: the whole buffer in place, else `needed` bytes. */
uint8_t *output_mem(struct sim *s)
{
	return phys(&s->mem, s->output, s->output == s->target ? s->info.init_size : s->needed);
}

bool step_decompress(struct sim *s)
{
	const struct kd_head_info *i = &s->info;
	enum kd_format fmt = s->img.format;
	struct kd_heap heap;
	const uint8_t *in;
	uint8_t *out, *heap_mem;
	enum kd_err err;

	output_mem(s);
	in = phys(&s->mem, s->dest + i->payload_off, i->payload_len);
	out = output_mem(s);	/* again: the input's view may have moved extents */
	/* the stub's own heap, as main's header records it */
	s->heap_size = ((const struct kd_main_info *)(s->img.pm + i->main_off + MAIN_INFO))->heap_size;
	heap_mem = xmalloc(s->heap_size);
	kd_heap_init(&heap, heap_mem, s->heap_size);
	struct kd_job job = { .in = in, .in_len = i->payload_len, .out = out, .out_cap = i->out_len, .heap = &heap };

	say(s, "\n== decompress: %s, payload [0x%llx, 0x%llx) in the copy -> 0x%llx, out_len 0x%x bytes%s",
	    kd_format_name(fmt), X(s->dest + i->payload_off), X(s->dest + i->payload_off + i->payload_len),
	    X(s->output), i->out_len, s->output == s->target ? " (in place: the output grows up towards the input)" : "");
	uint64_t t0 = now_ns();
	err = kd_decode(fmt, &job);
	s->ns[S_DECOMPRESS] = now_ns() - t0;
	s->heap_peak = heap.peak;
	s->in_used = job.in_used;
	free(heap_mem);
	if (err != KD_OK)
		return halt(s, "decompress", "%s: %s (after 0x%zx output bytes)", kd_strerror(err), job.why ? job.why : "?",
			    job.out_len);
	if (job.out_len != i->out_len)
		return halt(s, "decompress", "decompressed size differs from the size recorded after the payload: 0x%zx",
			    job.out_len);
	say(s, "  %zu input bytes read, %zu written in %.1f ms; heap: %zu of the stub's %zu bytes",
	    job.in_used, job.out_len, s->ns[S_DECOMPRESS] / 1e6, s->heap_peak, s->heap_size);
	return true;
}

bool step_elf(struct sim *s)
{
	const struct kd_head_info *i = &s->info;
	uint8_t *out = output_mem(s);
	struct kd_report r = { 0 };
	enum kd_err err;

	say(s, "\n== parse_elf: the vmlinux ELF at the start of the output, its segments to p_paddr - link 0x%llx",
	    X(s->kernel.link));
	if ((err = kd_elf_read(out, i->out_len, &s->elf, &r)) != KD_OK)
		return halt_report(s, "parse_elf: bad kernel ELF", err, &r);
	if (s->kernel.relocs && (err = kd_relocs_find(out, i->out_len, s->elf.file_end, &s->rel, &r)) != KD_OK)
		return halt_report(s, "relocation table", err, &r);
	for (unsigned n = 0; n < s->elf.n_load; n++) {
		const struct kd_elf_segment *g = &s->elf.load[n];

		say(s, "  PT_LOAD %u: p_offset 0x%llx -> 0x%llx (p_paddr 0x%llx), p_filesz 0x%llx, p_memsz 0x%llx", n,
		    X(g->offset), X(s->output + g->paddr - s->kernel.link), X(g->paddr), X(g->filesz), X(g->memsz));
	}
	if ((err = kd_elf_place(out, i->kernel_mem, &s->elf, s->kernel.link, &r)) != KD_OK)
		return halt_report(s, "parse_elf: cannot place a segment", err, &r);
	return true;
}

bool step_relocs(struct sim *s)
{
	const struct kd_plan_kernel *k = &s->kernel;
	uint8_t *out = output_mem(s);
	struct kd_report r = { 0 };
	enum kd_err err;

	if (!k->relocs)
		say(s, "\n== handle_relocations: none, the kernel has no relocation table (it keeps its link-time "
		    "virtual address)");
	else
		say(s, "\n== handle_relocations: the table after the ELF [0x%llx, 0x%llx): %llu 32-bit, %llu inverse "
		    "32-bit, %llu 64-bit entries; delta = virtual 0x%llx - link 0x%llx = 0x%llx%s",
		    X(s->rel.start), X(s->rel.end), X(s->rel.n32), X(s->rel.n32inv), X(s->rel.n64), X(s->virt),
		    X(k->link), X(s->virt - k->link), s->virt == k->link ? " (nothing to patch)" : "");
	if (k->relocs && (err = kd_relocs_apply(out, k->kernel_mem, k->link, out, &s->rel, s->virt, &r)) != KD_OK)
		return halt_report(s, "handle_relocations", err, &r);
	s->entry = s->output + (s->elf.entry - k->link);
	if (s->elf.entry < k->link || s->elf.entry - k->link >= k->kernel_mem)
		return halt(s, "extract_kernel", "kernel entry point lies outside the kernel: 0x%llx", X(s->elf.entry));
	say(s, "\n== the kernel: e_entry 0x%llx is startup_64's link address; the stub loads an empty IDT and "
	    "jumps to 0x%llx (physical, identity-mapped) with %%rsi = boot_params 0x%llx",
	    X(s->elf.entry), X(s->entry), X(s->bp_addr));
	return true;
}
