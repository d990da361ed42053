#!/bin/sh
# The image's 64-bit entry (load address + 0x200), as kexec and VMMs use it,
# through our own loader (tests/loader64: started by QEMU as a Multiboot
# kernel, it enters long mode on its own identity map, fills boot_params
# from the image's header and jumps).  Debian's cloud kernel, packed as
# lz4, must reach userspace from every load address: 2 MiB-aligned ones,
# unaligned ones (the protocol asks 64-bit loaders for aligned addresses;
# the stub rounds up, as Linux's does), and one below 16 MiB (the stub then
# runs at its preferred address).  With nokaslr the kernel must run at
# exactly that rounded address, and see the command line the loader gave.
set -u
cd "$(dirname "$0")/../.."
. tests/boot/lib.sh

loader=build/loader64/loader64.bin
kernel=$CACHE/vmlinuz-cloud
initramfs=$INITRAMFS
[ -s "$loader" ] || { not_ok "no $loader: run make"; summary; exit 1; }
[ -s "$kernel" ] || { not_ok "no $kernel: run scripts/fetch-kernels.sh"; summary; exit 1; }
[ -s "$initramfs" ] || scripts/make-initramfs.sh "$initramfs"
img=$WORK/cloud-lz4.img
$KDECOMP pack -q "$kernel" -c lz4 -o "$img" || { not_ok "pack"; summary; exit 1; }
base="console=ttyS0 earlyprintk=ttyS0 panic=-1"

# runs_at LOAD: where the stub puts the kernel without KASLR: LOAD rounded
# up to 2 MiB, and never below 16 MiB
runs_at() {
	a=$((($1 + 0x1fffff) / 0x200000 * 0x200000))
	[ "$a" -lt $((0x1000000)) ] && a=$((0x1000000))
	printf '0x%08x' "$a"
}

# boot64 NAME LOAD EXTRA-ARGS: boot through the loader; the initramfs goes
# first, so that the image's module lies above it and low loads are possible
boot64() {
	append="kdecomp.load=$2 $base $3"
	boot "$WORK/$1.log" "$loader" -i "$initramfs,$img" -a "$append"
	grep -a -q "^loader64: image at 0x0*${2#0x}, entering at" "$WORK/$1.log" ||
		{ not_ok "$1: the loader did not load the image at $2:"; tail -n 5 "$WORK/$1.log" | sed 's/^/    /'; return 1; }
	expect_userspace "$1" "$WORK/$1.log" || return 1
	[ "$(field "$WORK/$1.log" CMDLINE)" = "$append kdecomp.loader=entry64" ] && ok "$1: command line from the loader" ||
		not_ok "$1: command line is '$(field "$WORK/$1.log" CMDLINE)'"
}

for load in ${LOADS:-0x1000000 0x4000000 0x2345000 0x2345300 0x4001301 0x400300}; do
	boot64 "load-$load" "$load" nokaslr || continue
	want=$(runs_at "$load")
	[ "$(kernel_code_start "$WORK/load-$load.log")" = "$want" ] && ok "load-$load: kernel runs at $want" ||
		not_ok "load-$load: Kernel code at $(kernel_code_start "$WORK/load-$load.log"), expected $want"
done

# with KASLR: the kernel runs wherever the stub chose, from the 64-bit entry too
if boot64 kaslr 0x2345300 ""; then
	phys=$(kaslr_phys "$WORK/kaslr.log")
	[ -n "$phys" ] && [ $((phys)) -eq $(($(kernel_code_start "$WORK/kaslr.log"))) ] &&
		ok "kaslr: the kernel runs where the stub chose ($phys)" ||
		not_ok "kaslr: the stub chose '$phys', Kernel code at $(kernel_code_start "$WORK/kaslr.log")"
fi
summary
