// SPDX-License-Identifier: MIT
/*
 * The corpus every decoder test runs over: inputs chosen to reach each
 * coder's corner cases (nothing to compress, one byte, long runs, no
 * redundancy at all, text, machine code, short periods, sparse data).
 * Generated deterministically, so a failure reproduces.
 */
#include <stdlib.h>

#include "t.h"

struct item {
	const char *name;
	struct t_blob blob;
};

static struct item items[16];
static size_t n_items;

static uint8_t *fill_new(size_t len)
{
	uint8_t *p = malloc(len ? len : 1);

	if (!p)
		abort();
	return p;
}

static void add(const char *name, uint8_t *data, size_t len)
{
	items[n_items].name = name;
	items[n_items].blob.data = data;
	items[n_items].blob.len = len;
	n_items++;
}

static void make_text(uint8_t *p, size_t len, uint64_t seed)
{
	static const char *words[] = {
		"the", "kernel", "boot", "loader", "decompress", "page", "table", "of", "and",
		"memory", "map", "relocation", "entry", "stub", "a", "to", "in", "is", "x86_64",
		"physical", "virtual", "address", "random", "slot", "header", "setup", "payload",
	};
	size_t i = 0;

	while (i < len) {
		const char *w = words[t_rand(&seed) % (sizeof(words) / sizeof(words[0]))];

		while (*w && i < len)
			p[i++] = *w++;
		if (i < len)
			p[i++] = t_rand(&seed) % 11 == 0 ? '\n' : ' ';
	}
}

static void build(void)
{
	uint64_t s = 0x9e3779b97f4a7c15ull;
	size_t n;
	uint8_t *p;

	add("empty", fill_new(0), 0);
	p = fill_new(1);
	p[0] = 'x';
	add("one byte", p, 1);

	n = 256 << 10;
	p = fill_new(n);
	memset(p, 0, n);
	add("zeros", p, n);

	n = 256 << 10;
	p = fill_new(n);
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)t_rand(&s);
	add("random", p, n);

	n = 300 << 10;
	p = fill_new(n);
	make_text(p, n, 7);
	add("text", p, n);

	n = 200 << 10;
	p = fill_new(n);
	for (size_t i = 0; i < n;) {	/* runs of every length 1..300 */
		size_t run = 1 + t_rand(&s) % 300;
		uint8_t b = (uint8_t)t_rand(&s);

		while (run-- && i < n)
			p[i++] = b;
	}
	add("runs", p, n);

	n = 128 << 10;
	p = fill_new(n);
	for (size_t i = 0; i < n;) {	/* short periods: overlapping matches */
		size_t period = 1 + t_rand(&s) % 20, len = 20 + t_rand(&s) % 2000;
		for (size_t k = 0; k < period && i < n; k++)
			p[i++] = (uint8_t)t_rand(&s);
		for (; len-- && i < n && i >= period; i++)
			p[i] = p[i - period];
	}
	add("periods", p, n);

	n = 512 << 10;
	p = fill_new(n);
	memset(p, 0, n);
	for (size_t i = 0; i < n / 64; i++)
		p[t_rand(&s) % n] = (uint8_t)t_rand(&s);
	add("sparse", p, n);

	struct t_blob bin = t_read_file("/usr/bin/bash");
	if (bin.data) {
		if (bin.len > (1u << 20))
			bin.len = 1u << 20;
		add("x86-64 binary", bin.data, bin.len);
	}

	n = 70000;	/* text with incompressible stretches: stored and coded blocks mixed */
	p = fill_new(n);
	make_text(p, n, 11);
	for (size_t i = 20000; i < 40000; i++)
		p[i] = (uint8_t)t_rand(&s);
	add("mixed", p, n);
}

size_t t_corpus_count(void)
{
	if (!n_items)
		build();
	return n_items;
}

struct t_blob t_corpus(size_t i, const char **name)
{
	t_corpus_count();
	if (name)
		*name = items[i].name;
	return items[i].blob;
}

bool t_corpus_find(const char *want, struct t_blob *b)
{
	for (size_t i = 0; i < t_corpus_count(); i++) {
		const char *name;
		struct t_blob c = t_corpus(i, &name);

		if (strcmp(name, want) == 0) {
			*b = c;
			return true;
		}
	}
	return false;
}
