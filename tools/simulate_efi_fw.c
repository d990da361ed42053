// SPDX-License-Identifier: MIT
/*
 * The UEFI firmware kdecomp simulate --efi boots the image on: a memory map
 * and what the stub asks of it (AllocatePages, AllocatePool, FreePool,
 * GetMemoryMap, ExitBootServices), modelled on EDK2 as OVMF runs it.
 *
 * Allocation, as EDK2 does it: AllocateAddress takes exactly the pages
 * asked for, which must all be conventional memory; AllocateMaxAddress
 * takes the highest free pages below the bound (top-down); AllocateAnyPages
 * the highest below 4 GiB, else the highest anywhere.  A pool allocation is
 * pages of its own here (EDK2 carves pools out of pages of the same type,
 * so the map changes the same way).  Every change gives a new map key.
 *
 * The default map, for --mem SIZE (low RAM ends at `low`, as QEMU splits
 * it: SIZE below 3.5 GiB, else 3 GiB and the rest above 4 GiB), is shaped
 * like OVMF's under `qemu -m SIZE`, not copied from one:
 *
 *   0          - 0x1000       boot services data (OVMF keeps page 0)
 *   0x1000     - 0xa0000      conventional
 *   0x100000   - 0x800000     conventional
 *   0x800000   - 0x900000     ACPI NVS (OVMF's work areas at 8 MiB)
 *   0x900000   - low - 48M    conventional
 *   low - 48M  - low - 32M    boot services data (the DXE core's pools)
 *   low - 32M  - low - 24M    boot services code (drivers)
 *   low - 24M  - low - 22M    runtime services data (the system table)
 *   low - 22M  - low - 21M    runtime services code
 *   low - 21M  - low - 20M    ACPI reclaim (the ACPI tables)
 *   low - 20M  - low - 19M    ACPI NVS
 *   low - 19M  - low          boot services data
 *   0xffc00000 - 4 GiB        MMIO (the flash), runtime
 *   4 GiB      - 4 GiB + (SIZE - low)  conventional
 */
#include <stdlib.h>
#include <string.h>

#include "simulate.h"

#define MiB		(1ull << 20)
#define PAGE		(1ull << KD_EFI_PAGE_SHIFT)
#define FLASH		0xffc00000ull	/* OVMF's flash, mapped below 4 GiB */
#define MIN_MEM		(128 * MiB)	/* the default map's fixed regions need this much */

/* EFI_MEMORY_* attributes (UEFI 2.10 section 7.2) */
#define ATTR_UC		0x1ull
#define ATTR_RAM	0xfull		/* UC | WC | WT | WB: what OVMF gives all RAM */
#define ATTR_RUNTIME	(1ull << 63)	/* the OS must map it for runtime services */

static const char *const type_names[] = {
	[KD_EFI_RESERVED] = "reserved",
	[KD_EFI_LOADER_CODE] = "loader-code",
	[KD_EFI_LOADER_DATA] = "loader-data",
	[KD_EFI_BOOT_SERVICES_CODE] = "boot-code",
	[KD_EFI_BOOT_SERVICES_DATA] = "boot-data",
	[KD_EFI_RUNTIME_SERVICES_CODE] = "runtime-code",
	[KD_EFI_RUNTIME_SERVICES_DATA] = "runtime-data",
	[KD_EFI_CONVENTIONAL] = "conventional",
	[KD_EFI_UNUSABLE] = "unusable",
	[KD_EFI_ACPI_RECLAIM] = "acpi-reclaim",
	[KD_EFI_ACPI_NVS] = "acpi-nvs",
	[KD_EFI_MMIO] = "mmio",
	[KD_EFI_MMIO_PORT_SPACE] = "mmio-port",
	[KD_EFI_PAL_CODE] = "pal-code",
	[KD_EFI_PERSISTENT] = "persistent",
	[KD_EFI_UNACCEPTED] = "unaccepted",
};

const char *efi_type_name(uint32_t type)
{
	return type < KD_ARRAY_SIZE(type_names) ? type_names[type] : "other";
}

static uint64_t desc_end(const struct kd_efi_mem_desc *d)
{
	return d->phys_start + (d->num_pages << KD_EFI_PAGE_SHIFT);
}

