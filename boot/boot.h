/* SPDX-License-Identifier: MIT */
/*
 * The stub's C steps, grouped by the file that defines them, in the order
 * the boot reaches them.
 *
 * A warning that holds for every file here: the stub runs wherever it was
 * copied, with no run-time relocations.  No pointer may be stored in
 * static data by an initializer (it would hold a link-time address); fill
 * such things in at run time, and use switch statements, not tables of
 * function pointers.  The build checks this (boot/boot.mk).
 */
#ifndef KD_BOOT_H
#define KD_BOOT_H
#include "bootparam.h"
#include "layout.h"

/* cmdline.c: the command line, and the serial console it asks for */
const char *boot_cmdline(const struct kd_boot_params *bp, size_t *len);
uint16_t console_port(const struct kd_boot_params *bp);	/* its port, or 0 if it asks for none */

/* uart.c: the 16550 UART */
void uart_init(uint16_t port);
void uart_puts(const char *s);		/* "\n" as "\r\n"; on COM1 if no port was set up */

/* report.c: what the stub says, and when */
void console_init(const struct kd_boot_params *bp);	/* progress on the console_port, if any */
void putstr(const char *s);		/* only when a console was asked for */
void puthex(uint64_t v);
void format_hex(char buf[19], uint64_t v);	/* "0x" and 16 digits */
void warn(const char *s);		/* always, and carry on */
void warn_value(const char *s, uint64_t v);
void error_value(const char *s, uint64_t v) __attribute__((noreturn));
void error(const char *s) __attribute__((noreturn));	/* always, then halt */

/* idt.c: the second IDT and its handlers */
struct exception_frame {
	uint64_t r11, r10, r9, r8, rdi, rsi, rdx, rcx, rax;
	uint64_t vector, error_code;
	uint64_t rip, cs, rflags, rsp, ss;
};
void load_stage2_idt(void);
void do_exception(struct exception_frame *f);
void cleanup_exception_handling(void);

/* ident_map.c: identity page tables */
void init_identity_maps(struct kd_boot_params *bp, const uint8_t *head);
void add_identity_map(uint64_t start, uint64_t end);

/* paging_64.S: switch 4-level <-> 5-level paging; everything it touches below 4 GiB */
void set_paging_mode(uint32_t top, bool five_level);

/* kaslr.c: where the kernel runs; output = target and virt = its link address when not randomised */
void choose_random_location(struct kd_boot_params *bp, const struct kd_plan_kernel *k, uint64_t target,
			    uint32_t init_size, uint64_t *output, uint64_t *virt);

/* extract.c: decompress, place, relocate */
uint64_t extract_kernel(struct kd_boot_params *bp, const uint8_t *head, uint64_t target);

static inline const struct kd_head_info *head_info(const uint8_t *head)
{
	return (const struct kd_head_info *)(head + HEAD_INFO);
}
#endif
