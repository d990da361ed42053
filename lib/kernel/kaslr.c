// SPDX-License-Identifier: MIT
/* Slot arithmetic for KASLR, and the memory map it works on (see kaslr.h). */
#include "kaslr.h"
#include "cmdline.h"
#include "efi_map.h"
#include "pgtable.h"

#define VIRT_SALT 0x7669727475616cull	/* "virtual": the virtual choice's own random number */
#define TOO_MANY "KASLR disabled: too many regions to avoid"

void kd_kaslr_map_init(struct kd_kaslr_map *m, uint64_t limit)
{
	m->n_ram = 0;
	m->n_avoid = 0;
	m->limit = limit;
}

void kd_kaslr_add_e820(struct kd_kaslr_map *m, const struct kd_e820_entry *e, unsigned n)
{
	for (unsigned i = 0; i < n && m->n_ram < KD_KASLR_MAX_RAM; i++) {
		if (e[i].type != KD_E820_RAM || e[i].size == 0 || e[i].addr > UINT64_MAX - e[i].size)
			continue;
		m->ram[m->n_ram].start = e[i].addr;
		m->ram[m->n_ram].end = e[i].addr + e[i].size;
		m->n_ram++;
	}
}

void kd_kaslr_add_efi(struct kd_kaslr_map *m, const uint8_t *map, uint64_t size, uint64_t desc_size)
{
	for (uint64_t i = 0; i < kd_efi_desc_count(size, desc_size) && m->n_ram < KD_KASLR_MAX_RAM; i++) {
		const struct kd_efi_mem_desc *d = kd_efi_desc(map, desc_size, i);
		struct kd_range *last = m->n_ram ? &m->ram[m->n_ram - 1] : NULL;
		uint64_t end;

		if (d->type != KD_EFI_CONVENTIONAL || !kd_efi_desc_end(d, &end))
			continue;
		if (last && last->end == d->phys_start) {	/* firmware maps split free memory finely */
			last->end = end;
			continue;
		}
		m->ram[m->n_ram].start = d->phys_start;
		m->ram[m->n_ram].end = end;
		m->n_ram++;
	}
}

bool kd_kaslr_avoid(struct kd_kaslr_map *m, uint64_t start, uint64_t size)
{
	if (size == 0)
		return true;
	if (m->n_avoid >= KD_KASLR_MAX_AVOID)
		return false;
	m->avoid[m->n_avoid].start = start;
	m->avoid[m->n_avoid].end = start > UINT64_MAX - size ? UINT64_MAX : start + size;
	m->n_avoid++;
	return true;
}

/*
 * Walk the free pieces of one RAM range: [start, end) minus every avoided
 * region, in address order.  Each call returns the next piece at or after
 * *pos; false when none is left.
 */
static bool next_free_piece(const struct kd_kaslr_map *m, uint64_t *pos, uint64_t end, struct kd_range *piece)
{
	while (*pos < end) {
		uint64_t start = *pos, stop = end;
		bool blocked = false;

		for (unsigned i = 0; i < m->n_avoid; i++) {
			const struct kd_range *a = &m->avoid[i];

			if (a->start <= start && a->end > start) {	/* start is inside: skip past */
				*pos = a->end;
				blocked = true;
				break;
			}
			if (a->start > start && a->start < stop)
				stop = a->start;
		}
		if (blocked)
			continue;
		piece->start = start;
		piece->end = stop;
		*pos = stop;
		return true;
	}
	return false;
}

static uint64_t piece_slots(const struct kd_range *p, uint64_t size, uint64_t align)
{
	uint64_t first = KD_ALIGN_UP(p->start, align);

	if (first < p->start || first >= p->end || p->end - first < size)
		return 0;
	return (p->end - first - size) / align + 1;
}

/* Visit the slots in order; stop at slot `want` (returning its address) or count them all. */
static uint64_t walk_slots(const struct kd_kaslr_map *m, uint64_t size, uint64_t align, uint64_t min,
			   uint64_t want, uint64_t *count)
{
	*count = 0;
	if (size == 0 || align == 0 || (align & (align - 1)))
		return 0;
	for (unsigned r = 0; r < m->n_ram; r++) {
		uint64_t pos = m->ram[r].start > min ? m->ram[r].start : min;
		uint64_t end = m->ram[r].end < m->limit ? m->ram[r].end : m->limit;
		struct kd_range piece;

		while (next_free_piece(m, &pos, end, &piece)) {
			uint64_t n = piece_slots(&piece, size, align);

			if (want < *count + n)
				return KD_ALIGN_UP(piece.start, align) + (want - *count) * align;
			*count += n;
		}
	}
	return 0;
}

