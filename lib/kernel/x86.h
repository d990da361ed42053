/* SPDX-License-Identifier: MIT */
/*
 * x86-64 architectural constants (Intel SDM / AMD APM), for the stub's
 * assembly and C alike: control-register and EFER bits, page-table entry
 * flags, the IDT gate type, CPUID leaves, and the legacy ports the stub
 * touches (the 16550 UART, A20, NMI and the PICs).  In C they are unsigned
 * long long; the assembly sees plain numbers.
 */
#ifndef KD_X86_H
#define KD_X86_H

#ifdef __ASSEMBLER__
#define X86_ULL(x)	x
#else
#define X86_ULL(x)	x##ull
#endif

/* Control registers and EFER */
#define X86_CR0_PE_BIT		0	/* protected mode */
#define X86_CR0_PG_BIT		31	/* paging */
#define X86_CR4_PAE_BIT		5	/* physical address extension: 64-bit entries */
#define X86_CR4_LA57_BIT	12	/* 5-level paging */
#define X86_MSR_EFER		0xc0000080
#define X86_EFER_LME_BIT	8	/* long mode enable */

/* Page-table entries */
#define X86_PTE_PRESENT		X86_ULL(0x001)
#define X86_PTE_RW		X86_ULL(0x002)
#define X86_PTE_PS		X86_ULL(0x080)	/* a leaf above the PT level: 2 MiB in a PD */
#define X86_PTE_ADDR		X86_ULL(0x000ffffffffff000)	/* address bits of an entry */
#define X86_PTE_TABLE		(X86_PTE_PRESENT | X86_PTE_RW)
#define X86_PTE_LEAF		(X86_PTE_PRESENT | X86_PTE_RW | X86_PTE_PS)
#define X86_PAGE_SIZE		X86_ULL(0x1000)
#define X86_PMD_SIZE		X86_ULL(0x200000)	/* what one PD entry maps */
#define X86_PT_ENTRIES		512		/* entries in any table */

/* An IDT gate's type-and-attributes word: present, DPL 0, 64-bit interrupt gate */
#define X86_GATE_INTERRUPT	0x8e00

/* CPUID */
#define X86_CPUID_MAX_LEAF	0
#define X86_CPUID_EXT_FEATURES	7
#define X86_CPUID_7_ECX_LA57	(1u << 16)

/* The legacy 16550 UARTs (COM1..4, Linux's ttyS0..3) and their registers, as offsets from a base */
#define X86_COM1		0x3f8
#define X86_COM2		0x2f8
#define X86_COM3		0x3e8
#define X86_COM4		0x2e8
#define UART_THR		0	/* transmit holding register */
#define UART_DLL		0	/* divisor latch, low (with LCR_DLAB) */
#define UART_IER		1
#define UART_DLM		1	/* divisor latch, high (with LCR_DLAB) */
#define UART_FCR		2
#define UART_LCR		3
#define UART_MCR		4
#define UART_LSR		5
#define UART_LSR_THRE		0x20	/* room in the transmit holding register */
#define UART_LCR_DLAB		0x80
#define UART_LCR_8N1		0x03
#define UART_MCR_DTR_RTS	0x03

#ifndef __ASSEMBLER__
#include <stdint.h>

static inline void x86_outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t x86_inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void x86_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(subleaf));
}
#endif
#endif
