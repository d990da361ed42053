#!/bin/sh
# Fetch Debian's x86-64 kernels into a cache outside the repo, once.
#
#   scripts/fetch-kernels.sh [[SUITE:]FLAVOUR ...]
#
# FLAVOUR is generic, cloud, rt (the linux-image-*-unsigned packages, or
# linux-binary-* where a suite has no -unsigned one, as unstable) or
# dbg-cloud (the cloud kernel's unstripped vmlinux, from its -dbg package),
# or deb-cloud (bookworm's signed cloud image package itself, as
# linux-image-cloud.deb: the kernel hook test installs it).
# SUITE is bookworm (the default: the machine's own apt sources), or
# bullseye (5.10), trixie (6.12) or unstable, fetched through a private apt
# state under the cache that never touches the machine's: its own sources
# list, package lists, archive cache and an empty dpkg status, on the
# mirror the machine's own sources name (read at run time).
#
# Prints nothing but errors.  The kernels land in $KDECOMP_CACHE (default
# ~/.cache/kdecomp): bookworm's as vmlinuz-FLAVOUR and vmlinux-cloud-dbg,
# another suite's as vmlinuz-SUITE-FLAVOUR and vmlinux-SUITE-cloud-dbg,
# each with a .package file naming the package it came from.  The version
# is the one the suite's metapackage points at, so a suite's flavours and
# its -dbg vmlinux come from the same build.  Of a -dbg package (hundreds
# of MB) only the vmlinux is kept.
set -eu
cache=${KDECOMP_CACHE:-$HOME/.cache/kdecomp}
mkdir -p "$cache"
[ $# -gt 0 ] || set -- generic cloud
apt_opts=	# the private apt state's options; empty for the machine's own

# The Debian mirror the machine's apt sources use (deb822 or one-line format).
machine_mirror() {
	{
		sed -n 's|^URIs: *\([^ ]*/debian\)/* *$|\1|p' /etc/apt/sources.list.d/*.sources 2>/dev/null
		cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
			sed -n 's|^deb \(\[[^]]*\] \)\{0,1\}\([^ ]*/debian\)/* .*|\2|p'
	} | head -n 1
}

# Set apt_opts to a private apt state for SUITE under the cache, updated at most once a day.
private_apt() {
	dir=$cache/apt/$1
	mirror=$(machine_mirror)
	[ -n "$mirror" ] || { echo "fetch-kernels: no Debian mirror in the machine's apt sources" >&2; exit 1; }
	mkdir -p "$dir/lists/partial" "$dir/archives/partial" "$dir/parts" "$dir/prefs"
	[ -e "$dir/status" ] || : > "$dir/status"
	printf 'deb [arch=amd64] %s %s main\n' "$mirror" "$1" > "$dir/sources.list"
	apt_opts="-o Dir::Etc::SourceList=$dir/sources.list -o Dir::Etc::SourceParts=$dir/parts
		-o Dir::Etc::Preferences=$dir/prefs/none -o Dir::Etc::PreferencesParts=$dir/prefs
		-o Dir::State=$dir -o Dir::State::Lists=$dir/lists -o Dir::State::status=$dir/status
		-o Dir::Cache=$dir -o Dir::Cache::Archives=$dir/archives -o APT::Architecture=amd64"
	if [ -z "$(find "$dir/lists" -name '*_Packages' -mtime -1 2>/dev/null)" ]; then
		# shellcheck disable=SC2086
		apt-get $apt_opts update -qq >/dev/null 2>&1 ||
			{ echo "fetch-kernels: apt-get update of $1 from $mirror failed" >&2; exit 1; }
	fi
}

# The image package a metapackage (linux-image-amd64, linux-image-cloud-amd64) depends on.
image_package() {
	# shellcheck disable=SC2086
	apt-cache $apt_opts depends "$1" 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9].*\)$/\1/p' | head -n 1
}

# The first of the packages named that the suite has: the -unsigned image
# package up to trixie; from unstable's 7.x on the image is in linux-binary-*.
image_holder() {
	for p; do
		# shellcheck disable=SC2086
		apt-cache $apt_opts show "$p" >/dev/null 2>&1 && { echo "$p"; return 0; }
	done
	echo "$1"
}

fetch() {	# fetch SUITE METAPACKAGE SUFFIX FILE-NAME OUTPUT
	out="$cache/$5"
	[ -s "$out" ] && return 0
	apt_opts=
	case $1 in
	bookworm) ;;
	*) private_apt "$1" ;;
	esac
	signed=$(image_package "$2")
	[ -n "$signed" ] || [ -n "$apt_opts" ] || { apt-get update -qq >/dev/null 2>&1 || true; signed=$(image_package "$2"); }
	[ -n "$signed" ] || { echo "fetch-kernels: no package behind $2 in $1" >&2; exit 1; }
	case $3 in
	-unsigned) pkg=$(image_holder "$signed$3" "linux-binary-${signed#linux-image-}") ;;
	*) pkg=$signed$3 ;;
	esac
	work=$(mktemp -d "$cache/fetch.XXXXXX")
	trap 'rm -rf "$work"' EXIT
	# the cache is root's (mode 700 under ~): apt's download user could not write there
	# shellcheck disable=SC2086
	(cd "$work" && apt-get $apt_opts -o APT::Sandbox::User="$(id -un)" download -qq "$pkg" >/dev/null) ||
		{ echo "fetch-kernels: apt-get download $pkg ($1) failed" >&2; exit 1; }
	deb=$(ls "$work"/*.deb)
	# everything but the modules (most of a -dbg package): the kernel's place differs by suite
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work" --wildcards --exclude='*.ko' --exclude='*.ko.*'
	rm -f "$deb"
	src=$(find "$work" -type f \( -name "$4" -o -name "$4-*" \) | head -n 1)
	[ -n "$src" ] || { echo "fetch-kernels: no $4 in $pkg" >&2; exit 1; }
	mv "$src" "$out.tmp" && mv "$out.tmp" "$out"
	printf '%s\n' "$pkg" > "$out.package"
	rm -rf "$work"
	trap - EXIT
}

fetch_deb() {	# fetch_deb METAPACKAGE OUTPUT: bookworm's image package behind it, as it is
	out="$cache/$2"
	[ -s "$out" ] && return 0
	apt_opts=
	pkg=$(image_package "$1")
	[ -n "$pkg" ] || { apt-get update -qq >/dev/null 2>&1 || true; pkg=$(image_package "$1"); }
	[ -n "$pkg" ] || { echo "fetch-kernels: no package behind $1" >&2; exit 1; }
	work=$(mktemp -d "$cache/fetch.XXXXXX")
	trap 'rm -rf "$work"' EXIT
	(cd "$work" && apt-get -o APT::Sandbox::User="$(id -un)" download -qq "$pkg" >/dev/null) ||
		{ echo "fetch-kernels: apt-get download $pkg failed" >&2; exit 1; }
	mv "$work"/*.deb "$out.tmp" && mv "$out.tmp" "$out"
	printf '%s\n' "$pkg" > "$out.package"
	rm -rf "$work"
	trap - EXIT
}

for arg; do
	case $arg in
	*:*) suite=${arg%%:*} flavour=${arg#*:} prefix=${arg%%:*}- ;;
	*) suite=bookworm flavour=$arg prefix= ;;
	esac
	case $suite in
	bookworm) prefix= ;;
	bullseye|trixie|unstable) ;;
	*) echo "fetch-kernels: unknown suite $suite (bookworm, bullseye, trixie, unstable)" >&2; exit 2 ;;
	esac
	case $flavour in
	generic)   fetch "$suite" linux-image-amd64 -unsigned vmlinuz "vmlinuz-${prefix}generic" ;;
	cloud)     fetch "$suite" linux-image-cloud-amd64 -unsigned vmlinuz "vmlinuz-${prefix}cloud" ;;
	rt)        fetch "$suite" linux-image-rt-amd64 -unsigned vmlinuz "vmlinuz-${prefix}rt" ;;
	dbg-cloud) fetch "$suite" linux-image-cloud-amd64 -dbg vmlinux "vmlinux-${prefix}cloud-dbg" ;;
	deb-cloud) fetch_deb linux-image-cloud-amd64 linux-image-cloud.deb ;;
	*) echo "fetch-kernels: unknown flavour $flavour" >&2; exit 2 ;;
	esac
done
