#!/bin/sh
# Build the test initramfs: busybox (static) and an init that reports what
# the booted kernel says about itself, then powers off.
#
#   scripts/make-initramfs.sh OUT.cpio.gz   build it into OUT
#   scripts/make-initramfs.sh               print the path of the cached one,
#                                           building it first if it is missing
#
# The cached one carries this script's checksum in its name, so editing the
# init makes the next boot build a fresh one.  Every boot script takes the
# initramfs from here (scripts/boot-qemu.sh, scripts/efi-boot.sh,
# tests/boot/lib.sh, bench/boot-time.sh).
#
# Its output, which the boot tests read:
#   KDECOMP-INIT: userspace reached
#   KDECOMP-CMDLINE: <contents of /proc/cmdline>
#   KDECOMP-IOMEM: <the "Kernel code" line of /proc/iomem>
#   KDECOMP-STEXT: <the _stext line of /proc/kallsyms>
#   KDECOMP-LA57: <1 if the kernel runs with 5-level paging, else 0 (it
#                 drops the la57 CPU flag when it runs 4-level)>
#   KDECOMP-EFI: <1 if the kernel runs with EFI (/sys/firmware/efi exists:
#                the kernel found the EFI system table and memory map), else 0>
#   KDECOMP-EFI-BITS: <the firmware's word size the kernel saw (fw_platform_size), or none>
#   KDECOMP-EFI-RUNTIME-MAP: <how many EFI runtime regions the kernel mapped
#                (entries of /sys/firmware/efi/runtime-map); 0 without EFI>
#   KDECOMP-DONE
set -eu
if [ $# -eq 0 ]; then
	cache=${KDECOMP_CACHE:-$HOME/.cache/kdecomp}
	cached=$cache/initramfs-$(cksum < "$0" | cut -d' ' -f1).cpio.gz
	if [ ! -s "$cached" ]; then
		mkdir -p "$cache"
		"$0" "$cached"
	fi
	echo "$cached"
	exit 0
fi
out=$1
[ -x /bin/busybox ] || { echo "make-initramfs: busybox-static is not installed" >&2; exit 1; }
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev"
cp /bin/busybox "$root/bin/busybox"
for tool in sh mount cat grep echo poweroff sleep head; do
	ln -s busybox "$root/bin/$tool"
done
cat > "$root/init" <<'INIT'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
# the kernel's late messages (a clocksource settling) would cut into our lines
echo 1 > /proc/sys/kernel/printk
echo "KDECOMP-INIT: userspace reached"
echo "KDECOMP-CMDLINE: $(cat /proc/cmdline)"
echo "KDECOMP-IOMEM: $(grep 'Kernel code' /proc/iomem)"
echo "KDECOMP-STEXT: $(grep ' _stext$' /proc/kallsyms)"
echo "KDECOMP-LA57: $(grep -c -w la57 /proc/cpuinfo)"
efi=/sys/firmware/efi
if [ -d $efi ]; then
	echo "KDECOMP-EFI: 1"
	echo "KDECOMP-EFI-BITS: $(cat $efi/fw_platform_size 2>/dev/null || echo none)"
	set -- $efi/runtime-map/*
	[ -e "$1" ] || shift
	echo "KDECOMP-EFI-RUNTIME-MAP: $#"
else
	echo "KDECOMP-EFI: 0"
	echo "KDECOMP-EFI-BITS: none"
	echo "KDECOMP-EFI-RUNTIME-MAP: 0"
fi
echo "KDECOMP-DONE"
# The lines above sit in the tty's buffer until the UART drains it; a kernel
# without power-off support halts at once, before they are out.
sleep 1
poweroff -f
INIT
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -9) > "$out.$$.tmp"
mv "$out.$$.tmp" "$out"
