// SPDX-License-Identifier: MIT
/*
 * The test kernel's own page tables, as Linux builds its early ones: the
 * kernel's physical range mapped twice, at its identity address (the code
 * that loads CR3 runs there) and at its virtual address in the kernel
 * mapping.  Nothing else: boot_params and the stub's memory are no longer
 * needed once the kernel runs at its virtual address.
 *
 * 4-level paging, 2 MiB pages (the stub places the kernel 2 MiB-aligned,
 * physically and virtually).  Built while identity-mapped, so a table's
 * %rip-relative address is its physical address, as the entries need.
 */
#include "kernel.h"

#define PTE_PRESENT	0x001
#define PTE_WRITE	0x002
#define PTE_LARGE	0x080	/* in a page directory: a 2 MiB page */
#define PTE_ADDR	0x000ffffffffff000ull
#define PAGE_2M		0x200000ull

static uint64_t pgt[PGT_PAGES][512] __attribute__((aligned(4096)));
static unsigned pgt_used;

/* The table an entry points to, taken from the pool on first use; 0 if the pool is empty. */
static uint64_t *next_table(uint64_t *entry)
{
	if (!(*entry & PTE_PRESENT)) {
		if (pgt_used == PGT_PAGES)
			return 0;
		*entry = (uint64_t)(uintptr_t)pgt[pgt_used++] | PTE_PRESENT | PTE_WRITE;
	}
	return (uint64_t *)(uintptr_t)(*entry & PTE_ADDR);
}

static bool map_2m(uint64_t virt, uint64_t phys)
{
	uint64_t *pdpt = next_table(&pgt[0][(virt >> 39) & 511]);
	uint64_t *pd = pdpt ? next_table(&pdpt[(virt >> 30) & 511]) : 0;

	if (!pd)
		return false;
	pd[(virt >> 21) & 511] = phys | PTE_PRESENT | PTE_WRITE | PTE_LARGE;
	return true;
}

/* Map [phys, phys + size) at phys and at virt (both 2 MiB-aligned); CR3's value in *cr3. */
bool build_page_tables(uint64_t phys, uint64_t virt, uint64_t size, uint64_t *cr3)
{
	pgt_used = 1;	/* pgt[0] is the PML4 */
	for (uint64_t off = 0; off < size; off += PAGE_2M)
		if (!map_2m(phys + off, phys + off) || !map_2m(virt + off, phys + off))
			return false;
	*cr3 = (uint64_t)(uintptr_t)pgt[0];
	return true;
}
