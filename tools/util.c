// SPDX-License-Identifier: MIT
/* What every subcommand shares: dying with a message, reading and writing whole files. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tools.h"

void die(const char *fmt, ...)
{
	va_list ap;

	fputs("kdecomp: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		die("out of memory (%zu bytes)", size);
	return p;
}

void advise_huge_pages(void *p, size_t len)
{
	uintptr_t start = KD_ALIGN_UP((uintptr_t)p, HUGE_PAGE_SIZE), end = ((uintptr_t)p + len) & ~(HUGE_PAGE_SIZE - 1);

	if (end > start)
		madvise((void *)start, end - start, MADV_HUGEPAGE);
}

void report_message(char *buf, size_t size, enum kd_err err, const struct kd_report *r)
{
	const char *why = r->why ? r->why : kd_strerror(err);

	if (r->field)
		snprintf(buf, size, "%s (%s = 0x%llx, limit 0x%llx)", why, r->field,
			 (unsigned long long)r->value, (unsigned long long)r->limit);
	else
		snprintf(buf, size, "%s", why);
}

void die_report(const char *what, enum kd_err err, const struct kd_report *r)
{
	char msg[512];

	report_message(msg, sizeof(msg), err, r);
	die("%s: %s", what, msg);
}

/* Read all of an open descriptor, growing the buffer as it comes (pipes have no size). */
static bool read_all(int fd, struct kd_file *f)
{
	struct stat st;
	size_t cap = 1 << 16;

	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
		cap = (size_t)st.st_size + 1;	/* +1: the read that sees end-of-file */
	f->data = xmalloc(cap);
	f->len = 0;
	for (;;) {
		if (f->len == cap) {
			cap *= 2;
			if (!(f->data = realloc(f->data, cap)))
				die("out of memory (%zu bytes)", cap);
		}
		ssize_t n = read(fd, f->data + f->len, cap - f->len);
		if (n == 0)
			return true;
		if (n < 0 && errno != EINTR)
			return false;
		if (n > 0)
			f->len += (size_t)n;
	}
}

struct kd_file read_file(const char *path)
{
	struct kd_file f;
	bool is_stdin = strcmp(path, "-") == 0;
	int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY);

	if (fd < 0)
		die("%s: %s", path, strerror(errno));
	if (!read_all(fd, &f))
		die("%s: %s", is_stdin ? "standard input" : path, strerror(errno));
	if (!is_stdin)
		close(fd);
	return f;
}

static bool write_all(int fd, const uint8_t *data, size_t len)
{
	while (len) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return false;
		}
		data += n;
		len -= (size_t)n;
	}
	return true;
}

/* The permissions a new file gets from open(..., 0666): mkstemp makes 0600. */
static mode_t default_mode(void)
{
	mode_t mask = umask(0);

	umask(mask);
	return 0666 & ~mask;
}

void write_file(const char *path, const uint8_t *data, size_t len)
{
	if (strcmp(path, "-") == 0) {
		if (!write_all(STDOUT_FILENO, data, len))
			die("standard output: %s", strerror(errno));
		return;
	}

	size_t n = strlen(path);
	char *tmp = xmalloc(n + sizeof(".XXXXXX"));
	memcpy(tmp, path, n);
	memcpy(tmp + n, ".XXXXXX", sizeof(".XXXXXX"));
	int fd = mkstemp(tmp);
	if (fd < 0)
		die("%s: cannot create a temporary file beside it: %s", path, strerror(errno));
	if (fchmod(fd, default_mode()) != 0 || !write_all(fd, data, len) || fsync(fd) != 0) {
		int e = errno;

		close(fd);
		unlink(tmp);
		die("%s: %s", path, strerror(e));
	}
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		int e = errno;

		unlink(tmp);
		die("%s: %s", path, strerror(e));
	}
	free(tmp);
}

uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}
