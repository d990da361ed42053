// SPDX-License-Identifier: MIT
/*
 * The second IDT, loaded once the stub runs from its final place: page
 * faults map the faulting 2 MiB on demand (how the stub reaches memory
 * above the 4 GiB its first tables cover); NMIs return; anything else is a
 * bug, reported with vector, error code, RIP and CR2, then a halt.
 */
#include "boot.h"
#include "pgtable.h"

#define X86_TRAP_NMI	2
#define X86_TRAP_PF	14
#define PF_PRESENT	0x1	/* error code: the page was present (a protection fault) */
#define PF_RSVD		0x8

struct idt_gate {
	uint16_t offset_low;
	uint16_t selector;
	uint16_t flags;		/* present, DPL 0, 64-bit interrupt gate */
	uint16_t offset_mid;
	uint32_t offset_high;
	uint32_t reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct idt_gate) == X86_GATE_SIZE, "IDT gate size");
_Static_assert(offsetof(struct idt_gate, flags) == X86_GATE_TYPE, "IDT gate layout");

static struct idt_gate idt[X86_EXCEPTION_VECTORS] __attribute__((aligned(16)));

extern const uint8_t exception_vectors[];	/* idt_handlers_64.S: VECTOR_STUB_SIZE bytes each */

static void load_idt(const void *base, uint16_t limit)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) desc = { limit, (uint64_t)(uintptr_t)base };

	__asm__ volatile("lidt %0" : : "m"(desc));
}

void load_stage2_idt(void)
{
	for (int v = 0; v < X86_EXCEPTION_VECTORS; v++) {
		uint64_t handler = (uint64_t)(uintptr_t)(exception_vectors + VECTOR_STUB_SIZE * v);

		idt[v].offset_low = (uint16_t)handler;
		idt[v].selector = BOOT_CS64;
		idt[v].flags = X86_GATE_INTERRUPT;
		idt[v].offset_mid = (uint16_t)(handler >> 16);
		idt[v].offset_high = (uint32_t)(handler >> 32);
		idt[v].reserved = 0;
	}
	load_idt(idt, sizeof(idt) - 1);
}

/* Before the kernel: an empty IDT, so a fault there cannot land in code that is about to be overwritten. */
void cleanup_exception_handling(void)
{
	load_idt(0, 0);
}

static uint64_t read_cr2(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

void do_exception(struct exception_frame *f)
{
	uint64_t cr2 = read_cr2();

	if (f->vector == X86_TRAP_NMI)
		return;
	if (f->vector == X86_TRAP_PF && !(f->error_code & (PF_PRESENT | PF_RSVD))) {
		add_identity_map(cr2, cr2 + 1);
		return;
	}
	warn("unexpected exception");
	warn_value("vector", f->vector);
	warn_value("error code", f->error_code);
	warn_value("CR2", cr2);
	error_value("RIP", f->rip);
}
