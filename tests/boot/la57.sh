#!/bin/sh
# 5-level paging: the stub enters the kernel with LA57 on when the kernel
# can run so (its bzImage's XLF_5LEVEL, recorded by pack), the CPU has it
# and the command line does not say no5lvl; else 4-level.  The kernel
# keeps the mode it is entered in, and in 4-level mode drops the la57 flag
# from /proc/cpuinfo, which the test init reports (KDECOMP-LA57).
#   - pack records XLF_5LEVEL from a bzImage, not from a vmlinux;
#   - Debian's cloud kernel (lz4) on -cpu max runs 5-level, from the
#     real-mode entry and the 64-bit one, and with KASLR in 8 GiB;
#   - with no5lvl, on -cpu qemu64 (no LA57), and packed from its vmlinux it
#     runs 4-level; all reach userspace.
set -u
cd "$(dirname "$0")/../.."
. tests/boot/lib.sh

kernel=$CACHE/vmlinuz-cloud
dbg=$CACHE/vmlinux-cloud-dbg
loader=build/loader64/loader64.bin
[ -s "$kernel" ] || { not_ok "no $kernel: run scripts/fetch-kernels.sh"; summary; exit 1; }
[ -s "$INITRAMFS" ] || scripts/make-initramfs.sh "$INITRAMFS"
img=$WORK/cloud-lz4.img
$KDECOMP pack -q "$kernel" -c lz4 -o "$img" || { not_ok "pack"; summary; exit 1; }
base="console=ttyS0 earlyprintk=ttyS0 panic=-1"

# head_flags IMAGE: the head info block's flags word (after the setup sectors, at +0x40)
head_flags() {
	od -A n -t u4 -j $(($(setup_len "$1") + 0x40)) -N 4 "$1" | tr -d ' '
}

# expect_la57 NAME LOG WANT: userspace reached, running 5-level (1) or 4-level (0)
expect_la57() {
	expect_userspace "$1" "$2" || return
	got=$(field "$2" LA57)
	[ "$got" = "$3" ] && ok "$1: la57 in /proc/cpuinfo: $got" || not_ok "$1: la57 is '$got', expected $3"
}

[ "$(head_flags "$img")" = 1 ] && ok "pack: the bzImage's XLF_5LEVEL recorded" ||
	not_ok "pack: head flags $(head_flags "$img") for a bzImage with XLF_5LEVEL"

boot "$WORK/max.log" "$img" -c max -a "$base"
expect_la57 "-cpu max" "$WORK/max.log" 1
boot "$WORK/no5lvl.log" "$img" -c max -a "$base no5lvl"
expect_la57 "-cpu max, no5lvl" "$WORK/no5lvl.log" 0
boot "$WORK/qemu64.log" "$img" -c qemu64 -a "$base"
expect_la57 "-cpu qemu64" "$WORK/qemu64.log" 0
boot "$WORK/8g.log" "$img" -c max -m 8G -a "$base"
expect_la57 "-cpu max, KASLR in 8G" "$WORK/8g.log" 1

if [ -s "$loader" ]; then
	boot "$WORK/entry64.log" "$loader" -c max -i "$INITRAMFS,$img" -a "kdecomp.load=0x2345300 $base"
	expect_la57 "64-bit entry, -cpu max" "$WORK/entry64.log" 1
else
	not_ok "no $loader: run make"
fi

if [ -s "$dbg" ]; then
	if $KDECOMP pack -q "$dbg" -c lz4 -o "$WORK/dbg.img"; then
		[ "$(head_flags "$WORK/dbg.img")" = 0 ] && ok "pack: no 5-level flag for a vmlinux" ||
			not_ok "pack: head flags $(head_flags "$WORK/dbg.img") for a vmlinux"
		boot "$WORK/dbg.log" "$WORK/dbg.img" -c max -a "$base"
		expect_la57 "vmlinux packed, -cpu max" "$WORK/dbg.log" 0
	else
		not_ok "pack $dbg"
	fi
else
	echo "note: no $dbg (scripts/fetch-kernels.sh dbg-cloud): the vmlinux case is skipped"
fi
summary
