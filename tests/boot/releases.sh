#!/bin/sh
# Debian's kernels across releases -- bullseye 5.10, trixie 6.12 and
# unstable 7.x (bookworm's 6.1 is formats.sh's) -- repacked by kdecomp
# from their bzImages, boot under QEMU (TCG) to our init, checked by what
# each kernel reports about itself:
#   - with KASLR it runs where the stub says it chose (/proc/iomem
#     "Kernel code", /proc/kallsyms _stext);
#   - with nokaslr it runs exactly where it is linked: Kernel code at its
#     ELF's first physical address, _stext at the address its own kallsyms
#     gives (both read from the image by kdecomp inspect and symbols);
#   - with -m 8G it reaches userspace, placed where the stub chose.
#
#   tests/boot/releases.sh        the cloud kernel of each release, in zstd (make check)
#   RELEASES=all tests/boot/releases.sh
#                                 generic and cloud of each release in all seven
#                                 formats with KASLR, the three boots in zstd
#                                 (make check-kernels)
#   KERNELS="trixie-cloud unstable-generic" RELEASES=all tests/boot/releases.sh
#                                 only those kernels
set -u
cd "$(dirname "$0")/../.."
. tests/boot/lib.sh

# no_timer_check: on a loaded host, TCG can miss the kernel's IO-APIC timer
# check, and 6.12 panics ("IO-APIC + timer doesn't work!") whoever loaded it
base="console=ttyS0 earlyprintk=ttyS0 panic=-1 no_timer_check"
if [ "${RELEASES:-}" = all ]; then
	kernels="bullseye-generic bullseye-cloud trixie-generic trixie-cloud unstable-generic unstable-cloud"
	formats="zstd lz4 gzip xz lzo lzma bzip2"
else
	kernels="bullseye-cloud trixie-cloud unstable-cloud"
	formats=zstd
fi
kernels=${KERNELS:-$kernels}

# linked KERNEL: "PHYS STEXT", where the kernel runs unrandomised, from the image itself
linked() {
	printf '%s %s\n' "$($KDECOMP inspect "$1" | sed -n 's/^ *mem_start *\(0x[0-9a-f]*\)$/\1/p')" \
		"0x$($KDECOMP symbols "$1" | sed -n 's/^\([0-9a-f]*\) [Tt] _stext$/\1/p')"
}

for name in $kernels; do
	kernel=$CACHE/vmlinuz-$name
	[ -s "$kernel" ] || { not_ok "no $kernel: run scripts/fetch-kernels.sh ${name%%-*}:${name#*-}"; continue; }
	set -- $(linked "$kernel")
	link_phys=$1 link_stext=$2
	for fmt in $formats; do
		img=$WORK/$name-$fmt.img
		if ! $KDECOMP pack -q "$kernel" -c "$fmt" -o "$img"; then
			not_ok "$name-$fmt: pack failed"
			continue
		fi
		boot "$WORK/$name-$fmt.log" "$img" -a "$base"
		expect_userspace "$name-$fmt: KASLR" "$WORK/$name-$fmt.log" &&
			check_placement "$name-$fmt: KASLR" "$WORK/$name-$fmt.log"
		[ "$fmt" = zstd ] || { rm -f "$img"; continue; }

		log=$WORK/$name-nokaslr.log
		boot "$log" "$img" -a "$base nokaslr"
		if expect_userspace "$name-$fmt: nokaslr" "$log"; then
			same "$(kernel_code_start "$log")" "$link_phys" && ok "$name: nokaslr: Kernel code at $link_phys" ||
				not_ok "$name: nokaslr: Kernel code at $(kernel_code_start "$log"), linked at $link_phys"
			same "$(stext "$log")" "$link_stext" && ok "$name: nokaslr: _stext at $link_stext" ||
				not_ok "$name: nokaslr: _stext at $(stext "$log"), linked at $link_stext"
		fi
		log=$WORK/$name-8g.log
		boot "$log" "$img" -m 8G -a "$base"
		expect_userspace "$name-$fmt: -m 8G" "$log" && check_placement "$name-$fmt: -m 8G" "$log"
		rm -f "$img"
	done
done
summary
