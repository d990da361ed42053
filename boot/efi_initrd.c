// SPDX-License-Identifier: MIT
/*
 * The initrd under EFI, the two ways Linux's EFI stub takes it:
 *
 *   1. LoadFile2 on Linux's initrd device path: a loader (OVMF's -initrd,
 *      systemd-boot, systemd-stub, GRUB) installs the LoadFile2 protocol on
 *      a handle whose device path is one vendor media node with
 *      LINUX_EFI_INITRD_MEDIA_GUID; asking it for the "file" yields the
 *      initrd.  Asked once with no buffer it says the size.  The path it
 *      is given is what LocateDevicePath left over: the end node.
 *   2. initrd=PATH words in the command line: files on the volume the
 *      image itself was loaded from (its LoadedImage DeviceHandle's simple
 *      file system), concatenated in the order given.  Paths use '\' or '/'.
 *
 * An initrd asked for and not loaded is an error; none asked for is not.
 */
#include "boot.h"
#include "efi.h"
#include "efi_map.h"

#define INITRD_PATH_MAX	256	/* characters in one initrd= path */

static const efi_guid load_file2_guid = EFI_LOAD_FILE2_GUID;
static const efi_guid simple_fs_guid = EFI_SIMPLE_FILE_SYSTEM_GUID;

/* Initrd memory: below initrd_addr_max when the firmware has it there, else anywhere (the kernel reads ext_). */
static efi_status alloc_initrd(const struct efi_boot *eb, uint64_t size, uint64_t *addr)
{
	efi_status s = efi_alloc_pages(eb, KD_EFI_LOADER_DATA, size, eb->bp->hdr.initrd_addr_max, addr);

	if (EFI_IS_ERROR(s))
		s = efi_alloc_pages(eb, KD_EFI_LOADER_DATA, size, UINT64_MAX, addr);
	return EFI_IS_ERROR(s) ? efi_fail(eb, "no memory for the initrd", s) : EFI_SUCCESS;
}

static void set_initrd(struct kd_boot_params *bp, uint64_t addr, uint64_t size)
{
	bp->hdr.ramdisk_image = (uint32_t)addr;
	bp->ext_ramdisk_image = (uint32_t)(addr >> 32);
	bp->hdr.ramdisk_size = (uint32_t)size;
	bp->ext_ramdisk_size = (uint32_t)(size >> 32);
}

/* Linux's initrd device path: one vendor media node, then the end node. */
struct initrd_device_path {
	struct efi_device_path vendor;
	efi_guid guid;
	struct efi_device_path end;
} __attribute__((packed));

/* 1. *found false when no loader installed the initrd device path. */
static efi_status load_file2_initrd(struct efi_boot *eb, bool *found)
{
	struct initrd_device_path dp = {
		.vendor = { EFI_DP_TYPE_MEDIA, EFI_DP_MEDIA_VENDOR,
			    { sizeof(dp.vendor) + sizeof(dp.guid), 0 } },
		.guid = LINUX_EFI_INITRD_MEDIA_GUID,
		.end = { EFI_DP_TYPE_END, EFI_DP_END_ENTIRE, { sizeof(dp.end), 0 } },
	};
	struct efi_device_path *rest = &dp.vendor;
	struct efi_load_file2 *lf;
	efi_handle handle;
	uint64_t size = 0, addr;
	efi_status s;

	*found = !EFI_IS_ERROR(eb->bs->locate_device_path(&load_file2_guid, &rest, &handle));
	if (!*found)
		return EFI_SUCCESS;
	s = eb->bs->handle_protocol(handle, &load_file2_guid, (void **)&lf);
	if (EFI_IS_ERROR(s))
		return efi_fail(eb, "the initrd device path has no LoadFile2 protocol", s);
	s = lf->load_file(lf, rest, 0, &size, NULL);
	if (s != EFI_BUFFER_TOO_SMALL || size == 0)
		return efi_fail(eb, "LoadFile2 does not give the initrd's size", s);
	if (EFI_IS_ERROR(s = alloc_initrd(eb, size, &addr)))
		return s;
	s = lf->load_file(lf, rest, 0, &size, (void *)(uintptr_t)addr);
	if (EFI_IS_ERROR(s))
		return efi_fail(eb, "LoadFile2 failed to load the initrd", s);
	set_initrd(eb->bp, addr, size);
	return EFI_SUCCESS;
}

