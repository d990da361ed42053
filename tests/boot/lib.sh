# Shared by the boot tests: boot an image, wait for the guest to finish,
# check what the kernel itself reported.  Sourced, not run.

KDECOMP=${KDECOMP:-build/kdecomp}
CACHE=${KDECOMP_CACHE:-$HOME/.cache/kdecomp}
# the test initramfs every boot script uses: rebuilt when its script changes
INITRAMFS=$(scripts/make-initramfs.sh)
if [ -z "${WORK:-}" ]; then
	WORK=$(mktemp -d)
	trap 'rm -rf "$WORK"' EXIT
fi
passed=0
failed=0

# boot LOG IMAGE [boot-qemu.sh options]: boot until the guest powers off,
# the stub halts, or under UEFI the firmware or boot loader gives up (OVMF
# falls back to its shell when every boot option failed; GRUB waits for a
# key after an error); the serial console goes to LOG, QEMU's exit status to
# $boot_status (the test kernel's verdict, through isa-debug-exit).
boot() {
	log=$1
	shift
	: > "$log"
	scripts/boot-qemu.sh "$@" > "$log" 2>&1 &
	pid=$!
	for _ in $(seq 1 600); do
		kill -0 "$pid" 2>/dev/null || break
		if grep -a -q -E 'System halted|Kernel panic|end Kernel panic|Shell> |Press any key to' "$log"; then
			sleep 1
			pkill -P "$pid" qemu-system-x86 2>/dev/null || true
			break
		fi
		sleep 0.5
	done
	boot_status=0
	wait "$pid" 2>/dev/null || boot_status=$?
}

# setup_len IMAGE: the bytes before the protected-mode part, (setup_sects + 1) * 512
setup_len() {
	echo $((($(od -A n -t u1 -j $((0x1f1)) -N 1 "$1" | tr -d ' ') + 1) * 512))
}

# efi_boot LOG LOADER IMAGE APPEND [boot-qemu.sh options]: boot IMAGE with
# the test initramfs and APPEND under UEFI (OVMF), through LOADER: ovmf
# (OVMF loads QEMU's -kernel) or one scripts/efi-esp.sh installs on an ESP.
efi_boot() {
	efi_log=$1 efi_loader=$2 efi_image=$3 efi_append=$4
	shift 4
	if [ "$efi_loader" = ovmf ]; then
		boot "$efi_log" "$efi_image" -u -a "$efi_append" "$@"
		return
	fi
	efi_esp=${efi_log%.log}.esp
	if ! scripts/efi-esp.sh "$efi_loader" "$efi_image" "$INITRAMFS" "$efi_append" "$efi_esp" > "$efi_log" 2>&1; then
		echo "efi-esp.sh failed to build the $efi_loader ESP" >> "$efi_log"
		return 1
	fi
	boot "$efi_log" "$efi_esp" "$@"
	rm -f "$efi_esp"
}

# field LOG NAME: the value the guest's init printed after "KDECOMP-NAME: "
field() {
	grep -a "^KDECOMP-$2: " "$1" | head -n 1 | sed "s/^KDECOMP-$2: //" | tr -d '\r'
}

ok() {
	passed=$((passed + 1))
	echo "ok   $*"
}

not_ok() {
	failed=$((failed + 1))
	echo "FAIL $*"
}

# expect_userspace NAME LOG: the kernel reached our init and reported itself.
expect_userspace() {
	if grep -a -q '^KDECOMP-DONE' "$2"; then
		ok "$1: userspace reached"
		return 0
	fi
	not_ok "$1: no userspace; the console ended with:"
	tail -n 15 "$2" | sed 's/^/    /'
	return 1
}

# kernel_code_start LOG: the physical start of "Kernel code" in /proc/iomem, as 0x...
kernel_code_start() {
	field "$1" IOMEM | sed -n 's/^ *\([0-9a-f]*\)-.*/0x\1/p'
}

# stext LOG: the virtual address of _stext in /proc/kallsyms, as 0x...
stext() {
	field "$1" STEXT | sed -n 's/^\([0-9a-f]*\) .*/0x\1/p'
}

# kaslr_phys LOG: the physical address the stub said it chose for the kernel, as 0x...
kaslr_phys() {
	sed -n 's/^kdecomp: KASLR chose physical \(0x[0-9a-f]*\) .*/\1/p' "$1" | tr -d '\r' | head -n 1
}

# chosen LOG: "PHYS VIRT" as the stub printed them
chosen() {
	sed -n 's/^kdecomp: KASLR chose physical \(0x[0-9a-f]*\) virtual \(0x[0-9a-f]*\).*/\1 \2/p' "$1" | tr -d '\r' | head -n 1
}

# hex A == hex B, whatever their widths (as strings: 64-bit addresses overflow the shell)
hexnorm() {
	echo "$1" | tr 'A-F' 'a-f' | sed 's/^0x//; s/^0*//'
}
same() {
	[ -n "$1" ] && [ -n "$2" ] && [ "$(hexnorm "$1")" = "$(hexnorm "$2")" ]
}

check_placement() {	# NAME LOG
	set -- "$1" "$2" $(chosen "$2")
	if [ $# -lt 4 ]; then
		not_ok "$1: the stub did not report a KASLR choice"
		return
	fi
	same "$3" "$(kernel_code_start "$2")" && ok "$1: kernel runs at the physical address chosen ($3)" ||
		not_ok "$1: chose $3, kernel reports $(kernel_code_start "$2")"
	same "$4" "$(stext "$2")" && ok "$1: _stext at the virtual address chosen ($4)" ||
		not_ok "$1: chose $4, kernel reports _stext $(stext "$2")"
}

summary() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}

# The test kernel (tests/kernel) ends the boot through QEMU's isa-debug-exit
# device: QEMU exits with (value << 1) | 1, so EXIT_OK (0x10) is 33.
exit_device="-device isa-debug-exit,iobase=0xf4,iosize=0x04"
status_ok=33

# verdict NAME: the kernel exited QEMU with EXIT_OK
verdict() {
	if [ "$boot_status" = "$status_ok" ]; then
		ok "$1: the kernel's checks passed (QEMU exit $boot_status)"
		return 0
	fi
	not_ok "$1: QEMU exit status $boot_status, expected $status_ok; the console ended with:"
	tr -d '\r' < "$WORK/$1.log" | tail -n 12 | sed 's/^/    /'
	return 1
}
