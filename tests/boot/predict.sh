#!/bin/sh
# kdecomp simulate predicts the real boot, exactly.  Debian's cloud kernel,
# packed in lz4, zstd and xz, boots under QEMU through QEMU -kernel
# (SeaBIOS, our real-mode setup, startup_32) and through the 64-bit entry
# (tests/loader64), with memory from 64M to 8G, kdecomp.seed= (which fixes
# the stub's KASLR entropy), several load addresses, nokaslr, mem= and
# memmap=.  `kdecomp simulate --json` then runs on the same inputs: the
# memory size, the command line, the initrd's size, the load address and,
# for the 64-bit loader, where the loader says it put boot_params, the
# command line and the initrd.  Checked, for every boot:
#   - the e820 map simulate lays out for -m is the kernel's BIOS-e820 map,
#     and under -kernel the initrd lies where the kernel's RAMDISK line says;
#   - the kernel runs at simulate's physical address ("Kernel code" in
#     /proc/iomem) and virtual address (_stext in /proc/kallsyms), and the
#     stub warned that kdecomp.seed= fixed its entropy;
#   - where simulate predicts a halt, the stub halts with the very message
#     simulate gives.
set -u
cd "$(dirname "$0")/../.."
. tests/boot/lib.sh

kernel=$CACHE/vmlinuz-cloud
loader=build/loader64/loader64.bin
[ -s "$kernel" ] || { not_ok "no $kernel: run scripts/fetch-kernels.sh"; summary; exit 1; }
[ -s "$loader" ] || { not_ok "no $loader: run make"; summary; exit 1; }
base="console=ttyS0 earlyprintk=ttyS0 panic=-1"
initrd_size=$(stat -c %s "$INITRAMFS")
for fmt in lz4 zstd xz; do
	$KDECOMP pack -q "$kernel" -c "$fmt" -o "$WORK/cloud-$fmt.img" || { not_ok "pack -c $fmt"; summary; exit 1; }
done

# json_hex JSON KEY: the first number member KEY of simulate's JSON, as 0x...
# (by text: jq reads numbers as doubles, and virtual addresses need 64 bits)
json_hex() {
	n=$(sed -n "s/^ *\"$2\": \([0-9]*\).*/\1/p" "$1" | head -n 1)
	[ -n "$n" ] && echo "0x$(echo "obase=16; $n" | bc | tr 'A-F' 'a-f')"
}

# e820_of_log LOG / e820_of_json JSON: "start end type" a line, hex, end inclusive
e820_of_log() {
	tr -d '\r' < "$1" | sed -n 's/.*BIOS-e820: \[mem 0x\([0-9a-f]*\)-0x\([0-9a-f]*\)\] \(.*\)/\1 \2 \3/p' |
		while read -r start end type; do printf '%x %x %s\n' "0x$start" "0x$end" "$type"; done
}
e820_of_json() {
	jq -r '.loader | .["e820"][] | "\(.start) \(.end - 1) \(.type)"' "$1" |
		while read -r start end type; do printf '%x %x %s\n' "$start" "$end" "$type"; done
}

# check_inputs NAME LOG JSON: simulate laid out the memory the stub was given
# (a boot that halts in the stub leaves no kernel to print its map)
check_inputs() {
	if [ "$(e820_of_log "$2")" = "$(e820_of_json "$3")" ]; then
		ok "$1: simulate's e820 map is the kernel's BIOS-e820 map"
	else
		not_ok "$1: e820 maps differ (kernel, then simulate):"
		e820_of_log "$2" | sed 's/^/    /'
		e820_of_json "$3" | sed 's/^/    /'
	fi
}

# check_ramdisk NAME LOG JSON: QEMU put the initrd where simulate says it does
check_ramdisk() {
	ramdisk=$(tr -d '\r' < "$2" | sed -n 's/.*RAMDISK: \[mem \(0x[0-9a-f]*\)-.*/\1/p' | head -n 1)
	same "$ramdisk" "$(json_hex "$3" initrd_addr)" && ok "$1: the initrd at $ramdisk, as simulate placed it" ||
		not_ok "$1: the kernel's RAMDISK starts at '$ramdisk', simulate placed it at $(json_hex "$3" initrd_addr)"
}

# check_prediction NAME LOG JSON CMDLINE: the boot did what simulate said, to the address or the message
check_prediction() {
	if [ "$(jq -r .result "$3")" = halted ]; then
		msg="kdecomp: $(jq -r .error "$3")"
		if tr -d '\r' < "$2" | grep -a -q -x -F "$msg"; then
			ok "$1: the stub halts as simulate predicted: $msg"
		else
			not_ok "$1: simulate predicted '$msg'; the console ended with:"
			tail -n 6 "$2" | sed 's/^/    /'
		fi
		return
	fi
	expect_userspace "$1" "$2" || return
	phys=$(json_hex "$3" physical) virt=$(json_hex "$3" virtual)
	same "$phys" "$(kernel_code_start "$2")" && ok "$1: Kernel code at $phys, as predicted" ||
		not_ok "$1: simulate predicted physical $phys, the kernel reports $(kernel_code_start "$2")"
	same "$virt" "$(stext "$2")" && ok "$1: _stext at $virt, as predicted" ||
		not_ok "$1: simulate predicted virtual $virt, the kernel reports _stext $(stext "$2")"
	case "$4 $(jq -r .kaslr.mode "$3")" in
	*kdecomp.seed=*randomised)
		grep -a -q "kdecomp: KASLR entropy fixed by kdecomp.seed=: testing only" "$2" &&
			ok "$1: the stub warned that kdecomp.seed= fixed its entropy" ||
			not_ok "$1: no warning that kdecomp.seed= fixed the entropy" ;;
	esac
}

