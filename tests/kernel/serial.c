// SPDX-License-Identifier: MIT
/* The test kernel's console: COM1 (an 8250-compatible UART), polled. */
#include "kernel.h"
#include "x86.h"

#define COM1		X86_COM1
#define UART_FCR_ON	0xc7	/* enable, clear both FIFOs, 14-byte trigger */
#define THRE_POLLS	100000	/* a UART that never drains must not hang the test */

/* 115200 8N1, FIFOs on, no interrupts: whatever the stub left, if anything. */
void serial_init(void)
{
	x86_outb(COM1 + UART_IER, 0);
	x86_outb(COM1 + UART_LCR, UART_LCR_DLAB);
	x86_outb(COM1 + UART_DLL, 1);	/* 115200 baud */
	x86_outb(COM1 + UART_DLM, 0);
	x86_outb(COM1 + UART_LCR, UART_LCR_8N1);
	x86_outb(COM1 + UART_FCR, UART_FCR_ON);
	x86_outb(COM1 + UART_MCR, UART_MCR_DTR_RTS);
}

static void con_putc(char c)
{
	for (int i = 0; i < THRE_POLLS && !(x86_inb(COM1 + UART_LSR) & UART_LSR_THRE); i++)
		;
	x86_outb(COM1 + UART_THR, (uint8_t)c);
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
