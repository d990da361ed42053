#!/bin/sh
# Regenerate the seed corpus in fuzz/corpus/NAME (kept in the repository;
# run from the top after `make`, with the format tools installed):
#   - every decoder: a little text and a little x86 code, compressed by the
#     format's own command-line tool at two settings, and the small public
#     test vectors of ../shared/testvectors (good and bad);
#   - fuzz_diff: the same data behind each format's 6-byte steering header;
#   - fuzz_bzimage: a kdecomp image's setup with a tiny lz4 payload;
#   - fuzz_relocs: the test kernel's ELF with its relocation table after it;
#   - fuzz_cmdline, fuzz_kaslr: command lines and boot_params as hostile
#     loaders write them (an overlapping reserved entry, a looping setup_data
#     list, memmap= ranges);
#   - fuzz_kallsyms: the unit tests' small synthetic tables, 6.1 to 7.0 layouts;
#   - fuzz_pe: our image's headers, and a Linux bzImage's if one is cached;
#   - fuzz_efi_map: firmware-like memory maps (OVMF's shape, one of more than
#     128 entries, one with overlapping descriptors).
# Inputs that found a bug (crash-*, diff-*, harness-*) are kept.
set -eu
cd "$(dirname "$0")/.."
C=fuzz/corpus
V=${TESTVECTORS:-../shared/testvectors}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
find "$C" -type f ! -name 'crash-*' ! -name 'diff-*' ! -name 'harness-*' -delete 2> /dev/null || true
for t in fuzz/fuzz_*.c; do mkdir -p "$C/$(basename "$t" .c)"; done

# the plain data: text, x86 code (for the BCJ filters), and nothing
printf 'kdecomp seed: the quick brown fox jumps over the lazy dog. %.0s' $(seq 1 20) > "$T/text"
head -c 3000 /usr/share/common-licenses/GPL-2 >> "$T/text"
head -c 4096 build/kdecomp | tail -c 2048 > "$T/code"
: > "$T/empty"

for d in text code empty; do
	gzip -9 -n -c "$T/$d" > "$C/fuzz_gzip/$d-9.gz"
	gzip -1 -n -c "$T/$d" > "$C/fuzz_gzip/$d-1.gz"
	bzip2 -9 -c "$T/$d" > "$C/fuzz_bzip2/$d-9.bz2"
	bzip2 -1 -c "$T/$d" > "$C/fuzz_bzip2/$d-1.bz2"
	lzma -9 -c "$T/$d" > "$C/fuzz_lzma/$d-9.lzma"
	lzma -0 -c "$T/$d" > "$C/fuzz_lzma/$d-0.lzma"
	xz --check=crc32 --x86 --lzma2=dict=1MiB -c "$T/$d" > "$C/fuzz_xz/$d-x86.xz"
	xz --check=sha256 --delta=dist=4 --lzma2=preset=1 -c "$T/$d" > "$C/fuzz_xz/$d-delta.xz"
	lzop -9 -c "$T/$d" > "$C/fuzz_lzo/$d-9.lzo"
	lzop -1 -c "$T/$d" > "$C/fuzz_lzo/$d-1.lzo"
	lz4 -l -12 -c "$T/$d" > "$C/fuzz_lz4/$d-legacy.lz4"
	lz4 -1 --content-size -BX -c "$T/$d" > "$C/fuzz_lz4/$d-frame.lz4"
	zstd -q -19 -c "$T/$d" > "$C/fuzz_zstd/$d-19.zst"
	zstd -q -1 --no-check -c "$T/$d" > "$C/fuzz_zstd/$d-1.zst"
