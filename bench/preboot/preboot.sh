#!/bin/bash
# make bench-preboot: the stub's decoders (built with FREE_CFLAGS, as the
# stub links them) against Linux's own preboot decompressors, on the
# payload of Debian's 6.1 cloud kernel compressed as Linux's build
# compresses it (scripts/Makefile.lib's cmd_*_with_size: the stream, then
# the le32 size).
#
# Linux's side is built at bench time from Debian's linux-source-6.1
# tarball, extracted into the cache and prepared once (defconfig, make
# prepare): bench/preboot/linux_decoder.c includes each lib/decompress_*.c
# there the way arch/x86/boot/compressed/misc.c does, compiled with the
# exact command kbuild uses for that directory's string.c, and linked with
# that string.c (Linux's memcpy and friends).  Each side is linked into one
# relocatable object whose helpers are made local, so Linux's decoders use
# Linux's memcpy and ours use lib/mem.c, as in the two stubs.
#
#   bench/preboot/preboot.sh [RUNS]     (make bench-preboot RUNS=N)
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/cache.sh
runs=${1:-5}
repo=$PWD
cache=${KDECOMP_CACHE:-$HOME/.cache/kdecomp}
tarball=/usr/src/linux-source-6.1.tar.xz
tree=$cache/preboot/linux-source-6.1
store=$cache/bench-preboot
out=$repo/build/preboot
mkdir -p "$cache/preboot" "$store" "$out"
scripts/fetch-kernels.sh cloud >/dev/null
[ -f "$tarball" ] || { echo "bench-preboot: $tarball is missing (package linux-source-6.1)" >&2; exit 1; }

# The tree, once: everything the x86 build and its Kconfig read; the other architectures and the big driver,
# file-system, network and sound trees are left out (only their Kconfig files are needed).
if [ ! -e "$tree/.kdecomp-prepared" ]; then
	echo "bench-preboot: extracting and preparing $tarball (once)" >&2
	rm -rf "$tree"
	skip=(drivers fs net sound Documentation tools/testing)
	for a in arm arm64 powerpc mips s390 sparc riscv loongarch sh parisc m68k ia64 alpha csky hexagon microblaze \
		nios2 openrisc xtensa arc; do skip+=("arch/$a"); done
	excludes=()
	for d in "${skip[@]}"; do excludes+=("--exclude=linux-source-6.1/$d"); done
	tar -C "$cache/preboot" -xJf "$tarball" "${excludes[@]}"
	# tar's * matches / as well, so one pattern takes them at any depth (a pattern that matches
	# nothing is an error, so there must be only one)
	tar -C "$cache/preboot" -xJf "$tarball" --wildcards 'linux-source-6.1/*/Kconfig*'
	nice -n 10 make -C "$tree" -s defconfig
	nice -n 10 make -C "$tree" -s -j"$(nproc)" prepare
	touch "$tree/.kdecomp-prepared"
fi

# The compiler flags of arch/x86/boot/compressed: kbuild's include and
# preprocessor flags (LINUXINCLUDE, -D__KERNEL__), as kbuild prints them for
# any object, then the KBUILD_CFLAGS that directory's Makefile sets in place
# of the kernel's (its `KBUILD_CFLAGS :=` block, x86-64 and gcc; kbuild
# builds that directory only from the bzImage rule, so it cannot print them
# for one object).  Each is checked against that Makefile's text.
kernel_cmd=$(cd "$tree" && make -s -n V=1 arch/x86/boot/compressed/string.o 2>/dev/null |
	grep -m1 -o -e 'gcc .* -c -o arch/x86/boot/compressed/string.o' || true)	# grep's early exit stops make
