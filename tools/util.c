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

/* The most address space one decode reserves, and the least it settles for when the system refuses more. */
#define DECODE_RESERVE_MAX (1ull << 40)
#define DECODE_RESERVE_MIN (1ull << 26)

uint8_t *reserve_output(uint64_t want, size_t *got)
{
	uint64_t size = want < DECODE_RESERVE_MAX ? want : DECODE_RESERVE_MAX;

	if (size == 0)
		size = 1;	/* an empty stream still gets a valid pointer */
	for (;;) {
		/* HUGE_PAGE_SIZE more, to start on a huge page: the output's every 2 MiB is one then */
		void *p = mmap(NULL, (size_t)size + HUGE_PAGE_SIZE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

		if (p != MAP_FAILED) {
			uintptr_t base = (uintptr_t)p, start = KD_ALIGN_UP(base, HUGE_PAGE_SIZE);
			uintptr_t end = KD_ALIGN_UP(start + (size_t)size, (uintptr_t)getpagesize());

			if (start > base)
				munmap(p, start - base);
			if (base + (size_t)size + HUGE_PAGE_SIZE > end)
				munmap((void *)end, base + (size_t)size + HUGE_PAGE_SIZE - end);
			advise_huge_pages((void *)start, (size_t)size);
			*got = (size_t)size;
			return (uint8_t *)start;
		}
		if (size <= DECODE_RESERVE_MIN)
			die("cannot reserve %llu bytes of address space for decoded output: %s",
			    (unsigned long long)size, strerror(errno));
		size /= 2;
	}
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

struct kd_file map_file(const char *path)
{
	struct stat st;
	int fd;

	if (strcmp(path, "-") != 0 && (fd = open(path, O_RDONLY)) >= 0) {
		void *p = MAP_FAILED;

		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
			p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
		close(fd);
		if (p != MAP_FAILED)
			return (struct kd_file){ p, (size_t)st.st_size, true };
	}
	return read_file(path);
}

void file_release(struct kd_file *f)
{
	if (f->mapped && f->data)
		munmap(f->data, f->len);
	else
		free(f->data);
	f->data = NULL;
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

struct out_file out_open(const char *path)
{
	struct out_file o = { "standard output", NULL, STDOUT_FILENO };
	struct stat st;

	if (strcmp(path, "-") == 0)
		return o;
	o.path = path;
	/* a device or a pipe (-o /dev/null) is written in place: renaming over it would replace it */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		if ((o.fd = open(path, O_WRONLY | O_TRUNC)) < 0)
			die("%s: %s", path, strerror(errno));
		return o;
	}

	size_t n = strlen(path);
	o.tmp = xmalloc(n + sizeof(".XXXXXX"));
	memcpy(o.tmp, path, n);
	memcpy(o.tmp + n, ".XXXXXX", sizeof(".XXXXXX"));
	o.fd = mkstemp(o.tmp);
	if (o.fd < 0)
		die("%s: cannot create a temporary file beside it: %s", path, strerror(errno));
	if (fchmod(o.fd, default_mode()) != 0) {
		int e = errno;

		out_abort(&o);
		die("%s: %s", path, strerror(e));
	}
	return o;
}

void out_write(struct out_file *o, const uint8_t *data, size_t len)
{
	if (write_all(o->fd, data, len))
		return;

	int e = errno;
	out_abort(o);
	die("%s: %s", o->path, strerror(e));
}

void out_commit(struct out_file *o)
{
	if (!o->tmp) {
		if (o->fd != STDOUT_FILENO && close(o->fd) != 0)
			die("%s: %s", o->path, strerror(errno));
		return;
	}

	bool ok = fsync(o->fd) == 0;
	int e = errno;

	if (close(o->fd) != 0 && ok)
		ok = false, e = errno;
	if (ok && rename(o->tmp, o->path) != 0)
		ok = false, e = errno;
	if (!ok) {
		unlink(o->tmp);
		die("%s: %s", o->path, strerror(e));
	}
	free(o->tmp);
	o->tmp = NULL;
}

void out_abort(struct out_file *o)
{
	if (!o->tmp) {
		if (o->fd != STDOUT_FILENO)
			close(o->fd);
		return;
	}
	close(o->fd);
	unlink(o->tmp);
	free(o->tmp);
	o->tmp = NULL;
}

void write_file(const char *path, const uint8_t *data, size_t len)
{
	struct out_file o = out_open(path);

	out_write(&o, data, len);
	out_commit(&o);
}

uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}
