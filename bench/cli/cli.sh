#!/bin/bash
# make bench-cli: `kdecomp decompress` against each format's reference
# command-line tool, both as whole processes writing to /dev/null, on the
# same compressed files: Debian's cloud kernel payload (compressed at the
# settings Linux's build uses) and two large corpus files (text: the start
# of Debian's linux-source tarball; binary: the start of the cloud kernel's
# unstripped vmlinux).  Streams come with and without a recorded size where
# the format lets the compressor choose (zstd's content size, lz4's legacy
# frame or a modern frame with its content size).  Then `extract` and
# `extract --symbols` of Debian's generic kernel against `decompress` of
# its payload.
#
# Runs alternate (ours, reference; the order flips each round), RUNS rounds;
# medians of CPU time (user + sys of the child, from wait4) and wall time,
# ratios reference / ours (above 1: kdecomp is faster), peak RSS of each.
# Every output is compared with the original once before timing.
#
#   bench/cli/cli.sh [RUNS]        (make bench-cli RUNS=N)
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/cache.sh
runs=${1:-5}
cache=${KDECOMP_CACHE:-$HOME/.cache/kdecomp}
store=$cache/bench-cli
kdecomp=$PWD/build/kdecomp
measure=$PWD/build/bench/measure
corpus_bytes=$((32 << 20))
work=$(mktemp -d /dev/shm/kdecomp-bench-cli.XXXXXX)	# tmpfs: output files cost no disk I/O
trap 'rm -rf "$work"' EXIT
mkdir -p "$store"
scripts/fetch-kernels.sh generic cloud dbg-cloud >/dev/null

# The inputs: the kernel payload as Linux compresses it (vmlinux.bin and its relocations), two corpus files.
make_once "$kdecomp extract -q '$cache/vmlinuz-cloud' -o $work/v --relocs $work/r && cat $work/v $work/r" \
	"$store/payload"
make_once "xz -dc /usr/src/linux-source-6.1.tar.xz | head -c $corpus_bytes" "$store/text"
make_once "head -c $corpus_bytes '$cache/vmlinux-cloud-dbg'" "$store/binary"

# Each row: name, compressor reading the file on stdin (size unknown to it) or by name (size known),
# suffix, reference decompressor.  Settings as Linux's build (scripts/Makefile.lib, xz_wrap.sh).
rows=(
	"gzip|gzip -n -9 -c FILE|libdeflate-gunzip -c"
	"bzip2|bzip2 -9 -c < FILE|bzip2 -dc"
	"lzma|xz --format=lzma -9 -c < FILE|xz --format=lzma -dc"
	"xz|xz --check=crc32 --x86 --lzma2=,dict=32MiB -c < FILE|xz -dc"
	"lzo|lzop -9 -c < FILE|lzop -dc"
	"lz4-legacy|lz4 -q -l -9 -c < FILE|lz4 -dc"
	"lz4-sized|lz4 -q -9 --content-size -c FILE|lz4 -dc"
	"zstd-sized|zstd -q -22 --ultra -c FILE|zstd -dc"
	"zstd-unsized|zstd -q -22 --ultra -c < FILE|zstd -dc"
)

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# Column $2 (1 wall, 2 user, 3 sys, 4 rss) or "cpu" (user + sys) of a result file, median.
col() {
	if [ "$2" = cpu ]; then awk '{ print $2 + $3 }' "$1" | median; else awk -v c="$2" '{ print $c }' "$1" | median; fi
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
ms() { awk -v a="$1" 'BEGIN { printf "%.0f", a / 1000 }'; }

# Time two commands (strings, run with stdout to /dev/null) alternately; print one table row.
compare() {
	local label=$1 ours=$2 ref=$3 r
	rm -f "$work/ours" "$work/ref"
	for ((r = 0; r < runs; r++)); do
		if ((r % 2 == 0)); then
			eval "$measure $work/ours $ours" > /dev/null
			eval "$measure $work/ref $ref" > /dev/null
		else
			eval "$measure $work/ref $ref" > /dev/null
			eval "$measure $work/ours $ours" > /dev/null
		fi
	done
	local oc rc ow rw
	oc=$(col "$work/ours" cpu) rc=$(col "$work/ref" cpu) ow=$(col "$work/ours" 1) rw=$(col "$work/ref" 1)
	printf '%-26s %8s %8s %6s   %8s %8s %6s   %7s %7s\n' "$label" "$(ms "$rc")" "$(ms "$oc")" "$(ratio "$rc" "$oc")" \
		"$(ms "$rw")" "$(ms "$ow")" "$(ratio "$rw" "$ow")" "$(($(col "$work/ref" 4) >> 10))" "$(($(col "$work/ours" 4) >> 10))"
}

header() {
	printf '%-26s %8s %8s %6s   %8s %8s %6s   %7s %7s\n' "$1" "ref cpu" "ours" "ratio" "ref wall" "ours" "ratio" \
		"ref MiB" "ours"
}

echo "bench-cli: $runs alternating runs each, medians; ms; ratio = reference / kdecomp; $(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg)"
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
for input in payload text binary; do
	echo
	header "$input ($(($(stat -c %s "$store/$input") >> 20)) MiB)"
	for row in "${rows[@]}"; do
		IFS='|' read -r name compress ref <<< "$row"
		c=$store/$input.$name
		make_once "${compress//FILE/$store/$input}" "$c"
		"$kdecomp" decompress "$c" | cmp -s - "$store/$input" || { echo "kdecomp decompress $c: wrong output" >&2; exit 1; }
		$ref < "$c" | cmp -s - "$store/$input" || { echo "$ref $c: wrong output" >&2; exit 1; }
		compare "$name" "$kdecomp decompress $c" "$ref $c"
	done
done

# extract vs decompress of the same payload: what reading the bzImage, splitting the ELF and adding symbols cost.
echo
img=$cache/vmlinuz-generic
read -r start len < <("$kdecomp" inspect --json "$img" | tr ',{}' '\n\n\n' |
	awk -F: '/"payload_start"/ { s = $2 } /"payload_length"/ { l = $2 } END { print s + 0, l + 0 }')
# dd, not tail | head: under pipefail, tail dies of SIGPIPE when head has its bytes
dd if="$img" of="$work/payload" iflag=skip_bytes,count_bytes skip="$start" count="$len" status=none
header "generic kernel (decompress = ref)"
compare "extract" "$kdecomp extract -q $img -o $work/x" "$kdecomp decompress $work/payload -o $work/p"
compare "extract --symbols" "$kdecomp extract -q --symbols $img -o $work/x" "$kdecomp decompress $work/payload -o $work/p"