uint64_t kd_kaslr_count_slots(const struct kd_kaslr_map *m, uint64_t size, uint64_t align, uint64_t min)
{
	uint64_t count;

	walk_slots(m, size, align, min, UINT64_MAX, &count);
	return count;
}

uint64_t kd_kaslr_slot_addr(const struct kd_kaslr_map *m, uint64_t size, uint64_t align, uint64_t min, uint64_t n)
{
	uint64_t count;

	return walk_slots(m, size, align, min, n, &count);
}

uint64_t kd_kaslr_choose_phys(const struct kd_kaslr_map *m, uint64_t size, uint64_t align, uint64_t min,
			      uint64_t random)
{
	uint64_t slots = kd_kaslr_count_slots(m, size, align, min);

	return slots ? kd_kaslr_slot_addr(m, size, align, min, random % slots) : 0;
}

uint64_t kd_kaslr_virt_slots(uint64_t size, uint64_t align, uint64_t min)
{
	if (min > KD_KERNEL_IMAGE_SIZE || size > KD_KERNEL_IMAGE_SIZE - min)
		return 1;
	return (KD_KERNEL_IMAGE_SIZE - min - size) / align + 1;
}

uint64_t kd_kaslr_choose_virt(uint64_t size, uint64_t align, uint64_t min, uint64_t random)
{
	return min + random % kd_kaslr_virt_slots(size, align, min) * align;
}

/* One round of a 64-bit mixer (multiply, xor-shift): every input bit reaches every output bit. */
uint64_t kd_kaslr_mix(uint64_t acc, uint64_t word)
{
	acc ^= word + 0x9e3779b97f4a7c15ull + (acc << 6) + (acc >> 2);
	acc ^= acc >> 31;
	acc *= 0xbf58476d1ce4e5b9ull;
	acc ^= acc >> 29;
	acc *= 0x94d049bb133111ebull;
	return acc ^ (acc >> 32);
}

enum kd_kaslr_seed kd_kaslr_cmdline_seed(const char *cmdline, size_t len, uint64_t *seed, const char **why)
{
	const char *v;
	size_t n;

	*why = NULL;
	if (!cmdline || !kd_cmdline_get(cmdline, len, "kdecomp.seed", &v, &n))
		return KD_SEED_NONE;
	if (!kd_parse_size(v, n, seed)) {
		*why = "kdecomp.seed= is not a number: ignored";
		return KD_SEED_BAD;
	}
	*why = "KASLR entropy fixed by kdecomp.seed=: testing only";
	return KD_SEED_FIXED;
}

uint64_t kd_kaslr_seeded(uint64_t seed)
{
	return kd_kaslr_mix(0, seed);
}

/* memmap=SIZE<sep>START, with any of Linux's separators: all such ranges are kept free.  NULL, or why not. */
static const char *avoid_memmap(struct kd_kaslr_map *m, const char *cmd, size_t len)
{
	const char *v;
	size_t n;

	if (!kd_cmdline_get(cmd, len, "memmap", &v, &n))
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (v[i] == '@' || v[i] == '#' || v[i] == '$' || v[i] == '!') {
			uint64_t size, start;

			if (kd_parse_size(v, i, &size) && kd_parse_size(v + i + 1, n - i - 1, &start))
				return kd_kaslr_avoid(m, start, size) ? NULL : TOO_MANY;
			return "KASLR disabled: an unreadable memmap=";	/* do not guess */
		}
	}
	return NULL;
}

/*
 * Every setup_data node is avoided; SETUP_E820_EXT nodes also carry e820
 * entries beyond the 128.  NULL, or why not.
 */
static const char *walk_setup_data(struct kd_kaslr_map *m, const struct kd_kaslr_boot *b)
{
	for (uint64_t node = b->bp->hdr.setup_data; node;) {
		const struct kd_setup_data *sd = b->read_setup_data(node, b->ctx);

		if (!sd)
			return "KASLR disabled: a setup_data node cannot be read";
		if (!kd_kaslr_avoid(m, node, sizeof(*sd) + sd->len))
			return TOO_MANY;
		if (sd->type == KD_SETUP_E820_EXT && !b->efi_map)
			kd_kaslr_add_e820(m, (const struct kd_e820_entry *)sd->data, sd->len / sizeof(struct kd_e820_entry));
		node = sd->next;
	}
	return NULL;
}

