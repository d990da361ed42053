#!/bin/sh
# Build the test initramfs: busybox (static) and an init that reports what
# the booted kernel says about itself, then powers off.
#
#   scripts/make-initramfs.sh OUT.cpio.gz
#
# The boot scripts cache it under a name that carries this script's
# checksum (scripts/boot-qemu.sh, tests/boot/lib.sh): edit the init and the
# next boot builds a fresh one.
#
# Its output, which the boot tests read:
#   KDECOMP-INIT: userspace reached
#   KDECOMP-CMDLINE: <contents of /proc/cmdline>
#   KDECOMP-IOMEM: <the "Kernel code" line of /proc/iomem>
#   KDECOMP-STEXT: <the _stext line of /proc/kallsyms>
#   KDECOMP-LA57: <1 if the kernel runs with 5-level paging, else 0 (it
#                 drops the la57 CPU flag when it runs 4-level)>
#   KDECOMP-DONE
set -eu
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
echo "KDECOMP-INIT: userspace reached"
echo "KDECOMP-CMDLINE: $(cat /proc/cmdline)"
echo "KDECOMP-IOMEM: $(grep 'Kernel code' /proc/iomem)"
echo "KDECOMP-STEXT: $(grep ' _stext$' /proc/kallsyms)"
echo "KDECOMP-LA57: $(grep -c -w la57 /proc/cpuinfo)"
echo "KDECOMP-DONE"
poweroff -f
INIT
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -9) > "$out.tmp"
mv "$out.tmp" "$out"
