// SPDX-License-Identifier: MIT
/* The test runner and the helpers every test shares. */
#include <stdarg.h>
#include <stdlib.h>

#include "t.h"

static struct t_case *cases, **cases_tail = &cases;
static int failures_here, skipped_here;

void t_register(struct t_case *c)
{
	*cases_tail = c;
	cases_tail = &c->next;
}

void t_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	if (failures_here++ >= 10)	/* one broken loop should not flood the log */
		return;
	fprintf(stderr, "  %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void t_skip(const char *why)
{
	if (!skipped_here++)
		fprintf(stderr, "  skipped: %s\n", why);
}

int main(int argc, char **argv)
{
	int passed = 0, failed = 0, skipped = 0;

	for (struct t_case *c = cases; c; c = c->next) {
		bool selected = argc < 2;

		for (int i = 1; i < argc; i++)
			selected |= strstr(c->name, argv[i]) != NULL;
		if (!selected)
			continue;
		failures_here = skipped_here = 0;
		fprintf(stderr, "%s\n", c->name);
		c->fn();
		if (failures_here) {
			fprintf(stderr, "FAIL %s (%d)\n", c->name, failures_here);
			failed++;
		} else if (skipped_here) {
			skipped++;
		} else {
			passed++;
		}
	}
	printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
	return failed ? 1 : 0;
}
