// SPDX-License-Identifier: MIT
/*
 * KASLR slot arithmetic over thousands of random memory maps and seeds,
 * for kernels linked at 2, 16 or 64 MiB asking for 2 or 16 MiB alignment:
 * the chosen slot is aligned to the kernel's alignment, at or above its
 * link address, inside usable RAM and below the limit, clear of every
 * avoided region; the slot count equals a brute-force count; the same seed
 * gives the same choice; every slot can be chosen.  Virtual offsets stay
 * aligned, at or above the link address and inside the 1 GiB mapping.
 * kdecomp.seed= is read as decimal or 0x hex, the last one winning; a
 * value that is not a number is reported, not used.  Each reason the
 * memory map cannot be collected (KASLR then off) has its own warning.
 */
#include "kaslr.h"
#include "t.h"

#define MB (1ull << 20)

/* A kernel's placement facts: a link address and an alignment from what Linux's configs allow. */
struct facts {
	uint64_t link, align;
};

static struct facts random_facts(uint64_t *s)
{
	static const uint64_t links[] = { 2 * MB, 16 * MB, 64 * MB };
	struct facts f = { links[t_rand(s) % 3], t_rand(s) % 2 ? 2 * MB : 16 * MB };

	if (f.link % f.align)
		f.align = 2 * MB;
	return f;
}

static bool slot_ok(const struct kd_kaslr_map *m, const struct facts *f, uint64_t a, uint64_t size)
{
	bool in_ram = false;

	if (a % f->align || a < f->link || a + size > m->limit)
		return false;
	for (unsigned i = 0; i < m->n_ram; i++)
		in_ram |= a >= m->ram[i].start && a + size <= m->ram[i].end;
	for (unsigned i = 0; i < m->n_avoid; i++)
		if (a < m->avoid[i].end && a + size > m->avoid[i].start)
			return false;
	return in_ram;
}

static void random_map(struct kd_kaslr_map *m, uint64_t *s)
{
	struct kd_e820_entry e[12];
	uint64_t addr = 0;
	unsigned n = 1 + t_rand(s) % 12;

	kd_kaslr_map_init(m, t_rand(s) % 4 ? 8192 * MB : (512 + t_rand(s) % 4096) * MB);
	for (unsigned i = 0; i < n; i++) {	/* RAM and holes, not always 2 MiB aligned */
		addr += (t_rand(s) % 4) * 64 * MB + (t_rand(s) % 3 ? 0 : t_rand(s) % MB);
		e[i].addr = addr;
		e[i].size = (1 + t_rand(s) % 1024) * MB + (t_rand(s) % 2 ? 0 : 4096);
		e[i].type = t_rand(s) % 5 ? KD_E820_RAM : KD_E820_RESERVED;
		addr += e[i].size;
	}
	kd_kaslr_add_e820(m, e, n);
	for (unsigned i = t_rand(s) % 8; i > 0; i--)
		kd_kaslr_avoid(m, t_rand(s) % (8192 * MB), t_rand(s) % (128 * MB));
}

TEST(kaslr_random_maps_properties)
{
	uint64_t s = 42;
	int nonempty = 0;

	for (int iter = 0; iter < 3000; iter++) {
		struct kd_kaslr_map m;
		struct facts f = random_facts(&s);
		uint64_t size = (1 + t_rand(&s) % 96) * MB, count, brute = 0;

		random_map(&m, &s);
		count = kd_kaslr_count_slots(&m, size, f.align, f.link);
		for (uint64_t a = f.link; a < m.limit; a += f.align)
			brute += slot_ok(&m, &f, a, size);
		CHECKF(count == brute, "iteration %d: %llu slots counted, %llu by brute force", iter,
		       (unsigned long long)count, (unsigned long long)brute);
		for (int k = 0; k < 8; k++) {
			uint64_t seed = t_rand(&s), a = kd_kaslr_choose_phys(&m, size, f.align, f.link, seed);

			if (count == 0) {
				CHECK_EQ(a, 0);
				continue;
			}
			CHECKF(slot_ok(&m, &f, a, size), "iteration %d: chose bad slot 0x%llx", iter, (unsigned long long)a);
			CHECK_EQ(kd_kaslr_choose_phys(&m, size, f.align, f.link, seed), a);	/* same seed, same choice */
		}
		nonempty += count > 0;
	}
	CHECKF(nonempty > 1000, "too few maps had room (%d): the test is not testing", nonempty);
}

