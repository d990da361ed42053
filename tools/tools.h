/* SPDX-License-Identifier: MIT */
/* The kdecomp CLI: one function per subcommand, and the helpers they share. */
#ifndef KD_TOOLS_H
#define KD_TOOLS_H
#include <stdio.h>

#include "kd.h"

struct kd_file {
	uint8_t *data;
	size_t len;
};

/* Subcommands: each gets argv from its own name on and returns the exit status. */
int cmd_inspect(int argc, char **argv);
int cmd_decompress(int argc, char **argv);
int cmd_extract(int argc, char **argv);
int cmd_pack(int argc, char **argv);

/* Print "kdecomp: <message>" on stderr and exit(1). */
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Read a whole file ("-" is stdin), or die with the reason. */
struct kd_file read_file(const char *path);

/*
 * Write a whole file atomically: to a temporary file beside it, then
 * rename, so a failure never leaves a partial output.  "-" is stdout.
 */
void write_file(const char *path, const uint8_t *data, size_t len);

/* Print a struct kd_report as one line after `what` and exit(1). */
void die_report(const char *what, enum kd_err err, const struct kd_report *r) __attribute__((noreturn));
#endif
