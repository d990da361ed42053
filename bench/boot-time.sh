#!/bin/sh
# make bench-boot: time from QEMU's start to the kernel's first "Linux
# version" line (earlyprintk makes the kernel print it at entry), our image
# against Debian's own image of the same kernel in the same format, several
# runs each, medians and their ratio from one run; then every format for
# the same kernel, with image sizes, so users can choose.
#
#   bench/boot-time.sh [RUNS]
set -eu
cd "$(dirname "$0")/.."
runs=${1:-5}
cache=${KDECOMP_CACHE:-$HOME/.cache/kdecomp}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
scripts/fetch-kernels.sh generic cloud
initrd=$cache/initramfs.cpio.gz
[ -s "$initrd" ] || scripts/make-initramfs.sh "$initrd"

# One boot: milliseconds from QEMU's start to "Linux version" on the serial line.
time_to_kernel() {
	fifo=$work/fifo
	rm -f "$fifo"
	mkfifo "$fifo"
	start=$(date +%s%N)
	qemu-system-x86_64 -accel tcg -cpu max -m 1G -nographic -no-reboot -nodefaults -serial stdio \
		-display none -kernel "$1" -initrd "$initrd" \
		-append "console=ttyS0 earlyprintk=ttyS0 panic=-1 nokaslr" > "$fifo" 2>&1 &
	qemu=$!
	if grep -a -q -m 1 'Linux version' "$fifo"; then
		end=$(date +%s%N)
		echo $(((end - start) / 1000000))
	else
		echo 0
	fi
	kill "$qemu" 2>/dev/null || true
	wait "$qemu" 2>/dev/null || true
}

median() {
	tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

measure() {	# IMAGE -> median ms over $runs boots
	times=
	for _ in $(seq 1 "$runs"); do
		times="$times $(time_to_kernel "$1")"
	done
	echo "$times" | median
}

echo "boot to kernel entry (\"Linux version\"), QEMU TCG, median of $runs boots"
for pair in "generic xz" "cloud lz4"; do
	set -- $pair
	build/kdecomp pack -q "$cache/vmlinuz-$1" -c "$2" -o "$work/ours-$1.img"
	theirs=$(measure "$cache/vmlinuz-$1")
	ours=$(measure "$work/ours-$1.img")
	printf '%-8s %-5s Debian %6d ms   kdecomp %6d ms   ratio %.2f\n' "$1" "$2" "$theirs" "$ours" \
		"$(awk "BEGIN { print $ours / $theirs }")"
done

echo
echo "every format, Debian's cloud kernel: image size and boot to kernel entry"
for fmt in gzip bzip2 lzma xz lzo lz4 zstd; do
	build/kdecomp pack -q "$cache/vmlinuz-cloud" -c "$fmt" -o "$work/$fmt.img"
	printf '%-6s %10d bytes  %6d ms\n' "$fmt" "$(stat -c %s "$work/$fmt.img")" "$(measure "$work/$fmt.img")"
done