TEST(kaslr_every_slot_reachable)
{
	uint64_t s = 7;

	for (int iter = 0; iter < 300; iter++) {
		struct kd_kaslr_map m;
		struct facts f = random_facts(&s);
		uint64_t size = (1 + t_rand(&s) % 64) * MB, count, prev = 0;

		random_map(&m, &s);
		count = kd_kaslr_count_slots(&m, size, f.align, f.link);
		for (uint64_t n = 0; n < count; n++) {
			uint64_t a = kd_kaslr_choose_phys(&m, size, f.align, f.link, n);	/* random = n picks slot n */

			CHECK(slot_ok(&m, &f, a, size));
			CHECKF(n == 0 || a != prev, "slots %llu and %llu are the same address", (unsigned long long)n - 1,
			       (unsigned long long)n);
			prev = a;
		}
	}
}

TEST(kaslr_virtual_offsets)
{
	uint64_t s = 99, seen_low = 0, seen_high = 0;

	for (int i = 0; i < 20000; i++) {
		struct facts f = random_facts(&s);
		uint64_t size = (1 + t_rand(&s) % 900) * MB, v = kd_kaslr_choose_virt(size, f.align, f.link, t_rand(&s));

		CHECK(v % f.align == 0);
		CHECK(v >= f.link);
		CHECKF(v + size <= KD_KERNEL_IMAGE_SIZE || v == f.link,
		       "virtual 0x%llx + 0x%llx beyond the mapping", (unsigned long long)v, (unsigned long long)size);
		seen_low |= v == f.link;
		seen_high |= v + size > KD_KERNEL_IMAGE_SIZE - f.align;
	}
	CHECK(seen_low && seen_high);	/* both ends of the range occur */
	CHECK_EQ(kd_kaslr_choose_virt(2000 * MB, 2 * MB, 16 * MB, 12345), 16 * MB);
	CHECK_EQ(kd_kaslr_virt_slots(2000 * MB, 2 * MB, 16 * MB), 1);
}

TEST(kaslr_avoid_table_full)
{
	struct kd_kaslr_map m;

	kd_kaslr_map_init(&m, 1ull << 40);
	for (int i = 0; i < KD_KASLR_MAX_AVOID; i++)
		CHECK(kd_kaslr_avoid(&m, i * MB, MB));
	CHECK(!kd_kaslr_avoid(&m, 0, MB));
}

/*
 * A reserved e820 entry over part of a RAM entry (a map a buggy or hostile
 * loader can hand over): reserved wins, so no seed may put the kernel on
 * it.  Found by fuzz/fuzz_kaslr (fuzz/corpus/fuzz_kaslr/crash-reserved-overlap):
 * the map used to take the RAM entry alone.
 */
TEST(kaslr_reserved_entry_over_ram_is_avoided)
{
	static struct kd_boot_params bp;
	static struct kd_kaslr_map m;
	const uint64_t res_start = 128 * MB, res_end = 960 * MB, needed = 32 * MB;
	struct kd_kaslr_boot b = { .bp = &bp, .bp_addr = 0x7000, .target = 16 * MB, .init_size = 48 * MB };
	const struct kd_plan_kernel k = { .link = 16 * MB, .align = 2 * MB, .kernel_mem = needed, .needed = needed,
					  .relocatable = true, .relocs = true };
	int chosen = 0;

	bp.e820_table[0] = (struct kd_e820_entry){ 1 * MB, 1023 * MB, KD_E820_RAM };
	bp.e820_table[1] = (struct kd_e820_entry){ res_start, res_end - res_start, KD_E820_RESERVED };
	bp.e820_entries = 2;
	const char *why;

	CHECK(kd_kaslr_collect(&m, &b, &why));
	for (uint64_t seed = 0; seed < 500; seed++) {
		uint64_t phys = 0, virt;

		if (!kd_kaslr_choose(&m, &k, KD_PLAN_KASLR_ALL, kd_kaslr_mix(seed, seed), &phys, &virt))
			continue;
		chosen++;
		CHECKF(phys + needed <= res_start || phys >= res_end, "seed %llu: kernel at 0x%llx on reserved memory",
		       (unsigned long long)seed, (unsigned long long)phys);
	}
	CHECK(chosen == 500);
}

