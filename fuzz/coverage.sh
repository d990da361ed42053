#!/bin/sh
# Line coverage of each fuzz target's corpus: fuzz/coverage.sh [NAME...]
#
# Builds every target again with clang's source-based coverage
# (build/fuzz-cov/, no sanitizers), replays its seeds and its working
# corpus (fuzz/corpus/NAME, build/fuzz/corpus-NAME) once, and prints the
# line coverage of the lib/ files the target exercises:
#   NAME lines=COVERED/TOTAL (PERCENT%) files=...
set -eu
cd "$(dirname "$0")/.."
B=build/fuzz-cov
INC=$(for d in lib lib/check lib/kernel lib/decode lib/decode/*/; do printf -- '-I%s ' "${d%/}"; done)
LIBS="-llz4 -lz -ldeflate -llzma -lbz2 -llzo2 -lzstd"
FLAGS="-std=gnu11 -g -O1 -fprofile-instr-generate -fcoverage-mapping -Ifuzz -Itools"
mkdir -p "$B/obj"

# the lib/ files each target is about
files_for() {
	case $1 in
	fuzz_gzip) echo lib/decode/deflate/*.c ;;
	fuzz_bzip2) echo lib/decode/bzip2/*.c ;;
	fuzz_lzma) echo lib/decode/lzma/lzma.c lib/decode/lzma/lzma_core.c ;;
	fuzz_xz) echo lib/decode/lzma/*.c ;;
	fuzz_lzo) echo lib/decode/lzo/*.c ;;
	fuzz_lz4) echo lib/decode/lz4.c ;;
	fuzz_zstd) echo lib/decode/zstd/*.c ;;
	fuzz_diff) echo lib/decode/*/*.c lib/decode/lz4.c ;;
	fuzz_relocs) echo lib/kernel/elf.c lib/kernel/relocs.c ;;
	fuzz_kallsyms) echo lib/kernel/kallsyms.c ;;
	fuzz_bzimage) echo lib/kernel/bzimage.c ;;
	fuzz_cmdline) echo lib/kernel/cmdline.c ;;
	fuzz_kaslr) echo lib/kernel/kaslr.c lib/kernel/handover.c ;;
	fuzz_pe) echo lib/kernel/pe.h ;;
	fuzz_efi_map) echo lib/kernel/efi_map.c lib/kernel/efi_map.h lib/kernel/efi_boot.c ;;
	esac
}

[ $# -gt 0 ] || set -- $(ls fuzz/fuzz_*.c | sed 's#fuzz/\(.*\)\.c#\1#')
# lib/, the harness and pack's compressors, compiled once into one archive
objs=
for src in $(ls lib/*.c lib/*/*.c lib/*/*/*.c | grep -v '^lib/mem.c$') fuzz/guard.c fuzz/harness.c \
	tools/compress.c tools/util.c; do
	obj=$B/obj/$(echo "$src" | tr / _).o
	# shellcheck disable=SC2086
	[ "$obj" -nt "$src" ] || clang $FLAGS $INC -fsanitize=fuzzer-no-link -c "$src" -o "$obj"
	objs="$objs $obj"
done
rm -f "$B/lib.a"
# shellcheck disable=SC2086
ar rcs "$B/lib.a" $objs
for name in "$@"; do
	# shellcheck disable=SC2086
	clang $FLAGS $INC -fsanitize=fuzzer -o "$B/$name" "fuzz/$name.c" "$B/lib.a" $LIBS
	rm -f "$B/$name".profraw
	dirs="fuzz/corpus/$name"
	[ -d "build/fuzz/corpus-$name" ] && dirs="$dirs build/fuzz/corpus-$name"
	# shellcheck disable=SC2086
	LLVM_PROFILE_FILE="$B/$name.profraw" "$B/$name" -runs=0 -rss_limit_mb=4096 $dirs > "$B/$name.log" 2>&1 || true
	llvm-profdata merge -sparse "$B/$name.profraw" -o "$B/$name.profdata"
	# shellcheck disable=SC2046
	llvm-cov report "$B/$name" -instr-profile="$B/$name.profdata" $(files_for "$name") > "$B/$name.report"
	tail -n 1 "$B/$name.report" | awk -v n="$name" '{ printf "%s lines=%d/%d (%s) regions=%s\n", n, $8 - $9, $8, $10, $4 }'
done
