#!/bin/sh
# KASLR and memory sizes, checked by what the booted kernel reports:
#   - with randomisation, each boot runs where the stub says it chose
#     (/proc/iomem "Kernel code" = physical, /proc/kallsyms _stext =
#     virtual), and two boots differ;
#   - with -m 8G the kernel may land above 4 GiB (reached through the
#     stub's page-fault handler); several boots, at least one above;
#   - 256M, 1G, 4G boot; a long command line and `mem=` are honoured.
set -u
cd "$(dirname "$0")/../.."
. tests/boot/lib.sh

kernel=$CACHE/vmlinuz-cloud
img=$WORK/cloud-lz4.img
$KDECOMP pack -q "$kernel" -c lz4 -o "$img" || { not_ok "pack"; summary; exit 1; }
base="console=ttyS0 earlyprintk=ttyS0 panic=-1"

above=0
prev=
for i in 1 2 3 4; do
	boot "$WORK/8g-$i.log" "$img" -m 8G -a "$base"
	expect_userspace "8G boot $i" "$WORK/8g-$i.log" || continue
	check_placement "8G boot $i" "$WORK/8g-$i.log"
	phys=$(kernel_code_start "$WORK/8g-$i.log")
	[ "$(printf '%d' "$phys")" -ge 4294967296 ] && above=$((above + 1))
	[ -n "$prev" ] && [ "$prev" != "$(chosen "$WORK/8g-$i.log")" ] && differ=1
	prev=$(chosen "$WORK/8g-$i.log")
done
[ "${differ:-0}" = 1 ] && ok "KASLR: boots land at different addresses" || not_ok "KASLR: every boot chose $prev"
[ "$above" -gt 0 ] && ok "8G: $above of 4 boots ran above 4 GiB" ||
	echo "note: no boot of 4 landed above 4 GiB this time (about half the slots are)"

for mem in 256M 1G 4G; do
	boot "$WORK/$mem.log" "$img" -m "$mem" -a "$base"
	expect_userspace "$mem" "$WORK/$mem.log" && check_placement "$mem" "$WORK/$mem.log"
done

# mem=512M: the kernel must land below it
boot "$WORK/memlimit.log" "$img" -m 2G -a "$base mem=512M"
if expect_userspace "mem=512M" "$WORK/memlimit.log"; then
	phys=$(kernel_code_start "$WORK/memlimit.log")
	[ "$(printf '%d' "$phys")" -lt 536870912 ] && ok "mem=512M: kernel at $phys, below the limit" ||
		not_ok "mem=512M: kernel at $phys"
fi

# a long command line reaches the kernel whole
long="$base nokaslr $(printf 'kdecomp.pad%d=%s ' $(seq 1 30 | sed 's/$/ xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx/'))"
long=$(echo "$long" | sed 's/ *$//')
boot "$WORK/long.log" "$img" -a "$long"
if expect_userspace "long command line" "$WORK/long.log"; then
	[ "$(field "$WORK/long.log" CMDLINE)" = "$long" ] && ok "long command line (${#long} bytes) intact" ||
		not_ok "long command line differs"
fi
summary
