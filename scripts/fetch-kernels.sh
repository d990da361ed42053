#!/bin/sh
# Fetch Debian's current x86-64 kernels into a cache outside the repo, once.
#
#   scripts/fetch-kernels.sh [generic|cloud|rt|dbg-cloud|deb-cloud ...]
#
# Prints nothing but errors; the kernels land in $KDECOMP_CACHE (default
# ~/.cache/kdecomp) as vmlinuz-<flavour> (and vmlinux-cloud-dbg for the
# unstripped cloud vmlinux, and linux-image-cloud.deb for deb-cloud: the
# signed cloud image package itself, which the kernel hook test installs).  The version is the one Debian's metapackage
# points at today, so both flavours come from the same build.
set -eu
cache=${KDECOMP_CACHE:-$HOME/.cache/kdecomp}
mkdir -p "$cache"
[ $# -gt 0 ] || set -- generic cloud

# The image package a metapackage (linux-image-amd64, linux-image-cloud-amd64) depends on.
image_package() {
	apt-cache depends "$1" 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9].*\)$/\1/p' | head -n 1
}

fetch() {	# fetch FLAVOUR METAPACKAGE SUFFIX FILE-GLOB OUTPUT
	out="$cache/$5"
	[ -s "$out" ] && return 0
	signed=$(image_package "$2")
	[ -n "$signed" ] || { apt-get update -qq >/dev/null 2>&1 || true; signed=$(image_package "$2"); }
	[ -n "$signed" ] || { echo "fetch-kernels: no package behind $2" >&2; exit 1; }
	pkg=$(printf '%s' "$signed" | sed "s/-unsigned\$//")$3
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
	(cd "$work" && apt-get download -qq "$pkg" >/dev/null) ||
		{ echo "fetch-kernels: apt-get download $pkg failed" >&2; exit 1; }
	dpkg-deb -x "$work"/*.deb "$work/root"
	src=$(find "$work/root" -path "$4" | head -n 1)
	[ -n "$src" ] || { echo "fetch-kernels: $4 not in $pkg" >&2; exit 1; }
	cp "$src" "$out.tmp" && mv "$out.tmp" "$out"
	printf '%s\n' "$pkg" > "$out.package"
	rm -rf "$work"
	trap - EXIT
}

fetch_deb() {	# fetch_deb METAPACKAGE OUTPUT: the image package it depends on, as it is
	out="$cache/$2"
	[ -s "$out" ] && return 0
	pkg=$(image_package "$1")
	[ -n "$pkg" ] || { apt-get update -qq >/dev/null 2>&1 || true; pkg=$(image_package "$1"); }
	[ -n "$pkg" ] || { echo "fetch-kernels: no package behind $1" >&2; exit 1; }
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
	(cd "$work" && apt-get download -qq "$pkg" >/dev/null) ||
		{ echo "fetch-kernels: apt-get download $pkg failed" >&2; exit 1; }
	cp "$work"/*.deb "$out.tmp" && mv "$out.tmp" "$out"
	printf '%s\n' "$pkg" > "$out.package"
	rm -rf "$work"
	trap - EXIT
}

for flavour; do
	case $flavour in
	generic)   fetch generic linux-image-amd64 -unsigned '*/boot/vmlinuz-*' vmlinuz-generic ;;
	cloud)     fetch cloud linux-image-cloud-amd64 -unsigned '*/boot/vmlinuz-*' vmlinuz-cloud ;;
	rt)        fetch rt linux-image-rt-amd64 -unsigned '*/boot/vmlinuz-*' vmlinuz-rt ;;
	dbg-cloud) fetch cloud linux-image-cloud-amd64 -dbg '*/vmlinux-*' vmlinux-cloud-dbg ;;
	deb-cloud) fetch_deb linux-image-cloud-amd64 linux-image-cloud.deb ;;
	*) echo "fetch-kernels: unknown flavour $flavour" >&2; exit 2 ;;
	esac
done
