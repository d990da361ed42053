#!/bin/sh
# The stub against a hostile loader: tests/loader64 with kdecomp.hostile=CASE
# spoils boot_params before it jumps to the 64-bit entry (the cases are
# listed in tests/loader64/hostile.c), and our test kernel (tests/kernel)
# is the payload.  For each case the stub must either boot the kernel, and
# the kernel's own checks pass where the stub was allowed to put it, or
# print exactly one "kdecomp: " message, the expected one, and halt: never
# a triple fault (QEMU runs -no-reboot), a hang (the boot times out) or a
# kernel on memory it was told not to use.
set -u
cd "$(dirname "$0")/../.."
. tests/boot/lib.sh

loader=build/loader64/loader64.bin
elf=build/tests/kernel.elf
[ -s "$loader" ] || { not_ok "no $loader: run make $loader"; summary; exit 1; }
[ -s "$elf" ] || { not_ok "no $elf: run make"; summary; exit 1; }
img=$WORK/tk-lz4.img
$KDECOMP pack -q "$elf" -c lz4 -o "$img" || { not_ok "pack"; summary; exit 1; }
load=0x2000000		# where the loader puts the image; the stub runs the kernel here without KASLR
mem=512M
base="console=ttyS0 earlyprintk=ttyS0"
MB=1048576

# hostile NAME CASE APPEND: boot through the loader with kdecomp.hostile=CASE (none for "-");
# the log is $WORK/NAME.log
hostile() {
	case=
	[ "$2" = - ] || case="kdecomp.hostile=$2"
	boot "$WORK/$1.log" "$loader" -m $mem -i "$img" -a "kdecomp.load=$load $base $case $3" -t 90 \
		-x "$exit_device"
	[ "$2" = - ] || grep -a -q '^loader64: hostile case applied' "$WORK/$1.log" && return 0
	not_ok "$1: the loader did not apply case $2:"
	tr -d '\r' < "$WORK/$1.log" | tail -n 5 | sed 's/^/    /'
	return 1
}

# physical LOG: where the test kernel says it runs
physical() {
	sed -n 's/^testkernel: physical //p' "$1" | tr -d '\r' | head -n 1
}

# halts NAME MESSAGE: one "kdecomp: " line, starting with MESSAGE, then the halt, and no kernel
halts() {
	log=$WORK/$1.log
	lines=$(tr -d '\r' < "$log" | grep -a '^kdecomp: ')
	if [ "$(echo "$lines" | grep -c .)" = 1 ] && echo "$lines" | grep -q -F "kdecomp: $2" &&
		grep -a -q 'System halted' "$log" && ! grep -a -q '^testkernel:' "$log"; then
		ok "$1: halts with \"$lines\""
		return 0
	fi
	not_ok "$1: expected one message \"kdecomp: $2...\" and a halt; the console ended with:"
	tr -d '\r' < "$log" | tail -n 8 | sed 's/^/    /'
	return 1
}

# says NAME TEXT: the console shows TEXT
says() {
	grep -a -q -F "$2" "$WORK/$1.log" && ok "$1: says \"$2\"" || not_ok "$1: no \"$2\" on the console"
}

# --- still usable: the stub boots ---

# no e820 map: nothing to randomise over, so the kernel runs where it was loaded
if hostile e820-none e820-none "" && verdict e820-none; then
	says e820-none "Physical KASLR disabled: no suitable memory region!"
	p=$(physical "$WORK/e820-none.log")
	[ $((p)) -eq $((load)) ] && ok "e820-none: kernel at the load address $p" || not_ok "e820-none: kernel at '$p'"
fi

# reserved over RAM, entries unsorted: two random placements, neither on the reserved range
for i in 1 2; do
	hostile e820-overlap-$i e820-overlap "" && verdict e820-overlap-$i || continue
	p=$(physical "$WORK/e820-overlap-$i.log")
	if [ -n "$p" ] && { [ $((p + 2 * MB)) -le $((48 * MB)) ] || [ $((p)) -ge $((448 * MB)) ]; }; then
		ok "e820-overlap-$i: kernel at $p, clear of the reserved [48 MiB, 448 MiB)"
	else
		not_ok "e820-overlap-$i: kernel at '$p', on the reserved [48 MiB, 448 MiB)"
	fi
done

# entries wrapping past 2^64 are no RAM: the kernel lands in real RAM
if hostile e820-wrap e820-wrap "" && verdict e820-wrap; then
	p=$(physical "$WORK/e820-wrap.log")
	[ -n "$p" ] && [ $((p)) -lt $((512 * MB)) ] && ok "e820-wrap: kernel at $p, in RAM" ||
		not_ok "e820-wrap: kernel at '$p'"
fi

# a 64 KiB line: the stub reads what the kernel keeps (cmdline_size), so a nokaslr beyond it does not count
if hostile cmdline-64k cmdline-64k "" && verdict cmdline-64k; then
	says cmdline-64k "kdecomp: KASLR chose physical"
fi

hostile initrd-beyond-ram initrd-beyond-ram "" && verdict initrd-beyond-ram

# kernel_alignment in boot_params is the loader's business; the stub aligns by its own
if hostile align-not-pow2 align-not-pow2 nokaslr && verdict align-not-pow2; then
	p=$(physical "$WORK/align-not-pow2.log")
	[ $((p)) -eq $((load)) ] && ok "align-not-pow2: kernel at $p" || not_ok "align-not-pow2: kernel at '$p'"
fi

# 200 e820 entries, the RAM from the load address up only among the 72 in SETUP_E820_EXT: the head's
# RAM check reads the node, and the kernel runs in that RAM
if hostile e820-ext-200 e820-ext-200 "" && verdict e820-ext-200; then
	p=$(physical "$WORK/e820-ext-200.log")
	[ -n "$p" ] && [ $((p)) -ge $((load)) ] && [ $((p)) -lt $((512 * MB)) ] &&
		ok "e820-ext-200: kernel at $p, in the RAM the node describes" || not_ok "e820-ext-200: kernel at '$p'"
fi

# mem= and memmap= garbage: mem= is ignored, an unreadable memmap= turns KASLR off (a range it missed could be hit)
if hostile mem-garbage - "mem=banana memmap=junk@" && verdict mem-garbage; then
	says mem-garbage "KASLR disabled: an unreadable memmap="
fi

# --- not usable: one message and a halt ---
hostile image-outside-ram image-outside-ram "" &&
	halts image-outside-ram "not enough memory: the decompression buffer"
hostile cmdline-outside-ram cmdline-outside-ram "" &&
	halts cmdline-outside-ram "the command line (cmd_line_ptr) is not in RAM: 0x00000010"
hostile cmdline-unterminated cmdline-unterminated "" &&
	halts cmdline-unterminated "the command line runs to the end of RAM without its NUL"
hostile initrd-over-image initrd-over-image "" &&
	halts initrd-over-image "the initrd overlaps the decompression buffer; initrd at 0x0000000002000000"
hostile setup-data-loop setup-data-loop "" &&
	halts setup-data-loop "the setup_data list loops back to node"
hostile e820-ext-unmapped e820-ext-unmapped "" &&
	halts e820-ext-unmapped "not enough memory: the decompression buffer"
hostile setup-data-outside-ram setup-data-outside-ram "" &&
	halts setup-data-outside-ram "a setup_data node is not in RAM: 0x0000001000000000"
summary
