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

/*
 * Segment descriptors for a flat 4 GiB segment: base 0, limit 0xfffff in
 * 4 KiB units (G), present, DPL 0; code is execute/read (type 0xa) and
 * either 32-bit (D) or 64-bit (L), data is read/write (type 0x2), 32-bit.
 */
#define X86_DESC_FLAT_CODE32	X86_ULL(0x00cf9a000000ffff)
#define X86_DESC_FLAT_CODE64	X86_ULL(0x00af9a000000ffff)
#define X86_DESC_FLAT_DATA	X86_ULL(0x00cf92000000ffff)

/* An IDT gate is 16 bytes: offset 15:0, selector, type word, offset 31:16, offset 63:32, reserved */
#define X86_GATE_SIZE		16
#define X86_GATE_OFF_LOW	0
#define X86_GATE_SELECTOR	2
#define X86_GATE_TYPE		4
#define X86_GATE_OFF_MID	6
#define X86_GATE_OFF_HIGH	8
#define X86_GATE_RESERVED	12
#define X86_EXCEPTION_VECTORS	32	/* the vectors the CPU reserves for exceptions */

/* CPUID */
#define X86_CPUID_MAX_LEAF	0
#define X86_CPUID_FEATURES	1
#define X86_CPUID_1_ECX_RDRAND	(1u << 30)
#define X86_CPUID_1_EDX_TSC	(1u << 4)
#define X86_CPUID_EXT_FEATURES	7
#define X86_CPUID_7_ECX_LA57	(1u << 16)
#define X86_CPUID_7_EBX_BMI2	(1u << 8)

/* The i8254 timer: counter 0's data port and the mode/command port */
#define X86_PIT_COUNTER0	0x40
#define X86_PIT_COMMAND		0x43
#define X86_PIT_LATCH_COUNTER0	0x00	/* command: latch counter 0's count for reading */

/* The "fast A20" gate: System Control Port A */
#define X86_PORT_A20		0x92
#define X86_A20_ENABLE		0x02
#define X86_A20_RESET		0x01	/* writing 1 resets the machine */

/* The CMOS index port, whose bit 7 masks the NMI; the two 8259 PICs' mask (data) ports */
#define X86_PORT_CMOS_INDEX	0x70
#define X86_CMOS_NMI_OFF	0x80
#define X86_PORT_PIC1_DATA	0x21
#define X86_PORT_PIC2_DATA	0xa1
#define X86_PIC_MASK_ALL	0xff
#define X86_PIC1_MASK_ALL_BUT_CASCADE	0xfb	/* IRQ 2 is where PIC2 cascades in */

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
#include <stdbool.h>
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

/* CPUID leaf 7 (subleaf 0) into r, or false where the CPU's highest basic leaf is below it. */
static inline bool x86_cpuid_ext_features(uint32_t r[4])
{
	x86_cpuid(X86_CPUID_MAX_LEAF, 0, r);
	if (r[0] < X86_CPUID_EXT_FEATURES)
		return false;
	x86_cpuid(X86_CPUID_EXT_FEATURES, 0, r);
	return true;
}
#endif
#endif
