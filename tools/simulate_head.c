// SPDX-License-Identifier: MIT
/* kdecomp simulate's head, main and identity-map steps: where the image copies itself, and the page tables. */
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "simulate.h"

bool step_head(struct sim *s)
{
	const struct kd_head_info *i = &s->info;
	const struct kd_plan_kernel *k = &s->kernel;
	uint64_t load = s->load, lo, hi;
	uint8_t *base;

	say(s, "\n== head (boot/head_64.S): find ourselves, compute where to go, copy there");
	if (s->o.efi)
		say(s, "  efi_main jumped to startup_64 at 0x%llx (buffer + 0x%x), still on the firmware's identity map, "
		    "with %%rsi = boot_params 0x%llx", X(load + STARTUP_64), STARTUP_64, X(s->bp_addr));
	else if (s->entry_64)
		say(s, "  %s: it enters startup_64 at 0x%llx (load + 0x%x) on its own identity map",
		    s->o.loader64 ? "a 64-bit loader" : "loaded above 4 GiB: only a 64-bit loader can have put us here",
		    X(load + STARTUP_64), STARTUP_64);
	else
		say(s, "  startup_32 at code32_start=0x%llx: call/pop gives our own address, 0x%llx", X(load), X(load));
	say(s, "  the head info block (filled by kdecomp pack) at +0x%x: kernel_alignment=0x%x init_size=0x%x "
	    "mem_len=0x%x file_len=0x%x payload_off=0x%x payload_len=0x%x main_off=0x%x pgt_off=0x%x",
	    HEAD_INFO, i->align, i->init_size, i->mem_len, i->file_len, i->payload_off, i->payload_len, i->main_off,
	    i->pgt_off);
	s->target = kd_plan_target(k, load);
	s->dest = head_copy_dest(i, s->target);
	s->copy_len = head_copy_len(i);
	if (k->relocatable)
		say(s, "  target = max(align_up(0x%llx, 0x%llx), the kernel's link address 0x%llx) = 0x%llx: the "
		    "buffer is [0x%llx, 0x%llx) (target + init_size)", X(load), X(k->align), X(k->link), X(s->target),
		    X(s->target), X(s->target + i->init_size));
	else
		say(s, "  target = the link address 0x%llx (the kernel is not relocatable): the buffer is "
		    "[0x%llx, 0x%llx) (target + init_size)", X(s->target), X(s->target), X(s->target + i->init_size));
	say(s, "  the image goes to the top of it: target + init_size - mem_len = 0x%llx", X(s->dest));
	if (!s->entry_64 && s->target + i->init_size >= 4 * GiB)
		return halt(s, "head", "not enough memory: the decompression buffer [0x%llx, 0x%llx) ends above the "
			    "4 GiB startup_32 reaches", X(s->target), X(s->target + i->init_size));
	if (!ram_at(&s->bp, s->target) || !ram_at(&s->bp, s->target + i->init_size - 1))
		return halt(s, "head", HEAD_NO_MEMORY_MSG "0x%016llx, 0x%016llx" HEAD_NO_MEMORY_END, X(s->target),
			    X(s->target + i->init_size));
	say(s, "  its first and last bytes are usable RAM in the e820 map: safe to write");
	if (!kd_plan_copy_safe(load, s->dest, s->copy_len))
		return halt(s, "head", "%s", HEAD_COPY_DOWN_MSG);
	if (!s->entry_64)
		say(s, "  startup_32 put its page tables just after the image as loaded, at 0x%llx: PML4, PDPT, "
		    "4 PDs of 2 MiB pages = the first 4 GiB identity-mapped (%d pages); PAE, EFER.LME, CR0.PG: "
		    "long mode, then on to startup_64's path", X(KD_ALIGN_UP(load + i->file_len, 4096)),
		    EARLY_PGT_PAGES);
	say(s, "  stack in the destination's page-table area (0x%llx); our GDT and an IDT whose every vector "
	    "prints and halts", X(s->dest + i->pgt_off + (EARLY_STACK_PAGE + 1) * 4096));

	lo = load < s->dest ? load : s->dest;
	hi = s->dest + s->copy_len > load + s->copy_len ? s->dest + s->copy_len : load + s->copy_len;
	base = phys(&s->mem, lo, hi - lo);
	memmove(base + (s->dest - lo), base + (load - lo), s->copy_len);
	say(s, "  copy file_len rounded up to 32 = 0x%llx bytes, backwards (the destination is above the source "
	    "and may overlap it), from 0x%llx to 0x%llx; jump to main at 0x%llx (dest + main_off)",
	    X(s->copy_len), X(load), X(s->dest), X(s->dest + i->main_off));
	return true;
}

