// SPDX-License-Identifier: MIT
/*
 * extract_kernel: from the compressed payload to a kernel ready to enter.
 *
 *   choose where the kernel runs (physical and virtual, KASLR or not)
 *   check the choice, each check with its own message
 *   decompress the payload to the physical destination
 *   parse the ELF and move its segments to their places
 *   apply the relocation table for the virtual address
 *   return the entry (physical; the kernel is entered identity-mapped)
 *
 * In-place layout (nokaslr: the destination is the buffer's start):
 *
 *   target                                      target + init_size
 *   |-- output grows up --------->  [head|payload|main|bss|pgtables]
 *                                        ^ consumed from here on
 *
 * pack sized init_size so the output never reaches unread input.
 */
#include "boot.h"
#include "cmdline.h"
#include "elf.h"
#include "kaslr.h"

static uint8_t heap[HEAP_SIZE] __attribute__((aligned(64)));

static void decompress(const uint8_t *head, const struct kd_head_info *info, uint8_t *output)
{
	struct kd_heap h;
	struct kd_job job = {
		.in = head + info->payload_off,
		.in_len = info->payload_len,
		.out = output,
		.out_cap = info->out_len,
		.heap = &h,
	};
	enum kd_err err;

	kd_heap_init(&h, heap, sizeof(heap));
	err = STUB_DECODE(&job);
	if (err != KD_OK) {
		warn(kd_strerror(err));
		warn(job.why);
		error_value("decompression failed after output bytes:", job.out_len);
	}
	if (job.out_len != info->out_len)
		error_value("decompressed size differs from the size recorded after the payload:", job.out_len);
}

static void report_failure(const char *step, const struct kd_report *r)
{
	warn(step);
	warn(r->why);
	if (r->field) {
		warn(r->field);
		warn_value("value", r->value);
		warn_value("limit", r->limit);
	}
	error("cannot boot this kernel");
}

static uint64_t place_kernel(uint8_t *output, const struct kd_head_info *info, const struct kd_plan_kernel *k,
			     uint64_t virt)
{
	struct kd_elf_info elf;
	struct kd_relocs rel;
	struct kd_report r;

	putstr("Parsing ELF... ");
	if (kd_elf_read(output, info->out_len, &elf, &r) != KD_OK)
		report_failure("parse_elf: bad kernel ELF", &r);
	/* a kernel without a table keeps its link-time virtual address (kd_plan_kaslr) */
	if (k->relocs && kd_relocs_find(output, info->out_len, elf.file_end, &rel, &r) != KD_OK)
		report_failure("relocation table", &r);
	if (kd_elf_place(output, k->kernel_mem, &elf, k->link, &r) != KD_OK)
		report_failure("parse_elf: cannot place a segment", &r);
	if (k->relocs) {
		putstr("Performing relocations... ");
		if (kd_relocs_apply(output, k->kernel_mem, k->link, output, &rel, virt, &r) != KD_OK)
			report_failure("handle_relocations", &r);
	}
	return elf.entry;
}

uint64_t extract_kernel(struct kd_boot_params *bp, const uint8_t *head, uint64_t target)
{
	/* in place, the output overwrites the head: keep what we need of it */
	const struct kd_head_info saved = *head_info(head), *info = &saved;
	const struct kd_plan_kernel kernel = head_plan_kernel(info), *k = &kernel;
	uint64_t output = target, virt = k->link, entry;
	struct kd_report r;

	console_init(bp);
	bp->hdr.loadflags &= ~KD_KASLR_FLAG;
	choose_random_location(bp, k, target, info->init_size, &output, &virt);
	if (bp->hdr.loadflags & KD_KASLR_FLAG) {
		putstr("\nkdecomp: KASLR chose physical ");
		puthex(output);
		putstr(" virtual ");
		puthex(KD_START_KERNEL_MAP + virt);
		putstr("\n");
	}
	putstr("\nDecompressing Linux... ");
	if (kd_kaslr_check_destination(k, output, virt, &r) != KD_OK)
		error_value(r.why, r.value);
	/* in place the whole buffer; elsewhere what the output and the placed kernel need */
	add_identity_map(output, output + (output == target ? info->init_size : k->needed));

	decompress(head, info, (uint8_t *)(uintptr_t)output);
	entry = place_kernel((uint8_t *)(uintptr_t)output, info, k, virt);
	if (entry < k->link || entry - k->link >= k->kernel_mem)
		error_value("kernel entry point lies outside the kernel:", entry);
	putstr("done.\nBooting the kernel (entry_offset: ");
	puthex(entry - k->link);
	putstr(").\n");
	cleanup_exception_handling();
	return output + (entry - k->link);
}
