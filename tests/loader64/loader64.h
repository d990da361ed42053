/* SPDX-License-Identifier: MIT */
/* loader64's parts, by the file that defines them. */
#ifndef LOADER64_H
#define LOADER64_H
#include "bootparam.h"

/* loader.c: the serial console and refusals */
void puts_serial(const char *s);
void refuse(const char *why, uint64_t v) __attribute__((noreturn));

/* hostile.c: spoil boot_params as the command line's kdecomp.hostile= asks */
void hostile_apply(struct kd_boot_params *bp, const char *cmdline, uint64_t load);
#endif
