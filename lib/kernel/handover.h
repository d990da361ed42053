/* SPDX-License-Identifier: MIT */
/*
 * What the loader handed over, checked before the stub trusts it.
 * boot_params is input like any file: a buggy or hostile loader can give
 * a command line outside RAM or without its NUL, an initrd on top of the
 * image, a setup_data list that loops or points outside RAM.  Each check
 * reads memory only where the e820 table says there is RAM, and refuses
 * with its own message (r->why) and the address at fault (r->value); the
 * stub prints it and halts, `kdecomp simulate` reports it.
 *
 * With no e820 table at all, the loader vouches for memory (as the head's
 * RAM check assumes), so only what the identity map can reach is checked.
 */
#ifndef KD_HANDOVER_H
#define KD_HANDOVER_H
#include "kaslr.h"

/*
 * Bytes of usable RAM from addr on by the e820 table, following entries
 * that touch; entries that wrap past 2^64 are no RAM (as for KASLR).  0 if
 * addr is not in RAM; UINT64_MAX when the table is empty.
 */
uint64_t kd_e820_ram_room(const struct kd_boot_params *bp, uint64_t addr);

/*
 * The command line's length as the kernel takes it: up to its NUL, at most
 * max bytes (the header's cmdline_size: the kernel keeps no more).  `cmd`
 * is readable at kd_cmdline_addr(bp) wherever that is RAM; nothing else is
 * read.  Refused: a line that is not in RAM, or that reaches the end of
 * RAM before its NUL and before max bytes.
 */
enum kd_err kd_cmdline_extent(const struct kd_boot_params *bp, const char *cmd, size_t max, size_t *len,
			      struct kd_report *r);

/*
 * A setup_data node the stub may read: its header and data in RAM (and
 * within the identity map's reach); false otherwise.
 */
bool kd_setup_data_readable(const struct kd_boot_params *bp, uint64_t addr, uint32_t len);

/*
 * The rest of the handover, before anything is placed: the initrd clear of
 * the decompression buffer [target, target + init_size) (the stub's own
 * copy already lies there), and a setup_data list whose every node `read`
 * can read and which ends (no loop).
 */
enum kd_err kd_handover_check(const struct kd_boot_params *bp, uint64_t target, uint64_t init_size,
			      kd_setup_data_reader read, void *ctx, struct kd_report *r);
#endif