static void append(struct efi_fw *fw, uint32_t type, uint64_t start, uint64_t pages, uint64_t attr)
{
	if (fw->n >= EFI_FW_MAX_DESCS)
		die("simulate: more than %d EFI memory descriptors", EFI_FW_MAX_DESCS);
	fw->d[fw->n++] = (struct kd_efi_mem_desc){ .type = type, .phys_start = start, .num_pages = pages,
						   .attribute = attr };
}

static int by_start(const void *a, const void *b)
{
	const struct kd_efi_mem_desc *x = a, *y = b;

	return x->phys_start < y->phys_start ? -1 : x->phys_start > y->phys_start;
}

/* Sort, drop empty descriptors, merge touching neighbours of one type and attribute; a new key. */
static void tidy(struct efi_fw *fw)
{
	unsigned n = 0;

	qsort(fw->d, fw->n, sizeof(fw->d[0]), by_start);
	for (unsigned i = 0; i < fw->n; i++) {
		struct kd_efi_mem_desc *last = n ? &fw->d[n - 1] : NULL;

		if (!fw->d[i].num_pages)
			continue;
		if (last && last->type == fw->d[i].type && last->attribute == fw->d[i].attribute &&
		    desc_end(last) == fw->d[i].phys_start)
			last->num_pages += fw->d[i].num_pages;
		else
			fw->d[n++] = fw->d[i];
	}
	fw->n = n;
	fw->key++;
}

/* The system table lies in the first runtime services data region (0: none, as a map file may have it). */
static void place_systab(struct efi_fw *fw)
{
	fw->systab = 0;
	for (unsigned i = 0; i < fw->n && !fw->systab; i++)
		if (fw->d[i].type == KD_EFI_RUNTIME_SERVICES_DATA)
			fw->systab = fw->d[i].phys_start;
}

static void add_range(struct efi_fw *fw, uint32_t type, uint64_t start, uint64_t end, uint64_t attr)
{
	append(fw, type, start, (end - start) >> KD_EFI_PAGE_SHIFT, attr);
}

void efi_fw_default_map(struct efi_fw *fw, uint64_t mem)
{
	uint64_t low = mem < 0xe0000000ull ? mem : 3 * GiB;

	if (mem < MIN_MEM)
		die("simulate: --mem %llu MiB is below the %llu MiB the simulated OVMF needs", X(mem >> 20),
		    X(MIN_MEM >> 20));
	fw->n = 0;
	add_range(fw, KD_EFI_BOOT_SERVICES_DATA, 0, PAGE, ATTR_RAM);
	add_range(fw, KD_EFI_CONVENTIONAL, PAGE, 0xa0000, ATTR_RAM);
	add_range(fw, KD_EFI_CONVENTIONAL, 0x100000, 8 * MiB, ATTR_RAM);
	add_range(fw, KD_EFI_ACPI_NVS, 8 * MiB, 9 * MiB, ATTR_RAM);
	add_range(fw, KD_EFI_CONVENTIONAL, 9 * MiB, low - 48 * MiB, ATTR_RAM);
	add_range(fw, KD_EFI_BOOT_SERVICES_DATA, low - 48 * MiB, low - 32 * MiB, ATTR_RAM);
	add_range(fw, KD_EFI_BOOT_SERVICES_CODE, low - 32 * MiB, low - 24 * MiB, ATTR_RAM);
	add_range(fw, KD_EFI_RUNTIME_SERVICES_DATA, low - 24 * MiB, low - 22 * MiB, ATTR_RAM | ATTR_RUNTIME);
	add_range(fw, KD_EFI_RUNTIME_SERVICES_CODE, low - 22 * MiB, low - 21 * MiB, ATTR_RAM | ATTR_RUNTIME);
	add_range(fw, KD_EFI_ACPI_RECLAIM, low - 21 * MiB, low - 20 * MiB, ATTR_RAM);
	add_range(fw, KD_EFI_ACPI_NVS, low - 20 * MiB, low - 19 * MiB, ATTR_RAM);
	add_range(fw, KD_EFI_BOOT_SERVICES_DATA, low - 19 * MiB, low, ATTR_RAM);
	add_range(fw, KD_EFI_MMIO, FLASH, 4 * GiB, ATTR_UC | ATTR_RUNTIME);
	if (mem > low)
		add_range(fw, KD_EFI_CONVENTIONAL, 4 * GiB, 4 * GiB + (mem - low), ATTR_RAM);
	tidy(fw);
	place_systab(fw);
}

