// SPDX-License-Identifier: MIT
/*
 * kdecomp simulate --efi, run as a program on the test kernel packed in lz4:
 *
 *   - over the default (OVMF-like) map the buffer goes to the kernel's link
 *     address, the head is entered at startup_64 there, boot_params and
 *     the command line lie below 4 GiB, efi_info names the final map, and
 *     the e820 table is the map's (RAM where the map has conventional,
 *     loader or boot services memory, never over runtime or MMIO);
 *   - over many seeds KASLR chooses only memory the final EFI map calls
 *     conventional (never the image, boot_params, the initrd, the map
 *     itself, boot services or runtime regions), also over a map where
 *     half the RAM is boot services data (usable, by the e820 table);
 *   - a map with no room for the buffer halts in efi_main with the stub's
 *     own message (lib/kernel/efi_boot.c);
 *   - hostile map files (overlapping descriptors, pages past 2^64, a
 *     start off a page, a malformed line) are refused with a message;
 *   - a map of 300 descriptors boots: 128 e820 entries in boot_params, the
 *     rest in a SETUP_E820_EXT node, which KASLR avoids.
 */
#include <stdio.h>
#include <stdlib.h>

#include "t.h"

#define MB (1ull << 20)
#define TEST_KERNEL "build/tests/kernel.elf"	/* the Makefile builds it before check-unit */
#define LINK (16 * MB)				/* where tests/kernel is linked */
#define BUFFER_MESSAGE "no memory for the decompression buffer (init_size at kernel_alignment)"

/* The test kernel packed with lz4, once per run; NULL after a failure. */
static const char *packed(void)
{
	static const char *img;
	static bool tried;

	if (tried)
		return img;
	tried = true;
	if (!t_have_kdecomp())
		return NULL;
	if (t_run("'%s' pack -q %s -c lz4 -o '%s'", t_kdecomp_path(), TEST_KERNEL, t_tmp("efi-tk.img")) != 0) {
		t_fail(__FILE__, __LINE__, "kdecomp pack -c lz4 %s failed", TEST_KERNEL);
		return NULL;
	}
	img = t_tmp("efi-tk.img");
	return img;
}

/* `kdecomp simulate IMAGE --json --efi ARGS`: its JSON (free it), NULL if it did not boot. */
static char *simulate_efi(const char *args)
{
	const char *img = packed();
	char *json, result[16] = "";

	if (!img)
		return NULL;
	int status = t_run("'%s' simulate '%s' --json --efi %s", t_kdecomp_path(), img, args);
	json = (char *)t_captured("stdout").data;
	if (status != 0 || !json || !json_str(json, "result", result, sizeof(result)) || strcmp(result, "booted")) {
		struct t_blob err = t_captured("stderr");

		t_fail(__FILE__, __LINE__, "simulate --efi %s did not boot (status %d): %.300s %s", args, status,
		       json ? json : "", err.data ? (char *)err.data : "");
		free(err.data);
		free(json);
		return NULL;
	}
	return json;
}

/* json_get that passes a missing object on as NULL. */
static const char *member(const char *obj, const char *key)
{
	return obj ? json_get(obj, key) : NULL;
}

static uint64_t num_at(const char *obj, const char *key)
{
	uint64_t v = 0;

	CHECKF(obj && json_num(obj, key, &v), "no number '%s'", key);
	return v;
}

/* Does [start, end) lie inside one descriptor of efi.memory_map whose type is `type`? */
static bool inside_type(const char *json, const char *type, uint64_t start, uint64_t end)
{
	const char *map = member(member(json, "efi"), "memory_map"), *d;
	char t[32];

	for (size_t i = 0; map && (d = json_item(map, i)); i++) {
		uint64_t at = num_at(d, "start"), len = num_at(d, "pages") << 12;

		if (json_str(d, "type", t, sizeof(t)) && strcmp(t, type) == 0 && at <= start && end <= at + len)
			return true;
	}
	return false;
}

