// SPDX-License-Identifier: MIT
/* The benchmark runner. */
#include <stdarg.h>
#include <stdlib.h>
#include <time.h>

#include "b.h"
#include "clock.h"

static struct b_case *cases, **tail = &cases;

void b_register(struct b_case *c)
{
	*tail = c;
	tail = &c->next;
}

/* The tests' helpers report through these; in a benchmark a failure is fatal. */
void t_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

void t_skip(const char *why)
{
	fprintf(stderr, "skipped: %s\n", why);
}

void b_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

double b_time(void (*fn)(void *), void *arg, int runs)
{
	double t[64];

	if (runs > 64)
		runs = 64;
	fn(arg);
	for (int i = 0; i < runs; i++) {
		double t0 = b_seconds(CLOCK_MONOTONIC);
		fn(arg);
		t[i] = b_seconds(CLOCK_MONOTONIC) - t0;
	}
	return b_median(t, runs);
}

void b_report(const char *what, const char *ref_name, size_t bytes, double ours_s, double ref_s)
{
	printf("%-28s kdecomp %8.1f MB/s   %-22s %8.1f MB/s   ratio %.2f\n", what, bytes / ours_s / 1e6,
	       ref_name, bytes / ref_s / 1e6, ref_s / ours_s);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	for (struct b_case *c = cases; c; c = c->next) {
		bool selected = argc < 2;

		for (int i = 1; i < argc; i++)
			selected |= strstr(c->name, argv[i]) != NULL;
		if (selected)
			c->fn();
	}
	return 0;
}