static uint32_t parse_type(const char *t, const char *path, int line)
{
	char *end;
	unsigned long n;

	for (uint32_t type = 0; type < KD_ARRAY_SIZE(type_names); type++)
		if (strcasecmp(t, type_names[type]) == 0)
			return type;
	n = strtoul(t, &end, 0);
	if (end == t || *end || n > UINT32_MAX)
		die("simulate: %s:%d: unknown EFI memory type '%s' (conventional, loader-code, loader-data, boot-code, "
		    "boot-data, runtime-code, runtime-data, acpi-reclaim, acpi-nvs, mmio, mmio-port, reserved, unusable, "
		    "pal-code, persistent, unaccepted, or a number)", path, line, t);
	return (uint32_t)n;
}

static uint64_t parse_number(const char *t, const char *what, const char *path, int line)
{
	char *end;
	uint64_t n;

	n = strtoull(t, &end, 0);
	if (end == t || *end || *t == '-')
		die("simulate: %s:%d: %s '%s' is not a number", path, line, what, t);
	return n;
}

/* The descriptors as GetMemoryMap would return them, checked as the stub checks the final map. */
static void check_map(const struct efi_fw *fw, const char *path)
{
	uint8_t *buf = xmalloc(efi_fw_map_size(fw) + 1);
	struct kd_report r = { 0 };
	enum kd_err err;

	efi_fw_write_map(fw, buf);
	err = kd_efi_map_check(buf, efi_fw_map_size(fw), EFI_FW_DESC_SIZE, &r);
	free(buf);
	if (err)
		die_report(path, err, &r);
}

/*
 * A memory map as text, one descriptor a line, `#` starting a comment:
 *
 *   TYPE  START       PAGES   ATTRIBUTES
 *   conventional 0x100000 0x700 0xf
 *
 * TYPE a name (see parse_type) or the EFI_MEMORY_TYPE number; the numbers
 * in C syntax (0x... hexadecimal, else decimal); PAGES of 4 KiB.
 */
void efi_fw_read_map(struct efi_fw *fw, const char *path)
{
	struct kd_file f = read_file(path);
	char *text = xmalloc(f.len + 1), *next;
	int n = 0;

	memcpy(text, f.data, f.len);
	text[f.len] = 0;
	fw->n = 0;
	for (char *line = text; line; line = next) {
		char *field[5], *fsave = NULL;
		unsigned k = 0;

		if ((next = strchr(line, '\n')))
			*next++ = 0;
		n++;

		if (strchr(line, '#'))
			*strchr(line, '#') = 0;
		for (char *t = strtok_r(line, " \t\r", &fsave); t && k < 5; t = strtok_r(NULL, " \t\r", &fsave))
			field[k++] = t;
		if (k == 0)
			continue;
		if (k != 4)
			die("simulate: %s:%d: expected TYPE START PAGES ATTRIBUTES, found %u fields", path, n, k);
		append(fw, parse_type(field[0], path, n), parse_number(field[1], "START", path, n),
		       parse_number(field[2], "PAGES", path, n), parse_number(field[3], "ATTRIBUTES", path, n));
	}
	free(text);
	free(f.data);
	if (!fw->n)
		die("simulate: %s: no EFI memory descriptors", path);
	check_map(fw, path);	/* before tidy: overlaps must be seen as the file gives them */
	tidy(fw);
	place_systab(fw);
}

/* Turn [start, start + bytes) of descriptor i into `type`: the rest of it keeps its own. */
static void carve(struct efi_fw *fw, unsigned i, uint64_t start, uint64_t bytes, uint32_t type)
{
	struct kd_efi_mem_desc d = fw->d[i];
	uint64_t end = start + bytes;

	fw->d[i].num_pages = (start - d.phys_start) >> KD_EFI_PAGE_SHIFT;
	append(fw, type, start, bytes >> KD_EFI_PAGE_SHIFT, d.attribute);
	append(fw, d.type, end, (desc_end(&d) - end) >> KD_EFI_PAGE_SHIFT, d.attribute);
	tidy(fw);
}

