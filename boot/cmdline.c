// SPDX-License-Identifier: MIT
/*
 * The command line, as the stub finds it in memory, and the serial console
 * it asks for.  Linux's stub prints progress only when the command line
 * names a serial console (earlyprintk=serial[,ttySn|,0xPORT],
 * earlyprintk=ttySn, console=ttySn, console=uart[8250],io,0xPORT); so does
 * ours (report.c).  lib/kernel/cmdline.c parses; this file knows where the
 * command line is and what the console options mean.
 */
#include "boot.h"
#include "cmdline.h"
#include "handover.h"

/* The legacy COM ports ttyS0..3 name, by their number */
static uint16_t tty_port(const char *v, size_t n)
{
	if (n >= 5 && kd_memcmp(v, "ttyS", 4) == 0)
		return v[4] == '1' ? X86_COM2 : v[4] == '2' ? X86_COM3 : v[4] == '3' ? X86_COM4 : X86_COM1;
	return 0;
}

/* A "0x3f8"-style port at v, up to a comma or the end. */
static uint16_t number_port(const char *v, size_t n)
{
	size_t len = 0;
	uint64_t p;

	while (len < n && v[len] != ',')
		len++;
	return kd_parse_size(v, len, &p) && p > 0 && p <= UINT16_MAX ? (uint16_t)p : 0;
}

static uint16_t requested_port(const char *cmd, size_t len)
{
	const char *v;
	size_t n;

	if (kd_cmdline_get(cmd, len, "earlyprintk", &v, &n)) {
		if (n >= 6 && kd_memcmp(v, "serial", 6) == 0) {
			if (n > 7 && v[6] == ',')
				return tty_port(v + 7, n - 7) ?: number_port(v + 7, n - 7) ?: X86_COM1;
			return X86_COM1;
		}
		if (tty_port(v, n))
			return tty_port(v, n);
	}
	if (kd_cmdline_get(cmd, len, "console", &v, &n)) {
		if (tty_port(v, n))
			return tty_port(v, n);
		if (n > 8 && kd_memcmp(v, "uart8250,io,", n >= 12 ? 12 : n) == 0 && n > 12)
			return number_port(v + 12, n - 12);
		if (n > 8 && kd_memcmp(v, "uart,io,", 8) == 0)
			return number_port(v + 8, n - 8);
	}
	return 0;
}

uint16_t console_port(const struct kd_boot_params *bp)
{
	size_t len;
	const char *cmd = boot_cmdline(bp, &len);

	return cmd ? requested_port(cmd, len) : 0;
}

/* The command line as the kernel will take it (its cmdline_size at most); one that is not in RAM halts. */
const char *boot_cmdline(const struct kd_boot_params *bp, size_t *len)
{
	const char *cmd = (const char *)(uintptr_t)kd_cmdline_addr(bp);
	struct kd_report r;

	if (!cmd)
		return NULL;
	if (kd_cmdline_extent(bp, cmd, COMMAND_LINE_SIZE - 1, len, &r) != KD_OK)
		error_value(r.why, r.value);
	return cmd;
}