/* The next initrd= value in cmd[*pos, len), or false; *pos moves past it. */
static bool next_initrd_word(const char *cmd, size_t len, size_t *pos, const char **path, size_t *n)
{
	static const char key[] = "initrd=";

	while (*pos < len) {
		size_t start = *pos, end = start;

		while (end < len && cmd[end] != ' ')
			end++;
		*pos = end < len ? end + 1 : end;
		if (end - start > sizeof(key) - 1 && kd_memcmp(cmd + start, key, sizeof(key) - 1) == 0) {
			*path = cmd + start + sizeof(key) - 1;
			*n = end - start - (sizeof(key) - 1);
			return true;
		}
	}
	return false;
}

/* Open one initrd= file on our volume; its size in *size. */
static efi_status open_initrd_file(const struct efi_boot *eb, struct efi_file *root, const char *path, size_t n,
				   struct efi_file **f, uint64_t *size)
{
	efi_char16 name[INITRD_PATH_MAX + 1];
	efi_status s;

	if (n > INITRD_PATH_MAX)
		return efi_fail(eb, "an initrd= path is too long", EFI_INVALID_PARAMETER);
	for (size_t i = 0; i < n; i++)
		name[i] = path[i] == '/' ? '\\' : (uint8_t)path[i];
	name[n] = 0;
	s = root->open(root, f, name, EFI_FILE_MODE_READ, 0);
	if (EFI_IS_ERROR(s))
		return efi_fail(eb, "cannot open an initrd= file on the boot volume", s);
	/* the file's size: where the end is */
	if (EFI_IS_ERROR(s = (*f)->set_position(*f, EFI_FILE_POSITION_END)) ||
	    EFI_IS_ERROR(s = (*f)->get_position(*f, size)) || EFI_IS_ERROR(s = (*f)->set_position(*f, 0))) {
		(*f)->close(*f);
		return efi_fail(eb, "cannot find the size of an initrd= file", s);
	}
	return EFI_SUCCESS;
}

/* Read the whole file into buf; the firmware may return it in pieces. */
static efi_status read_file(struct efi_file *f, uint8_t *buf, uint64_t size)
{
	while (size) {
		uint64_t got = size;
		efi_status s = f->read(f, &got, buf);

		if (EFI_IS_ERROR(s))
			return s;
		if (got == 0)
			return EFI_LOAD_ERROR;	/* shorter than it said */
		buf += got;
		size -= got;
	}
	return EFI_SUCCESS;
}

/*
 * 2. Two passes over the initrd= words: the sizes, then, into one
 * allocation, the contents.
 */
static efi_status cmdline_initrd(struct efi_boot *eb)
{
	size_t len = 0, pos = 0, n;
	const char *cmd = boot_cmdline(eb->bp, &len), *path;
	struct efi_simple_file_system *fs;
	struct efi_file *root, *f;
	uint64_t total = 0, want, size, addr;
	efi_status s;

	if (!cmd || !next_initrd_word(cmd, len, &pos, &path, &n))
		return EFI_SUCCESS;
	s = eb->bs->handle_protocol(eb->li->device_handle, &simple_fs_guid, (void **)&fs);
	if (EFI_IS_ERROR(s))
		return efi_fail(eb, "initrd= given, but the boot volume has no file system", s);
	if (EFI_IS_ERROR(s = fs->open_volume(fs, &root)))
		return efi_fail(eb, "cannot open the boot volume for initrd=", s);
	for (pos = 0; next_initrd_word(cmd, len, &pos, &path, &n); total += size) {
		if (EFI_IS_ERROR(s = open_initrd_file(eb, root, path, n, &f, &size)))
			goto out;
		f->close(f);
	}
	if (EFI_IS_ERROR(s = alloc_initrd(eb, want = total, &addr)))
		goto out;
	for (pos = 0, total = 0; next_initrd_word(cmd, len, &pos, &path, &n); total += size) {
		if (EFI_IS_ERROR(s = open_initrd_file(eb, root, path, n, &f, &size)))
			goto out;
		/* a file that grew since the first pass must not overrun the allocation */
		s = size > want - total ? EFI_LOAD_ERROR : read_file(f, (uint8_t *)(uintptr_t)addr + total, size);
		f->close(f);
		if (EFI_IS_ERROR(s)) {
			s = efi_fail(eb, "cannot read an initrd= file", s);
			goto out;
		}
	}
	set_initrd(eb->bp, addr, total);
out:
	root->close(root);
	return s;
}

efi_status efi_load_initrd(struct efi_boot *eb)
{
	bool found;
	efi_status s = load_file2_initrd(eb, &found);

	if (EFI_IS_ERROR(s) || found)
		return s;
	return cmdline_initrd(eb);
}