# bios NAME FORMAT MEM APPEND: QEMU -kernel, then simulate on the same inputs
bios() {
	append="$base $4"
	boot "$WORK/$1.log" "$WORK/cloud-$2.img" -m "$3" -a "$append"
	$KDECOMP simulate "$WORK/cloud-$2.img" --json --mem "$3" --cmdline "$append" --initrd "$initrd_size" \
		> "$WORK/$1.json" 2> "$WORK/$1.err"
	[ -s "$WORK/$1.json" ] || { not_ok "$1: simulate failed: $(cat "$WORK/$1.err")"; return; }
	if [ "$(jq -r .result "$WORK/$1.json")" = booted ]; then
		check_inputs "$1" "$WORK/$1.log" "$WORK/$1.json"
		check_ramdisk "$1" "$WORK/$1.log" "$WORK/$1.json"
	fi
	check_prediction "$1" "$WORK/$1.log" "$WORK/$1.json" "$append"
}

# entry64 NAME FORMAT MEM LOAD APPEND: through loader64 at LOAD; simulate is
# told where the loader put boot_params, the command line and the initrd
entry64() {
	append="kdecomp.load=$4 $base $5"
	boot "$WORK/$1.log" "$loader" -m "$3" -i "$INITRAMFS,$WORK/cloud-$2.img" -a "$append"
	set -- "$1" "$2" "$3" "$4" "$append kdecomp.loader=entry64" $(tr -d '\r' < "$WORK/$1.log" |
		sed -n 's/^loader64: boot_params at \(0x[0-9a-f]*\), command line at \(0x[0-9a-f]*\), initrd at \(0x[0-9a-f]*\) size \(0x[0-9a-f]*\)$/\1 \2 \3 \4/p')
	if [ $# -ne 9 ]; then
		not_ok "$1: loader64 did not say where it put boot_params; the console ended with:"
		tail -n 5 "$WORK/$1.log" | sed 's/^/    /'
		return
	fi
	$KDECOMP simulate "$WORK/cloud-$2.img" --json --mem "$3" --load "$4" --cmdline "$5" --loader64 "$6,$7" \
		--initrd "$9@$8" > "$WORK/$1.json" 2> "$WORK/$1.err"
	[ -s "$WORK/$1.json" ] || { not_ok "$1: simulate failed: $(cat "$WORK/$1.err")"; return; }
	[ "$(jq -r .result "$WORK/$1.json")" = booted ] && check_inputs "$1" "$WORK/$1.log" "$WORK/$1.json"
	check_prediction "$1" "$WORK/$1.log" "$WORK/$1.json" "$5"
}

# seed_above_4g FORMAT: the first seed for which simulate puts the kernel above 4 GiB with -m 8G
seed_above_4g() {
	for seed in $(seq 1 32); do
		$KDECOMP simulate "$WORK/cloud-$1.img" --json --mem 8G --cmdline "$base kdecomp.seed=$seed" \
			--initrd "$initrd_size" > "$WORK/seed.json" || continue
		[ "$(jq -r .kaslr.physical "$WORK/seed.json")" -ge 4294967296 ] && { echo "$seed"; return; }
	done
	echo "note: simulate puts no seed of 32 above 4 GiB; the 8G -kernel boot uses seed 1" >&2
	echo 1
}

bios bios-lz4-1g lz4 1G "kdecomp.seed=1"
bios bios-zstd-8g-above-4g zstd 8G "kdecomp.seed=$(seed_above_4g zstd)"
bios bios-xz-8g-mem xz 8G "kdecomp.seed=0x2545f491 mem=6G"
bios bios-lz4-2g-nokaslr lz4 2G "nokaslr kdecomp.seed=3"
bios bios-zstd-2g-memmap zstd 2G 'kdecomp.seed=12345 memmap=512M$0x20000000'
bios bios-xz-64m-halts xz 64M ""

entry64 entry64-lz4-8g lz4 8G 0x2345300 "kdecomp.seed=5"
entry64 entry64-zstd-8g-at-4g zstd 8G 0x100000000 "kdecomp.seed=0x99"
entry64 entry64-xz-1g-nokaslr xz 1G 0x4001301 "nokaslr"
entry64 entry64-lz4-4g-memmap lz4 4G 0x1000000 'kdecomp.seed=3 mem=3G memmap=256M$0x8000000'
entry64 entry64-zstd-1g-halts zstd 1G 0x3e000000 "kdecomp.seed=2"
summary
