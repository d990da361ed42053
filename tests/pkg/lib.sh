# Shared by tests/pkg/*.sh: a scratch root with kdecomp's package installed.
#
#   pkg_root DEB      makes $root (removed at exit) with its own dpkg
#                     database and installs DEB into it
#   dpkg_root ARGS    dpkg on $root: maintainer scripts run chrootless with
#                     DPKG_ROOT=$root (ours honour it), and dependencies
#                     are taken as met (the host's libraries run the binary)

dpkg_root() { dpkg --root="$root" --force-script-chrootless --force-depends "$@"; }

pkg_root() {
	root=$(mktemp -d /tmp/kdecomp-pkg.XXXXXX)
	trap 'rm -rf "$root" "$root.log"' EXIT
	mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates"
	touch "$root/var/lib/dpkg/status"
	dpkg_root --install "$1" >"$root.log" 2>&1 || { cat "$root.log"; echo "FAIL: dpkg --install $1"; exit 1; }
}
