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
#define _GNU_SOURCE	/* memmem */
#include <stdlib.h>
#include <string.h>

#include "bootparam.h"
#include "elf64.h"
#include "tools.h"

enum kd_err decode_stream(enum kd_format fmt, const uint8_t *in, size_t len, uint8_t *out, size_t cap,
			  void (*drain)(struct kd_job *, size_t, size_t), void *drain_ctx, struct kd_job *job)
{
	size_t heap_size = kd_heap_size(fmt);
	void *heap_mem = xmalloc(heap_size);
	struct kd_heap heap;
	enum kd_err err;

	kd_heap_init(&heap, heap_mem, heap_size);
	*job = (struct kd_job){ .in = in, .in_len = len, .out = out, .out_cap = cap, .heap = &heap,
				.drain = drain, .drain_ctx = drain_ctx };
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
	k->relocs_error[0] = 0;
	if ((err = kd_elf_read(k->data.data, k->data.len, &k->elf, &r)) != KD_OK)
		goto fail;
	if (!entry_is_loaded(&k->elf)) {
		err = kd_reject(&r, KD_ERR_ELF, "entry point is in no loadable segment", "e_entry",
				k->elf.entry, k->elf.mem_end);
		goto fail;
	}
	err = kd_relocs_find(k->data.data, k->data.len, k->elf.file_end, &k->relocs, &r);
	if (err != KD_OK) {
		report_message(k->relocs_error, sizeof(k->relocs_error), err, &r);
		k->relocs.start = k->relocs.end = k->elf.file_end;	/* nothing usable */
	}
	return true;
fail:
	report_message(msg, msg_size, err, &r);
	return false;
}

void kernel_need_relocs(const struct kernel *k, const char *what)
{
	if (k->relocs_error[0])
		die("%s: relocation table: %s", what, k->relocs_error);
}

void kernel_version(const uint8_t *data, size_t limit, char *out, size_t out_size)
{
	static const char tag[] = "Linux version ";
	const uint8_t *p = memmem(data, limit, tag, sizeof(tag) - 1);
	size_t n = 0;

	out[0] = 0;
	if (!p)
		return;
	p += sizeof(tag) - 1;
	while (n < out_size - 1 && p + n < data + limit && p[n] != '\n' && p[n] != 0)
		n++;
	memcpy(out, p, n);
	out[n] = 0;
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
	size_t got;
	k->data.data = reserve_output(size, &got);
	k->data.len = got;	/* the mapping's size, for file_release, until the decode proves it the data's */
	k->data.mapped = true;
	if (got < size) {
		snprintf(msg, msg_size, "%s: the system grants %zu bytes of address space for the %zu the kernel takes",
			 fmt, got, size);
		return false;
	}
	err = decode_stream(img->format, img->payload, img->payload_len, k->data.data, size, NULL, NULL, &job);
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
	k->data.len = job.out_len;
	k->format = img->format;
	k->payload_len = img->payload_len;
	return kernel_split(k, msg, msg_size);
}

/*
 * A raw dump as one segment at raw_base.  Its memory size is the whole
 * kernel mapping: the dump stops before .bss, and symbols such as _end lie
 * past its last byte.
 */
static void kernel_from_raw(struct kernel *k, uint64_t raw_base)
{
	struct kd_elf_segment *s = &k->elf.load[0];

	memset(&k->elf, 0, sizeof(k->elf));
	memset(&k->relocs, 0, sizeof(k->relocs));
	k->relocs_error[0] = 0;
	k->elf.n_load = 1;
	k->elf.file_end = k->relocs.start = k->relocs.end = k->data.len;
	*s = (struct kd_elf_segment){ .offset = 0, .vaddr = raw_base, .paddr = raw_base - KD_START_KERNEL_MAP,
				      .filesz = k->data.len, .memsz = KD_KERNEL_IMAGE_SIZE };
	k->elf.entry = s->paddr;
	k->elf.mem_start = s->paddr;
	k->elf.mem_end = s->paddr + k->data.len;
}

/* The boot protocol's "HdrS": a bzImage, even one that does not parse, is never taken for a raw dump. */
static bool has_boot_header(const struct kd_file *f)
{
	return f->len >= KD_HDR_OFF(header) + 4 && kd_get_le32(f->data + KD_HDR_OFF(header)) == KD_HDRS_MAGIC;
}

void kernel_load(const char *what, const char *path, struct kd_file *f, uint64_t raw_base, struct kernel *k)
{
	struct kd_bzimage img;
	struct kd_report r = { 0 };
	enum kd_err err;
	char msg[4096];

	memset(k, 0, sizeof(*k));
	if (kd_elf_has_magic(f->data, f->len)) {
		k->data = *f;
		f->data = NULL;
		if (!kernel_split(k, msg, sizeof(msg)))
			die("%s: %s: %s", what, path, msg);
		return;
	}
	err = kd_bzimage_parse(&img, f->data, f->len, &r);
	if (err != KD_OK && raw_base && !has_boot_header(f)) {
		k->data = *f;
		f->data = NULL;
		kernel_from_raw(k, raw_base);
		return;
	}
	if (err != KD_OK) {
		snprintf(msg, sizeof(msg), "%s: %s", what, path);
		die_report(msg, err, &r);
	}
	if (!kernel_decode(&img, k, msg, sizeof(msg)))
		die("%s: %s: %s", what, path, msg);
}
