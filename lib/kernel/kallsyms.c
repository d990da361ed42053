// SPDX-License-Identifier: MIT
/*
 * Finding and decoding a kernel's kallsyms tables (the layout is described
 * in kallsyms.h).  The search runs in three steps, each narrowing the
 * next:
 *
 *   1. the token index: 256 increasing u16 from 0, just after 256
 *      NUL-terminated printable strings that start where it says, looked
 *      for from each segment's end down;
 *   2. the count and names: scanning down from the token table, a u32 N at
 *      an aligned place; the markers for N symbols must then end just
 *      before the token table (or before the 3-byte-per-symbol names order
 *      that ends there), the first 0, and the names must fill the space up
 *      to them at 2 to 513 bytes an entry (tests that cost nothing and
 *      reject almost every candidate); then the N name entries after the
 *      count must all expand to a type letter and a name and end where the
 *      markers begin, which must agree with every 256th entry;
 *   3. the addresses, at the two places the layouts put them (before the
 *      count up to 6.3, after the token index from 6.4): relative offsets
 *      with a base inside the kernel, place-relative offsets (7.0), or
 *      absolute addresses, any way sorted and ending inside the kernel.
 *
 * Random data passes none of these by chance: step 2 alone checks every
 * entry's type letter and every 256th entry's position.
 */
#include "kallsyms.h"

#define TOKEN_INDEX_SIZE 512	/* 256 u16 */
#define NO_INDEX	UINT64_MAX
#define MAX_PAD		8	/* the most bytes a string's NUL and alignment padding take */
#define NAMES_PER_MARKER 256
#define SEQ_SIZE	3	/* a kallsyms_seqs_of_names entry */
#define MIN_ENTRY	2	/* bytes of a names entry: a length and one token ... */
#define MAX_ENTRY	(2 + KD_KSYM_NAME_MAX - 1)	/* ... up to two length bytes and 511 tokens */

/* The bytes of the loadable segment being searched: every table must lie inside one. */
struct seg {
	const uint8_t *p;	/* its first byte in the file */
	uint64_t offset;	/* p_offset */
	uint64_t len;		/* p_filesz */
	uint64_t vaddr;		/* p_vaddr: alignment is of addresses, not file offsets */
	unsigned align;		/* of each array: 8 on 64-bit up to 6.19, 4 from 7.0 */
};

/* How far the search got, for the error message. */
enum stage { FOUND_NOTHING, FOUND_TOKENS, FOUND_NAMES };

static uint64_t align_up(const struct seg *s, uint64_t pos)
{
	uint64_t mis = (s->vaddr + pos) & (s->align - 1);

	return mis ? pos + s->align - mis : pos;
}

static uint64_t align_down(const struct seg *s, uint64_t pos)
{
	return pos - ((s->vaddr + pos) & (s->align - 1));
}

/*
 * A symbol type as nm gives it: a letter, or '?' for a symbol nm cannot
 * classify (small configs put some in sections that end up empty).
 */
static bool is_type(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '?';
}

/* Symbol names are printable ASCII without spaces. */
static bool is_name_char(uint8_t c)
{
	return c > 0x20 && c < 0x7f;
}

/* --- step 1: the token table and its index --- */

/*
 * A token index's first two u16: 0, then the second token's offset: past
 * the first token and its NUL, at most a name's length on.
 */
static bool index_starts(uint32_t first_two)
{
	return (first_two & 0xffff) == 0 && (first_two >> 16) - 1 < KD_KSYM_NAME_MAX;
}

/*
 * The search's hot loop: the highest place below `end` (both 4-aligned in
 * memory) where a token index may start, or NO_INDEX.  The search runs down
 * from a segment's end: kallsyms is linked last into .rodata, so far fewer
 * bytes lie above its tables than below them (the kernel's code).
 */
static uint64_t index_start_below(const struct seg *s, uint64_t end)
{
	uint64_t lowest = -s->vaddr & 3;

	while (end >= lowest + 4) {
		end -= 4;
		if (index_starts(kd_get_le32(s->p + end)))
			return end;
	}
	return NO_INDEX;
}

/* Where the search starts: past the highest 4-aligned place with room for an index. */
static uint64_t index_search_end(const struct seg *s)
{
	uint64_t lowest = -s->vaddr & 3;

	if (s->len < lowest + TOKEN_INDEX_SIZE)
		return lowest;
	return lowest + (s->len - TOKEN_INDEX_SIZE - lowest) / 4 * 4 + 4;
}

