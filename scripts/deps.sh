#!/bin/sh
# Install the Debian packages that building, testing, benchmarking, fuzzing
# and booting need.  Run as root (CI is root); does nothing if all are there.
set -eu
pkgs="build-essential clang libclang-rt-14-dev binutils
  liblz4-dev lz4 zlib1g-dev libdeflate-dev libdeflate-tools liblzma-dev xz-utils libbz2-dev bzip2
  liblzo2-dev lzop libzstd-dev zstd
  qemu-system-x86 busybox-static cpio grub-pc-bin grub-common xorriso mtools
  gdb procps jq time llvm
  linux-source-6.1 bc flex bison libelf-dev libssl-dev
  ovmf sbsigntool openssl systemd-boot-efi grub-efi-amd64-bin dosfstools
  dpkg-dev debhelper lintian man-db
  ca-certificates"
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
