#!/bin/sh
# Our own test kernel (tests/kernel), packed by kdecomp in each of the
# seven formats and booted under QEMU (TCG) with -kernel.  The kernel checks
# from the inside what the stub must get right (boot_params in %rsi, its
# relocations for the virtual offset chosen, that it can run at that
# virtual address) and exits QEMU through isa-debug-exit with its verdict;
# this script checks the verdict and what the kernel printed against what
# the stub printed:
#   - nokaslr: physical 16 MiB, virtual 0xffffffff81000000, delta 0;
#   - KASLR: the kernel runs where the stub says it chose, relocated for
#     it, with -m 256M, 2G and 8G (and above 4 GiB, through the stub's
#     page-fault handler); boots land at different addresses;
#   - the same through the 64-bit entry (tests/loader64);
#   - a relocation table missing a list: the kernel notices.
set -u
cd "$(dirname "$0")/../.."
. tests/boot/lib.sh

elf=build/tests/kernel.elf
[ -s "$elf" ] || { not_ok "no $elf: run make"; summary; exit 1; }
status_bad_relocs=37	# EXIT_BAD_RELOCS (0x12)
base="console=ttyS0 earlyprintk=ttyS0"

# tk LOG NAME: what the kernel printed after "testkernel: NAME "
tk() {
	sed -n "s/^testkernel: $2 //p" "$1" | tr -d '\r' | head -n 1
}

# chosen LOG: "PHYS VIRT" as the stub printed its KASLR choice
chosen() {
	sed -n 's/^kdecomp: KASLR chose physical \(0x[0-9a-f]*\) virtual \(0x[0-9a-f]*\).*/\1 \2/p' "$1" |
		tr -d '\r' | head -n 1
}

# hexnorm 0x...: lower case, no 0x, no leading zeros (64-bit values overflow the shell: compared as strings)
hexnorm() {
	echo "$1" | tr 'A-F' 'a-f' | sed 's/^0x//; s/^0*//; s/^$/0/'
}

# delta_for VIRT: the relocation offset for a kernel at VIRT (below 1 GiB: the low 32 bits suffice)
delta_for() {
	printf '0x%x' $((0x$(hexnorm "$1" | sed 's/.*\(........\)$/\1/') - 0x81000000))
}

# run NAME IMAGE MEM APPEND: boot; the log is $WORK/NAME.log
run() {
	boot "$WORK/$1.log" "$2" -m "$3" -a "$4" -t 60 -x "$exit_device"
}

# expect_line NAME WHAT GOT WANT
expect_line() {
	[ "$3" = "$4" ] && ok "$1: $2 $3" || not_ok "$1: $2 '$3', expected '$4'"
}

# The generator finds all three kinds of relocation in the test kernel.
counts=$($KDECOMP relocs "$elf" -o "$WORK/kernel.relocs" 2>&1 | sed -n 's/.*(\(.*\))$/\1/p')
n32=$(echo "$counts" | sed -n 's/^\([0-9]*\) 32-bit.*/\1/p')
ninv=$(echo "$counts" | sed -n 's/.* \([0-9]*\) inverse 32-bit.*/\1/p')
n64=$(echo "$counts" | sed -n 's/.* \([0-9]*\) 64-bit$/\1/p')
[ "${n32:-0}" -gt 0 ] && [ "${ninv:-0}" -gt 0 ] && [ "${n64:-0}" -gt 0 ] &&
	ok "relocation table of the test kernel: $counts" || not_ok "relocation table of the test kernel: '$counts'"

