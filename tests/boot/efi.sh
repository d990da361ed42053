#!/bin/sh
# UEFI: the ways a UEFI machine loads a kernel, under QEMU (TCG) with
# Debian's OVMF, each with the test initramfs and a command line:
#   ovmf           OVMF itself loads QEMU's -kernel/-initrd/-append
#   sdboot         systemd-boot, a Type #1 entry, from a FAT ESP
#   uki            a unified kernel image (systemd-stub) as BOOTX64.EFI
#   grub-linux     GRUB EFI `linux`/`initrd`
#   grub-linuxefi  GRUB EFI `linuxefi`/`initrdefi` (EFI handover)
# (scripts/efi-esp.sh builds the ESPs, scripts/boot-qemu.sh boots them.)
# Debian's own cloud image goes through every one first: it boots through
# all of them, so a failure there is the harness's, not the stub's.  Then
# the same kernel packed by kdecomp.  Every boot is judged by what the
# booted kernel prints:
#   - it reached the test init;
#   - it has EFI: its log says "efi: EFI v...", /sys/firmware/efi exists,
#     the firmware is 64-bit, and /sys/firmware/efi/runtime-map has entries;
#   - /proc/cmdline is the command line the loader was given, plus exactly
#     what that loader adds (loader_cmdline);
#   - the kernel, from its "Kernel code" start over the ELF's memory span,
#     lies in memory the EFI map it was given (efi=debug) calls conventional
#     or the loader's, and not over the initrd;
#   - packed by kdecomp: it runs at the physical address the stub's KASLR
#     chose.
# make check (12 boots): Debian's image through each loader; ours in lz4
# through each, and with -m 8G zstd through systemd-boot (the native entry)
# and xz through GRUB linuxefi (the handover entry).  EFI_FULL=1 (make
# check-efi-full, 40 boots): Debian's image and ours in lz4, zstd and xz
# through every loader at 1G and 8G.
set -u
cd "$(dirname "$0")/../.."
. tests/boot/lib.sh

kernel=$CACHE/vmlinuz-cloud
loaders="ovmf sdboot uki grub-linux grub-linuxefi"
[ -s "$kernel" ] || { not_ok "no $kernel: run scripts/fetch-kernels.sh"; summary; exit 1; }
[ -e /usr/share/OVMF/OVMF_CODE_4M.fd ] || { not_ok "no OVMF (ovmf): run make deps"; summary; exit 1; }

# loader_cmdline LOADER APPEND: /proc/cmdline when LOADER passes APPEND on
loader_cmdline() {
	case $1 in
	# OVMF names QEMU's -initrd on the command line too, for kernels that
	# find their initrd by the initrd= option
	ovmf) echo "$2 initrd=initrd" ;;
	# systemd-boot likewise names each initrd, by its path on the ESP
	sdboot) echo "initrd=\\initrd.img $2" ;;
	uki) echo "$2" ;;
	grub-*) echo "BOOT_IMAGE=/vmlinuz $2" ;;
	esac
}

# complaint LOG: why the boot stopped, escape sequences removed: what the
# firmware or loader said if the kernel never started, else how the kernel
# (or our stub) ended; the console's last lines if neither said
complaint() {
	tr -d '\r' < "$1" | sed 's/\x1b\[[0-9;=?]*[a-zA-Z]//g' | grep -a . > "$1.text"
	if grep -a -q 'Linux version' "$1.text"; then
		grep -a -E 'Kernel panic|BUG|System halted' "$1.text" | head -n 3 > "$1.why"
	else
		grep -a -E 'Error|error:|failed|Bad |Aborted|Unsupported|System halted' "$1.text" | head -n 5 > "$1.why"
	fi
	[ -s "$1.why" ] || tail -n 10 "$1.text" > "$1.why"
	sed 's/^/    /' "$1.why"
}