TEST(simulate_efi_default_map)
{
	char *json = simulate_efi("--cmdline 'console=ttyS0 nokaslr'");
	char entry[16] = "";

	if (!json)
		return;
	const char *efi = member(json, "efi"), *head = member(json, "head"), *loader = member(json, "loader");
	CHECK_EQ(num_at(efi, "buffer"), LINK);
	CHECK_EQ(num_at(head, "target"), LINK);
	CHECK(json_str(head, "entry", entry, sizeof(entry)) && strcmp(entry, "startup_64") == 0);
	CHECK_EQ(num_at(loader, "load_address"), LINK);
	CHECK(num_at(loader, "boot_params") < (4ull << 30));
	CHECK(num_at(loader, "cmdline_addr") < (4ull << 30));
	CHECK(inside_type(json, "loader-data", num_at(loader, "boot_params"), num_at(loader, "boot_params") + 4096));
	CHECK(inside_type(json, "loader-data", num_at(efi, "memmap"), num_at(efi, "memmap") + num_at(efi, "memmap_size")));
	CHECK(inside_type(json, "loader-code", LINK, LINK + num_at(head, "init_size")));
	CHECK_EQ(num_at(efi, "desc_size"), 48);
	CHECK_EQ(num_at(efi, "exit_boot_services_calls"), 1);
	CHECK_EQ(num_at(efi, "e820_ext"), 0);
	CHECK_EQ(num_at(efi, "secure_boot"), 2);

	/* e820: RAM only where the map has memory the kernel may use; the runtime data is reserved */
	const char *e820 = member(loader, "e820"), *e;
	size_t n = 0;
	for (; e820 && (e = json_item(e820, n)); n++) {
		char type[32] = "";
		uint64_t start = num_at(e, "start");

		CHECK(json_str(e, "type", type, sizeof(type)));
		if (strcmp(type, "usable") == 0)
			CHECKF(!inside_type(json, "runtime-data", start, start + 4096) &&
			       !inside_type(json, "mmio", start, start + 4096), "usable e820 at 0x%llx", (unsigned long long)start);
	}
	CHECK_EQ(n, num_at(efi, "e820_entries"));
	CHECK(n >= 5);
	free(json);
}

static const char *write_map(const char *name, const char *text)
{
	const char *path = t_tmp(name);

	t_write_file(path, text, strlen(text));
	return path;
}

/*
 * KASLR over `args` for seeds 1..n: every choice inside conventional memory
 * of the final map; *low and *high count choices below and above `split`.
 */
static void kaslr_in_conventional(const char *args, int n, uint64_t split, uint64_t *low, uint64_t *high)
{
	for (int seed = 1; seed <= n; seed++) {
		char all[512];

		snprintf(all, sizeof(all), "%s --seed %d", args, seed);
		char *json = simulate_efi(all);
		if (!json)
			return;
		const char *kaslr = member(json, "kaslr");
		uint64_t p = num_at(kaslr, "physical"), size = num_at(kaslr, "size");
		char mode[32] = "";

		CHECK(json_str(kaslr, "mode", mode, sizeof(mode)) && strcmp(mode, "randomised") == 0);
		CHECKF(inside_type(json, "conventional", p, p + size), "%s: 0x%llx + 0x%llx is not conventional memory",
		       all, (unsigned long long)p, (unsigned long long)size);
		p < split ? (*low)++ : (*high)++;
		free(json);
	}
}

TEST(simulate_efi_kaslr_only_conventional)
{
	/* half the RAM is boot services data, which e820 calls usable: KASLR must still keep out of it */
	const char *map = write_map("efi-half-boot.map", "conventional 0x0 0xa0 0xf\n"
				    "conventional 0x100000 0x1ff00 0xf\n"		/* 1 MiB .. 512 MiB */
				    "boot-data 0x20000000 0x20000 0xf\n"		/* 512 MiB .. 1 GiB */
				    "runtime-data 0x40000000 0x100 0x800000000000000f\n"
				    "conventional 0x40100000 0x1ff00 0xf\n"		/* .. 1.5 GiB */
				    "loader-data 0x60000000 0x10000 0xf\n"		/* .. 1.75 GiB */
				    "conventional 0x70000000 0x10000 0xf\n");		/* .. 2 GiB */
	uint64_t low = 0, high = 0;

	if (!packed())
		return;
	kaslr_in_conventional("--mem 2G --initrd 30M", 20, 1ull << 30, &low, &high);
	CHECKF(low && high, "the default map: 20 seeds all chose one half of memory (%llu low, %llu high)",
	       (unsigned long long)low, (unsigned long long)high);
	char args[256];
	snprintf(args, sizeof(args), "--efi-map '%s' --initrd 30M", map);
	low = high = 0;
	kaslr_in_conventional(args, 30, 1ull << 30, &low, &high);
	CHECKF(low && high, "the half-boot map: 30 seeds all chose one side of 1 GiB (%llu low, %llu high)",
	       (unsigned long long)low, (unsigned long long)high);
}

