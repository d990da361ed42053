// SPDX-License-Identifier: MIT
/*
 * The head's assembly computes what the plan decides (boot/head_plan.h,
 * run on the host through tests/head_plan.S): for many inputs, random and
 * chosen at the edges, the assembly's answer must be the plan's:
 *   - the buffer's target: kd_plan_target, for loads aligned and not, below
 *     and above the link address, around 4 GiB and far above it, every
 *     kernel_alignment from 4 KiB to 1 GiB, relocatable or not;
 *   - the copy's destination and length: head_copy_dest, head_copy_len
 *     (layout.h), up to the largest file_len whose rounding fits 32 bits;
 *   - whether the backward copy is allowed: kd_plan_copy_safe, exactly at
 *     the edges (ending at the source, one byte over it, in place).
 * A mismatch is the head placing or refusing an image other than the way
 * pack and simulate plan it.
 */
#include "../boot/layout.h"
#include "t.h"

uint64_t head_plan_target(uint64_t link, uint32_t flags, uint32_t align, uint64_t load);
uint64_t head_plan_copy_dest(uint64_t target, uint32_t init_size, uint32_t mem_len);
uint32_t head_plan_copy_len(uint32_t file_len);
bool head_plan_copy_safe(uint64_t src, uint64_t dest, uint64_t len);

#define MB (1ull << 20)
#define GB (1ull << 30)
#define ROUNDS 200000

/* A load address: aligned or not, near the link, near 4 GiB, or anywhere in 64 TiB. */
static uint64_t pick_load(uint64_t *s, uint64_t link, uint64_t align)
{
	uint64_t jitter = t_rand(s) % (3 * align) - align / 2;

	switch (t_rand(s) % 5) {
	case 0: return link + jitter;
	case 1: return 4 * GB + jitter;
	case 2: return KD_ALIGN_UP(t_rand(s) % (8 * GB), align);
	case 3: return t_rand(s) % (8 * GB);
	default: return t_rand(s) % (64ull << 40);
	}
}

static void check_target(uint64_t link, uint32_t flags, uint32_t align, uint64_t load)
{
	struct kd_head_info i = { .link = (uint32_t)link, .align = align, .flags = flags };
	struct kd_plan_kernel k = head_plan_kernel(&i);
	uint64_t plan = kd_plan_target(&k, load), head = head_plan_target(link, flags, align, load);

	CHECKF(head == plan, "link 0x%llx align 0x%x flags %u load 0x%llx: head 0x%llx, plan 0x%llx",
	       (unsigned long long)link, align, flags, (unsigned long long)load, (unsigned long long)head,
	       (unsigned long long)plan);
}

TEST(head_plan_target_matches_plan)
{
	static const uint64_t links[] = { 2 * MB, 16 * MB, 64 * MB, 1 * GB, 4 * GB - 2 * MB };
	uint64_t s = 15;

	for (int n = 0; n < ROUNDS; n++) {
		uint32_t align = 1u << (12 + t_rand(&s) % 19);		/* 4 KiB .. 1 GiB */
		uint64_t link = t_rand(&s) % 2 ? links[t_rand(&s) % 5] : (t_rand(&s) % (4 * GB)) & ~0xfffull;
		uint32_t flags = (uint32_t)t_rand(&s) & (HEAD_5LEVEL | HEAD_RELOCATABLE | HEAD_RELOCS);

		check_target(link, flags, align, pick_load(&s, link, align));
	}
	/* the edges: one byte either side of an alignment step, of the link, and of 4 GiB */
	for (uint32_t align = 2 * MB; align && align <= GB; align <<= 1)
		for (int d = -1; d <= 1; d++) {
			check_target(16 * MB, HEAD_RELOCATABLE, align, 16 * MB + align + d);
			check_target(16 * MB, HEAD_RELOCATABLE, align, 16 * MB + d);
			check_target(16 * MB, HEAD_RELOCATABLE, align, 4 * GB + d);
			check_target(16 * MB, 0, align, 4 * GB + d);
		}
	check_target(16 * MB, HEAD_RELOCATABLE, 2 * MB, 0);
}

