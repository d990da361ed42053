#!/bin/sh
# Debian's cloud kernel, repacked by kdecomp in each of the seven formats,
# boots under QEMU (TCG) to our init; with nokaslr it runs at its preferred
# addresses (physical 16 MiB, _stext at 0xffffffff81000000), and the command
# line it reports is the one we gave.
set -u
cd "$(dirname "$0")/../.."
. tests/boot/lib.sh

kernel=$CACHE/vmlinuz-cloud
[ -s "$kernel" ] || { echo "no $kernel: run scripts/fetch-kernels.sh"; echo "0 passed, 1 failed"; exit 1; }
append="console=ttyS0 earlyprintk=ttyS0 panic=-1 nokaslr kdecomp.test=formats"
for fmt in ${FORMATS:-lz4 gzip xz zstd lzo lzma bzip2}; do
	img=$WORK/cloud-$fmt.img
	if ! $KDECOMP pack -q "$kernel" -c "$fmt" -o "$img"; then
		not_ok "$fmt: pack failed"
		continue
	fi
	boot "$WORK/$fmt.log" "$img" -a "$append"
	expect_userspace "$fmt" "$WORK/$fmt.log" || continue
	[ "$(field "$WORK/$fmt.log" CMDLINE)" = "$append" ] && ok "$fmt: command line" ||
		not_ok "$fmt: command line is '$(field "$WORK/$fmt.log" CMDLINE)'"
	[ "$(kernel_code_start "$WORK/$fmt.log")" = 0x01000000 ] && ok "$fmt: runs at 16 MiB" ||
		not_ok "$fmt: Kernel code at $(kernel_code_start "$WORK/$fmt.log")"
	[ "$(stext "$WORK/$fmt.log")" = 0xffffffff81000000 ] && ok "$fmt: _stext unrelocated" ||
		not_ok "$fmt: _stext at $(stext "$WORK/$fmt.log")"
	grep -a -q '^Decompressing Linux... Parsing ELF... Performing relocations... done.' "$WORK/$fmt.log" &&
		ok "$fmt: the stub's progress line" || not_ok "$fmt: no progress line from the stub"
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
