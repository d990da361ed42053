// SPDX-License-Identifier: MIT
/*
 * measure RESULT CMD [ARG...]: run CMD as a whole process (stdin and stdout
 * are ours, so the caller redirects them) and append one line to RESULT:
 *
 *   wall_us user_us sys_us maxrss_kib
 *
 * CPU time and peak RSS come from wait4's rusage: the child's alone, not
 * ours, and not a shell's.  Exits 1 if CMD fails, so a benchmark never
 * times a command that did not do its work.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long usec(struct timeval t)
{
	return (long long)t.tv_sec * 1000000 + t.tv_usec;
}

static long long now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

int main(int argc, char **argv)
{
	struct rusage ru;
	int status;

	if (argc < 3) {
		fprintf(stderr, "usage: measure RESULT CMD [ARG...]\n");
		return 2;
	}
	FILE *out = fopen(argv[1], "a");
	if (!out) {
		fprintf(stderr, "measure: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	long long start = now_us();
	pid_t pid = fork();
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		fprintf(stderr, "measure: %s: %s\n", argv[2], strerror(errno));
		_exit(127);
	}
	if (pid < 0 || wait4(pid, &status, 0, &ru) != pid) {
		fprintf(stderr, "measure: cannot run %s: %s\n", argv[2], strerror(errno));
		return 2;
	}
	long long wall = now_us() - start;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "measure: %s failed (status 0x%x)\n", argv[2], status);
		return 1;
	}
	fprintf(out, "%lld %lld %lld %ld\n", wall, usec(ru.ru_utime), usec(ru.ru_stime), ru.ru_maxrss);
	return fclose(out) == 0 ? 0 : 2;
}