TEST(head_plan_copy_matches_plan)
{
	uint64_t s = 16;

	for (int n = 0; n < ROUNDS; n++) {
		struct kd_head_info i = {
			.init_size = (uint32_t)t_rand(&s), .mem_len = (uint32_t)t_rand(&s),
			.file_len = (uint32_t)(t_rand(&s) % (UINT32_MAX - HEAD_COPY_STEP + 2)),
		};
		uint64_t target = t_rand(&s) % (64ull << 40);

		CHECK_EQ(head_plan_copy_dest(target, i.init_size, i.mem_len), head_copy_dest(&i, target));
		CHECK_EQ(head_plan_copy_len(i.file_len), head_copy_len(&i));
	}
	/* every remainder of a step, and the largest file_len the 32-bit rounding takes */
	for (uint32_t len = 0; len <= 3 * HEAD_COPY_STEP; len++) {
		struct kd_head_info i = { .file_len = len };

		CHECK_EQ(head_plan_copy_len(len), head_copy_len(&i));
	}
	struct kd_head_info top = { .file_len = UINT32_MAX - (HEAD_COPY_STEP - 1) };
	CHECK_EQ(head_plan_copy_len(top.file_len), head_copy_len(&top));
}

static void check_safe(uint64_t src, uint64_t dest, uint64_t len)
{
	bool head = head_plan_copy_safe(src, dest, len), plan = kd_plan_copy_safe(src, dest, len);

	CHECKF(head == plan, "src 0x%llx dest 0x%llx len 0x%llx: head %d, plan %d", (unsigned long long)src,
	       (unsigned long long)dest, (unsigned long long)len, head, plan);
}

TEST(head_plan_copy_safe_matches_plan)
{
	uint64_t s = 17;

	for (int n = 0; n < ROUNDS; n++) {
		uint64_t src = t_rand(&s) % (8 * GB), len = t_rand(&s) % (64 * MB);
		uint64_t dest = t_rand(&s) % 2 ? src - t_rand(&s) % (2 * len + 1) : t_rand(&s) % (8 * GB);

		check_safe(src, dest, len);
		/* at the edge: ending exactly at the source, one byte into it, in place */
		check_safe(src + len, src, len);
		check_safe(src + len - 1, src, len);
		check_safe(src, src, len);
	}
}

/* The head's whole sequence (target, destination, length, the check) against the plan's, from head info and a load. */
TEST(head_plan_sequence_matches_plan)
{
	uint64_t s = 18;

	for (int n = 0; n < ROUNDS; n++) {
		uint32_t align = 1u << (21 + t_rand(&s) % 10);
		struct kd_head_info i = {
			.link = (uint32_t)(16 * MB << t_rand(&s) % 3), .align = align,
			.flags = t_rand(&s) % 4 ? HEAD_RELOCATABLE : 0,
			.file_len = (uint32_t)(MB + t_rand(&s) % (64 * MB)),
		};
		i.mem_len = i.file_len + (uint32_t)(t_rand(&s) % (8 * MB));
		i.init_size = i.mem_len + (uint32_t)(t_rand(&s) % (256 * MB));
		struct kd_plan_kernel k = head_plan_kernel(&i);
		uint64_t load = pick_load(&s, i.link, align);
		uint64_t target = kd_plan_target(&k, load), dest = head_copy_dest(&i, target);
		uint64_t head_target = head_plan_target(i.link, i.flags, i.align, load);
		uint64_t head_dest = head_plan_copy_dest(head_target, i.init_size, i.mem_len);

		CHECK_EQ(head_target, target);
		CHECK_EQ(head_dest, dest);
		CHECK_EQ(head_plan_copy_safe(load, head_dest, head_plan_copy_len(i.file_len)),
			 kd_plan_copy_safe(load, dest, head_copy_len(&i)));
	}
}
