#!/bin/sh
# Build an EFI System Partition image from which a UEFI machine boots a
# kernel through a real boot loader, the way installed systems do:
#
#   scripts/efi-esp.sh LOADER IMAGE INITRD APPEND OUT.esp
#
# LOADER is one of
#   sdboot         systemd-boot (Debian's systemd-boot-efi) with a Boot Loader
#                  Specification Type #1 entry: linux, initrd, options
#   uki            a unified kernel image: Debian's systemd-stub with the
#                  kernel, initrd, command line and an os-release added as
#                  PE sections; the firmware runs it directly
#   grub-linux     GRUB EFI (grub-mkstandalone, Debian's grub-efi-amd64-bin)
#                  with `linux` and `initrd`
#   grub-linuxefi  the same with `linuxefi` and `initrdefi` (the EFI handover
#                  or native EFI entry, as Debian's GRUB uses under Secure Boot)
# The one loader is installed as the removable-media default,
# \EFI\BOOT\BOOTX64.EFI, so the firmware runs it with no boot entry set up.
#
# OUT is a FAT file system on the whole disk image (no partition table: the
# firmware reads a FAT "superfloppy" as a removable medium), made with
# mkfs.vfat on a file and filled with mtools: no loop mount, no root.
# scripts/boot-qemu.sh boots an IMAGE ending in .esp under OVMF.
set -eu
[ $# -eq 5 ] || { echo "usage: $0 sdboot|uki|grub-linux|grub-linuxefi IMAGE INITRD APPEND OUT.esp" >&2; exit 2; }
loader=$1 image=$2 initrd=$3 append=$4 out=$5
sdboot_efi=/usr/lib/systemd/boot/efi/systemd-bootx64.efi
sdstub_efi=/usr/lib/systemd/boot/efi/linuxx64.efi.stub
grub_modules=/usr/lib/grub/x86_64-efi
for f in "$image" "$initrd"; do
	[ -s "$f" ] || { echo "efi-esp: no $f" >&2; exit 1; }
done
need() {	# FILE PACKAGE
	[ -e "$1" ] || { echo "efi-esp: no $1: install $2 (make deps)" >&2; exit 1; }
}
tmp=$(mktemp -d)
partial=$out.$$.tmp
trap 'rm -rf "$tmp" "$partial"' EXIT
# The ESP's files are laid out here first, then copied onto the FAT image.
esp=$tmp/esp
boot_efi=$esp/EFI/BOOT/BOOTX64.EFI
mkdir -p "$esp/EFI/BOOT"

# The kernel and initrd sit at the ESP's root under these names.
kernel_name=vmlinuz
initrd_name=initrd.img

# build_uki OUT: systemd-stub with our sections appended.  Each new section goes
# at the next page boundary after the one before it, starting after the
# stub's own last section, so none overlaps; the stub finds them by name.
page=4096	# the UEFI page size
build_uki() {
	uki=$1
	printf 'ID=kdecomp\nNAME="kdecomp test"\n' > "$tmp/osrel"
	printf '%s' "$append" > "$tmp/cmdline"
	# objdump -h: "IDX NAME SIZE VMA ..." for each of the stub's sections
	vma=0
	objdump -h "$sdstub_efi" | awk '$1 ~ /^[0-9]+$/ { print $3, $4 }' > "$tmp/sections"
	while read -r size start; do
		[ $((0x$start + 0x$size)) -le "$vma" ] || vma=$((0x$start + 0x$size))
	done < "$tmp/sections"
	set --
	for section in osrel:"$tmp/osrel" cmdline:"$tmp/cmdline" initrd:"$initrd" linux:"$image"; do
		name=${section%%:*} file=${section#*:}
		vma=$(((vma + page - 1) / page * page))
		set -- "$@" --add-section ".$name=$file" --change-section-vma ".$name=$(printf '0x%x' "$vma")"
		vma=$((vma + $(stat -c %s "$file")))
	done
	objcopy "$@" "$sdstub_efi" "$uki"
}

# build_grub OUT LINUX-CMD INITRD-CMD: a standalone GRUB (its modules and this
# grub.cfg in a memdisk) that boots the entry at once from the device it was
# loaded from: $cmdpath is "(DEVICE)/EFI/BOOT", and its DEVICE is the ESP.
# FAT is loaded first: else GRUB probes the ESP with every file system it
# knows, and complains of each module it left out.
build_grub() {
	cat > "$tmp/grub.cfg" <<-CFG
	set timeout=0
	insmod fat
	regexp --set=1:root '^\\(([^)]*)\\)' "\$cmdpath"
	menuentry "kdecomp $loader" {
		$2 /$kernel_name $append
		$3 /$initrd_name
	}
	CFG
	grub-mkstandalone -O x86_64-efi -o "$1" \
		--install-modules="normal regexp fat part_msdos part_gpt linux linuxefi" \
		--locales= --fonts= --themes= "boot/grub/grub.cfg=$tmp/grub.cfg"
}

case $loader in
sdboot)
	need "$sdboot_efi" systemd-boot-efi
	cp "$sdboot_efi" "$boot_efi"
	mkdir -p "$esp/loader/entries"
	# timeout 0: boot the default entry at once, no menu
	printf 'timeout 0\ndefault kdecomp.conf\n' > "$esp/loader/loader.conf"
	printf 'title kdecomp\nlinux /%s\ninitrd /%s\noptions %s\n' "$kernel_name" "$initrd_name" "$append" \
		> "$esp/loader/entries/kdecomp.conf"
	cp "$image" "$esp/$kernel_name"
	cp "$initrd" "$esp/$initrd_name"
	;;
uki)
	need "$sdstub_efi" systemd-boot-efi
	build_uki "$boot_efi"
	;;
grub-linux | grub-linuxefi)
	need "$grub_modules" grub-efi-amd64-bin
	if [ "$loader" = grub-linux ]; then
		build_grub "$boot_efi" linux initrd
	else
		build_grub "$boot_efi" linuxefi initrdefi
	fi
	cp "$image" "$esp/$kernel_name"
	cp "$initrd" "$esp/$initrd_name"
	;;
*)
	echo "efi-esp: unknown loader '$loader' (sdboot, uki, grub-linux, grub-linuxefi)" >&2
	exit 2
	;;
esac

# Size: the files, plus room for FAT's tables, directories and the last
# cluster of each file (a few KiB), rounded up with a MiB to spare.
mib=1048576
bytes=$(du -s -b "$esp" | cut -f1)
size_kib=$(((bytes / mib + 2) * mib / 1024))
mkfs.vfat -C -n KDECOMP "$partial" "$size_kib" > /dev/null
mcopy -s -i "$partial" "$esp"/* ::/
mv "$partial" "$out"
