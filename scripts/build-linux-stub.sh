#!/bin/sh
# Linux's own stub around Debian's 6.1 cloud kernel, in any of the seven
# formats, built here from Debian's linux-source-6.1 package with Debian's
# own config for that kernel; the images go into the cache, nothing of
# Linux's into the repository.  Prints the path of each image, one a line.
#
#   scripts/build-linux-stub.sh [FORMAT ...]     (default: all seven)
#
# A bzImage needs only the kernel's vmlinux, not a kernel build: the stub
# (arch/x86/boot and arch/x86/boot/compressed, with the EFI stub's
# drivers/firmware/efi/libstub/lib.a) reads vmlinux for vmlinux.bin, for
# vmlinux.relocs (arch/x86/tools/relocs reads the .rela sections that
# CONFIG_X86_NEED_RELOCS links in) and for the symbol offsets.  Debian's
# unstripped vmlinux (the -dbg package, scripts/fetch-kernels.sh dbg-cloud)
# has them, so it is put in the tree as vmlinux and make is told never to
# rebuild it (-o vmlinux).  The tree is prepared once (about 4 minutes):
# the tarball extracted into $KDECOMP_CACHE/linux-stub (without
# Documentation/, apart from the Kconfig there), the config taken from the
# cloud image package's /boot/config-*, `make olddefconfig` and
# `make prepare`, libstub, and the three generated files the stub includes
# that a kernel build would have made on the way (the CPU feature names,
# the build's version string, the instruction decoder's tables).  Then each
# format is CONFIG_KERNEL_<FORMAT> and a rebuild of the image, in which only
# arch/x86/boot/compressed and the image rebuild (a minute or two; zstd's
# level 22 longest).  Images are kept as
#   $KDECOMP_CACHE/linux-stub/<kernel release>_<Debian version>/bzImage-FORMAT
# keyed by the "Linux version" line of the vmlinux they wrap.
set -eu
cd "$(dirname "$0")/.."
cache=${KDECOMP_CACHE:-$HOME/.cache/kdecomp}
tarball=/usr/src/linux-source-6.1.tar.xz
top=$cache/linux-stub
tree=$top/linux-source-6.1
vmlinux=$cache/vmlinux-cloud-dbg
[ $# -gt 0 ] || set -- gzip bzip2 lzma xz lzo lz4 zstd
[ -f "$tarball" ] || { echo "build-linux-stub: $tarball is missing (package linux-source-6.1)" >&2; exit 1; }
scripts/fetch-kernels.sh dbg-cloud deb-cloud
kmake() { nice -n 10 make -C "$tree" -s CC=gcc-12 -j2 "$@"; }	# Debian's config names gcc-12

# "6.1.0-57-cloud-amd64_6.1.192-3": the release and Debian version in the banner
banner=$(grep -a -m 1 -o 'Linux version [^ ]* .*Debian [^ ]*' "$vmlinux")
key=$(echo "$banner" | sed 's/^Linux version \([^ ]*\) .*Debian \([^ ]*\)$/\1_\2/')
source_version=$(dpkg-query -W -f '${Version}' linux-source-6.1)
[ "${key#*_}" = "$source_version" ] ||
	echo "build-linux-stub: note: vmlinux is ${key#*_}, linux-source-6.1 is $source_version" >&2
out=$top/$key
mkdir -p "$out"

prepare_tree() {
	echo "build-linux-stub: extracting and preparing $tarball (once)" >&2
	rm -rf "$tree"
	tar -C "$top" -xJf "$tarball" --exclude='linux-source-6.1/Documentation'
	tar -C "$top" -xJf "$tarball" linux-source-6.1/Documentation/Kconfig
	dpkg-deb --fsys-tarfile "$cache/linux-image-cloud.deb" | tar -xO --wildcards './boot/config-*' > "$tree/.config"
	kmake olddefconfig
	kmake prepare
	kmake drivers/firmware/efi/libstub/
	kmake arch/x86/kernel/cpu/capflags.o	# boot/mkcpustr includes the generated capflags.c
	kmake init/version-timestamp.o		# generates include/generated/utsversion.h
	# compressed/sev.c includes arch/x86/lib/inat.c and its generated tables
	# (a rule of arch/x86/lib's Makefile that only its library build reaches)
	awk -f "$tree/arch/x86/tools/gen-insn-attr-x86.awk" "$tree/arch/x86/lib/x86-opcode-map.txt" \
		> "$tree/arch/x86/lib/inat-tables.c"
	touch "$tree/.kdecomp-prepared"
}
[ -e "$tree/.kdecomp-prepared" ] || prepare_tree
ln -sf "$vmlinux" "$tree/vmlinux"

for fmt; do
	image=$out/bzImage-$fmt
	if [ ! -s "$image" ]; then
		opt=KERNEL_$(echo "$fmt" | tr a-z A-Z)
		grep -q "^config $opt\$" "$tree/init/Kconfig" || { echo "build-linux-stub: no format $fmt" >&2; exit 1; }
		for f in GZIP BZIP2 LZMA XZ LZO LZ4 ZSTD; do
			"$tree/scripts/config" --file "$tree/.config" --disable "KERNEL_$f"
		done
		"$tree/scripts/config" --file "$tree/.config" --enable "$opt"
		kmake olddefconfig
		grep -q "^CONFIG_$opt=y" "$tree/.config" || { echo "build-linux-stub: $opt did not stick" >&2; exit 1; }
		echo "build-linux-stub: building Linux's stub in $fmt" >&2
		kmake -o vmlinux bzImage >/dev/null
		cp "$tree/arch/x86/boot/bzImage" "$image.tmp"
		mv "$image.tmp" "$image"
	fi
	echo "$image"
done
