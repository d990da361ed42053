#!/bin/sh
# Kernels built from linux-source-6.1 in non-default configurations
# (tests/configs/*.config, built and cached by scripts/build-kernels.sh),
# packed by kdecomp from their bzImage and from their vmlinux, boot under
# QEMU to our init, placed as the kernel itself says it may be placed:
#   - each config's own bzImage, booted with nokaslr, is the reference for
#     where it runs ("Kernel code" in /proc/iomem, _stext in kallsyms);
#   - packed, with nokaslr, it runs exactly there, from the bzImage and
#     from the vmlinux;
#   - with KASLR (the bzImage packed in all seven formats, and in 8 GiB) it
#     reaches userspace at an address aligned to its own kernel_alignment,
#     never below its link address; a kernel that is not relocatable runs
#     at its link address anyway and the stub says KASLR is off; one
#     without a relocation table keeps its virtual address and says so;
#   - the packed header tells the kernel's truth (kdecomp inspect --json):
#     relocatable_kernel, kernel_alignment, pref_address, XLF_5LEVEL (the
#     stub's) and XLF_5LEVEL_ENABLED (the kernel's);
#   - a kernel built without 5-level paging runs 4-level on -cpu max (it
#     triple-faulted when entered 5-level), one built with it 5-level, also
#     when a 64-bit loader enters the stub in 5-level paging (and above
#     4 GiB, where the stub cannot switch down, the 4-level-only kernel is
#     refused with the reason, not entered to triple-fault);
#   - the VGA console: with a VGA card, the kernel's log says
#     "Console: colour VGA+ 80x25" under our setup as under its own.
# CONFIGS="kaslr no5level" tests only those (default: every fragment).
set -u
cd "$(dirname "$0")/../.."
. tests/boot/lib.sh

FORMATS="gzip bzip2 lzma xz lzo lz4 zstd"
base="console=ttyS0 earlyprintk=ttyS0 panic=-1"
MiB=1048576

