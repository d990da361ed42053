#!/bin/sh
# Build small x86-64 kernels from Debian's linux-source-6.1 in non-default
# configurations, once, into a cache outside the repo.
#
#   scripts/build-kernels.sh [VARIANT ...]     (default: every tests/configs/*.config but base)
#
# A variant's config is `make tinyconfig`, then tests/configs/base.config,
# then tests/configs/VARIANT.config, merged by the kernel's own
# scripts/kconfig/merge_config.sh and settled by `make olddefconfig`.  Every
# line the fragments ask for is then checked in the final .config: Kconfig
# silently drops a value whose dependencies are unmet, and a test of a
# config that did not happen would prove nothing.
#
# Output, per variant, in $KDECOMP_CACHE/configs/VARIANT-HASH/ (HASH covers
# both fragments and the source package's version, so an edit rebuilds and
# a rerun is instant):
#   bzImage          the kernel's own image (the reference for where it runs)
#   vmlinux          the ELF it was made from
#   vmlinux.relocs   the relocation table appended to the payload, if any
#   config           the final .config
#   build-seconds    how long the build took on this machine
# The last line printed for each variant is "VARIANT DIR".
#
# All variants build in one object tree, one after the other (a lock keeps
# two runs apart; a cached variant needs no lock): the kernel's own build then recompiles only what depends
# on the options that changed, a few minutes instead of a whole kernel.
# KDECOMP_JOBS (default: the CPU count) and KDECOMP_NICE (default 10) set
# how hard the build presses on a shared machine.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
fragments=$here/tests/configs
cache=${KDECOMP_CACHE:-$HOME/.cache/kdecomp}/configs
tarball=/usr/src/linux-source-6.1.tar.xz
jobs=${KDECOMP_JOBS:-$(nproc)}
niceness=${KDECOMP_NICE:-10}

[ -r "$tarball" ] || { echo "build-kernels: $tarball missing (apt-get install linux-source-6.1)" >&2; exit 1; }
version=$(dpkg-query -W -f '${Version}' linux-source-6.1)
mkdir -p "$cache"

# The source tree, unpacked once per package version (atomically: a
# half-unpacked tree must never look finished).
source_tree() {
	src=$cache/src-$version
	if [ ! -d "$src" ]; then
		tmp=$(mktemp -d "$cache/src.tmp.XXXXXX")
		tar -C "$tmp" -xJf "$tarball"
		mv "$tmp/linux-source-6.1" "$src"
		rmdir "$tmp"
	fi
	echo "$src"
}

# check_config FRAGMENT CONFIG: every CONFIG_X=V line of FRAGMENT holds in CONFIG.
check_config() {
	grep '^CONFIG_' "$1" | while IFS='=' read -r name value; do
		if [ "$value" = n ]; then
			! grep -q "^$name=" "$2" || { echo "build-kernels: $name=n did not hold" >&2; exit 1; }
		else
			got=$(sed -n "s/^$name=//p" "$2")
			[ "$got" = "$value" ] || { echo "build-kernels: $name=$value came out as '${got:-unset}'" >&2; exit 1; }
		fi
	done
}

build() {	# build VARIANT
	variant=$1
	frag=$fragments/$variant.config
	[ -r "$frag" ] || { echo "build-kernels: no fragment $frag" >&2; exit 2; }
	hash=$( (cat "$fragments/base.config" "$frag"; echo "$version") | sha256sum | cut -c1-12)
	out=$cache/$variant-$hash
	[ -s "$out/bzImage" ] || (flock 9 && build_into "$variant" "$frag" "$out") 9> "$cache/lock"
	echo "$variant $out"
}

# build_into VARIANT FRAGMENT OUT: configure and build in the shared tree, copy the results to OUT.
build_into() {
	variant=$1 frag=$2 out=$3
	if [ ! -s "$out/bzImage" ]; then	# another run may have built it while we waited
		src=$(source_tree)
		obj=$cache/obj
		rm -rf "$out.tmp"
		mkdir -p "$obj" "$out.tmp"
		start=$(date +%s)
		mk() { nice -n "$niceness" make -s -C "$src" O="$obj" ARCH=x86_64 "$@"; }
		mk tinyconfig >/dev/null
		(cd "$src" && ARCH=x86_64 scripts/kconfig/merge_config.sh -m -O "$obj" \
			"$obj/.config" "$fragments/base.config" "$frag") >/dev/null
		mk olddefconfig >/dev/null
		# the variant's lines win over the base's, so check them last-wins
		check_config "$frag" "$obj/.config"
		grep '^CONFIG_' "$fragments/base.config" | while IFS='=' read -r name _; do
			grep -q "^$name=" "$frag" || grep "^$name=" "$fragments/base.config"
		done > "$out.tmp/base-only"
		check_config "$out.tmp/base-only" "$obj/.config"
		rm "$out.tmp/base-only"
		relocs=$obj/arch/x86/boot/compressed/vmlinux.relocs
		rm -f "$relocs"		# the previous variant's: this one may have none
		mk -j"$jobs" bzImage > "$out.tmp/build.log" 2>&1 ||
			{ tail -n 30 "$out.tmp/build.log" >&2; echo "build-kernels: $variant failed" >&2; exit 1; }
		echo $(( $(date +%s) - start )) > "$out.tmp/build-seconds"
		cp "$obj/arch/x86/boot/bzImage" "$obj/vmlinux" "$obj/.config" "$out.tmp/"
		mv "$out.tmp/.config" "$out.tmp/config"
		[ ! -e "$relocs" ] || cp "$relocs" "$out.tmp/"
		rm -rf "$out" && mv "$out.tmp" "$out"
	fi
}

if [ $# -eq 0 ]; then
	for f in "$fragments"/*.config; do
		name=$(basename "$f" .config)
		[ "$name" = base ] || set -- "$@" "$name"
	done
fi
for variant; do
	build "$variant"
done