/* 256 increasing u16 starting at 0, from a place index_start_below gave. */
static bool looks_like_token_index(const uint8_t *idx)
{
	for (unsigned i = 2; i < 256; i++)
		if (kd_get_le16(idx + 2 * i) <= kd_get_le16(idx + 2 * i - 2))
			return false;
	return true;
}

/*
 * With a token index at s->p[x]: the table before it ends with the last
 * token's characters, its NUL, and up to 7 bytes of padding.  Find the
 * last token's start (this needs it non-empty: the kernel's tables fill
 * every slot), place the table by its index entry, and check all 256
 * strings.  Fills the token fields of ks.
 */
static bool token_table_before(const struct seg *s, uint64_t x, struct kd_kallsyms *ks)
{
	const uint8_t *idx = s->p + x;
	uint64_t q = x, last_start, table;
	unsigned zeros = 0, chars = 0;

	while (q > 0 && s->p[q - 1] == 0 && zeros <= MAX_PAD)
		q--, zeros++;
	if (zeros == 0 || zeros > MAX_PAD)
		return false;
	while (q > 0 && s->p[q - 1] != 0 && chars < KD_KSYM_NAME_MAX)
		q--, chars++;
	last_start = q;
	if (chars == 0 || last_start < kd_get_le16(idx + TOKEN_INDEX_SIZE - 2))
		return false;
	table = last_start - kd_get_le16(idx + TOKEN_INDEX_SIZE - 2);
	for (unsigned i = 0; i < 256; i++) {
		uint64_t start = table + kd_get_le16(idx + 2 * i);
		uint64_t end = i < 255 ? table + kd_get_le16(idx + 2 * i + 2) - 1 : last_start + chars;

		if (end - start >= KD_KSYM_NAME_MAX || s->p[end] != 0)
			return false;
		for (uint64_t p = start; p < end; p++)
			if (!is_name_char(s->p[p]))
				return false;
		ks->token_off[i] = (uint16_t)(start - table);
		ks->token_len[i] = (uint16_t)(end - start);
	}
	ks->token_table = s->offset + table;
	ks->token_index = s->offset + x;
	return true;
}

/* --- step 2: the count, the names stream and its markers --- */

/*
 * An entry's length prefix at p (avail bytes there): the length in *len,
 * the prefix's size returned, 0 if it is not a valid prefix.  Two-byte
 * lengths are only ever written for lengths of 0x80 and more.
 */
static unsigned read_length(const uint8_t *p, uint64_t avail, bool long_lengths, uint32_t *len)
{
	*len = 0;
	if (avail < 1 || p[0] == 0)
		return 0;
	if (!long_lengths || !(p[0] & 0x80)) {
		*len = p[0];
		return 1;
	}
	if (avail < 2)
		return 0;
	*len = (p[0] & 0x7fu) | (uint32_t)p[1] << 7;
	return *len >= 0x80 ? 2 : 0;
}

/*
 * An entry's tokens expand to a type letter and a name, shorter than
 * KD_KSYM_NAME_MAX together.  No token in a name is empty (the kernel's
 * compressor never uses one), so an entry has fewer than KD_KSYM_NAME_MAX
 * tokens: MAX_ENTRY bounds it.
 */
static bool entry_expands(const struct kd_kallsyms *ks, const uint8_t *e, uint32_t len)
{
	uint32_t total = 0;

	for (uint32_t i = 0; i < len; i++) {
		if (!ks->token_len[e[i]])
			return false;
		total += ks->token_len[e[i]];
	}
	return total >= 2 && total < KD_KSYM_NAME_MAX && is_type(ks->file[ks->token_table + ks->token_off[e[0]]]);
}

/* Walk n entries from pos, all before limit; the end in *end.  *saw_long: a length byte had bit 7 set. */
static bool walk_names(const struct seg *s, const struct kd_kallsyms *ks, uint64_t pos, uint64_t limit, uint32_t n,
		       bool long_lengths, uint64_t *end, bool *saw_long)
{
	for (uint32_t i = 0; i < n; i++) {
		uint32_t len;
		unsigned head = read_length(s->p + pos, limit - pos, long_lengths, &len);

		*saw_long |= pos < limit && (s->p[pos] & 0x80);
		if (!head)
			return false;
		pos += head;
		if (len > limit - pos || !entry_expands(ks, s->p + pos, len))
			return false;
		pos += len;
	}
	*end = pos;
	return true;
}

