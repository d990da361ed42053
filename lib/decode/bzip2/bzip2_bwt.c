// SPDX-License-Identifier: MIT
/*
 * bzip2's block layer: from a block's bytes in BWT order (the last column
 * of its sorted rotations) back to the original bytes, through the final
 * RLE1 stage, into the output.
 *
 * Inverse BWT: sorting the last column L gives the first column F, and
 * the k-th occurrence of a byte in L is its k-th occurrence in F.  If F-row
 * j starts with the byte that ends L-row i, row i is the rotation starting
 * one byte later than row j.  So with tt[j] = i << 8 | L[j], the walk
 * starts at the row after origPtr (the text's own row) and each step reads
 * one 32-bit entry: L[p], the byte just before row p's start, is the next
 * output byte, and tt[p] >> 8 the next row.
 *
 * RLE1: four equal bytes are followed by a count byte (0..255) of further
 * copies.  A block is at most 900000 bytes before RLE1, and a count byte
 * needs four bytes before it, so a block writes at most
 * n + 254 * n / 5 < 52 * n bytes.
 *
 * Randomised blocks (written by bzip2 0.9.0 for repetitive input, never
 * since) XOR 1 into some bytes after the BWT, at gaps given by a fixed
 * table of 512 numbers: the first flipped byte is number rand[0] - 2, each
 * later one rand[i] bytes after the one before.
 */
#include "bzip2.h"

static const uint16_t bz_rand[512] = {
	619, 720, 127, 481, 931, 816, 813, 233, 566, 247, 985, 724, 205, 454, 863, 491,
	741, 242, 949, 214, 733, 859, 335, 708, 621, 574,  73, 654, 730, 472, 419, 436,
	278, 496, 867, 210, 399, 680, 480,  51, 878, 465, 811, 169, 869, 675, 611, 697,
	867, 561, 862, 687, 507, 283, 482, 129, 807, 591, 733, 623, 150, 238,  59, 379,
	684, 877, 625, 169, 643, 105, 170, 607, 520, 932, 727, 476, 693, 425, 174, 647,
	 73, 122, 335, 530, 442, 853, 695, 249, 445, 515, 909, 545, 703, 919, 874, 474,
	882, 500, 594, 612, 641, 801, 220, 162, 819, 984, 589, 513, 495, 799, 161, 604,
	958, 533, 221, 400, 386, 867, 600, 782, 382, 596, 414, 171, 516, 375, 682, 485,
	911, 276,  98, 553, 163, 354, 666, 933, 424, 341, 533, 870, 227, 730, 475, 186,
	263, 647, 537, 686, 600, 224, 469,  68, 770, 919, 190, 373, 294, 822, 808, 206,
	184, 943, 795, 384, 383, 461, 404, 758, 839, 887, 715,  67, 618, 276, 204, 918,
	873, 777, 604, 560, 951, 160, 578, 722,  79, 804,  96, 409, 713, 940, 652, 934,
	970, 447, 318, 353, 859, 672, 112, 785, 645, 863, 803, 350, 139,  93, 354,  99,
	820, 908, 609, 772, 154, 274, 580, 184,  79, 626, 630, 742, 653, 282, 762, 623,
	680,  81, 927, 626, 789, 125, 411, 521, 938, 300, 821,  78, 343, 175, 128, 250,
	170, 774, 972, 275, 999, 639, 495,  78, 352, 126, 857, 956, 358, 619, 580, 124,
	737, 594, 701, 612, 669, 112, 134, 694, 363, 992, 809, 743, 168, 974, 944, 375,
	748,  52, 600, 747, 642, 182, 862,  81, 344, 805, 988, 739, 511, 655, 814, 334,
	249, 515, 897, 955, 664, 981, 649, 113, 974, 459, 893, 228, 433, 837, 553, 268,
	926, 240, 102, 654, 459,  51, 686, 754, 806, 760, 493, 403, 415, 394, 687, 700,
	946, 670, 656, 610, 738, 392, 760, 799, 887, 653, 978, 321, 576, 617, 626, 502,
	894, 679, 243, 440, 680, 879, 194, 572, 640, 724, 926,  56, 204, 700, 707, 151,
	457, 449, 797, 195, 791, 558, 945, 679, 297,  59,  87, 824, 713, 663, 412, 693,
	342, 606, 134, 108, 571, 364, 631, 212, 174, 643, 304, 329, 343,  97, 430, 751,
	497, 314, 983, 374, 822, 928, 140, 206,  73, 263, 980, 736, 876, 478, 430, 305,
	170, 514, 364, 692, 829,  82, 855, 953, 676, 246, 369, 970, 294, 750, 807, 827,
	150, 790, 288, 923, 804, 378, 215, 828, 592, 281, 565, 555, 710,  82, 896, 831,
	547, 261, 524, 462, 293, 465, 502,  56, 661, 821, 976, 991, 658, 869, 905, 758,
	745, 193, 768, 550, 608, 933, 378, 286, 215, 979, 792, 961,  61, 688, 793, 644,
	986, 403, 106, 366, 905, 644, 372, 567, 466, 434, 645, 210, 389, 550, 919, 135,
	780, 773, 635, 389, 707, 100, 626, 958, 165, 504, 920, 176, 193, 713, 857, 265,
	203,  50, 668, 108, 645, 990, 626, 197, 510, 357, 358, 850, 858, 364, 936, 638,
};