TEST(simulate_efi_no_room_for_the_buffer)
{
	const char *img = packed();
	const char *map = write_map("efi-full.map", "# nothing free at or above 16 MiB\n"
				    "conventional 0x0 0xa0 0xf\n"
				    "conventional 0x100000 0xf00 0xf\n"
				    "boot-data 0x1000000 0x10000 0xf\n");
	char result[16] = "", where[32] = "", error[128] = "";

	if (!img)
		return;
	CHECK_EQ(t_run("'%s' simulate '%s' --json --efi-map '%s'", t_kdecomp_path(), img, map), 1);
	char *json = (char *)t_captured("stdout").data;
	CHECK(json && json_str(json, "result", result, sizeof(result)) && strcmp(result, "halted") == 0);
	CHECK(json && json_str(json, "halted_in", where, sizeof(where)) && strcmp(where, "efi_main") == 0);
	CHECKF(json && json_str(json, "error", error, sizeof(error)) && strcmp(error, BUFFER_MESSAGE) == 0, "error: %s",
	       error);
	free(json);
}

TEST(simulate_efi_hostile_maps_refused)
{
	static const struct { const char *what, *map, *message; } cases[] = {
		{ "overlap", "conventional 0x0 0x10000 0xf\nloader-data 0x8000000 0x100 0xf\n", "two descriptors overlap" },
		{ "past 2^64", "conventional 0x0 0x10000 0xf\nconventional 0xfffffffffff00000 0x1000 0xf\n",
		  "run past 2^64" },
		{ "off a page", "conventional 0x0 0x10000 0xf\nconventional 0x10000800 0x10 0xf\n", "off a 4 KiB page" },
		{ "three fields", "conventional 0x0 0x10000\n", "expected TYPE START PAGES ATTRIBUTES" },
		{ "unknown type", "free 0x0 0x10000 0xf\n", "unknown EFI memory type" },
	};
	const char *img = packed();

	if (!img)
		return;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *map = write_map("efi-hostile.map", cases[i].map);

		CHECKF(t_run("'%s' simulate '%s' --efi-map '%s'", t_kdecomp_path(), img, map) != 0, "%s: accepted",
		       cases[i].what);
		t_check_error_line(cases[i].what, cases[i].message);
	}
}

TEST(simulate_efi_300_descriptors)
{
	char text[32 << 10], args[256];
	size_t len = 0;
	uint64_t a = 1 * MB;

	if (!packed())
		return;
	len += snprintf(text + len, sizeof(text) - len, "conventional 0x0 0xa0 0xf\n");
	for (int i = 0; i < 150; i++, a += MB + 4096)
		len += snprintf(text + len, sizeof(text) - len, "conventional 0x%llx 0x100 0xf\nacpi-nvs 0x%llx 0x1 0xf\n",
				(unsigned long long)a, (unsigned long long)(a + MB));
	a = (a + MB - 1) & ~(MB - 1);
	snprintf(text + len, sizeof(text) - len, "conventional 0x%llx 0x%llx 0xf\n", (unsigned long long)a,
		 (unsigned long long)((1ull << 30) - a) >> 12);
	snprintf(args, sizeof(args), "--efi-map '%s' --seed 4", write_map("efi-300.map", text));
	char *json = simulate_efi(args);
	if (!json)
		return;
	const char *efi = member(json, "efi"), *e820 = member(member(json, "loader"), "e820");
	CHECK(num_at(efi, "e820_entries") > 300);
	CHECK(num_at(efi, "e820_ext") != 0);
	CHECK(json_item(e820, 127) && !json_item(e820, 128));	/* boot_params holds 128 */
	/* KASLR avoids the node like every setup_data node */
	const char *avoided = member(member(json, "kaslr"), "avoided"), *r;
	bool seen = false;
	for (size_t i = 0; avoided && (r = json_item(avoided, i)); i++)
		seen |= num_at(r, "start") == num_at(efi, "e820_ext");
	CHECKF(seen, "the SETUP_E820_EXT node is not among the regions KASLR avoids");
	free(json);
}