choices=
mems="256M 2G 8G"
i=0
for fmt in ${FORMATS:-lz4 gzip xz zstd lzo lzma bzip2}; do
	img=$WORK/tk-$fmt.img
	if ! $KDECOMP pack -q "$elf" -c "$fmt" -o "$img"; then
		not_ok "$fmt: pack failed"
		continue
	fi
	name=$fmt-nokaslr
	append="$base nokaslr kdecomp.test=$name"
	run "$name" "$img" 1G "$append"
	if verdict "$name"; then
		log=$WORK/$name.log
		grep -a -q '^Decompressing Linux... Parsing ELF... Performing relocations... done.' "$log" &&
			ok "$name: the stub's progress line" || not_ok "$name: no progress line from the stub"
		expect_line "$name" "physical" "$(tk "$log" physical)" 0x1000000
		expect_line "$name" "virtual" "$(tk "$log" virtual)" 0xffffffff81000000
		expect_line "$name" "relocations" "$(tk "$log" relocations)" "ok (delta 0x0)"
		expect_line "$name" "command line" "$(tk "$log" 'command line:')" "$append"
	fi

	# KASLR, each format with the next of the memory sizes
	set -- $mems
	shift $((i % 3))
	mem=$1
	i=$((i + 1))
	name=$fmt-kaslr-$mem
	run "$name" "$img" "$mem" "$base"
	verdict "$name" || continue
	log=$WORK/$name.log
	set -- $(chosen "$log")
	if [ $# -ne 2 ]; then
		not_ok "$name: the stub did not report a KASLR choice"
		continue
	fi
	choices="$choices$1 $2
"
	expect_line "$name" "physical (as the stub chose)" "$(hexnorm "$(tk "$log" physical)")" "$(hexnorm "$1")"
	expect_line "$name" "virtual (as the stub chose)" "$(hexnorm "$(tk "$log" virtual)")" "$(hexnorm "$2")"
	expect_line "$name" "relocations" "$(tk "$log" relocations)" "ok (delta $(delta_for "$2"))"
	# QEMU (pc) keeps at most 3 GiB of RAM below 4 GiB and puts the rest above it
	limit=$(( $(echo "$mem" | sed 's/M$/ << 20/; s/G$/ << 30/') ))
	[ "$limit" -gt $((3 << 30)) ] && limit=$((limit + (1 << 30)))
	[ $(($1 + 0x200000)) -le "$limit" ] && ok "$name: inside the $mem of RAM" ||
		not_ok "$name: physical $1 is beyond the $mem of RAM"
done
# Above 4 GiB: with 8G about half of the slots are there; try until one is
# (and until there are two KASLR boots to compare, when only one format ran).
above=
for try in 1 2 3 4 5 6 7 8 9 10; do
	run "8g-$try" "$WORK/tk-lz4.img" 8G "$base"
	[ "$boot_status" = "$status_ok" ] || { verdict "8g-$try"; break; }
	choices="$choices$(chosen "$WORK/8g-$try.log")
"
	phys=$(tk "$WORK/8g-$try.log" physical)
	[ -n "$phys" ] && [ $((phys)) -ge $((1 << 32)) ] && above=$phys
	[ -n "$above" ] && [ "$(printf '%s' "$choices" | grep -c .)" -ge 2 ] && break
done
[ -n "$above" ] && ok "8G: the kernel ran above 4 GiB (at $above) and verified its relocations" ||
	not_ok "8G: no boot of $try landed above 4 GiB"
distinct=$(printf '%s' "$choices" | sort -u | grep -c .)
[ "$distinct" -ge 2 ] && ok "KASLR: $distinct distinct placements in $(printf '%s' "$choices" | grep -c .) boots" ||
	not_ok "KASLR: every boot chose the same place: $choices"

# The 64-bit entry (load address + 0x200), through tests/loader64 (as in
# entry64.sh): from an unaligned load the stub runs the kernel at the next
# 2 MiB boundary; with KASLR, wherever it chose.
loader=build/loader64/loader64.bin
if [ -s "$loader" ]; then
	for load in 0x2345300 0x4000000; do
		name=entry64-$load
		[ $load = 0x2345300 ] && extra=nokaslr || extra=
		boot "$WORK/$name.log" "$loader" -i "$WORK/tk-lz4.img" -a "kdecomp.load=$load $base $extra" -t 60 \
			-x "$exit_device"
		verdict "$name" || continue
		if [ -n "$extra" ]; then
			expect_line "$name" "physical" "$(tk "$WORK/$name.log" physical)" 0x2400000
			expect_line "$name" "relocations" "$(tk "$WORK/$name.log" relocations)" "ok (delta 0x0)"
		else
			set -- $(chosen "$WORK/$name.log") none
			expect_line "$name" "virtual (as the stub chose)" "$(hexnorm "$(tk "$WORK/$name.log" virtual)")" \
				"$(hexnorm "$2")"
		fi
	done
else
	not_ok "no $loader: run make $loader"
fi

# The kernel's checks can fail: tables with a list left empty, under KASLR.
# relocs_without KIND OUT: the kernel's table with its 32-bit or inverse 32-bit list emptied:
#   [0][64-bit entries][0][inverse entries][0][32-bit entries]
relocs_without() {
	head_len=$((4 + 4 * n64 + 4))
	{
		head -c "$head_len" "$WORK/kernel.relocs"
		if [ "$1" = inverse ]; then
			tail -c $((4 + 4 * n32)) "$WORK/kernel.relocs"
		else
			# the inverse entries and the 32-bit list's terminator, which is then empty
			tail -c +$((head_len + 1)) "$WORK/kernel.relocs" | head -c $((4 * ninv + 4))
		fi
	} > "$2"
}
for kind in inverse 32-bit; do
	case $kind in
	inverse) want="relocation wrong: per-cpu offset minus a spot in the image (inverse 32-bit)" ;;
	32-bit) want="relocation wrong: 32S pointer" ;;
	esac
	relocs_without "$kind" "$WORK/no-$kind.relocs"
	$KDECOMP pack -q "$elf" --relocs "$WORK/no-$kind.relocs" -c lz4 -o "$WORK/no-$kind.img" ||
		{ not_ok "table without the $kind list: pack failed"; continue; }
	name=no-$kind
	run "$name" "$WORK/$name.img" 1G "$base"
	# a KASLR choice of the link-time virtual address needs no relocation at all: boot again
	[ "$(hexnorm "$(tk "$WORK/$name.log" virtual)")" = ffffffff81000000 ] && run "$name" "$WORK/$name.img" 1G "$base"
	if [ "$boot_status" = "$status_bad_relocs" ] && grep -a -q "^testkernel: $want" "$WORK/$name.log"; then
		ok "table without the $kind list: the kernel reports it (QEMU exit $boot_status)"
	else
		not_ok "table without the $kind list: QEMU exit $boot_status, expected $status_bad_relocs and '$want'"
		tr -d '\r' < "$WORK/$name.log" | grep -a testkernel | sed 's/^/    /'
	fi
done
summary
