// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the command-line reader (lib/kernel/cmdline.c) the
 * stub uses for mem=, memmap=, nokaslr, no5lvl and the console.  The first
 * input byte picks the key, the rest is the command line, between guard
 * pages and either NUL-terminated or ending exactly at the page (the stub
 * reads a loader's line by length, which may have no NUL).  Checked: any
 * value found lies inside the line, after its key and '='; kd_parse_size
 * agrees with strtoull on plain numbers and never accepts trailing junk.
 */
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "guard.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_size(const char *v, size_t n)
{
	uint64_t got;
	char buf[32];
	bool plain = n > 0 && n < sizeof(buf);

	for (size_t i = 0; plain && i < n; i++)
		plain = v[i] >= '0' && v[i] <= '9';
	if (!kd_parse_size(v, n, &got)) {
		if (plain && n < 20)	/* a plain decimal below 10^19 always fits */
			abort();
		return;
	}
	if (n == 0)
		abort();
	if (plain) {
		memcpy(buf, v, n);
		buf[n] = 0;
		if (strtoull(buf, NULL, 10) != got)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = { "mem", "memmap", "nokaslr", "no5lvl", "earlyprintk", "console", "m" };
	const char *key = keys[(size ? data[0] : 0) % KD_ARRAY_SIZE(keys)];
	size_t len = size ? size - 1 : 0;
	struct guarded g;
	const char *cmd = (const char *)guarded_copy(&g, size ? data + 1 : data, len, guard_side_for(size));
	const char *v;
	size_t n;

	if (kd_cmdline_get(cmd, len, key, &v, &n)) {
		size_t klen = strlen(key);

		if (v < cmd + klen || v + n > cmd + len || (n && v[-1] != '=' && v[-1] != '"'))
			abort();
		check_size(v, n);
	}
	guarded_free(&g);
	return 0;
}
