#!/bin/sh
# The stub's own EFI side, under QEMU (TCG) with Debian's OVMF loading
# QEMU's -kernel as an EFI application (the native entry; the other UEFI
# loaders are tests/boot/efi.sh's):
#   - the image is a PE32+ EFI application by objdump -p and sbverify;
#   - Debian's cloud kernel packed in lz4, zstd and xz boots to the test
#     init, and the kernel itself says it has EFI ("efi: EFI v"); the stub
#     says it came in through its native entry; the command line arrives
#     as OVMF passes it; the initrd arrived (the init ran from it); the
#     kernel runs where the stub's KASLR said it chose; it knows Secure
#     Boot is off (boot_params.secure_boot);
#   - the same with 8 GiB of RAM;
#   - with a display (-vga std), the framebuffer the stub read from GOP
#     into screen_info is the one Linux's own EFI stub hands over: the
#     kernel's efifb driver reports the same address and mode under both;
#   - signed with a key made here (sbsign), it still boots;
#   - an initrd= file that does not exist: the stub says so on the console
#     and returns to the firmware, which goes on to its next boot option
#     (its shell) instead of hanging.
set -u
cd "$(dirname "$0")/../.."
. tests/boot/lib.sh

OVMF_CODE=/usr/share/OVMF/OVMF_CODE_4M.fd
OVMF_VARS=/usr/share/OVMF/OVMF_VARS_4M.fd
kernel=$CACHE/vmlinuz-cloud
# no_timer_check: under TCG on a loaded machine the kernel's IO-APIC timer
# check can miss its ticks and panic, whoever loaded the kernel
append="console=ttyS0 earlyprintk=ttyS0 panic=-1 no_timer_check"
[ -s "$kernel" ] || { not_ok "no $kernel: run scripts/fetch-kernels.sh"; summary; exit 1; }
[ -e "$OVMF_CODE" ] || { not_ok "no $OVMF_CODE: run make deps (ovmf)"; summary; exit 1; }
[ -s "$INITRAMFS" ] || scripts/make-initramfs.sh "$INITRAMFS"

# efi_boot LOG IMAGE MEM APPEND [QEMU-ARGS...]: OVMF boots QEMU's -kernel
# until the guest powers off, the kernel panics, or OVMF reaches its shell
# (every boot option failed); the console goes to LOG.
efi_boot() {
	log=$1 image=$2 mem=$3 cmd=$4
	shift 4
	cp "$OVMF_VARS" "$log.vars"
	timeout --foreground 400 qemu-system-x86_64 -accel tcg -cpu max -m "$mem" -nographic -no-reboot \
		-nodefaults -serial stdio -display none \
		-drive if=pflash,format=raw,readonly=on,file="$OVMF_CODE" -drive if=pflash,format=raw,file="$log.vars" \
		-kernel "$image" -append "$cmd" "$@" > "$log" 2>&1 &
	pid=$!
	for _ in $(seq 1 800); do
		kill -0 "$pid" 2>/dev/null || break
		if grep -a -q -E 'Kernel panic|Shell> ' "$log"; then
			sleep 1
			kill "$pid" 2>/dev/null
			break
		fi
		sleep 0.5
	done
	wait "$pid" 2>/dev/null
}

# expect_efi_kernel NAME LOG: what the booted kernel and the stub report of an EFI boot
expect_efi_kernel() {
	expect_userspace "$1" "$2" || return
	grep -a -q 'kdecomp: EFI native entry' "$2" && ok "$1: the stub's native EFI entry ran" ||
		not_ok "$1: the stub did not say it came in through its native entry"
	grep -a -q 'efi: EFI v' "$2" && ok "$1: the kernel has EFI" || not_ok "$1: no 'efi: EFI v' in the kernel's log"
	# boot_params.secure_boot, as the stub read it from the firmware (OVMF's blank variable store: off)
	grep -a -q 'secureboot: Secure boot disabled' "$2" && ok "$1: the kernel knows Secure Boot is off" ||
		not_ok "$1: the kernel does not say 'Secure boot disabled'"
	# OVMF names its -initrd on the command line (initrd=initrd) for stubs that read it that way
	got=$(field "$2" CMDLINE)
	[ "$got" = "$append initrd=initrd" ] || [ "$got" = "initrd=initrd $append" ] &&
		ok "$1: command line" || not_ok "$1: command line is '$got'"
	phys=$(kaslr_phys "$2")
	[ -n "$phys" ] && [ "$(kernel_code_start "$2")" = "$(printf '0x%08x' "$phys")" ] &&
		ok "$1: the kernel runs where the stub's KASLR chose ($phys)" ||
		not_ok "$1: KASLR chose '$phys', the kernel code is at $(kernel_code_start "$2")"
}

