#!/bin/sh
# The demonstration, in two parts, each booting under QEMU (TCG) the same
# kernel packed by kdecomp in each of the seven formats:
#
#   1. our test kernel (tests/kernel), with KASLR: what our stub prints, and
#      what the kernel reports from the inside (where it runs, physically
#      and virtually, its command line, its relocations checked for the
#      offset the stub chose) before it exits QEMU with its verdict;
#   2. Debian's own cloud kernel, booted to a busybox init: what our stub
#      prints, the kernel's first line, and what the kernel reports about
#      itself from userspace; then a table of sizes and boot times;
#   3. the lz4 image once more, under UEFI (OVMF loads it as an EFI
#      application and our native EFI entry runs): the kernel finds EFI.
set -eu
cd "$(dirname "$0")/.."
kernel=${KDECOMP_CACHE:-$HOME/.cache/kdecomp}/vmlinuz-cloud
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "=== 1. our test kernel, build/tests/kernel.elf (tests/kernel), with KASLR ==="
for fmt in lz4 gzip xz zstd lzo lzma bzip2; do
	echo
	echo "--- $fmt"
	build/kdecomp pack build/tests/kernel.elf -c "$fmt" -o "$work/tk-$fmt.img"
	status=0
	scripts/boot-qemu.sh "$work/tk-$fmt.img" -t 60 -a "console=ttyS0 earlyprintk=ttyS0 kdecomp.demo=$fmt" \
		-x "-device isa-debug-exit,iobase=0xf4,iosize=0x04" > "$work/tk-$fmt.log" 2>&1 || status=$?
	grep -a -E '^kdecomp:|^Decompressing Linux|^Booting the kernel|^testkernel:' "$work/tk-$fmt.log" | tr -d '\r'
	# the kernel's verdict through isa-debug-exit: QEMU exits (value << 1) | 1
	[ "$status" = 33 ] && echo "QEMU exit status 33: the test kernel's checks passed" ||
		echo "QEMU exit status $status: the test kernel's checks FAILED"
done

echo
echo "=== 2. Debian's cloud kernel, repacked ==="
scripts/fetch-kernels.sh cloud
build/kdecomp inspect "$kernel" | sed -n '/^kernel_version/p;/^compression/p;/^payload_length/p'
table=
for fmt in lz4 gzip xz zstd lzo lzma bzip2; do
	echo
	echo "=== $fmt ================================================================"
	build/kdecomp pack "$kernel" -c "$fmt" -o "$work/$fmt.img"
	start=$(date +%s.%N)
	scripts/boot-qemu.sh "$work/$fmt.img" -a "console=ttyS0 earlyprintk=ttyS0 panic=-1 quiet" > "$work/$fmt.log" 2>&1 || true
	end=$(date +%s.%N)
	grep -a -E '^kdecomp: KASLR|^Decompressing Linux|^Booting the kernel|Linux version|^KDECOMP-' "$work/$fmt.log" | tr -d '\r'
	table="$table$(printf '%-6s %10d bytes  %6.1f s to poweroff' "$fmt" "$(stat -c %s "$work/$fmt.img")" \
		"$(awk "BEGIN { print $end - $start }")")
"
done
echo
echo "=== image size and QEMU (TCG) boot-to-poweroff time, same kernel ==="
printf '%s' "$table"

echo
echo "=== 3. the lz4 image under UEFI: OVMF runs it as an EFI application ==="
scripts/boot-qemu.sh "$work/lz4.img" -u -a "console=ttyS0 earlyprintk=ttyS0 panic=-1 no_timer_check" \
	> "$work/efi.log" 2>&1 || true
grep -a -o -E 'kdecomp: EFI .*|^kdecomp: KASLR.*|efi: EFI v.*|^KDECOMP-(INIT|EFI).*' "$work/efi.log" | tr -d '\r'
