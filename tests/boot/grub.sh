#!/bin/sh
# A real boot loader: GRUB (i386-pc, BIOS) boots Debian's cloud kernel,
# packed by kdecomp as lz4, from a CD-ROM image made by grub-mkrescue.
#   linux    GRUB fills boot_params itself and enters the image's 32-bit
#            entry (code32_start) in protected mode; with nokaslr, and
#            with KASLR (the stub must randomise from GRUB's e820 map)
#   linux16  GRUB runs the image's real-mode setup (boot/setup.S), which
#            builds boot_params and switches to protected mode itself
# Each must reach userspace with the command line GRUB was given (GRUB
# puts BOOT_IMAGE=FILE in front of it).
set -u
cd "$(dirname "$0")/../.."
. tests/boot/lib.sh

kernel=$CACHE/vmlinuz-cloud
initramfs=$INITRAMFS
for tool in grub-mkrescue xorriso mformat; do
	command -v $tool > /dev/null || { not_ok "no $tool: run make deps"; summary; exit 1; }
done
[ -d /usr/lib/grub/i386-pc ] || { not_ok "no GRUB for BIOS (grub-pc-bin): run make deps"; summary; exit 1; }
[ -s "$kernel" ] || { not_ok "no $kernel: run scripts/fetch-kernels.sh"; summary; exit 1; }
[ -s "$initramfs" ] || scripts/make-initramfs.sh "$initramfs"
mkdir -p "$WORK/iso/boot/grub"
$KDECOMP pack -q "$kernel" -c lz4 -o "$WORK/iso/boot/image" || { not_ok "pack"; summary; exit 1; }
cp "$initramfs" "$WORK/iso/boot/initramfs.cpio.gz"

# grub_boot NAME LINUX-CMD INITRD-CMD ARGS: an ISO whose only entry boots at once, on the serial console
grub_boot() {
	append="console=ttyS0 earlyprintk=ttyS0 panic=-1 kdecomp.loader=grub-$1${4:+ $4}"
	cat > "$WORK/iso/boot/grub/grub.cfg" <<-CFG
	serial --unit=0 --speed=115200
	terminal_input serial
	terminal_output serial
	set timeout=0
	menuentry "kdecomp $1" {
		$2 /boot/image $append
		$3 /boot/initramfs.cpio.gz
	}
	CFG
	if ! grub-mkrescue -o "$WORK/$1.iso" "$WORK/iso" > "$WORK/$1.mkrescue.log" 2>&1; then
		not_ok "$1: grub-mkrescue failed:"
		tail -n 5 "$WORK/$1.mkrescue.log" | sed 's/^/    /'
		return 1
	fi
	boot "$WORK/$1.log" "$WORK/$1.iso"
	grep -a -q "Booting \`kdecomp $1'" "$WORK/$1.log" && ok "$1: GRUB ran the entry" ||
		{ not_ok "$1: GRUB did not boot the entry:"; tail -n 10 "$WORK/$1.log" | sed 's/^/    /'; return 1; }
	expect_userspace "$1" "$WORK/$1.log" || return 1
	[ "$(field "$WORK/$1.log" CMDLINE)" = "BOOT_IMAGE=/boot/image $append" ] && ok "$1: command line from GRUB" ||
		not_ok "$1: command line is '$(field "$WORK/$1.log" CMDLINE)'"
}

if grub_boot linux linux initrd nokaslr; then
	[ "$(kernel_code_start "$WORK/linux.log")" = 0x01000000 ] && ok "linux: kernel runs at 16 MiB" ||
		not_ok "linux: Kernel code at $(kernel_code_start "$WORK/linux.log")"
fi
if grub_boot linux-kaslr linux initrd ""; then
	phys=$(kaslr_phys "$WORK/linux-kaslr.log")
	[ -n "$phys" ] && [ $((phys)) -eq $(($(kernel_code_start "$WORK/linux-kaslr.log"))) ] &&
		ok "linux-kaslr: the kernel runs where the stub chose ($phys)" ||
		not_ok "linux-kaslr: the stub chose '$phys', Kernel code at $(kernel_code_start "$WORK/linux-kaslr.log")"
fi
grub_boot linux16 linux16 initrd16 nokaslr
summary
