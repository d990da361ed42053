// SPDX-License-Identifier: MIT
/*
 * What the stub says, and when: progress (putstr, puthex) only on the
 * serial console the command line asks for (cmdline.c), as Linux's stub
 * does; warnings always, and carry on; errors always, then halt.  Warnings
 * and errors go to that console's port, or to COM1 when there is none.
 */
#include "boot.h"

static bool enabled;		/* progress asked for: putstr prints */

void console_init(const struct kd_boot_params *bp)
{
	uint16_t p = console_port(bp);

	if (p) {
		uart_init(p);
		enabled = true;
	}
}

void putstr(const char *s)
{
	if (enabled)
		uart_puts(s);
}

void format_hex(char buf[19], uint64_t v)
{
	buf[0] = '0';
	buf[1] = 'x';
	for (int i = 0; i < 16; i++)
		buf[2 + i] = "0123456789abcdef"[(v >> (60 - 4 * i)) & 15];
	buf[18] = 0;
}

void puthex(uint64_t v)
{
	char buf[19];

	format_hex(buf, v);
	putstr(buf);
}

void warn(const char *s)
{
	uart_puts("\nkdecomp: ");
	uart_puts(s);
	uart_puts("\n");
}

static __attribute__((noreturn)) void halt(void)
{
	uart_puts("\n -- System halted\n");
	for (;;)
		__asm__ volatile("cli; hlt");
}

void error(const char *s)
{
	warn(s);
	halt();
}

void warn_value(const char *s, uint64_t v)
{
	char buf[19];

	uart_puts("\nkdecomp: ");
	uart_puts(s);
	uart_puts(" ");
	format_hex(buf, v);
	uart_puts(buf);
}

void error_value(const char *s, uint64_t v)
{
	warn_value(s, v);
	halt();
}