/* The highest page-aligned `bytes` of free memory ending at or below `top`: its descriptor, or -1. */
static int highest_free(const struct efi_fw *fw, uint64_t bytes, uint64_t top, uint64_t *start)
{
	for (int i = (int)fw->n - 1; i >= 0; i--) {
		const struct kd_efi_mem_desc *d = &fw->d[i];
		uint64_t end = desc_end(d) < top ? desc_end(d) : top & ~(PAGE - 1);

		if (d->type == KD_EFI_CONVENTIONAL && end > d->phys_start && end - d->phys_start >= bytes) {
			*start = end - bytes;
			return i;
		}
	}
	return -1;
}

bool efi_fw_allocate(struct efi_fw *fw, enum efi_allocate_type how, uint32_t type, uint64_t bytes, uint64_t *addr)
{
	int i = -1;

	bytes = KD_ALIGN_UP(bytes, PAGE);
	if (how == EFI_ALLOCATE_ADDRESS) {
		for (unsigned j = 0; j < fw->n && i < 0; j++)
			if (fw->d[j].type == KD_EFI_CONVENTIONAL && fw->d[j].phys_start <= *addr &&
			    *addr + bytes <= desc_end(&fw->d[j]))
				i = (int)j;
	} else if (how == EFI_ALLOCATE_MAX_ADDRESS) {
		i = highest_free(fw, bytes, *addr == UINT64_MAX ? UINT64_MAX : *addr + 1, addr);
	} else {
		i = highest_free(fw, bytes, 4 * GiB, addr);
		if (i < 0)
			i = highest_free(fw, bytes, UINT64_MAX, addr);
	}
	if (i < 0)
		return false;
	carve(fw, (unsigned)i, *addr, bytes, type);
	return true;
}

void efi_fw_free(struct efi_fw *fw, uint64_t addr, uint64_t bytes)
{
	bytes = KD_ALIGN_UP(bytes, PAGE);
	for (unsigned i = 0; i < fw->n; i++) {
		if (fw->d[i].phys_start <= addr && addr + bytes <= desc_end(&fw->d[i])) {
			carve(fw, i, addr, bytes, KD_EFI_CONVENTIONAL);
			return;
		}
	}
	die("simulate: the stub freed memory the firmware never gave it (0x%llx)", X(addr));
}

uint64_t efi_fw_map_size(const struct efi_fw *fw)
{
	return (uint64_t)fw->n * EFI_FW_DESC_SIZE;
}

void efi_fw_write_map(const struct efi_fw *fw, uint8_t *buf)
{
	memset(buf, 0, efi_fw_map_size(fw));
	for (unsigned i = 0; i < fw->n; i++)
		memcpy(buf + (size_t)i * EFI_FW_DESC_SIZE, &fw->d[i], sizeof(fw->d[i]));
}

/* --- the two boot services kd_efi_exit_boot_services calls; they take no context, so it is here --- */

static struct efi_fw *serving;

static efi_status EFIAPI get_memory_map(uint64_t *size, void *map, uint64_t *key, uint64_t *desc_size,
					uint32_t *version)
{
	uint64_t need = efi_fw_map_size(serving);

	*desc_size = EFI_FW_DESC_SIZE;
	*version = 1;
	if (*size < need || !map) {
		*size = need;
		return EFI_BUFFER_TOO_SMALL;
	}
	*size = need;
	*key = serving->key;
	efi_fw_write_map(serving, map);
	return EFI_SUCCESS;
}

static efi_status EFIAPI exit_boot_services(efi_handle image, uint64_t key)
{
	(void)image;
	return key == serving->key ? EFI_SUCCESS : EFI_INVALID_PARAMETER;
}

const struct efi_boot_services *efi_fw_boot_services(struct efi_fw *fw)
{
	static struct efi_boot_services bs = {
		.get_memory_map = get_memory_map,
		.exit_boot_services = exit_boot_services,
	};

	serving = fw;
	return &bs;
}
