/* SPDX-License-Identifier: MIT */
/*
 * The benchmarks' clock and statistic, shared by the harness (bench/main.c)
 * and the preboot comparison (bench/preboot/main.c): seconds on a given
 * clock, and the median of a set of timings (robust to the odd run the
 * machine's other work slows down).
 */
#ifndef B_CLOCK_H
#define B_CLOCK_H
#include <stdlib.h>
#include <time.h>

static inline double b_seconds(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static inline int b_compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median of v[0..n), n > 0; sorts v. */
static inline double b_median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), b_compare_doubles);
	return v[n / 2];
}
#endif