bool step_main(struct sim *s)
{
	const struct kd_head_info *i = &s->info;
	const struct kd_main_info *mi = (const void *)(s->img.pm + i->main_off + MAIN_INFO);
	uint64_t bss = s->dest + i->main_off + mi->file_end, bss_end = s->dest + i->main_off + mi->pgt;

	if (memcmp(mi->magic, "KDMAIN01", 8) != 0)
		return halt(s, "main", "no main header (KDMAIN01) at main_off + 0x%x", MAIN_INFO);
	memset(phys(&s->mem, bss, bss_end - bss), 0, bss_end - bss);
	say(s, "\n== main (boot/main_64.S), running from the copy");
	say(s, "  reload our GDT, clear .bss [0x%llx, 0x%llx) (the decoder's heap, the stack, the IDT), take "
	    "the real stack, load the second IDT: page faults now map the missing 2 MiB page and carry on",
	    X(bss), X(bss_end));
	return true;
}

/* --- init_identity_maps (boot/ident_map.c) --- */

bool add_map(struct sim *s, uint64_t start, uint64_t end, const char *what)
{
	size_t before = s->pgt.used;
	enum kd_err err = kd_pgt_map(&s->pgt, start, end);

	if (s->n_maps < MAX_MAPS)
		s->maps[s->n_maps++] = (struct mapping){ start, end, what };
	say(s, "  map [0x%llx, 0x%llx) %s: %zu new table pages, %zu of %d used", X(start), X(end), what,
	    s->pgt.used - before, s->pgt.used, PGT_POOL_PAGES);
	if (err)
		return halt(s, "identity map", "out of page-table pages for the identity map (%d in the pool)",
			    PGT_POOL_PAGES);
	return true;
}

bool step_ident(struct sim *s)
{
	const struct kd_head_info *i = &s->info;
	uint64_t pool = s->dest + i->pgt_off + PGT_POOL_FIRST * X86_PAGE_SIZE;
	const char *why, *v;
	size_t n;
	bool no5lvl = kd_cmdline_get(s->o.cmdline, s->cmdline_len, "no5lvl", &v, &n);
	bool below_4g = s->dest + i->mem_len <= 4 * GiB;
	/* the simulated CPU has no LA57, and every loader here enters in 4-level paging */
	int levels = kd_plan_paging_levels(s->kernel.five_level, false, no5lvl, 4, below_4g, &why);
	int with_la57 = kd_plan_paging_levels(s->kernel.five_level, true, no5lvl, 4, below_4g, &why);

	say(s, "\n== init_identity_maps (boot/ident_map.c): fresh %d-level tables, 2 MiB pages", levels);
	say(s, "  %d-level: the simulated CPU has no LA57; on one with it, head flags 0x%x would get %d-level tables",
	    levels, i->flags, with_la57);
	say(s, "  the pool: %d pages at 0x%llx (dest + pgt_off + %d pages); lib/kernel/pgtable.c builds them "
	    "(here on a host pool)", PGT_POOL_PAGES, X(pool), PGT_POOL_FIRST);
	s->pool = aligned_alloc(X86_PAGE_SIZE, PGT_POOL_PAGES * X86_PAGE_SIZE);
	if (!s->pool || kd_pgt_init(&s->pgt, s->pool, PGT_POOL_PAGES * X86_PAGE_SIZE, levels) != KD_OK)
		die("simulate: no page-table pool");
	if (!add_map(s, s->dest, s->dest + i->mem_len, "the image, its .bss and page tables") ||
	    !add_map(s, s->bp_addr, s->bp_addr + sizeof(s->bp), "boot_params") ||
	    !add_map(s, s->cmdline_addr, s->cmdline_addr + COMMAND_LINE_SIZE, "the command line"))
		return false;
	say(s, "  CR3 = the PML4 at 0x%llx", X(pool));
	return true;
}