static uint64_t marker(const struct seg *s, uint64_t m, uint64_t k, unsigned size)
{
	const uint8_t *mk = s->p + m + k * size;

	return size == 4 ? kd_get_le32(mk) : kd_get_le64(mk);
}

/* Markers of `size` bytes at s->p[m]: does each give where its 256th entry starts? */
static bool markers_agree(const struct seg *s, uint64_t names, uint32_t n, bool long_lengths, uint64_t m,
			  unsigned size)
{
	uint64_t pos = names;

	for (uint32_t i = 0; i < n; i++) {
		uint32_t len;

		if (i % NAMES_PER_MARKER == 0 && marker(s, m, i / NAMES_PER_MARKER, size) != pos - names)
			return false;
		pos += read_length(s->p + pos, 2, long_lengths, &len);
		pos += len;
	}
	return true;
}

/*
 * kallsyms_seqs_of_names at s->p[at]: N 3-byte big-endian numbers, a
 * permutation of 0..N-1.  Checked by range, sum and xor (a true check
 * would need N bits of memory the core does not have).
 */
static bool seqs_at(const struct seg *s, uint64_t at, uint32_t n)
{
	uint64_t sum = 0, want_sum = (uint64_t)n * (n - 1) / 2;
	uint32_t x = 0, want_x = 0;

	if (at > s->len || (uint64_t)n * SEQ_SIZE > s->len - at)
		return false;
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *e = s->p + at + (uint64_t)i * SEQ_SIZE;
		uint32_t v = (uint32_t)e[0] << 16 | (uint32_t)e[1] << 8 | e[2];

		if (v >= n)
			return false;
		sum += v;
		x ^= v;
		want_x ^= i;
	}
	return sum == want_sum && x == want_x;
}

/* One way the arrays between the names and the token table can be laid out. */
struct tail {
	unsigned marker_size;	/* 4 or 8 */
	bool seqs;		/* the names order between the markers and the token table */
	uint64_t markers;	/* where, in the segment, the markers then start */
	uint64_t seqs_at;	/* and the names order */
};

/*
 * Where the markers of n symbols start if they (and the names order after
 * them, when there is one) end just before the token table at t: each
 * array starts aligned, so each start is the aligned place below its end.
 */
static bool place_tail(const struct seg *s, uint64_t t, uint32_t n, struct tail *tl)
{
	uint64_t bytes = (n + NAMES_PER_MARKER - 1) / NAMES_PER_MARKER * tl->marker_size;
	uint64_t end = t;

	if (tl->seqs) {
		if (end < (uint64_t)n * SEQ_SIZE)
			return false;
		end = tl->seqs_at = align_down(s, end - (uint64_t)n * SEQ_SIZE);
	}
	if (end < bytes)
		return false;
	tl->markers = align_down(s, end - bytes);
	return true;
}

/*
 * The cheap test a candidate count gets before any walk: the first marker
 * is 0, and the names fill the space up to the markers at the rate entries
 * can take (MIN_ENTRY to MAX_ENTRY bytes each): before the last marker,
 * and after it (where up to align - 1 bytes of padding follow the names).
 */
static bool markers_plausible(const struct seg *s, uint64_t names, uint32_t n, const struct tail *tl)
{
	uint64_t last = (n - 1) / NAMES_PER_MARKER, before = last * NAMES_PER_MARKER, after = n - before;
	uint64_t at = marker(s, tl->markers, last, tl->marker_size), span;

	if (tl->markers <= names || marker(s, tl->markers, 0, tl->marker_size) != 0)
		return false;
	span = tl->markers - names;
	return at >= before * MIN_ENTRY && at <= before * MAX_ENTRY && at <= span &&
	       span - at >= after * MIN_ENTRY && span - at < after * MAX_ENTRY + s->align;
}

/*
 * A names stream of n entries at s->p[names], followed by its markers, then
 * (after the names order, if any) the token table at t.  The walk reads
 * two-byte lengths first, one-byte ones if that fails and a length byte
 * had its top bit set.
 */
