#!/bin/sh
# The kernel hook with a real Debian kernel package, in a scratch root with
# kdecomp's package installed (tests/pkg/lib.sh).  The kernel package is
# Debian's signed cloud image (scripts/fetch-kernels.sh deb-cloud); its
# files are unpacked into the root and /etc/kernel/postinst.d and
# postrm.d are run the way its own postinst and postrm run them (checked
# against those scripts first), with DPKG_ROOT naming the root.
#
#   - off (the default): the image stays as the package ships it;
#   - Secure Boot on (an efivars SecureBoot variable in the root) and the
#     image signed: left alone, and the hook says so;
#   - a format that does not exist: the original stays, and the hook says why;
#   - FORMAT=gzip with SIGNED=repack: /boot/vmlinuz-VERSION becomes a
#     kdecomp image in gzip that `simulate` boots, the original kept
#     byte-identical in /boot/kdecomp;
#   - FORMAT= then restore-all, and removing kdecomp's package: the
#     original is back, byte-identical, nothing kept;
#   - removing the kernel package: nothing of it or of the hook left in /boot.
#
#   tests/pkg/kernel-hook.sh DEB
set -eu
cd "$(dirname "$0")/../.."
. tests/pkg/lib.sh
deb=$1
kernel_deb=${KDECOMP_CACHE:-$HOME/.cache/kdecomp}/linux-image-cloud.deb
fail() { echo "FAIL kernel-hook: $*"; exit 1; }
[ -s "$kernel_deb" ] || fail "$kernel_deb is missing: scripts/fetch-kernels.sh deb-cloud (make kernels) fetches it"

pkg_root "$deb"
version=$(dpkg-deb -c "$kernel_deb" | sed -n 's|.* \./boot/vmlinuz-||p')
image=/boot/vmlinuz-$version
kept=/boot/kdecomp/vmlinuz-$version
shipped=$root.shipped
trap 'rm -rf "$root" "$root.log" "$root.ctl" "$shipped"' EXIT
dpkg-deb --fsys-tarfile "$kernel_deb" | tar -xOf - ".$image" >"$shipped"

# The kernel package's scripts call the hooks as run_hooks does.
dpkg-deb -e "$kernel_deb" "$root.ctl"
for script in postinst postrm; do
	grep -q "run-parts --report --exit-on-error --arg=\$version" "$root.ctl/$script" &&
	grep -q -- "--arg=\$image_path /etc/kernel/$script.d" "$root.ctl/$script" ||
		fail "the kernel's $script no longer runs /etc/kernel/$script.d as this test does"
done
grep -q '^image_path=/boot/vmlinuz-\$version$' "$root.ctl/postinst" || fail "the kernel's image is not $image"

# run_hooks postinst|postrm MAINT-PARAMS: as the kernel's maintainer script does
run_hooks() {
	DEB_MAINT_PARAMS=$2 DPKG_ROOT=$root PATH=$root/usr/sbin:$root/usr/bin:$PATH \
		run-parts --report --exit-on-error --arg="$version" --arg="$image" "$root/etc/kernel/$1.d" \
		>"$root.log" 2>&1 || { cat "$root.log"; fail "run-parts $1.d failed"; }
}
install_kernel() {
	dpkg-deb -x "$kernel_deb" "$root"
	run_hooks postinst configure
}
remove_kernel() {	# as dpkg --remove: the package's files go, then its postrm runs
	dpkg-deb -c "$kernel_deb" | awk '$1 ~ /^l/ { print $(NF - 2); next } $1 !~ /^d/ { print $NF }' |
		(cd "$root" && xargs rm -f)
	run_hooks postrm remove
}
configure() {	# configure FORMAT SIGNED
	sed -i -e "s/^FORMAT=.*/FORMAT=$1/" -e "s/^SIGNED=.*/SIGNED=$2/" "$root/etc/default/kdecomp"
}
secure_boot() {	# secure_boot 0|1: the variable as efivarfs shows it, 4 attribute bytes then the value
	mkdir -p "$root/sys/firmware/efi/efivars"
	printf "\\006\\000\\000\\000\\00$1" >"$root/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c"
}
said() { grep -q -- "$1" "$root.log" || { cat "$root.log"; fail "the hook did not say '$1'"; }; }
is_original() { cmp -s "$root$image" "$shipped" || fail "$1: $image is not the package's"; }
nothing_kept() { [ ! -e "$root/boot/kdecomp" ] || fail "$1: /boot/kdecomp is still there"; }
is_repacked() {
	kdecomp=$root/usr/bin/kdecomp
	[ "$("$kdecomp" inspect --json "$root$image" | sed -n 's/^  "compression": "\(.*\)",$/\1/p')" = "$1" ] ||
		fail "$image is not in $1"
	"$kdecomp" simulate --json "$root$image" | grep -q '"result": "booted"' ||
		fail "$image is not a kdecomp image that boots in simulate"
	cmp -s "$root$kept" "$shipped" || fail "$kept is not the package's image"
}

install_kernel
is_original "hook off"
nothing_kept "hook off"

configure gzip ""
secure_boot 1
run_hooks postinst configure
said "signed and Secure Boot is on"
is_original "signed under Secure Boot"

configure brotli ""
secure_boot 0
run_hooks postinst configure
said "could not repack $image in brotli"
said "unknown format 'brotli'"
is_original "failed repack"
nothing_kept "failed repack"

configure gzip repack
secure_boot 1
run_hooks postinst configure
said "repacked $image in gzip"
is_repacked gzip

configure "" repack
DPKG_ROOT=$root "$root/usr/sbin/kdecomp-kernel-hook" restore-all 2>"$root.log"
said "restored the original $image"
is_original "disabled and restored"
nothing_kept "disabled and restored"

configure gzip repack
run_hooks postinst configure
is_repacked gzip
dpkg_root --remove kdecomp >"$root.log" 2>&1 || { cat "$root.log"; fail "dpkg --remove kdecomp"; }
is_original "kdecomp removed"
nothing_kept "kdecomp removed"

dpkg_root --install "$deb" >"$root.log" 2>&1 || { cat "$root.log"; fail "dpkg --install $deb again"; }
run_hooks postinst configure	# the conffile kept FORMAT=gzip
is_repacked gzip
remove_kernel
[ -z "$(ls -A "$root/boot")" ] || fail "left in /boot after the kernel's removal: $(ls -A "$root/boot")"
echo "kernel-hook: off, Secure Boot, failure, repack, restore and removal as expected"
