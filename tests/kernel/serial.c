// SPDX-License-Identifier: MIT
/* The test kernel's console: COM1 (an 8250-compatible UART), polled. */
#include "kernel.h"

#define COM1		0x3f8
#define UART_THR	0	/* transmit holding register; divisor low byte with DLAB */
#define UART_IER	1	/* interrupt enable; divisor high byte with DLAB */
#define UART_FCR	2
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define LCR_DLAB	0x80
#define LCR_8N1		0x03
#define LSR_THRE	0x20	/* the transmitter can take a byte */
#define THRE_POLLS	100000	/* a UART that never drains must not hang the test */

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/* 115200 8N1, FIFOs on, no interrupts: whatever the stub left, if anything. */
void serial_init(void)
{
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_LCR, LCR_DLAB);
	outb(COM1 + UART_THR, 1);
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_LCR, LCR_8N1);
	outb(COM1 + UART_FCR, 0xc7);	/* enable, clear both FIFOs, 14-byte trigger */
	outb(COM1 + UART_MCR, 0x03);	/* DTR, RTS */
}

static void con_putc(char c)
{
	for (int i = 0; i < THRE_POLLS && !(inb(COM1 + UART_LSR) & LSR_THRE); i++)
		;
	outb(COM1 + UART_THR, (uint8_t)c);
}

/* At most max bytes of s, newlines as CR LF. */
void con_putsn(const char *s, uint64_t max)
{
	for (uint64_t i = 0; i < max && s[i]; i++) {
		if (s[i] == '\n')
			con_putc('\r');
		con_putc(s[i]);
	}
}

void con_puts(const char *s)
{
	con_putsn(s, UINT64_MAX);
}

/* 0x and the value's hex digits, without leading zeros. */
void con_hex(uint64_t v)
{
	char buf[19];
	int n = sizeof(buf);

	buf[--n] = 0;
	do {
		buf[--n] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	buf[--n] = 'x';
	buf[--n] = '0';
	con_puts(buf + n);
}
