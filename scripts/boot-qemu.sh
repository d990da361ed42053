#!/bin/sh
# Boot an image under QEMU (TCG) with the test initramfs and print the
# serial console.  Stops when the guest powers off, or after TIMEOUT.
#
#   scripts/boot-qemu.sh IMAGE [-u] [-m MEM] [-a "APPEND"] [-i INITRD] [-t TIMEOUT] [-c CPU] [-x "QEMU-ARGS"]
#
# MEM defaults to 1G, APPEND to "console=ttyS0 earlyprintk=ttyS0 panic=-1",
# INITRD to the test initramfs (built on first use, and again when
# scripts/make-initramfs.sh changes), CPU to max.  -x adds
# arguments to QEMU's command line (split at spaces), e.g. the
# isa-debug-exit device the test kernel reports through.
# An IMAGE ending in .iso boots from the CD-ROM through its own boot loader
# (tests/boot/grub.sh): the loader's configuration gives the kernel, the
# initrd and the command line, so -a and -i do not apply.
# UEFI: -u boots the IMAGE under Debian's OVMF instead of SeaBIOS (OVMF
# loads QEMU's -kernel itself); an IMAGE ending in .esp is an EFI System
# Partition (scripts/efi-esp.sh) that OVMF boots from, through the loader
# on it.  OVMF keeps its variables in a second flash; each boot starts from
# Debian's pristine copy (snapshot=on: writes go to a throw-away overlay).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
image=$1
shift
mem=1G
append="console=ttyS0 earlyprintk=ttyS0 panic=-1"
initrd=
timeout=300
cpu=max
extra=
firmware=
ovmf=/usr/share/OVMF
uefi="-drive if=pflash,format=raw,readonly=on,file=$ovmf/OVMF_CODE_4M.fd
	-drive if=pflash,format=raw,snapshot=on,file=$ovmf/OVMF_VARS_4M.fd"
while getopts um:a:i:t:c:x: opt; do
	case $opt in
	u) firmware=$uefi ;;
	m) mem=$OPTARG ;;
	a) append=$OPTARG ;;
	i) initrd=$OPTARG ;;
	t) timeout=$OPTARG ;;
	c) cpu=$OPTARG ;;
	x) extra=$OPTARG ;;
	*) exit 2 ;;
	esac
done
[ -n "$initrd" ] || initrd=$("$here/make-initramfs.sh")
case $image in
*.iso) set -- -cdrom "$image" -boot d ;;
*.esp) firmware=$uefi; set -- -drive format=raw,snapshot=on,file="$image" ;;
*) set -- -kernel "$image" -initrd "$initrd" -append "$append" ;;
esac
exec timeout --foreground "$timeout" qemu-system-x86_64 -accel tcg -cpu "$cpu" -m "$mem" \
	-nographic -no-reboot -nodefaults -serial stdio -display none $firmware "$@" $extra
