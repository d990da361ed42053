// SPDX-License-Identifier: MIT
/*
 * The 16550 UART: program a port for 115200 baud 8N1, and write bytes to
 * it.  Which port, and when to write, is the report policy's (report.c).
 */
#include "boot.h"

#define UART_DIVISOR_115200	1	/* the 1.8432 MHz clock / 16 / 115200 */
#define UART_THRE_SPINS		100000	/* a UART that never empties is not waited on forever */

static uint16_t port;		/* 0 until initialised */

void uart_init(uint16_t p)
{
	port = p;
	x86_outb(p + UART_LCR, UART_LCR_8N1);
	x86_outb(p + UART_IER, 0);
	x86_outb(p + UART_FCR, 0);
	x86_outb(p + UART_MCR, UART_MCR_DTR_RTS);
	x86_outb(p + UART_LCR, UART_LCR_8N1 | UART_LCR_DLAB);
	x86_outb(p + UART_DLL, UART_DIVISOR_115200);
	x86_outb(p + UART_DLM, 0);
	x86_outb(p + UART_LCR, UART_LCR_8N1);
}

static void uart_putc(char c)
{
	for (int spin = 0; spin < UART_THRE_SPINS && !(x86_inb(port + UART_LSR) & UART_LSR_THRE); spin++)
		;
	x86_outb(port + UART_THR, (uint8_t)c);
}

void uart_puts(const char *s)
{
	if (!port)
		uart_init(X86_COM1);
	for (; *s; s++) {
		if (*s == '\n')
			uart_putc('\r');
		uart_putc(*s);
	}
}