done
# public vectors, the small ones
for f in "$V"/xz/*.xz; do [ "$(wc -c < "$f")" -le 2048 ] && cp "$f" "$C/fuzz_xz/"; done
for f in "$V"/xz/*.lzma; do [ "$(wc -c < "$f")" -le 2048 ] && cp "$f" "$C/fuzz_lzma/"; done
for f in "$V"/zstd/good/*.zst "$V"/zstd/bad/*.zst; do [ "$(wc -c < "$f")" -le 2048 ] && cp "$f" "$C/fuzz_zstd/"; done
cp "$V/bzip2/sample3.bz2" "$C/fuzz_bzip2/"

# fuzz_diff: format index, level, options, damage position (2 bytes), damage XOR; then the data
i=0
for f in gzip bzip2 lzma xz lzo lz4 zstd; do
	{ printf "\\$(printf %03o $i)\\011\\001\\000\\000\\000"; head -c 1500 "$T/text"; } > "$C/fuzz_diff/$f-text"
	{ printf "\\$(printf %03o $i)\\003\\011\\100\\000\\040"; cat "$T/code"; } > "$C/fuzz_diff/$f-code-damaged"
	i=$((i + 1))
done

# fuzz_bzimage: our setup (setup_sects 4) with payload_offset 0 and a tiny lz4 payload after it
build/kdecomp pack -q build/tests/kernel.elf -c lz4 -o "$T/tk.img"
head -c 2560 "$T/tk.img" > "$T/setup"
lz4 -l -c "$T/empty" > "$T/payload"
printf '\000\000\000\000' >> "$T/payload"
le32() { printf "\\$(printf %03o $(($1 & 255)))\\$(printf %03o $(($1 >> 8 & 255)))\\$(printf %03o $(($1 >> 16 & 255)))\\$(printf %03o $(($1 >> 24 & 255)))"; }
# put FILE OFFSET BYTES...: write the printf-escaped bytes at OFFSET
put() { f=$1; o=$2; shift 2; printf "$@" | dd of="$f" bs=1 seek="$o" conv=notrunc status=none; }
put "$T/setup" $((0x248)) '\000\000\000\000'
put "$T/setup" $((0x24c)) "$(le32 "$(wc -c < "$T/payload")")"
cat "$T/setup" "$T/payload" > "$C/fuzz_bzimage/kdecomp-setup-lz4"

# fuzz_relocs: the test kernel and its table, as the stub finds them after decompression
build/kdecomp relocs build/tests/kernel.elf -o "$T/relocs" > /dev/null
cat build/tests/kernel.elf "$T/relocs" > "$C/fuzz_relocs/testkernel"
cp "$T/relocs" "$C/fuzz_relocs/table"

# fuzz_kallsyms: a real table is megabytes; the unit tests' synthetic ones are small, one per layout
printf '\000' > "$C/fuzz_kallsyms/zero"
KD_KALLSYMS_SEEDS=$C/fuzz_kallsyms build/tests/run kallsyms_every_layout_decodes > /dev/null

# fuzz_pe: our setup (MZ, PE, setup header), cut short too; a Linux bzImage's first 2 KiB if one is cached
cp "$T/setup" "$C/fuzz_pe/kdecomp-setup"
head -c 300 "$T/setup" > "$C/fuzz_pe/kdecomp-cut"
linux=${KDECOMP_CACHE:-$HOME/.cache/kdecomp}/vmlinuz-cloud
[ -f "$linux" ] && head -c 2048 "$linux" > "$C/fuzz_pe/linux-cloud-head"

# fuzz_cmdline: the key index byte, then a line
n=0
for line in 'mem=512M memmap=64M$0x10000000 nokaslr' 'console=ttyS0,115200 earlyprintk=serial,0x3f8 quiet' \
	'root=/dev/vda "init=/bin/sh -c x" mem=0x20000000' 'memmap=1G!4G memmap=16K#0x1000 no5lvl=' 'm=1k m=2T m'; do
	{ printf "\\$(printf %03o $n)"; printf '%s' "$line"; } > "$C/fuzz_cmdline/line-$n"
	n=$((n + 1))
done

# fuzz_kaslr: boot_params with QEMU's e820 map for 1 GiB plus one reserved entry over RAM, then a command line, then setup_data nodes
e820() {	# FILE INDEX ADDR SIZE TYPE
	o=$((0x2d0 + $2 * 20))
	put "$1" $o "$(le32 $(($3 & 0xffffffff)))$(le32 $(($3 >> 32)))$(le32 $(($4 & 0xffffffff)))$(le32 $(($4 >> 32)))$(le32 $5)"
}
bp=$T/bp
head -c 4096 /dev/zero > "$bp"
e820 "$bp" 0 0 0x9fc00 1
e820 "$bp" 1 0x9fc00 0x400 2
e820 "$bp" 2 0xf0000 0x10000 2
e820 "$bp" 3 0x100000 0x3fee0000 1
e820 "$bp" 4 0x8000000 0x10000000 2
e820 "$bp" 5 0xfffc0000 0x40000 2
put "$bp" $((0x1e8)) '\006'
put "$bp" $((0x218)) "$(le32 0x30000000)$(le32 0x1000000)"	# initrd: 16 MiB at 768 MiB
put "$bp" $((0x250)) "$(le32 0x100000)$(le32 0)"		# setup_data: the window's start
put "$bp" $((0x258)) "$(le32 0x1000000)$(le32 0)"		# pref_address: 16 MiB
put "$bp" $((0x260)) "$(le32 0x3000000)"			# init_size: 48 MiB
put "$bp" $((0x24c)) "$(le32 0x2000000)"			# needed: 32 MiB
put "$bp" $((0x268)) "$(le32 0x1800000)"			# kernel memory: 24 MiB
put "$bp" $((0x240)) "$(le32 0x12345678)$(le32 0x9abcdef)"	# the random number
# two setup_data nodes at the window's start: an e820 extension, then one pointing back (a loop)
node=$T/nodes
{ le32 0x100028; le32 0; le32 1; le32 20; le32 0x50000000; le32 0; le32 0x1000000; le32 0; le32 1
  printf '\000\000\000\000'; le32 0x100000; le32 0; le32 99; le32 0; } > "$node"
{ cat "$bp"; printf 'memmap=64M$0x20000000 mem=2G\000'; cat "$node"; } > "$C/fuzz_kaslr/qemu-overlap-loop"
{ cat "$bp"; printf 'nokaslr\000'; } > "$C/fuzz_kaslr/qemu-nokaslr"
# fuzz_efi_map: the input header (fuzz_efi_map.c struct input), then the map
le64() { le32 $(($1 & 0xffffffff)); le32 $(($1 >> 32)); }
# efi_head STEER VERSION SLACK KERNEL BUFFER BP EXT CMDLINE INITRD INITRD_SIZE SETUP_DATA LINK INIT_SIZE
efi_head() {
	printf "\\$(printf %03o $1)\\$(printf %03o $2)\\$(printf %03o $3)\\$(printf %03o $4)"
	shift 4
	while [ $# -gt 1 ]; do le64 "$1"; shift; done
	le32 "$1"
}
# desc TYPE START PAGES PAD: one descriptor, PAD bytes beyond the 40 of the struct
desc() {
	le32 $1; le32 0; le64 $2; le64 0; le64 $3; le64 0xf
	head -c "$4" /dev/zero
}
ovmf=$C/fuzz_efi_map/ovmf-like
{ efi_head 1 1 0x4f 0x89 0x1000000 0x7000 0x8000 0x9000 0x30000000 0x1000000 0 0x1000000 0x3000000
  desc 7 0 0xa0 8; desc 7 0x100000 0x700 8; desc 10 0x800000 8 8; desc 7 0x808000 8 8; desc 10 0x810000 0xf0 8
  desc 4 0x900000 0x700 8; desc 7 0x1000000 0x3d000 8; desc 1 0x3e000000 0x1000 8; desc 6 0x3f000000 0x800 8
  desc 3 0x3f800000 0x6f0 8; desc 9 0x3fef0000 0x110 8; desc 11 0xffc00000 0x400 8; } > "$ovmf"
# 150 descriptors, RAM and reserved in turn, so boot_params' 128 entries overflow into the ext node
{ efi_head 1 1 0x8f 0x89 0x40000000 0x7000 0x8000 0x9000 0 0 0x100000 0x1000000 0x3000000
  i=0
  while [ $i -lt 150 ]; do desc $((7 - (i & 1) * 7)) $((0x1000000 + i * 0x1000)) 1 8; i=$((i + 1)); done
  desc 7 0x40000000 0x10000 8; } > "$C/fuzz_efi_map/over-128-entries"
{ efi_head 0 1 0x20 0x09 0x1000000 0x7000 0x8000 0x9000 0 0 0 0x1000000 0x1000000
  desc 7 0x1000000 0x2000 0; desc 0 0x1800000 0x100 0; } > "$C/fuzz_efi_map/overlap"
echo "seeds: $(find "$C" -type f | wc -l) files, $(du -sk "$C" | cut -f1) KiB"
