#!/bin/sh
# The package as a user gets it: build/deb/kdecomp_*.deb (from `make deb`)
# installed with dpkg into a scratch root with its own dpkg database (its
# maintainer scripts run chrootless with DPKG_ROOT, which ours honour), then
#   - the installed kdecomp says the changelog's version and a commit, and
#     packs the test kernel into an image that `simulate` boots;
#   - the man page renders, the completion and the hook are where bash and
#     the kernel packages look for them;
#   - Depends names the package of every shared library the binary links;
#   - dpkg --purge leaves nothing of it behind.
#
#   tests/pkg/install.sh DEB
set -eu
cd "$(dirname "$0")/../.."
. tests/pkg/lib.sh
deb=$1
fail() { echo "FAIL install: $*"; exit 1; }
pkg_root "$deb"

kd=$root/usr/bin/kdecomp
version=$(sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' debian/changelog)
"$kd" --version | head -n 1 | grep -qx "kdecomp $version" || fail "--version: $("$kd" --version)"
"$kd" --version | sed -n 2p | grep -q '^commit ' || fail "--version has no commit line"
"$kd" pack -q build/tests/kernel.elf -c lz4 -o "$root/image" || fail "the installed kdecomp cannot pack"
"$kd" simulate "$root/image" >/dev/null || fail "the image the installed kdecomp packed does not boot in simulate"

for f in usr/share/man/man1/kdecomp.1.gz usr/share/man/man8/kdecomp-kernel-hook.8.gz \
	 usr/share/bash-completion/completions/kdecomp \
	 usr/sbin/kdecomp-kernel-hook etc/kernel/postinst.d/kdecomp etc/kernel/postrm.d/kdecomp \
	 etc/default/kdecomp; do
	[ -f "$root/$f" ] || fail "/$f is not installed"
done
MANWIDTH=80 man -l "$root/usr/share/man/man1/kdecomp.1.gz" 2>/dev/null | grep -q '^SYNOPSIS' ||
	fail "man cannot render the installed kdecomp.1"

depends=$(dpkg-deb -f "$deb" Depends)
for lib in $(objdump -p "$kd" | sed -n 's/^ *NEEDED *//p'); do
	pkg=$(dpkg -S "*/$lib" 2>/dev/null | sed -n '1s/:.*//p')
	case ", $depends" in *", $pkg"*) ;; *) fail "Depends ($depends) lacks $pkg, which has $lib" ;; esac
done

dpkg_root --purge kdecomp >/dev/null 2>"$root.log" || { cat "$root.log"; fail "dpkg --purge kdecomp"; }
left=$(find "$root" -path "$root/var" -prune -o -path "$root/image" -prune -o ! -type d -print)
[ -z "$left" ] || fail "left behind after purge: $left"
echo "install: the package installs, runs, packs and purges cleanly"