/* Link the rows: tt[j] gains, in its upper 24 bits, the L-row of F-row j. */
static void link_rows(struct bz_block *blk)
{
	uint32_t *tt = blk->tt, next[256], sum = 0;

	for (unsigned c = 0; c < 256; c++) {
		next[c] = sum;
		sum += blk->count[c];
	}
	for (uint32_t i = 0; i < blk->n; i++)
		tt[next[tt[i] & 0xff]++] |= i << 8;
}

/*
 * The walk with every output check, and the randomisation; used near the
 * end of the output and for randomised blocks.
 */
static enum kd_err write_careful(struct kd_job *job, const struct bz_block *blk, uint8_t **opp,
				 uint8_t *oend)
{
	const uint32_t *tt = blk->tt;
	uint32_t p = tt[blk->orig_ptr] >> 8, to_go = UINT32_MAX;
	unsigned prev = 256, run = 0, rand_i = 1;
	uint8_t *op = *opp;
	enum kd_err err = KD_OK;

	if (blk->randomised)
		to_go = bz_rand[0] - 2;
	for (uint32_t k = blk->n; k; k--) {
		uint32_t e = tt[p];
		unsigned b = e & 0xff;

		p = e >> 8;
		if (to_go == 0) {
			b ^= 1;
			to_go = bz_rand[rand_i];
			rand_i = (rand_i + 1) & 511;
		}
		to_go--;
		if (run == 4) {
			KD_FAIL_TO_IF(b > (size_t)(oend - op), done, err, job, KD_ERR_OUTPUT_FULL,
				      "bzip2 block overflows the output");
			kd_memset(op, prev, b);
			op += b;
			run = 0;
			continue;
		}
		KD_FAIL_TO_IF(op == oend, done, err, job, KD_ERR_OUTPUT_FULL, "bzip2 block overflows the output");
		*op++ = (uint8_t)b;
		run = b == prev ? run + 1 : 1;
		prev = b;
	}
done:
	*opp = op;
	return err;
}

/*
 * The walk when the whole block's worst case fits: no output checks, and
 * RLE1 runs stored 8 bytes at a time, up to 7 bytes past their end.
 */
static void write_fast(const struct bz_block *blk, uint8_t **opp)
{
	const uint32_t *tt = blk->tt;
	uint32_t p = tt[blk->orig_ptr] >> 8;
	unsigned prev = 256, run = 0;
	uint8_t *op = *opp;

	for (uint32_t k = blk->n; k; k--) {
		uint32_t e = tt[p];
		unsigned b = e & 0xff;

		p = e >> 8;
		if (run == 4) {
			uint64_t pattern = prev * 0x0101010101010101ull;

			for (unsigned i = 0; i < b; i += 8)
				kd_put_le64(op + i, pattern);
			op += b;
			run = 0;
			continue;
		}
		*op++ = (uint8_t)b;
		run = b == prev ? run + 1 : 1;
		prev = b;
	}
	*opp = op;
}

enum kd_err kd_bzip2_write_block(struct kd_job *job, struct bz_block *blk, size_t *pos)
{
	uint8_t *op = job->out + *pos, *oend = job->out + job->out_cap;
	enum kd_err err = KD_OK;

	link_rows(blk);
	if (!blk->randomised && (size_t)(oend - op) >= 52 * (size_t)blk->n + 8)
		write_fast(blk, &op);
	else
		err = write_careful(job, blk, &op, oend);
	*pos = op - job->out;
	return err;
}
