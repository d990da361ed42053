/* SPDX-License-Identifier: MIT */
/*
 * Reading the kernel command line the way Linux does: words separated by
 * spaces, "key" or "key=value", values possibly in double quotes.
 */
#ifndef KD_CMDLINE_H
#define KD_CMDLINE_H
#include "kd.h"

/*
 * Find the last occurrence of `key` (the kernel lets later words win).
 * Returns true if found; *value / *value_len give its value (empty for a
 * bare word).  `cmdline` is NUL-terminated or `len` bytes long.
 */
bool kd_cmdline_get(const char *cmdline, size_t len, const char *key, const char **value, size_t *value_len);

/* Parse an unsigned number with an optional 0x prefix and K/M/G suffix (memparse). */
bool kd_parse_size(const char *s, size_t len, uint64_t *out);
#endif
