#!/bin/sh
# Boot an image under QEMU (TCG) with the test initramfs and print the
# serial console.  Stops when the guest powers off, or after TIMEOUT.
#
#   scripts/boot-qemu.sh IMAGE [-m MEM] [-a "APPEND"] [-i INITRD] [-t TIMEOUT] [-c CPU] [-x "QEMU-ARGS"]
#
# MEM defaults to 1G, APPEND to "console=ttyS0 earlyprintk=ttyS0 panic=-1",
# INITRD to the test initramfs (built on first use, and again when
# scripts/make-initramfs.sh changes), CPU to max.  -x adds
# arguments to QEMU's command line (split at spaces), e.g. the
# isa-debug-exit device the test kernel reports through.
# An IMAGE ending in .iso boots from the CD-ROM through its own boot loader
# (tests/boot/grub.sh): the loader's configuration gives the kernel, the
# initrd and the command line, so -a and -i do not apply.
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
while getopts m:a:i:t:c:x: opt; do
	case $opt in
	m) mem=$OPTARG ;;
	a) append=$OPTARG ;;
	i) initrd=$OPTARG ;;
	t) timeout=$OPTARG ;;
	c) cpu=$OPTARG ;;
	x) extra=$OPTARG ;;
	*) exit 2 ;;
	esac
done
if [ -z "$initrd" ]; then
	cache=${KDECOMP_CACHE:-$HOME/.cache/kdecomp}
	initrd=$cache/initramfs-$(cksum < "$here/make-initramfs.sh" | cut -d' ' -f1).cpio.gz
	mkdir -p "$cache"
	[ -s "$initrd" ] || "$here/make-initramfs.sh" "$initrd"
fi
case $image in
*.iso) set -- -cdrom "$image" -boot d ;;
*) set -- -kernel "$image" -initrd "$initrd" -append "$append" ;;
esac
exec timeout --foreground "$timeout" qemu-system-x86_64 -accel tcg -cpu "$cpu" -m "$mem" \
	-nographic -no-reboot -nodefaults -serial stdio -display none "$@" $extra