/*
 * Where e820 entries overlap, the non-RAM type wins (as Linux's e820
 * sanitizer decides): memory a reserved entry claims is not free even if a
 * RAM entry covers it too.  Only entries that overlap RAM are avoided; a
 * sane map has none, so the avoid table keeps its room for the rest.
 */
static bool avoid_reserved_over_ram(struct kd_kaslr_map *m, const struct kd_e820_entry *e, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		uint64_t end = e[i].addr > UINT64_MAX - e[i].size ? UINT64_MAX : e[i].addr + e[i].size;

		if (e[i].type == KD_E820_RAM)
			continue;
		for (unsigned r = 0; r < m->n_ram; r++) {
			if (e[i].addr < m->ram[r].end && m->ram[r].start < end) {
				if (!kd_kaslr_avoid(m, e[i].addr, end - e[i].addr))
					return false;
				break;
			}
		}
	}
	return true;
}

bool kd_kaslr_collect(struct kd_kaslr_map *m, const struct kd_kaslr_boot *b, const char **why)
{
	const struct kd_boot_params *bp = b->bp;
	uint64_t limit = kd_pgt_limit(4), mem;
	unsigned n_e820 = bp->e820_entries < KD_E820_MAX ? bp->e820_entries : KD_E820_MAX;
	const char *v;
	size_t n;
	bool ok = true;

	if (b->cmdline && kd_cmdline_get(b->cmdline, b->cmdline_len, "mem", &v, &n) && kd_parse_size(v, n, &mem) &&
	    mem < limit)
		limit = mem;
	kd_kaslr_map_init(m, limit);
	if (b->efi_map)
		kd_kaslr_add_efi(m, b->efi_map, kd_efi_memmap_size(bp), bp->efi_info.memdesc_size);
	else
		kd_kaslr_add_e820(m, bp->e820_table, n_e820);
	ok &= kd_kaslr_avoid(m, b->target, b->init_size);
	ok &= kd_kaslr_avoid(m, kd_initrd_addr(bp), kd_initrd_size(bp));
	ok &= kd_kaslr_avoid(m, b->bp_addr, sizeof(*bp));
	if (b->cmdline)
		ok &= kd_kaslr_avoid(m, kd_cmdline_addr(bp), b->cmdline_len + 1);
	*why = ok ? walk_setup_data(m, b) : TOO_MANY;
	/* after the SETUP_E820_EXT nodes: their RAM too may lie under a reserved entry */
	if (!*why && !avoid_reserved_over_ram(m, bp->e820_table, n_e820))
		*why = TOO_MANY;
	if (!*why && b->cmdline)
		*why = avoid_memmap(m, b->cmdline, b->cmdline_len);
	return !*why;
}

bool kd_kaslr_choose(const struct kd_kaslr_map *m, const struct kd_plan_kernel *k, enum kd_plan_kaslr what,
		     uint64_t random, uint64_t *phys, uint64_t *virt)
{
	uint64_t p = kd_kaslr_choose_phys(m, k->needed, k->align, k->link, random);

	if (what == KD_PLAN_KASLR_ALL)
		*virt = kd_kaslr_choose_virt(k->kernel_mem, k->align, k->link, kd_kaslr_mix(random, VIRT_SALT));
	if (p)
		*phys = p;
	return p != 0;
}

enum kd_err kd_kaslr_check_destination(const struct kd_plan_kernel *k, uint64_t phys, uint64_t virt,
				       struct kd_report *r)
{
	uint64_t kernel_mem = k->kernel_mem;

	if (phys & (k->align - 1))
		return kd_reject(r, KD_ERR_PLACE, "Destination physical address inappropriately aligned:", "physical",
				 phys, k->align);
	if (virt & (k->align - 1))
		return kd_reject(r, KD_ERR_PLACE, "Destination virtual address inappropriately aligned:", "virtual",
				 virt, k->align);
	if (phys + kernel_mem > kd_pgt_limit(4))
		return kd_reject(r, KD_ERR_PLACE, "Destination address too large:", "physical", phys,
				 kd_pgt_limit(4) - kernel_mem);
	if (virt + kernel_mem > KD_KERNEL_IMAGE_SIZE)
		return kd_reject(r, KD_ERR_PLACE, "Destination virtual address is beyond the kernel mapping area:",
				 "virtual", virt, KD_KERNEL_IMAGE_SIZE - kernel_mem);
	return KD_OK;
}