# placement LOG SPAN: why the kernel, at its "Kernel code" start for SPAN
# bytes, is not in memory the EFI map (as the kernel logs it with
# efi=debug) calls conventional or the loader's, or is over the initrd
# (the kernel's "RAMDISK: [mem A-B]"); nothing if it is fine.
placement() {
	start=$(kernel_code_start "$1")
	[ -n "$start" ] || { echo "no Kernel code line"; return; }
	tr -d '\r' < "$1" | awk -v start="$start" -v span="$2" '
	function num(h,   i, v) {
		h = tolower(h); sub(/^0x/, "", h); v = 0
		for (i = 1; i <= length(h); i++) v = v * 16 + index("0123456789abcdef", substr(h, i, 1)) - 1
		return v
	}
	function overlap(lo, hi) { return (lo > s ? lo : s) < (hi < e ? hi : e) }
	BEGIN { s = num(start); e = s + span; covered = 0; bad = "" }
	/efi: mem[0-9]+: \[/ {
		type = $0; sub(/.*: \[/, "", type); sub(/ *\|.*/, "", type)
		r = $0; sub(/.*range=\[/, "", r); sub(/\].*/, "", r); split(r, a, "-")
		lo = num(a[1]); hi = num(a[2]) + 1; maps = 1
		if (!overlap(lo, hi)) next
		if (type ~ /^(Conventional|Loader Code|Loader Data)$/)
			covered += (hi < e ? hi : e) - (lo > s ? lo : s)
		else
			bad = bad " [" type " " a[1] "-" a[2] "]"
	}
	/RAMDISK: \[mem / {
		r = $0; sub(/.*RAMDISK: \[mem /, "", r); sub(/\].*/, "", r); split(r, a, "-")
		if (overlap(num(a[1]), num(a[2]) + 1)) bad = bad " [the initrd " r "]"
	}
	END {
		if (!maps) print "the kernel logged no EFI memory map"
		else if (bad != "") print "it overlaps" bad
		else if (covered < span) print "part of it is outside the EFI memory map"
	}'
}

# check NAME LOG LOADER APPEND SPAN [kdecomp]: the checks above, on one boot
check() {
	name=$1 log=$2
	if ! grep -a -q '^KDECOMP-DONE' "$log"; then
		not_ok "$name: no userspace after $took s; the firmware or loader said:"
		complaint "$log"
		return 1
	fi
	ok "$name: userspace reached ($took s)"
	version=$(grep -a -o 'efi: EFI v[0-9.]*' "$log" | head -n 1)
	[ -n "$version" ] && ok "$name: the kernel logs '$version'" || not_ok "$name: no 'efi: EFI v' in the kernel's log"
	[ "$(field "$log" EFI)" = 1 ] && [ "$(field "$log" EFI-BITS)" = 64 ] &&
		ok "$name: /sys/firmware/efi, 64-bit firmware" ||
		not_ok "$name: EFI '$(field "$log" EFI)', firmware bits '$(field "$log" EFI-BITS)'"
	maps=$(field "$log" EFI-RUNTIME-MAP)
	[ "${maps:-0}" -gt 0 ] && ok "$name: $maps runtime-map entries" || not_ok "$name: no EFI runtime-map entries"
	want=$(loader_cmdline "$3" "$4")
	[ "$(field "$log" CMDLINE)" = "$want" ] && ok "$name: command line intact" ||
		not_ok "$name: command line is '$(field "$log" CMDLINE)', expected '$want'"
	where=$(placement "$log" "$5")
	[ -z "$where" ] && ok "$name: the kernel at $(kernel_code_start "$log") lies in conventional or loader memory" ||
		not_ok "$name: the kernel at $(kernel_code_start "$log"): $where"
	[ "${6:-}" = kdecomp ] || return 0
	phys=$(kaslr_phys "$log")
	[ -n "$phys" ] && [ $((phys)) -eq $(($(kernel_code_start "$log"))) ] &&
		ok "$name: the kernel runs where the stub's KASLR chose ($phys)" ||
		not_ok "$name: the stub chose '$phys', Kernel code at $(kernel_code_start "$log")"
}

# span IMAGE: the kernel's run-time extent, from the ELF's memory span
span() {
	$KDECOMP inspect "$1" --json | tr -d ' ,' | awk -F: '
		$1 == "\"mem_start\"" { s = $2 } $1 == "\"mem_end\"" { e = $2 } END { print e - s }'
}

# run WHO IMAGE LOADER MEM [kdecomp]: boot and check one case.  A boot
# takes 20 to 40 s on an idle 2-core machine, minutes on a loaded one; one
# that goes wrong stops at once at the firmware's shell or GRUB's prompt.
# efi=debug: the kernel logs the EFI memory map it was given (placement).
# no_timer_check: on a loaded host, TCG's timer can lag the kernel's
# IO-APIC timer check, which then panics ("IO-APIC + timer doesn't work").
limit=600
run() {
	tag=$1-$3-$4
	append="console=ttyS0 earlyprintk=ttyS0 panic=-1 efi=debug no_timer_check kdecomp.test=efi-$tag"
	took=$(date +%s)
	efi_boot "$WORK/$tag.log" "$3" "$2" "$append" -m "$4" -t "$limit"
	took=$(($(date +%s) - took))
	check "$1 via $3, $4" "$WORK/$tag.log" "$3" "$append" "$(span "$2")" ${5:-}
}

pack() {	# FORMAT: our image of the kernel, into $WORK
	$KDECOMP pack -q "$kernel" -c "$1" -o "$WORK/kdecomp-$1.img" || not_ok "pack $1"
}

# The placement check itself, on a made-up log: a kernel of 16 MiB at
# 0x3000000 must be refused over runtime data, over the initrd and past
# the map's end, and accepted inside conventional and loader memory.
fake_log() {	# KERNEL-START RAMDISK
	printf '%s\n' \
		"[    0.000000] efi: mem00: [Conventional|   |  |  |  |  |  |  |  |  |   |WB|WT|WC|UC] range=[0x0000000000100000-0x0000000003ffffff] (63MB)" \
		"[    0.000000] efi: mem01: [Loader Data |   |  |  |  |  |  |  |  |  |   |WB|WT|WC|UC] range=[0x0000000004000000-0x0000000004ffffff] (16MB)" \
		"[    0.000000] efi: mem02: [Runtime Data|RUN|  |  |  |  |  |  |  |  |   |WB|WT|WC|UC] range=[0x0000000005000000-0x0000000005ffffff] (16MB)" \
		"[    0.000000] RAMDISK: [mem $2]" \
		"KDECOMP-IOMEM:   $1-ffffffff : Kernel code" > "$WORK/fake.log"
	placement "$WORK/fake.log" 16777216
}
expect_placement() {	# WHAT KERNEL-START RAMDISK WANT-PATTERN
	got=$(fake_log "$2" "$3")
	case $got in
	$4) ok "placement check: $1" ;;
	*) not_ok "placement check: $1: said '$got'" ;;
	esac
}
expect_placement "conventional and loader memory accepted" 03000000 0x100000-0x1ffffff ""
expect_placement "runtime data refused" 04800000 0x100000-0x1ffffff "*Runtime Data*"
expect_placement "the initrd refused" 03000000 0x3400000-0x34fffff "*the initrd*"
expect_placement "outside the map refused" 00000000 0x3400000-0x34fffff "*outside the EFI memory map*"

started=$(date +%s)
for loader in $loaders; do
	run debian "$kernel" "$loader" 1G
done
for fmt in lz4 zstd xz; do
	pack "$fmt"
done
if [ "${EFI_FULL:-0}" = 1 ]; then
	for loader in $loaders; do
		run debian "$kernel" "$loader" 8G
	done
	for mem in 1G 8G; do
		for fmt in lz4 zstd xz; do
			for loader in $loaders; do
				run "kdecomp-$fmt" "$WORK/kdecomp-$fmt.img" "$loader" "$mem" kdecomp
			done
		done
	done
else
	for loader in $loaders; do
		run kdecomp-lz4 "$WORK/kdecomp-lz4.img" "$loader" 1G kdecomp
	done
	run kdecomp-zstd "$WORK/kdecomp-zstd.img" sdboot 8G kdecomp
	run kdecomp-xz "$WORK/kdecomp-xz.img" grub-linuxefi 8G kdecomp
fi
echo "efi.sh: $(($(date +%s) - started)) s"
summary