include_flags=$(sed -n 's/^gcc .*\(-nostdinc .*\) -D__KERNEL__ .*/\1 -D__KERNEL__/p' <<< "${kernel_cmd%%;*}")
[ -n "$include_flags" ] || { echo "bench-preboot: kbuild printed no include flags" >&2; exit 1; }
boot_flags=(-m64 -O2 -std=gnu11 -fno-strict-aliasing -fPIE -fno-jump-tables -Wundef -DDISABLE_BRANCH_PROFILING
	-mcmodel=small -mno-red-zone -mno-mmx -mno-sse -ffreestanding -fshort-wchar -fno-stack-protector
	-Wno-pointer-sign -fno-asynchronous-unwind-tables -D__DISABLE_EXPORTS -include include/linux/hidden.h)
for f in "${boot_flags[@]}"; do
	[ "$f" = -m64 ] && f='-m$(BITS)'
	grep -q -F -e "$f" "$tree/arch/x86/boot/compressed/Makefile" ||
		{ echo "bench-preboot: $f is not in arch/x86/boot/compressed/Makefile" >&2; exit 1; }
done
linux_cc() { (cd "$tree" && eval "gcc $include_flags ${boot_flags[*]} -Wno-address-of-packed-member \
	-fmacro-prefix-map=./= -I arch/x86/boot/compressed -DKBUILD_MODFILE='\"misc\"' -DKBUILD_BASENAME='\"misc\"' \
	-DKBUILD_MODNAME='\"misc\"' -D__KBUILD_MODNAME=kmod_misc $*"); }

linux_cc -c -o "$out/linux_string.o" arch/x86/boot/compressed/string.c
declare -A source=([gzip]=decompress_inflate [bzip2]=decompress_bunzip2 [lzma]=decompress_unlzma
	[xz]=decompress_unxz [lzo]=decompress_unlzo [lz4]=decompress_unlz4 [zstd]=decompress_unzstd)
for fmt in "${!source[@]}"; do
	linux_cc "-DKD_LINUX_DECOMPRESSOR='\"$tree/lib/${source[$fmt]}.c\"'" "-DKD_LINUX_ENTRY=linux_${fmt}_decompress" \
		-c -o "$out/linux_$fmt.o" "$repo/bench/preboot/linux_decoder.c"
	ld -r -o "$out/linux_${fmt}_all.o" "$out/linux_$fmt.o" "$out/linux_string.o"
	objcopy --keep-global-symbol="linux_${fmt}_decompress" "$out/linux_${fmt}_all.o"
done

# Ours: every freestanding object of lib/ with lib/mem.c, as the stub links them.
make -s build/libkdecomp-free.a
ld -r -o "$out/ours_all.o" --whole-archive build/libkdecomp-free.a
objcopy --keep-global-symbol=kd_decode --keep-global-symbol=kd_heap_size --keep-global-symbol=kd_heap_init \
	--keep-global-symbol=kd_format_name "$out/ours_all.o"
cc -std=gnu11 -O2 -Wall -Wextra -Ilib -o "$out/preboot-run" bench/preboot/main.c "$out"/linux_*_all.o \
	"$out/ours_all.o"

# The payload and its seven compressed forms, once.
make_once "build/kdecomp extract -q '$cache/vmlinuz-cloud' -o '$out/v' --relocs '$out/r' && cat '$out/v' '$out/r'" \
	"$store/payload"
size=$(stat -c %s "$store/payload")
le32=$(printf '\\%03o\\%03o\\%03o\\%03o' $((size & 255)) $((size >> 8 & 255)) $((size >> 16 & 255)) $((size >> 24 & 255)))
declare -A compress=([gzip]="gzip -n -f -9" [bzip2]="bzip2 -9" [lzma]="xz --format=lzma -9"
	[xz]="xz --check=crc32 --x86 --lzma2=,dict=32MiB" [lzo]="lzop -9" [lz4]="lz4 -q -l -9 - -"
	[zstd]="zstd -q -22 --ultra")
for fmt in "${!compress[@]}"; do
	make_once "${compress[$fmt]} < '$store/payload'; printf '$le32'" "$store/payload.$fmt"
done

echo "bench-preboot: Linux 6.1 preboot decoders (arch/x86/boot/compressed flags) vs ours (FREE_CFLAGS);" \
	"$(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg)"
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
"$out/preboot-run" "$runs" "$store" "$store/payload"
