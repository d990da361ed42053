#!/bin/sh
# What the stub does when it cannot boot: one clear message on the serial
# console, then a halt (never a silent hang, a reboot or a triple fault).
#   - a corrupted payload, in each format: the stub's reason must be the one
#     the same decoder gives on the host for the same image (kdecomp
#     extract, which decodes into the recorded size, as the stub does),
#     followed by "decompression failed" and the halt;
#   - not enough memory for init_size (QEMU -m 64M): the head says which
#     buffer is missing, through the 32-bit entry (QEMU -kernel) and the
#     64-bit entry (tests/loader64);
#   - a misaligned load that only fits when aligned: through the 64-bit
#     entry, the aligned address boots, one byte further the stub rounds up
#     and reports the rounded-up buffer that no longer fits.
set -u
cd "$(dirname "$0")/../.."
. tests/boot/lib.sh

kernel=$CACHE/vmlinuz-cloud
initramfs=$INITRAMFS
loader=build/loader64/loader64.bin
[ -s "$kernel" ] || { not_ok "no $kernel: run scripts/fetch-kernels.sh"; summary; exit 1; }
[ -s "$initramfs" ] || scripts/make-initramfs.sh "$initramfs"
base="console=ttyS0 earlyprintk=ttyS0 panic=-1 nokaslr"

# le32 FILE OFFSET: the little-endian 32-bit word at OFFSET
le32() {
	od -An -tu4 -j "$2" -N4 "$1" | tr -d ' '
}

# overwrite FILE OFFSET COUNT: COUNT bytes of 0xff at OFFSET
overwrite() {
	head -c "$3" /dev/zero | tr '\0' '\377' | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# has LOG LINE: LOG (carriage returns dropped) holds exactly LINE
has() {
	tr -d '\r' < "$1" | grep -a -q -x -F -- "$2"
}

# halted NAME LOG: the stub stopped, and the kernel never started
halted() {
	if grep -a -q 'System halted' "$2" && ! grep -a -q 'Booting the kernel' "$2"; then
		ok "$1: halted before the kernel"
	else
		not_ok "$1: did not halt cleanly; the console ended with:"
		tail -n 8 "$2" | sed 's/^/    /'
	fi
}

# The middle of the payload: 64 bytes of 0xff.  lz4's legacy frame has no
# checksum, and such bytes inside a literal run go unnoticed, so for lz4
# the size field of the block nearest the middle is broken instead.
corrupt() {	# FORMAT IMAGE
	off=$(($(setup_len "$2") + $(le32 "$2" $((0x248)))))
	len=$(le32 "$2" $((0x24c)))
	if [ "$1" = lz4 ]; then
		pos=4
		while next=$((pos + 4 + $(le32 "$2" $((off + pos))))) && [ "$next" -lt $((len / 2)) ]; do
			pos=$next
		done
		overwrite "$2" $((off + pos)) 4
	else
		overwrite "$2" $((off + len / 2)) 64
	fi
}

for fmt in ${FORMATS:-gzip xz zstd lzo lz4 bzip2 lzma}; do
	img=$WORK/corrupt-$fmt.img
	log=$WORK/corrupt-$fmt.log
	$KDECOMP pack -q "$kernel" -c "$fmt" -o "$img" || { not_ok "$fmt: pack failed"; continue; }
	corrupt "$fmt" "$img"
	if $KDECOMP extract -q "$img" -o /dev/null 2> "$WORK/host-$fmt.err"; then
		not_ok "$fmt: the corruption went unnoticed on the host too; choose another"
		continue
	fi
	# "kdecomp: extract: IMAGE: FORMAT: MESSAGE: REASON" -> the stub prints MESSAGE and REASON on lines of their own
	host=$(sed -n "s/^kdecomp: extract: [^ ]*: $fmt: //p" "$WORK/host-$fmt.err" | head -n 1)
	[ -n "$host" ] || { not_ok "$fmt: no reason from kdecomp extract: $(cat "$WORK/host-$fmt.err")"; continue; }
	message=${host%%: *}
	reason=${host#*: }
	boot "$log" "$img" -a "$base"
	has "$log" "kdecomp: $message" && has "$log" "kdecomp: $reason" &&
		ok "$fmt: corrupted payload: the stub says what the host decoder says ($host)" ||
		{ not_ok "$fmt: expected '$message' / '$reason' from the stub; it said:"; tail -n 6 "$log" | sed 's/^/    /'; }
	tr -d '\r' < "$log" | grep -a -q '^kdecomp: decompression failed after output bytes: 0x' &&
		ok "$fmt: corrupted payload: decompression failed" || not_ok "$fmt: no 'decompression failed' line"
	halted "$fmt" "$log"
done

img=$WORK/cloud-lz4.img
$KDECOMP pack -q "$kernel" -c lz4 -o "$img" || { not_ok "pack"; summary; exit 1; }
init_size=$(le32 "$img" $((0x260)))

# no_memory NAME LOG START: the head's message names [START, START + init_size), 16 MiB up, as missing
no_memory() {
	end=$(($3 + init_size))
	msg=$(tr -d '\r' < "$2" | sed -n 's/^kdecomp: not enough memory: the decompression buffer \[\(0x[0-9a-f]*\), \(0x[0-9a-f]*\)).*/\1 \2/p')
	set -- "$1" "$2" "$3" $msg
	if [ $# -eq 5 ] && [ $(($4)) -eq $(($3)) ] && [ $(($5)) -eq "$end" ]; then
		ok "$1: not enough memory, for [$4, $5)"
	else
		not_ok "$1: expected 'not enough memory' for [$(printf 0x%x "$3"), $(printf 0x%x "$end")); the console ended with:"
		tail -n 6 "$2" | sed 's/^/    /'
	fi
	halted "$1" "$2"
}

boot "$WORK/64m.log" "$img" -m 64M -a "$base"
no_memory "-m 64M, 32-bit entry" "$WORK/64m.log" $((0x1000000))

if [ -s "$loader" ]; then
	boot "$WORK/64m-64.log" "$loader" -m 64M -i "$initramfs,$img" -a "kdecomp.load=0x1000000 $base"
	no_memory "-m 64M, 64-bit entry" "$WORK/64m-64.log" $((0x1000000))

	# RAM such that the buffer fits from 32 MiB, with 1 MiB to spare, but
	# not from 34 MiB: a load at 32 MiB + 1 must fail, rounded up to 34.
	mib=$(((0x2000000 + init_size + 0xfffff) / 0x100000 + 1))
	boot "$WORK/aligned.log" "$loader" -m "${mib}M" -i "$initramfs,$img" -a "kdecomp.load=0x2000000 $base"
	expect_userspace "-m ${mib}M, load at 0x2000000" "$WORK/aligned.log"
	boot "$WORK/misaligned.log" "$loader" -m "${mib}M" -i "$initramfs,$img" -a "kdecomp.load=0x2000001 $base"
	no_memory "-m ${mib}M, load at 0x2000001" "$WORK/misaligned.log" $((0x2200000))
else
	not_ok "no $loader: run make"
fi
summary