static bool names_with_markers(const struct seg *s, uint64_t names, uint64_t t, uint32_t n, struct kd_kallsyms *ks)
{
	static const struct tail tails[] = { { 4, false, 0, 0 }, { 8, false, 0, 0 }, { 4, true, 0, 0 },
					     { 8, true, 0, 0 } };
	bool saw_long = false;

	for (int long_lengths = 1; long_lengths >= 0 && (long_lengths || saw_long); long_lengths--) {
		bool walked = false, ok = false;
		uint64_t end = 0;

		for (unsigned i = 0; i < KD_ARRAY_SIZE(tails); i++) {
			struct tail tl = tails[i];

			if (!place_tail(s, t, n, &tl) || !markers_plausible(s, names, n, &tl))
				continue;
			if (!walked) {
				ok = walk_names(s, ks, names, t, n, long_lengths, &end, &saw_long);
				walked = true;
			}
			if (!ok || align_up(s, end) != tl.markers ||
			    !markers_agree(s, names, n, long_lengths, tl.markers, tl.marker_size) ||
			    (tl.seqs && !seqs_at(s, tl.seqs_at, n)))
				continue;
			ks->names = s->offset + names;
			ks->names_end = s->offset + end;
			ks->markers = s->offset + tl.markers;
			ks->marker_size = tl.marker_size;
			ks->seqs = tl.seqs ? s->offset + tl.seqs_at : 0;
			ks->long_lengths = long_lengths;
			return true;
		}
	}
	return false;
}

/* The first entry's first token starts with a letter (the type): the cheapest test of a names stream. */
static bool first_entry_typed(const struct seg *s, const struct kd_kallsyms *ks, uint64_t names)
{
	uint8_t b = s->p[names + 1 + (s->p[names] >= 0x80)];

	return s->p[names] != 0 && ks->token_len[b] && is_type(ks->file[ks->token_table + ks->token_off[b]]);
}

/* Scan down from the token table at t for kallsyms_num_syms and the names after it. */
static bool find_names(const struct seg *s, uint64_t t, struct kd_kallsyms *ks)
{
	unsigned a = s->align;

	if (t < 2 * a)
		return false;
	for (uint64_t p = align_down(s, t - 2 * a); ; p -= a) {
		uint32_t n = kd_get_le32(s->p + p);

		/* 8-byte aligned, the count's upper half is padding or the high bits of a u64: zero either way */
		if (n && (a == 4 || kd_get_le32(s->p + p + 4) == 0) && n <= (t - p - a) / 2 &&
		    first_entry_typed(s, ks, p + a) && names_with_markers(s, p + a, t, n, ks)) {
			ks->num_syms = n;
			ks->num_syms_at = s->offset + p;
			return true;
		}
		if (p < a)
			return false;
	}
}

/* --- step 3: the addresses --- */

/* An address inside the kernel's upper-half mapping (a segment's end included: _end is there). */
static bool kernel_address(const struct kd_elf_info *elf, uint64_t a)
{
	if (!(a >> 63))
		return false;
	for (unsigned i = 0; i < elf->n_load; i++)
		if (a >= elf->load[i].vaddr && a - elf->load[i].vaddr <= elf->load[i].memsz)
			return true;
	return false;
}

/* All n addresses in order, the last inside the kernel. */
static bool addresses_sorted(const struct kd_kallsyms *ks, const struct kd_elf_info *elf)
{
	uint64_t prev = 0;

	for (uint32_t i = 0; i < ks->num_syms; i++) {
		uint64_t a = kd_kallsyms_address(ks, i);

		if (a < prev)
			return false;
		prev = a;
	}
	return kernel_address(elf, prev);
}

/* kallsyms_offsets at s->p[offs] and kallsyms_relative_base at s->p[base]. */
static bool relative_at(const struct seg *s, const struct kd_elf_info *elf, uint64_t offs, uint64_t base,
			struct kd_kallsyms *ks)
{
	uint32_t n = ks->num_syms;

