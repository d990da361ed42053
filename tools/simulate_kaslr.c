// SPDX-License-Identifier: MIT
/* kdecomp simulate's KASLR step: choose_random_location with the stub's own lib/kernel/kaslr.c, from --seed. */
#include <string.h>

#include "cmdline.h"
#include "handover.h"
#include "simulate.h"

/*
 * The stub reads a setup_data node where it lies, once the e820 table says
 * it is RAM, faulting its page into the identity map.
 */
static const struct kd_setup_data *read_setup_data(uint64_t addr, void *ctx)
{
	struct sim *s = ctx;

	if (!kd_setup_data_readable(&s->bp, addr, 0))
		return NULL;
	uint32_t len = ((const struct kd_setup_data *)phys(&s->mem, addr, sizeof(struct kd_setup_data)))->len;
	if (!kd_setup_data_readable(&s->bp, addr, len))
		return NULL;

	if (!add_map(s, addr, addr + sizeof(struct kd_setup_data) + len, "a setup_data node (page fault)"))
		return NULL;
	return (const struct kd_setup_data *)phys(&s->mem, addr, sizeof(struct kd_setup_data) + len);
}

const char *avoid_name(const struct sim *s, const struct kd_range *r)
{
	if (r->start == s->target)
		return "the buffer: relocated image, heap, stack, page tables";
	if (s->o.initrd_size && r->start == kd_initrd_addr(&s->bp))
		return "the initrd";
	if (r->start == s->bp_addr)
		return "boot_params";
	if (r->start == s->cmdline_addr)
		return "the command line";
	return "memmap=, setup_data, or a reserved e820 entry over RAM";
}

static void trace_map(struct sim *s)
{
	say(s, "  usable RAM (%s), below limit 0x%llx (mem= or 4-level paging's 64 TiB):",
	    kd_efi_memmap_addr(&s->bp) ? "efi_info says EL64: the EFI map's conventional memory only" : "e820 type 1",
	    X(s->map.limit));
	for (unsigned i = 0; i < s->map.n_ram; i++)
		say(s, "    [0x%llx, 0x%llx)", X(s->map.ram[i].start), X(s->map.ram[i].end));
	say(s, "  regions to avoid:");
	for (unsigned i = 0; i < s->map.n_avoid; i++)
		say(s, "    [0x%llx, 0x%llx) %s", X(s->map.avoid[i].start), X(s->map.avoid[i].end),
		    avoid_name(s, &s->map.avoid[i]));
}

static void choose(struct sim *s, enum kd_plan_kaslr what)
{
	const struct kd_head_info *i = &s->info;
	const struct kd_plan_kernel *k = &s->kernel;
	struct kd_kaslr_boot b = {
		.bp = &s->bp, .bp_addr = s->bp_addr, .cmdline = s->o.cmdline, .cmdline_len = s->cmdline_len,
		.target = s->target, .init_size = i->init_size, .read_setup_data = read_setup_data, .ctx = s,
		.efi_map = kd_efi_memmap_addr(&s->bp) ? phys(&s->mem, kd_efi_memmap_addr(&s->bp), kd_efi_memmap_size(&s->bp))
						      : NULL,
	};

	const char *why;
	bool fixed = kd_kaslr_cmdline_seed(s->o.cmdline, s->cmdline_len, &s->seed, &why) == KD_SEED_FIXED;

	if (why)
		say(s, "  warning: %s", why);
	s->random = kd_kaslr_seeded(s->seed);
	say(s, "  entropy: RDRAND, RDTSC, the i8254 and boot_params on hardware; here %s%llu: mix(seed) = 0x%016llx",
	    fixed ? "the command line's kdecomp.seed=" : "--seed ", X(s->seed), X(s->random));
	if (!kd_kaslr_collect(&s->map, &b, &why)) {
		say(s, "  warning: %s", why);
		return;
	}
	trace_map(s);
	s->slots = kd_kaslr_count_slots(&s->map, k->needed, k->align, k->link);
	s->phys_found = kd_kaslr_choose(&s->map, k, what, s->random, &s->output, &s->virt);
	s->virt_slots = what == KD_PLAN_KASLR_ALL ? kd_kaslr_virt_slots(k->kernel_mem, k->align, k->link) : 1;
	s->randomised = true;
	if (s->phys_found)
		say(s, "  physical: %llu slots of 0x%llx bytes (max of out_len, kernel_mem), 0x%llx-aligned, at or "
		    "above the link address 0x%llx; slot random %% %llu -> 0x%llx", X(s->slots), X(k->needed),
		    X(k->align), X(k->link), X(s->slots), X(s->output));
	else
		say(s, "  warning: Physical KASLR disabled: no suitable memory region! (stays at 0x%llx)", X(s->output));
	say(s, "  virtual: %llu 0x%llx-aligned bases in the 1 GiB kernel mapping fit kernel_mem 0x%x; the second "
	    "random number picks 0x%llx: the kernel runs at 0x%llx", X(s->virt_slots), X(k->align), i->kernel_mem,
	    X(s->virt), X(KD_START_KERNEL_MAP + s->virt));
	s->bp.hdr.loadflags |= KD_KASLR_FLAG;
	memcpy(phys(&s->mem, s->bp_addr, sizeof(s->bp)), &s->bp, sizeof(s->bp));
}

bool step_kaslr(struct sim *s)
{
	const struct kd_head_info *i = &s->info;
	const struct kd_plan_kernel *k = &s->kernel;
	struct kd_report r = { 0 };
	enum kd_plan_kaslr what;
	const char *v, *why;
	size_t n;

	say(s, "\n== extract_kernel (boot/extract.c): choose_random_location (boot/kaslr.c)");
	const char *cmd = (const char *)phys(&s->mem, s->cmdline_addr, s->cmdline_len + 1);

	if (kd_cmdline_extent(&s->bp, cmd, COMMAND_LINE_SIZE - 1, &n, &r) != KD_OK ||
	    kd_handover_check(&s->bp, s->target, i->init_size, read_setup_data, s, &r) != KD_OK)
		return halt(s, "what the loader handed over (lib/kernel/handover.c)", STUB_VALUE, r.why, X(r.value));
	s->needed = k->needed;
	s->seed = s->o.seed;
	s->output = s->target;
	s->virt = k->link;
	s->nokaslr = kd_cmdline_get(s->o.cmdline, s->cmdline_len, "nokaslr", &v, &n);
	what = s->what = kd_plan_kaslr(k, &why);
	if (s->nokaslr)
		say(s, "  'nokaslr' on the command line: physical = target 0x%llx (decompress in place), "
		    "virtual = the link address: the kernel runs at 0x%llx", X(s->target), X(KD_START_KERNEL_MAP + k->link));
	else if (why)
		say(s, "  warning: %s", why);
	if (!s->nokaslr && what != KD_PLAN_KASLR_NONE)
		choose(s, what);
	if (kd_kaslr_check_destination(k, s->output, s->virt, &r) != KD_OK)
		return halt(s, "extract_kernel", STUB_VALUE, r.why, X(r.value));
	say(s, "  the destination passes extract_kernel's checks: both addresses 0x%llx-aligned, below 64 TiB, "
	    "inside the kernel mapping", X(k->align));
	return add_map(s, s->output, s->output + (s->output == s->target ? i->init_size : s->needed),
		       s->output == s->target ? "the whole buffer (in place)" : "the kernel's destination");
}
