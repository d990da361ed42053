// SPDX-License-Identifier: MIT
/*
 * The serial console.  Progress messages appear only when the command line
 * asks for a serial console (earlyprintk=serial[,ttySn|,0xPORT],
 * earlyprintk=ttySn, console=ttySn, console=uart[8250],io,0xPORT), as
 * Linux's stub does; errors always appear, on that port or on COM1.
 */
#include "boot.h"
#include "cmdline.h"
#include "handover.h"

#define DEFAULT_PORT	X86_COM1

static uint16_t port;		/* 0 until initialised */
static bool enabled;

static void serial_init(uint16_t p)
{
	port = p;
	x86_outb(p + UART_LCR, UART_LCR_8N1);
	x86_outb(p + UART_IER, 0);
	x86_outb(p + UART_FCR, 0);
	x86_outb(p + UART_MCR, UART_MCR_DTR_RTS);
	x86_outb(p + UART_LCR, UART_LCR_8N1 | UART_LCR_DLAB);
	x86_outb(p + UART_DLL, 1);		/* 115200 baud */
	x86_outb(p + UART_DLM, 0);
	x86_outb(p + UART_LCR, UART_LCR_8N1);
}

static uint16_t tty_port(const char *v, size_t n)
{
	if (n >= 5 && kd_memcmp(v, "ttyS", 4) == 0)
		return v[4] == '1' ? 0x2f8 : v[4] == '2' ? 0x3e8 : v[4] == '3' ? 0x2e8 : DEFAULT_PORT;
	return 0;
}

/* A "0x3f8"-style port at v, up to a comma or the end. */
static uint16_t number_port(const char *v, size_t n)
{
	size_t len = 0;
	uint64_t p;

	while (len < n && v[len] != ',')
		len++;
	return kd_parse_size(v, len, &p) && p > 0 && p < 0x10000 ? (uint16_t)p : 0;
}

static uint16_t requested_port(const char *cmd, size_t len)
{
	const char *v;
	size_t n;

	if (kd_cmdline_get(cmd, len, "earlyprintk", &v, &n)) {
		if (n >= 6 && kd_memcmp(v, "serial", 6) == 0) {
			if (n > 7 && v[6] == ',')
				return tty_port(v + 7, n - 7) ?: number_port(v + 7, n - 7) ?: DEFAULT_PORT;
			return DEFAULT_PORT;
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

bool console_requested(const struct kd_boot_params *bp)
{
	size_t len;
	const char *cmd = boot_cmdline(bp, &len);

	return cmd && requested_port(cmd, len);
}

void console_init(const struct kd_boot_params *bp)
{
	size_t len;
	const char *cmd = boot_cmdline(bp, &len);
	uint16_t p = cmd ? requested_port(cmd, len) : 0;

	if (p) {
		serial_init(p);
		enabled = true;
	}
}

static void serial_putc(char c)
{
	for (int spin = 0; spin < 100000 && !(x86_inb(port + UART_LSR) & UART_LSR_THRE); spin++)
		;
	x86_outb(port + UART_THR, (uint8_t)c);
}

static void serial_puts(const char *s)
{
	if (!port)
		serial_init(DEFAULT_PORT);
	for (; *s; s++) {
		if (*s == '\n')
			serial_putc('\r');
		serial_putc(*s);
	}
}

void putstr(const char *s)
{
	if (enabled)
		serial_puts(s);
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
	serial_puts("\nkdecomp: ");
	serial_puts(s);
	serial_puts("\n");
}

static __attribute__((noreturn)) void halt(void)
{
	serial_puts("\n -- System halted\n");
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

	serial_puts("\nkdecomp: ");
	serial_puts(s);
	serial_puts(" ");
	format_hex(buf, v);
	serial_puts(buf);
}

void error_value(const char *s, uint64_t v)
{
	warn_value(s, v);
	halt();
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