[ -s "$INITRAMFS" ] || scripts/make-initramfs.sh "$INITRAMFS"
built=$WORK/built
scripts/build-kernels.sh ${CONFIGS:-} > "$built" || { not_ok "scripts/build-kernels.sh failed"; summary; exit 1; }
expected=$(ls tests/configs/*.config | grep -v -c '/base\.config$')
[ -z "${CONFIGS:-}" ] || expected=$(echo $CONFIGS | wc -w)

# rotate N: the Nth format of the list, cycling, so each config tries other formats
rotate() {
	echo $FORMATS | cut -d' ' -f$(( $1 % 7 + 1 ))
}

# config_value DIR NAME: CONFIG_NAME's value in the built .config (empty if unset)
config_value() {
	sed -n "s/^CONFIG_$2=//p" "$1/config"
}

# header IMAGE FIELD: a setup-header field as kdecomp inspect --json reads it
header() {
	$KDECOMP inspect --json "$1" | jq -r ".$2"
}

# expect_eq NAME GOT WANT
expect_eq() {
	[ "$2" = "$3" ] && ok "$1: $2" || not_ok "$1: got '$2', expected '$3'"
}

# check_header NAME IMAGE RELOCATABLE ALIGN LINK FIVE_LEVEL
check_header() {
	expect_eq "$1: relocatable_kernel" "$(header "$2" relocatable_kernel)" "$3"
	expect_eq "$1: kernel_alignment" "$(header "$2" kernel_alignment)" "$4"
	expect_eq "$1: pref_address" "$(header "$2" pref_address)" "$5"
	xlf=$(header "$2" xloadflags)
	expect_eq "$1: XLF_5LEVEL (the stub may be entered 5-level)" $(( (xlf >> 5) & 1 )) 1
	expect_eq "$1: XLF_5LEVEL_ENABLED" $(( (xlf >> 6) & 1 )) "$6"
}

# where NAME LOG WANT_PHYS WANT_STEXT: the kernel runs exactly at the reference
where() {
	expect_eq "$1: Kernel code at" "$(kernel_code_start "$2")" "$3"
	expect_eq "$1: _stext at" "$(stext "$2")" "$4"
}

# randomised NAME LOG LINK ALIGN: placed at or above the link address, on the kernel's alignment
randomised() {
	phys=$(kernel_code_start "$2")
	if [ -z "$phys" ]; then
		not_ok "$1: no Kernel code line"
	elif [ $((phys)) -ge $(($3)) ] && [ $((phys % $4)) -eq 0 ]; then
		ok "$1: physical $phys, at or above 0x$(printf %x $(($3))), 0x$(printf %x $4)-aligned"
	else
		not_ok "$1: physical $phys (link 0x$(printf %x $(($3))), alignment 0x$(printf %x $4))"
	fi
}

# says NAME LOG TEXT: the console has TEXT
says() {
	grep -a -q -F "$3" "$2" && ok "$1: says '$3'" || not_ok "$1: no '$3' on the console"
}

# boot_ok NAME LOG IMAGE [boot options]: boot and reach userspace
boot_ok() {
	name=$1 log=$2
	shift 2
	boot "$log" "$@"
	expect_userspace "$name" "$log"
}

i=0
while read -r variant dir; do
	i=$((i + 1))
	echo "# $variant: $dir ($(cat "$dir/build-seconds") s to build)"
	link=$(printf '%d' "$(config_value "$dir" PHYSICAL_START)")
	align=$(printf '%d' "$(config_value "$dir" PHYSICAL_ALIGN)")
	link=$(( (link + align - 1) / align * align ))	# Linux's LOAD_PHYSICAL_ADDR
	relocatable=0
	[ "$(config_value "$dir" RELOCATABLE)" = y ] && relocatable=1
	five=0
	[ "$(config_value "$dir" X86_5LEVEL)" = y ] && five=1
	has_relocs=0
	[ -e "$dir/vmlinux.relocs" ] && has_relocs=1

	# the reference: the kernel's own image
	boot_ok "$variant: own bzImage" "$WORK/$variant-own.log" "$dir/bzImage" -a "$base nokaslr" || continue
	ref_phys=$(kernel_code_start "$WORK/$variant-own.log")
	ref_stext=$(stext "$WORK/$variant-own.log")
	expect_eq "$variant: own bzImage runs at its link address" "$((ref_phys))" "$link"
	expect_eq "$variant: own bzImage LA57 on -cpu max" "$(field "$WORK/$variant-own.log" LA57)" "$five"
	check_header "$variant: own bzImage" "$dir/bzImage" "$relocatable" "$align" "$link" "$five"

	for fmt in $FORMATS; do
		img=$WORK/$variant-$fmt.img
		$KDECOMP pack -q "$dir/bzImage" -c "$fmt" -o "$img" || { not_ok "$variant-$fmt: pack"; continue; }
		[ "$fmt" = gzip ] && check_header "$variant: packed" "$img" "$relocatable" "$align" "$link" "$five"
		log=$WORK/$variant-$fmt-kaslr.log
		boot_ok "$variant-$fmt: KASLR" "$log" "$img" -a "$base" || continue
		expect_eq "$variant-$fmt: LA57 on -cpu max" "$(field "$log" LA57)" "$five"
		if [ $relocatable = 0 ]; then
			where "$variant-$fmt: not relocatable, KASLR asked" "$log" "$ref_phys" "$ref_stext"
			says "$variant-$fmt" "$log" "KASLR disabled: the kernel is not relocatable"
		else
			randomised "$variant-$fmt" "$log" "$link" "$align"
		fi
		if [ $relocatable = 1 ] && [ $has_relocs = 0 ]; then
			expect_eq "$variant-$fmt: _stext stays" "$(stext "$log")" "$ref_stext"
			says "$variant-$fmt" "$log" "Virtual KASLR disabled: the kernel has no relocation table"
		fi
	done

	fmt=$(rotate $i)
	img=$WORK/$variant-$fmt.img
	boot_ok "$variant-$fmt: nokaslr" "$WORK/$variant-nokaslr.log" "$img" -a "$base nokaslr" &&
		where "$variant-$fmt: nokaslr" "$WORK/$variant-nokaslr.log" "$ref_phys" "$ref_stext"
	fmt=$(rotate $((i + 1)))
	img=$WORK/$variant-$fmt.img
	if boot_ok "$variant-$fmt: KASLR in 8 GiB" "$WORK/$variant-8g.log" "$img" -m 8G -a "$base"; then
		if [ $relocatable = 1 ]; then
			randomised "$variant-$fmt: 8 GiB" "$WORK/$variant-8g.log" "$link" "$align"
		else
			where "$variant-$fmt: 8 GiB, not relocatable" "$WORK/$variant-8g.log" "$ref_phys" "$ref_stext"
		fi
	fi

	# from the vmlinux: no header, so no 5-level and, without relocations, its link address
	fmt=$(rotate $((i + 2)))
	img=$WORK/$variant-vmlinux.img
	if $KDECOMP pack -q "$dir/vmlinux" -c "$fmt" -o "$img"; then
		boot_ok "$variant-vmlinux-$fmt: nokaslr" "$WORK/$variant-vm-nokaslr.log" "$img" -a "$base nokaslr" &&
			where "$variant-vmlinux-$fmt: nokaslr" "$WORK/$variant-vm-nokaslr.log" "$ref_phys" "$ref_stext"
		if boot_ok "$variant-vmlinux-$fmt: KASLR in 8 GiB" "$WORK/$variant-vm-8g.log" "$img" -m 8G -a "$base"; then
			expect_eq "$variant-vmlinux-$fmt: LA57" "$(field "$WORK/$variant-vm-8g.log" LA57)" 0
			if [ $has_relocs = 1 ]; then
				# a vmlinux does not record CONFIG_PHYSICAL_ALIGN (only the bzImage header
				# does): its alignment is the 2 MiB its own startup code checks
				vm_align=$(header "$img" kernel_alignment)
				expect_eq "$variant-vmlinux: kernel_alignment" "$vm_align" $((2 * MiB))
				randomised "$variant-vmlinux-$fmt" "$WORK/$variant-vm-8g.log" "$link" "$vm_align"
			else
				where "$variant-vmlinux-$fmt: no relocations" "$WORK/$variant-vm-8g.log" "$ref_phys" "$ref_stext"
			fi
		fi
	else
		not_ok "$variant: pack the vmlinux"
	fi

	# entered in 5-level paging by a 64-bit loader: the stub switches to what the kernel was built for
	# (no_timer_check: see tests/boot/la57.sh)
	if [ "$variant" = kaslr ] || [ "$variant" = no5level ]; then
		log=$WORK/$variant-entry57.log
		boot_ok "$variant-gzip: 64-bit entry in 5-level mode" "$log" build/loader64/loader64-la57.bin \
			-i "$INITRAMFS,$WORK/$variant-gzip.img" -a "kdecomp.load=0x2000000 $base no_timer_check" &&
			expect_eq "$variant-gzip: 64-bit entry in 5-level mode, LA57" "$(field "$log" LA57)" "$five"
		says "$variant-gzip: 64-bit entry" "$log" "in 5-level paging"
	fi
	# above 4 GiB the stub cannot switch down: a kernel built without 5-level paging is refused, with the reason
	if [ "$variant" = no5level ]; then
		log=$WORK/$variant-high57.log
		boot "$log" build/loader64/loader64-la57.bin -m 8G -i "$INITRAMFS,$WORK/$variant-gzip.img" \
			-a "kdecomp.load=0x140000000 $base"
		says "$variant-gzip: 5-level entry above 4 GiB" "$log" \
			"entered in 5-level paging above 4 GiB: cannot go back to the 4-level paging this kernel needs"
	fi

	# the VGA console, once: our setup fills screen_info as the kernel's own does
	if [ "$variant" = kaslr ]; then
		vga="-vga std"
		boot_ok "$variant: own bzImage with VGA" "$WORK/vga-own.log" "$dir/bzImage" -a "$base" -x "$vga" &&
			says "$variant: own bzImage" "$WORK/vga-own.log" "Console: colour VGA+ 80x25"
		boot_ok "$variant-gzip: with VGA" "$WORK/vga.log" "$WORK/$variant-gzip.img" -a "$base" -x "$vga" &&
			says "$variant-gzip" "$WORK/vga.log" "Console: colour VGA+ 80x25"
	fi
done < "$built"
[ "$i" -eq "$expected" ] && ok "$i configs built and booted" || not_ok "$i of $expected configs built"
summary
