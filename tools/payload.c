// SPDX-License-Identifier: MIT
/*
 * Decoding on the host: whole streams in one pass, and a
 * bzImage's payload into the vmlinux ELF and the relocation table that
 * Linux's build appends to it before compressing:
 *
 *   payload (compressed) = compress(vmlinux ELF || relocation table) || le32 size
 *
 * (gzip has no appended size: its own ISIZE trailer gives the same number.)
 */
#include <stdlib.h>
#include <string.h>

#include "tools.h"

enum kd_err decode_stream(enum kd_format fmt, const uint8_t *in, size_t len, uint8_t *out, size_t cap,
			  struct kd_job *job)
{
	size_t heap_size = kd_heap_size(fmt);
	void *heap_mem = xmalloc(heap_size);
	struct kd_heap heap;
	enum kd_err err;

	kd_heap_init(&heap, heap_mem, heap_size);
	*job = (struct kd_job){ .in = in, .in_len = len, .out = out, .out_cap = cap, .heap = &heap };
	err = kd_decode(fmt, job);
	free(heap_mem);
	return err;
}

bool tail_is_allowed(const uint8_t *in, size_t len, size_t in_used, size_t out_len)
{
	if (in_used == len)
		return true;
	return len - in_used == 4 && kd_get_le32(in + in_used) == (uint32_t)out_len;
}

/* Where e_entry points: Linux's vmlinux gives startup_64's physical address; other ELFs a virtual one. */
static bool entry_is_loaded(const struct kd_elf_info *elf)
{
	for (unsigned i = 0; i < elf->n_load; i++) {
		const struct kd_elf_segment *s = &elf->load[i];

		if ((elf->entry >= s->paddr && elf->entry - s->paddr < s->filesz) ||
		    (elf->entry >= s->vaddr && elf->entry - s->vaddr < s->filesz))
			return true;
	}
	return false;
}

bool kernel_split(struct kernel *k, char *msg, size_t msg_size)
{
	struct kd_report r = { 0 };
	enum kd_err err;

	memset(&k->relocs, 0, sizeof(k->relocs));
	if ((err = kd_elf_read(k->data.data, k->data.len, &k->elf, &r)) != KD_OK)
		goto fail;
	if (!entry_is_loaded(&k->elf)) {
		err = kd_reject(&r, KD_ERR_ELF, "entry point is in no loadable segment", "e_entry",
				k->elf.entry, k->elf.mem_end);
		goto fail;
	}
	k->relocs.start = k->relocs.end = k->data.len;
	if (k->elf.file_end == k->data.len)
		return true;	/* a kernel built without relocations */
	if ((err = kd_relocs_find(k->data.data, k->data.len, k->elf.file_end, &k->relocs, &r)) != KD_OK)
		goto fail;
	if (k->relocs.start != k->elf.file_end) {
		err = kd_reject(&r, KD_ERR_RELOC, "bytes between the end of the ELF and the relocation table",
				"relocation table start", k->relocs.start, k->elf.file_end);
		goto fail;
	}
	return true;
fail:
	report_message(msg, msg_size, err, &r);
	return false;
}

bool kernel_decode(const struct kd_bzimage *img, struct kernel *k, char *msg, size_t msg_size)
{
	const char *fmt = kd_format_name(img->format);
	size_t size = kd_payload_out_len(img);
	struct kd_job job;
	enum kd_err err;

	memset(k, 0, sizeof(*k));
	if (size == 0) {
		snprintf(msg, msg_size, "the payload's last 4 bytes give a decompressed size of 0");
		return false;
	}
	k->data.data = xmalloc(size);
	advise_huge_pages(k->data.data, size);
	err = decode_stream(img->format, img->payload, img->payload_len, k->data.data, size, &job);
	k->data.len = job.out_len;
	if (err != KD_OK) {
		snprintf(msg, msg_size, "%s: %s: %s", fmt, kd_strerror(err), job.why ? job.why : "?");
		return false;
	}
	if (!tail_is_allowed(img->payload, img->payload_len, job.in_used, job.out_len)) {
		snprintf(msg, msg_size, "%s: trailing bytes after the stream (stream ends at 0x%zx, payload_length = 0x%zx)",
			 fmt, job.in_used, img->payload_len);
		return false;
	}
	if (job.out_len != size) {
		snprintf(msg, msg_size, "%s: decompressed %zu bytes, but the payload's last 4 bytes say %zu",
			 fmt, job.out_len, size);
		return false;
	}
	return kernel_split(k, msg, msg_size);
}
