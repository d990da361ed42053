// SPDX-License-Identifier: MIT
/* kdecomp simulate's report: each step's result, time and heap, through emit.c. */
#include "simulate.h"

static void report_loader(struct emit *e, const struct sim *s)
{
	emit_object(e, "loader");
	if (!s->o.e820_path && !s->o.efi_map_path)
		emit_num(e, "memory", s->o.mem, true);
	emit_array(e, "e820");
	for (unsigned i = 0; i < s->bp.e820_entries; i++) {
		const struct kd_e820_entry *x = &s->bp.e820_table[i];

		emit_item(e);
		emit_num(e, "start", x->addr, true);
		emit_num(e, "end", x->addr + x->size, true);
		emit_cstr(e, "type", e820_type_name(x->type));
		emit_item_end(e);
	}
	emit_close(e);
	emit_num(e, "boot_params", s->bp_addr, true);
	emit_num(e, "cmdline_addr", s->cmdline_addr, true);
	emit_str(e, "cmdline", s->o.cmdline, s->cmdline_len);
	emit_num(e, "initrd_addr", kd_initrd_addr(&s->bp), true);
	emit_num(e, "initrd_size", kd_initrd_size(&s->bp), true);
	emit_num(e, "load_address", s->load, true);
	emit_num(e, "time_ns", s->ns[S_LOADER], false);
	emit_close(e);
}

/* What the firmware and efi_main did (--efi). */
static void report_efi(struct emit *e, const struct sim *s)
{
	const struct kd_efi_info *i = &s->bp.efi_info;

	emit_object(e, "efi");
	emit_array(e, "memory_map");
	for (unsigned n = 0; n < s->fw.n; n++) {
		const struct kd_efi_mem_desc *d = &s->fw.d[n];

		emit_item(e);
		emit_cstr(e, "type", efi_type_name(d->type));
		emit_num(e, "start", d->phys_start, true);
		emit_num(e, "pages", d->num_pages, true);
		emit_num(e, "attributes", d->attribute, true);
		emit_item_end(e);
	}
	emit_close(e);
	emit_num(e, "image_base", s->image_base, true);
	emit_num(e, "buffer", s->buffer, true);
	emit_num(e, "system_table", (uint64_t)i->systab_hi << 32 | i->systab, true);
	emit_num(e, "memmap", kd_efi_memmap_addr(&s->bp), true);
	emit_num(e, "memmap_size", i->memmap_size, true);
	emit_num(e, "desc_size", i->memdesc_size, false);
	emit_num(e, "desc_version", i->memdesc_version, false);
	emit_num(e, "e820_entries", s->e820_count, false);
	emit_num(e, "e820_ext", s->e820_count > KD_E820_MAX ? s->ext_addr : 0, true);
	emit_num(e, "exit_boot_services_calls", s->exit_calls, false);
	emit_num(e, "secure_boot", s->bp.secure_boot, false);
	emit_close(e);
}

static void report_head(struct emit *e, const struct sim *s)
{
	emit_object(e, "head");
	emit_cstr(e, "entry", s->entry_64 ? "startup_64" : "startup_32");
	emit_num(e, "kernel_alignment", s->info.align, true);
	emit_num(e, "init_size", s->info.init_size, true);
	emit_num(e, "target", s->target, true);
	emit_num(e, "copy_destination", s->dest, true);
	emit_num(e, "copy_bytes", s->copy_len, true);
	emit_num(e, "main", s->dest + s->info.main_off, true);
	emit_num(e, "time_ns", s->ns[S_HEAD], false);
	emit_close(e);
}

static void report_ident(struct emit *e, const struct sim *s)
{
	emit_object(e, "identity_map");
	emit_array(e, "maps");
	for (unsigned i = 0; i < s->n_maps; i++) {
		emit_item(e);
		emit_num(e, "start", s->maps[i].start, true);
		emit_num(e, "end", s->maps[i].end, true);
		emit_cstr(e, "what", s->maps[i].what);
		emit_item_end(e);
	}
	emit_close(e);
	emit_num(e, "pool_pages", PGT_POOL_PAGES, false);
	emit_num(e, "pages_used", s->pgt.used, false);
	emit_num(e, "time_ns", s->ns[S_IDENT], false);
	emit_close(e);
}