/* The one parser the stub and simulate share for kdecomp.seed=. */
TEST(kaslr_cmdline_seed)
{
	static const struct {
		const char *cmdline;
		enum kd_kaslr_seed how;
		uint64_t seed;
	} cases[] = {
		{ "console=ttyS0", KD_SEED_NONE, 0 },
		{ "kdecomp.seed=42", KD_SEED_FIXED, 42 },
		{ "nokaslr kdecomp.seed=0x2545F491 quiet", KD_SEED_FIXED, 0x2545f491 },
		{ "kdecomp.seed=1 kdecomp.seed=7", KD_SEED_FIXED, 7 },	/* later words win */
		{ "kdecomp.seed=18446744073709551615", KD_SEED_FIXED, UINT64_MAX },
		{ "kdecomp.seed=banana", KD_SEED_BAD, 0 },
		{ "kdecomp.seed=", KD_SEED_BAD, 0 },
		{ "kdecomp.seed", KD_SEED_BAD, 0 },
		{ "kdecomp.seeds=3 xkdecomp.seed=3", KD_SEED_NONE, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t seed = 0;
		const char *why;
		enum kd_kaslr_seed how = kd_kaslr_cmdline_seed(cases[i].cmdline, strlen(cases[i].cmdline), &seed, &why);

		CHECKF(how == cases[i].how, "'%s': %d, expected %d", cases[i].cmdline, how, cases[i].how);
		CHECKF(seed == cases[i].seed, "'%s': seed %llu", cases[i].cmdline, (unsigned long long)seed);
		CHECKF((why != NULL) == (how != KD_SEED_NONE), "'%s': warning '%s'", cases[i].cmdline, why ? why : "");
	}
	const char *why = "";

	CHECK(kd_kaslr_cmdline_seed(NULL, 0, NULL, &why) == KD_SEED_NONE && why == NULL);
	/* the seed is mixed, not used raw: neighbouring seeds pick unrelated slots */
	CHECK(kd_kaslr_seeded(1) != kd_kaslr_seeded(2));
	CHECK_EQ(kd_kaslr_seeded(5), kd_kaslr_mix(0, 5));
}

static const struct kd_setup_data *no_node(uint64_t addr, void *ctx)
{
	(void)addr, (void)ctx;
	return NULL;
}

/* Each reason KASLR turns itself off has its own warning, not one for all. */
TEST(kaslr_collect_says_why)
{
	static struct kd_boot_params bp;
	static struct kd_kaslr_map m;
	static const char fine[] = "memmap=64M$0x8000000", junk[] = "memmap=junk@";
	struct kd_kaslr_boot b = { .bp = &bp, .bp_addr = 0x7000, .target = 16 * MB, .init_size = 48 * MB,
				   .read_setup_data = no_node };
	const char *why = "";

	bp.e820_table[0] = (struct kd_e820_entry){ 1 * MB, 1023 * MB, KD_E820_RAM };
	bp.e820_entries = 1;
	b.cmdline = fine, b.cmdline_len = strlen(fine);
	CHECK(kd_kaslr_collect(&m, &b, &why) && why == NULL);
	b.cmdline = junk, b.cmdline_len = strlen(junk);
	CHECK(!kd_kaslr_collect(&m, &b, &why) && why && strcmp(why, "KASLR disabled: an unreadable memmap=") == 0);

	b.cmdline = NULL, b.cmdline_len = 0;
	bp.hdr.setup_data = 0x9000;
	CHECK(!kd_kaslr_collect(&m, &b, &why) && why &&
	      strcmp(why, "KASLR disabled: a setup_data node cannot be read") == 0);

	/* more reserved entries over RAM than the avoid table holds */
	bp.hdr.setup_data = 0;
	for (unsigned i = 1; i <= KD_KASLR_MAX_AVOID; i++)
		bp.e820_table[i] = (struct kd_e820_entry){ i * 16 * MB, MB, KD_E820_RESERVED };
	bp.e820_entries = KD_KASLR_MAX_AVOID + 1;
	CHECK(!kd_kaslr_collect(&m, &b, &why) && why && strcmp(why, "KASLR disabled: too many regions to avoid") == 0);
}
