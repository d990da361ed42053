// SPDX-License-Identifier: MIT
#include "cmdline.h"

static bool key_matches(const char *word, size_t wlen, const char *key, size_t *klen)
{
	size_t n = 0;

	while (key[n] && n < wlen && word[n] == key[n])
		n++;
	*klen = n;
	return key[n] == 0 && (n == wlen || word[n] == '=');
}

bool kd_cmdline_get(const char *cmdline, size_t len, const char *key, const char **value, size_t *value_len)
{
	bool found = false;
	size_t i = 0;

	while (i < len && cmdline[i]) {
		size_t start, klen;
		bool quoted = false;

		while (i < len && cmdline[i] == ' ')
			i++;
		start = i;
		while (i < len && cmdline[i] && (quoted || cmdline[i] != ' ')) {
			if (cmdline[i] == '"')
				quoted = !quoted;
			i++;
		}
		if (i > start && key_matches(cmdline + start, i - start, key, &klen)) {
			const char *v = cmdline + start + klen;
			size_t vlen = i - start - klen;

			if (vlen) {	/* skip '=' and the quotes */
				v++, vlen--;
				if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"')
					v++, vlen -= 2;
			}
			*value = v;
			*value_len = vlen;
			found = true;
		}
	}
	return found;
}

bool kd_parse_size(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	unsigned base = 10;
	size_t i = 0;

	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16, i = 2;
	if (i == len)
		return false;
	for (; i < len; i++) {
		char c = s[i];
		unsigned d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			break;
		if (v > (UINT64_MAX - d) / base)
			return false;
		v = v * base + d;
	}
	if (i < len) {
		unsigned shift;

		switch (s[i]) {
		case 'K': case 'k': shift = 10; break;
		case 'M': case 'm': shift = 20; break;
		case 'G': case 'g': shift = 30; break;
		case 'T': case 't': shift = 40; break;
		default: return false;
		}
		if (i + 1 != len || v > (UINT64_MAX >> shift))
			return false;
		v <<= shift;
	}
	*out = v;
	return true;
}