for fmt in lz4 zstd xz; do
	img=$WORK/cloud-$fmt.efi
	if ! $KDECOMP pack -q "$kernel" -c "$fmt" -o "$img"; then
		not_ok "$fmt: pack failed"
		continue
	fi
	if [ "$fmt" = lz4 ]; then
		objdump -p "$img" 2>&1 | grep -q 'Subsystem.*EFI application' && ok "objdump -p: an EFI application" ||
			not_ok "objdump -p does not read the image as an EFI application"
		sbverify --list "$img" > "$WORK/sbverify.out" 2>&1 && ok "sbverify --list accepts the image" ||
			not_ok "sbverify --list: $(cat "$WORK/sbverify.out")"
	fi
	efi_boot "$WORK/$fmt.log" "$img" 1G "$append" -initrd "$INITRAMFS"
	expect_efi_kernel "ovmf $fmt" "$WORK/$fmt.log"
done

efi_boot "$WORK/8g.log" "$WORK/cloud-lz4.efi" 8G "$append" -initrd "$INITRAMFS"
expect_efi_kernel "ovmf lz4 -m 8G" "$WORK/8g.log"

# GOP: the kernel's efifb driver says where the framebuffer is and its mode, from screen_info.
efifb() {
	tr -d '\r' < "$1" | grep -a -o -E 'efifb: (framebuffer at 0x[0-9a-f]+|mode is [0-9x]+, linelength=[0-9]+)'
}
efi_boot "$WORK/gop-theirs.log" "$kernel" 1G "$append" -initrd "$INITRAMFS" -vga std
efi_boot "$WORK/gop-ours.log" "$WORK/cloud-lz4.efi" 1G "$append" -initrd "$INITRAMFS" -vga std
theirs=$(efifb "$WORK/gop-theirs.log")
if [ -z "$theirs" ]; then
	not_ok "GOP: Debian's own image gives the kernel no efifb framebuffer to compare with"
elif [ "$(efifb "$WORK/gop-ours.log")" = "$theirs" ]; then
	ok "GOP: the kernel's efifb gets the framebuffer Linux's own stub gives it ($(echo $theirs))"
else
	not_ok "GOP: efifb under Linux's stub: '$(echo $theirs)'; under ours: '$(echo $(efifb "$WORK/gop-ours.log"))'"
fi

# A key of our own, as a user signing their kernel would make it.
openssl req -new -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=kdecomp-test/ \
	-keyout "$WORK/db.key" -out "$WORK/db.crt" > /dev/null 2>&1
if sbsign --key "$WORK/db.key" --cert "$WORK/db.crt" --output "$WORK/signed.efi" "$WORK/cloud-lz4.efi" \
	> "$WORK/sbsign.out" 2>&1 && sbverify --cert "$WORK/db.crt" "$WORK/signed.efi" > /dev/null 2>&1; then
	ok "sbsign signs the image and sbverify verifies it"
	efi_boot "$WORK/signed.log" "$WORK/signed.efi" 1G "$append" -initrd "$INITRAMFS"
	expect_userspace "signed image" "$WORK/signed.log"
else
	not_ok "sbsign/sbverify: $(cat "$WORK/sbsign.out")"
fi

# No -initrd: no LoadFile2 initrd, so the stub reads initrd= from the volume it was loaded from.
efi_boot "$WORK/noinitrd.log" "$WORK/cloud-lz4.efi" 1G "$append initrd=\\missing.img"
if grep -a -q 'kdecomp: EFI: cannot open an initrd= file' "$WORK/noinitrd.log" &&
	grep -a -q 'Shell> ' "$WORK/noinitrd.log" && ! grep -a -q 'Linux version' "$WORK/noinitrd.log"; then
	ok "a missing initrd= file: the stub says so and returns to the firmware"
else
	not_ok "a missing initrd= file: no message, or no return to the firmware; the console ended with:"
	tail -n 8 "$WORK/noinitrd.log" | sed 's/^/    /'
fi
summary
