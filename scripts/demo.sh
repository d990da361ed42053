#!/bin/sh
# The demonstration: Debian's own cloud kernel, repacked by kdecomp in each
# of the seven formats, booted under QEMU to a busybox init.  For each, what
# our stub prints, the kernel's first line, and what the kernel reports
# about itself from userspace; then a table of sizes and boot times.
set -eu
cd "$(dirname "$0")/.."
kernel=${KDECOMP_CACHE:-$HOME/.cache/kdecomp}/vmlinuz-cloud
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
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
	grep -a -E '^Decompressing Linux|^Booting the kernel|Linux version|^KDECOMP-' "$work/$fmt.log" | tr -d '\r'
	table="$table$(printf '%-6s %10d bytes  %6.1f s to poweroff' "$fmt" "$(stat -c %s "$work/$fmt.img")" \
		"$(awk "BEGIN { print $end - $start }")")
"
done
echo
echo "=== image size and QEMU (TCG) boot-to-poweroff time, same kernel ==="
printf '%s' "$table"
