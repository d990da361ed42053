/* SPDX-License-Identifier: MIT */
/*
 * The head's placement arithmetic, as assembler macros: what the plan
 * (lib/kernel/plan.c, and head_copy_* in layout.h) decides, computed in
 * assembly because the head runs before there is a stack or a copy of C
 * code where it may run.  head_64.S uses each macro once; tests/head_plan.S
 * wraps each as a SysV function, so that tests/test_head_plan.c checks on
 * the host that the assembly's answer is the plan's for many inputs.
 *
 * Each macro takes its inputs and its scratch registers as arguments, and
 * says which it writes.  Operands must not contain spaces.
 */
#ifndef KD_HEAD_PLAN_H
#define KD_HEAD_PLAN_H
#include "layout.h"

/*
 * kd_plan_target: \target holds the kernel's link address on entry and the
 * buffer's start on exit: for a relocatable kernel (HEAD_RELOCATABLE in the
 * 32-bit \flags) \load rounded up to the 32-bit \align, never below the
 * link address; else the link address.  Writes \t1 (\t1d its low half),
 * \t2.
 */
.macro plan_target target, load, flags, align, t1, t1d, t2
	testl	$HEAD_RELOCATABLE, \flags
	jz	.Lplan_target_done\@
	movl	\align, \t1d
	decq	\t1
	leaq	(\load, \t1), \t2
	notq	\t1
	andq	\t1, \t2
	cmpq	\target, \t2
	cmovaq	\t2, \target
.Lplan_target_done\@:
.endm

/* head_copy_dest: \dest += the 32-bit \init_size - \mem_len: the image at the top of the buffer.  Writes \t (\td). */
.macro plan_copy_dest dest, init_size, mem_len, t, td
	movl	\init_size, \td
	addq	\t, \dest
	movl	\mem_len, \td
	subq	\t, \dest
.endm

/* head_copy_len: \lend (32-bit) = \file_len rounded up to HEAD_COPY_STEP, the bytes the copy moves. */
.macro plan_copy_len lend, file_len
	movl	\file_len, \lend
	addl	$HEAD_COPY_STEP - 1, \lend
	andl	$~(HEAD_COPY_STEP - 1), \lend
.endm

/*
 * kd_plan_copy_safe: go to \unsafe unless the backward copy of \len bytes
 * from \src to \dest cannot run down over its own source (\dest >= \src,
 * or \dest + \len <= \src).  Writes \t.
 */
.macro plan_copy_check src, dest, len, t, unsafe
	cmpq	\src, \dest
	jae	.Lplan_copy_safe\@
	leaq	(\dest, \len), \t
	cmpq	\src, \t
	ja	\unsafe
.Lplan_copy_safe\@:
.endm
#endif
