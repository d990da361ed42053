#!/bin/sh
# make bench-boot: time from QEMU's start to the kernel's first "Linux
# version" line (earlyprintk makes the kernel print it at entry), our image
# against another image of the same kernel in the same format, several
# runs each, the two interleaved, medians and their ratio from one run:
#   - against Debian's own images: under SeaBIOS, QEMU's -kernel, Debian's
#     generic (xz) and cloud (lz4); under UEFI (OVMF), the cloud kernel:
#     OVMF loading QEMU's -kernel, and systemd-boot from an ESP (built
#     before the clock starts);
#   - against Linux's own stub in every format: Debian's cloud kernel
#     wrapped by Linux's stub built here in each of the seven formats from
#     linux-source-6.1 with Debian's config (scripts/build-linux-stub.sh;
#     the first run builds them, which takes about 15 minutes), under
#     SeaBIOS, with both images' sizes, so users can choose.
# A boot that never reaches the kernel (the firmware or loader gives up, or
# 120 s pass) makes its line say so.
#
#   bench/boot-time.sh [RUNS]      (KDECOMP=path/to/kdecomp to try another build)
set -eu
cd "$(dirname "$0")/.."
runs=${1:-5}
cache=${KDECOMP_CACHE:-$HOME/.cache/kdecomp}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
scripts/fetch-kernels.sh generic cloud
scripts/build-linux-stub.sh >/dev/null	# all seven, before any clock starts
initrd=$(scripts/make-initramfs.sh)
append="console=ttyS0 earlyprintk=ttyS0 panic=-1 nokaslr"
limit=120
KDECOMP=${KDECOMP:-build/kdecomp}

# time_to_kernel IMAGE [boot-qemu.sh options]: milliseconds from QEMU's
# start to "Linux version" on the serial line, or "-" if the firmware or
# loader gave up (OVMF's shell, GRUB's key prompt) or the limit passed.
time_to_kernel() {
	fifo=$work/fifo
	rm -f "$fifo"
	mkfifo "$fifo"
	start=$(date +%s%N)
	image=$1
	shift
	scripts/boot-qemu.sh "$image" -i "$initrd" -a "$append" -t "$limit" "$@" > "$fifo" 2>&1 &
	qemu=$!
	seen=$(awk '/Linux version/ { print "kernel"; exit } /Shell> |Press any key to/ { exit }' < "$fifo")
	end=$(date +%s%N)
	kill "$qemu" 2>/dev/null || true
	wait "$qemu" 2>/dev/null || true
	[ "$seen" = kernel ] && echo $(((end - start) / 1000000)) || echo -
}

# median of the numbers on stdin, or "-" if any run failed
median() {
	tr ' ' '\n' | grep . | sort -n | awk '
		$1 == "-" { failed = 1 } { v[NR] = $1 }
		END { if (failed || NR == 0) print "-"; else print v[int((NR + 1) / 2)] }'
}

# compare LABEL THEIR-NAME THEIRS OURS [boot-qemu.sh options]: $runs boots
# of each, alternating, so both see the same load on the machine
compare() {
	label=$1 name=$2 theirs=$3 ours=$4
	shift 4
	t= o=
	for _ in $(seq 1 "$runs"); do
		t="$t $(time_to_kernel "$theirs" "$@")"
		o="$o $(time_to_kernel "$ours" "$@")"
	done
	t=$(echo "$t" | median) o=$(echo "$o" | median)
	if [ "$t" = - ] || [ "$o" = - ]; then
		printf '%-24s %-6s %6s ms   kdecomp %6s ms   (a boot did not reach the kernel)\n' "$label" "$name" "$t" "$o"
	else
		printf '%-24s %-6s %6d ms   kdecomp %6d ms   ratio %.2f\n' "$label" "$name" "$t" "$o" \
			"$(awk "BEGIN { print $o / $t }")"
	fi
}

echo "boot to kernel entry (\"Linux version\"), QEMU TCG, median of $runs boots"
for pair in "generic xz" "cloud lz4"; do
	set -- $pair
	$KDECOMP pack -q "$cache/vmlinuz-$1" -c "$2" -o "$work/ours-$1.img"
	compare "SeaBIOS $1 $2" Debian "$cache/vmlinuz-$1" "$work/ours-$1.img"
done
compare "OVMF -kernel cloud lz4" Debian "$cache/vmlinuz-cloud" "$work/ours-cloud.img" -u
scripts/efi-esp.sh sdboot "$cache/vmlinuz-cloud" "$initrd" "$append" "$work/theirs-sdboot.esp"
scripts/efi-esp.sh sdboot "$work/ours-cloud.img" "$initrd" "$append" "$work/ours-sdboot.esp"
compare "systemd-boot cloud lz4" Debian "$work/theirs-sdboot.esp" "$work/ours-sdboot.esp"

echo
echo "every format, Debian's cloud kernel: Linux's own stub (linux-source-6.1, Debian's config) against ours (SeaBIOS)"
for fmt in gzip bzip2 lzma xz lzo lz4 zstd; do
	linux=$(scripts/build-linux-stub.sh "$fmt")
	$KDECOMP pack -q "$cache/vmlinuz-cloud" -c "$fmt" -o "$work/$fmt.img"
	compare "$fmt" Linux "$linux" "$work/$fmt.img"
	printf '%-24s %-6s %6d KiB  kdecomp %6d KiB\n' "" size \
		"$(($(stat -c %s "$linux") / 1024))" "$(($(stat -c %s "$work/$fmt.img") / 1024))"
done