static void report_kaslr(struct emit *e, const struct sim *s)
{
	emit_object(e, "kaslr");
	emit_cstr(e, "mode", s->nokaslr ? "nokaslr" : !s->randomised ? "disabled" : !s->phys_found ? "virtual only"
		  : s->what == KD_PLAN_KASLR_PHYSICAL ? "physical only" : "randomised");
	emit_num(e, "seed", s->seed, false);
	if (s->randomised) {
		emit_num(e, "random", s->random, true);
		emit_num(e, "limit", s->map.limit, true);
		emit_array(e, "avoided");
		for (unsigned i = 0; i < s->map.n_avoid; i++) {
			emit_item(e);
			emit_num(e, "start", s->map.avoid[i].start, true);
			emit_num(e, "end", s->map.avoid[i].end, true);
			emit_cstr(e, "what", avoid_name(s, &s->map.avoid[i]));
			emit_item_end(e);
		}
		emit_close(e);
		emit_num(e, "physical_slots", s->slots, false);
		emit_num(e, "virtual_slots", s->virt_slots, false);
	}
	emit_num(e, "size", s->needed, true);
	emit_num(e, "physical", s->output, true);
	emit_num(e, "virtual", KD_START_KERNEL_MAP + s->virt, true);
	emit_num(e, "time_ns", s->ns[S_KASLR], false);
	emit_close(e);
}

static void report_decompress(struct emit *e, const struct sim *s)
{
	emit_object(e, "decompress");
	emit_cstr(e, "format", kd_format_name(s->img.format));
	emit_num(e, "input", s->dest + s->info.payload_off, true);
	emit_num(e, "input_bytes", s->info.payload_len, false);
	emit_num(e, "input_used", s->in_used, false);
	emit_num(e, "output", s->output, true);
	emit_num(e, "output_bytes", s->info.out_len, false);
	emit_cstr(e, "in_place", s->output == s->target ? "yes" : "no");
	emit_num(e, "heap_size", s->heap_size, false);
	emit_num(e, "heap_used", s->heap_peak, false);
	emit_num(e, "time_ns", s->ns[S_DECOMPRESS], false);
	emit_close(e);
}

static void report_elf(struct emit *e, const struct sim *s)
{
	emit_object(e, "elf");
	emit_num(e, "e_entry", s->elf.entry, true);
	emit_array(e, "segments");
	for (unsigned i = 0; i < s->elf.n_load; i++) {
		const struct kd_elf_segment *g = &s->elf.load[i];

		emit_item(e);
		emit_num(e, "offset", g->offset, true);
		emit_num(e, "to", s->output + g->paddr - s->kernel.link, true);
		emit_num(e, "filesz", g->filesz, true);
		emit_num(e, "memsz", g->memsz, true);
		emit_item_end(e);
	}
	emit_close(e);
	emit_num(e, "time_ns", s->ns[S_ELF], false);
	emit_close(e);
}

static void report_relocs(struct emit *e, const struct sim *s)
{
	emit_object(e, "relocations");
	emit_num(e, "count_32", s->rel.n32, false);
	emit_num(e, "count_32_inverse", s->rel.n32inv, false);
	emit_num(e, "count_64", s->rel.n64, false);
	emit_num(e, "delta", s->virt - s->kernel.link, true);
	emit_num(e, "time_ns", s->ns[S_RELOCS], false);
	emit_close(e);
}

void report(const struct sim *s, const char *path, bool ok)
{
	struct emit e;

	emit_begin(&e, stdout, s->o.json);
	emit_cstr(&e, "image", path);
	emit_cstr(&e, "result", ok ? "booted" : "halted");
	if (!ok) {
		emit_cstr(&e, "halted_in", s->failed_step);
		emit_cstr(&e, "error", s->why);
	}
	report_loader(&e, s);
	if (s->o.efi)
		report_efi(&e, s);
	if (s->started > S_HEAD)
		report_head(&e, s);
	if (s->started > S_IDENT)
		report_ident(&e, s);
	if (s->started > S_KASLR)
		report_kaslr(&e, s);
	if (s->started > S_DECOMPRESS)
		report_decompress(&e, s);
	if (s->started > S_ELF)
		report_elf(&e, s);
	if (s->started > S_RELOCS)
		report_relocs(&e, s);
	if (ok) {
		emit_num(&e, "entry", s->entry, true);
		emit_num(&e, "kernel_size", s->info.kernel_mem, true);
	}
	emit_num(&e, "simulated_ram", s->mem.bytes, false);
	emit_end(&e);
}