	if (offs > s->len || (uint64_t)n * 4 > s->len - offs || base > s->len || s->len - base < 8)
		return false;
	ks->relative_base = kd_get_le64(s->p + base);
	if (!kernel_address(elf, ks->relative_base))
		return false;
	/*
	 * Plain relative offsets stay below 2 GiB (no kernel is that big), so
	 * a negative one means the absolute-per-cpu encoding.
	 */
	ks->addressing = KD_KSYM_RELATIVE;
	for (uint32_t i = 0; i < n; i++)
		if (kd_get_le32(s->p + offs + (uint64_t)i * 4) >> 31)
			ks->addressing = KD_KSYM_RELATIVE_PERCPU;
	ks->addresses = s->offset + offs;
	ks->relative_base_at = s->offset + base;
	return addresses_sorted(ks, elf);
}

/* 7.0 on: kallsyms_offsets only, each relative to its own place (no base). */
static bool place_relative_at(const struct seg *s, const struct kd_elf_info *elf, uint64_t offs,
			      struct kd_kallsyms *ks)
{
	if (offs > s->len || (uint64_t)ks->num_syms * 4 > s->len - offs)
		return false;
	ks->addressing = KD_KSYM_PLACE_RELATIVE;
	ks->addresses = s->offset + offs;
	ks->relative_base = ks->relative_base_at = 0;
	return addresses_sorted(ks, elf);
}

static bool absolute_at(const struct seg *s, const struct kd_elf_info *elf, uint64_t at, struct kd_kallsyms *ks)
{
	if (at > s->len || (uint64_t)ks->num_syms * 8 > s->len - at)
		return false;
	ks->addressing = KD_KSYM_ABSOLUTE;
	ks->addresses = s->offset + at;
	ks->relative_base = ks->relative_base_at = 0;
	return addresses_sorted(ks, elf);
}

/* From 6.4 the names order follows the addresses; an absent one is no error (before 6.2 there is none). */
static void seqs_after(const struct seg *s, uint64_t at, struct kd_kallsyms *ks)
{
	at = align_up(s, at);
	if (seqs_at(s, at, ks->num_syms))
		ks->seqs = s->offset + at;
}

static bool find_addresses(const struct seg *s, const struct kd_elf_info *elf, struct kd_kallsyms *ks)
{
	uint64_t n = ks->num_syms, count = ks->num_syms_at - s->offset;
	uint64_t after = align_up(s, ks->token_index - s->offset + TOKEN_INDEX_SIZE);
	const unsigned a = s->align;

	/* 7.0 on (4-byte alignment): place-relative offsets after the token index, then the names order */
	if (a == 4) {
		if (ks->seqs || !place_relative_at(s, elf, after, ks))
			return false;
		seqs_after(s, after + 4 * n, ks);
		return true;
	}
	/* up to 6.3: offsets, then the base, then the count; or the absolute addresses, then the count */
	if (count >= a + 4 * n && relative_at(s, elf, align_down(s, count - a - 4 * n), count - a, ks))
		return true;
	if (count >= 8 * n && absolute_at(s, elf, count - 8 * n, ks))
		return true;
	/* from 6.4: after the token index, and the names order after them */
	if (ks->seqs == 0 && relative_at(s, elf, after, align_up(s, after + 4 * n), ks)) {
		seqs_after(s, ks->relative_base_at - s->offset + 8, ks);
		return true;
	}
	if (ks->seqs == 0 && absolute_at(s, elf, after, ks)) {
		seqs_after(s, after + 8 * n, ks);
		return true;
	}
	return false;
}

/* --- the search --- */

/*
 * Steps 1 to 3 in one segment, trying both alignments the arrays have had;
 * *stage says how far the best attempt got.
 */
static bool find_in_segment(const struct seg *s, const struct kd_elf_info *elf, struct kd_kallsyms *ks,
			    enum stage *stage)
{
	struct seg as = *s;

	ks->seg_offset = s->offset;
	ks->seg_vaddr = s->vaddr;
	/* every kernel aligns the token index to 4 bytes at least */
	for (uint64_t x = index_start_below(s, index_search_end(s)); x != NO_INDEX; x = index_start_below(s, x)) {
		if (!looks_like_token_index(s->p + x) || !token_table_before(s, x, ks))
			continue;
		*stage = *stage > FOUND_TOKENS ? *stage : FOUND_TOKENS;
		for (as.align = 8; as.align >= 4; as.align /= 2) {
			ks->seqs = 0;
			if (!find_names(&as, ks->token_table - s->offset, ks))
				continue;
			*stage = FOUND_NAMES;
			if (find_addresses(&as, elf, ks))
				return true;
		}
	}
	return false;
}

