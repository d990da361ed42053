#!/bin/sh
# screen_info: our real-mode setup fills it from the VGA BIOS (boot/setup.S,
# store_screen_info), as Linux's own setup does, so the kernel finds its VGA
# text console instead of a dummy one.  Debian's generic kernel, with a VGA
# card, must log "Console: colour VGA+ 80x25" packed by kdecomp as it does
# from its own image.
set -u
cd "$(dirname "$0")/../.."
. tests/boot/lib.sh

kernel=$CACHE/vmlinuz-generic
want="Console: colour VGA+ 80x25"
# no_timer_check: see tests/boot/la57.sh (the packed image's one boot here
# without it panicked in the kernel's IO-APIC timer check on a loaded host)
append="console=ttyS0 earlyprintk=ttyS0 panic=-1 no_timer_check"
[ -s "$kernel" ] || { not_ok "no $kernel: run scripts/fetch-kernels.sh"; summary; exit 1; }
img=$WORK/generic-gzip.img
$KDECOMP pack -q "$kernel" -c gzip -o "$img" || { not_ok "pack"; summary; exit 1; }

for name in own packed; do
	[ $name = own ] && image=$kernel || image=$img
	boot "$WORK/$name.log" "$image" -a "$append" -x "-vga std"
	expect_userspace "$name image with a VGA card" "$WORK/$name.log" || continue
	grep -a -q -F "$want" "$WORK/$name.log" && ok "$name image: $want" ||
		not_ok "$name image: no '$want'; it said: $(grep -a -o 'Console: .*' "$WORK/$name.log" | head -n 1)"
done
summary
