#!/bin/sh
# Debian's generic (xz), cloud (lz4) and rt (xz) kernels, repacked by kdecomp in each
# of the seven formats, boot under QEMU (TCG) to our init; with nokaslr
# each runs at its preferred addresses (physical 16 MiB, _stext at
# 0xffffffff81000000) and reports the command line we gave.  The kernel's
# own view must be right: what it logs about the memory map, boot_params,
# relocation and KASLR, and any WARNING or BUG, must be what it logs when
# booted from Debian's own image.
set -u
cd "$(dirname "$0")/../.."
. tests/boot/lib.sh

append="console=ttyS0 earlyprintk=ttyS0 panic=-1 nokaslr kdecomp.test=formats"

# The kernel's lines on the subjects above, after "Linux version", timestamps cut.
kernel_view() {
	sed -n '/Linux version/,$p' "$1" | tr -d '\r' | sed 's/^\[ *[0-9.]*\] //' |
		grep -a -i -E 'e820|boot_params|boot params|reloc|kaslr|setup_data|WARNING|BUG' | sort -u
}

for flavour in cloud generic rt; do
	kernel=$CACHE/vmlinuz-$flavour
	[ -s "$kernel" ] || { not_ok "no $kernel: run scripts/fetch-kernels.sh"; continue; }
	boot "$WORK/debian-$flavour.log" "$kernel" -a "$append"
	expect_userspace "$flavour: Debian's own image" "$WORK/debian-$flavour.log" || continue
	kernel_view "$WORK/debian-$flavour.log" > "$WORK/debian-$flavour.view"
	for fmt in ${FORMATS:-lz4 gzip xz zstd lzo lzma bzip2}; do
		name=$flavour-$fmt
		img=$WORK/$name.img
		if ! $KDECOMP pack -q "$kernel" -c "$fmt" -o "$img"; then
			not_ok "$name: pack failed"
			continue
		fi
		boot "$WORK/$name.log" "$img" -a "$append"
		expect_userspace "$name" "$WORK/$name.log" || continue
		[ "$(field "$WORK/$name.log" CMDLINE)" = "$append" ] && ok "$name: command line" ||
			not_ok "$name: command line is '$(field "$WORK/$name.log" CMDLINE)'"
		[ "$(kernel_code_start "$WORK/$name.log")" = 0x01000000 ] && ok "$name: runs at 16 MiB" ||
			not_ok "$name: Kernel code at $(kernel_code_start "$WORK/$name.log")"
		[ "$(stext "$WORK/$name.log")" = 0xffffffff81000000 ] && ok "$name: _stext unrelocated" ||
			not_ok "$name: _stext at $(stext "$WORK/$name.log")"
		grep -a -q '^Decompressing Linux... Parsing ELF... Performing relocations... done.' "$WORK/$name.log" &&
			ok "$name: the stub's progress line" || not_ok "$name: no progress line from the stub"
		kernel_view "$WORK/$name.log" > "$WORK/$name.view"
		extra=$(comm -23 "$WORK/$name.view" "$WORK/debian-$flavour.view")
		if [ -z "$extra" ] && [ -s "$WORK/$name.view" ]; then
			ok "$name: the kernel logs the same memory map and boot notes as from Debian's image ($(wc -l < "$WORK/$name.view") lines)"
		else
			not_ok "$name: the kernel says what it does not from Debian's image:"
			printf '%s\n' "$extra" | sed 's/^/    /'
		fi
	done
done

# The unstripped vmlinux of the same build (Debian's -dbg package): pack
# strips it and generates its relocation table; it boots, randomised.
dbg=$CACHE/vmlinux-cloud-dbg
if [ -s "$dbg" ]; then
	if $KDECOMP pack -q "$dbg" -c zstd -o "$WORK/dbg.img"; then
		boot "$WORK/dbg.log" "$WORK/dbg.img" -a "console=ttyS0 earlyprintk=ttyS0 panic=-1"
		expect_userspace "vmlinux from the -dbg package, relocations generated" "$WORK/dbg.log"
	else
		not_ok "pack of the -dbg vmlinux failed"
	fi
else
	not_ok "no $dbg: run scripts/fetch-kernels.sh dbg-cloud"
fi
summary