enum kd_err kd_kallsyms_find(const uint8_t *file, size_t len, const struct kd_elf_info *elf, struct kd_kallsyms *ks,
			     struct kd_report *r)
{
	enum stage stage = FOUND_NOTHING;

	kd_memset(ks, 0, sizeof(*ks));
	ks->file = file;
	for (unsigned i = 0; i < elf->n_load && i < KD_ELF_MAX_PHDRS; i++) {
		const struct kd_elf_segment *l = &elf->load[i];
		struct seg s = { file + l->offset, l->offset, l->filesz, l->vaddr, 8 };

		if (l->offset > len || l->filesz > len - l->offset)
			return kd_reject(r, KD_ERR_ELF, "segment lies outside the file", "p_offset + p_filesz",
					 l->offset + l->filesz, len);
		if (find_in_segment(&s, elf, ks, &stage))
			return KD_OK;
	}
	kd_memset(ks, 0, sizeof(*ks));
	switch (stage) {
	case FOUND_NOTHING:
		return kd_reject(r, KD_ERR_KALLSYMS, "no kallsyms token table: the kernel was built without "
				 "CONFIG_KALLSYMS, or its table is damaged", NULL, 0, 0);
	case FOUND_TOKENS:
		return kd_reject(r, KD_ERR_KALLSYMS, "a kallsyms token table, but no symbol count and names "
				 "stream that agree with markers after them (damaged or cut short?)", NULL, 0, 0);
	case FOUND_NAMES:
		break;
	}
	return kd_reject(r, KD_ERR_KALLSYMS, "kallsyms names, but no sorted kernel addresses where the "
			 "layouts put them", NULL, 0, 0);
}

/* --- decoding a found table --- */

void kd_kallsyms_begin(const struct kd_kallsyms *ks, struct kd_ksym_cursor *c)
{
	c->index = 0;
	c->pos = ks->names;
}

bool kd_kallsyms_next(const struct kd_kallsyms *ks, struct kd_ksym_cursor *c, struct kd_ksym *sym)
{
	const uint8_t *e = ks->file + c->pos;
	uint32_t len, out = 0;
	char text[KD_KSYM_NAME_MAX];
	unsigned head;

	if (c->index >= ks->num_syms)
		return false;
	/* the finder walked every entry: each prefix is valid and each expansion fits */
	head = read_length(e, ks->names_end - c->pos, ks->long_lengths, &len);
	for (uint32_t i = 0; i < len; i++) {
		uint8_t b = e[head + i];

		kd_memcpy(text + out, ks->file + ks->token_table + ks->token_off[b], ks->token_len[b]);
		out += ks->token_len[b];
	}
	sym->type = text[0];
	sym->name_len = (uint16_t)(out - 1);
	kd_memcpy(sym->name, text + 1, out - 1);
	sym->name[out - 1] = 0;
	sym->addr = kd_kallsyms_address(ks, c->index);
	c->index++;
	c->pos += head + len;
	return true;
}

uint64_t kd_kallsyms_address(const struct kd_kallsyms *ks, uint32_t i)
{
	const uint8_t *a = ks->file + ks->addresses;
	int32_t off;

	switch (ks->addressing) {
	case KD_KSYM_ABSOLUTE:
		return kd_get_le64(a + (uint64_t)i * 8);
	case KD_KSYM_RELATIVE:
		return ks->relative_base + kd_get_le32(a + (uint64_t)i * 4);
	case KD_KSYM_RELATIVE_PERCPU:
		off = (int32_t)kd_get_le32(a + (uint64_t)i * 4);
		return off >= 0 ? (uint64_t)off : ks->relative_base - 1 - (uint64_t)(int64_t)off;
	case KD_KSYM_PLACE_RELATIVE:
		off = (int32_t)kd_get_le32(a + (uint64_t)i * 4);
		return kd_kallsyms_vaddr(ks, ks->addresses + (uint64_t)i * 4) + (uint64_t)(int64_t)off;
	}
	return 0;
}

uint32_t kd_kallsyms_name_order(const struct kd_kallsyms *ks, uint32_t i)
{
	const uint8_t *e = ks->file + ks->seqs + (uint64_t)i * SEQ_SIZE;

	return (uint32_t)e[0] << 16 | (uint32_t)e[1] << 8 | e[2];
}
