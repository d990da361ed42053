#!/bin/bash
# The bash completion (scripts/completion/kdecomp), driven as bash drives it:
# COMP_WORDS and COMP_CWORD set, _kdecomp called, COMPREPLY checked against
# the candidates it must offer for commands, options, format names, option
# arguments that take nothing, and file names.
#
#   tests/pkg/completion.sh [KDECOMP]     (default build/kdecomp)
set -u
cd "$(dirname "$0")/../.."
kd=${1:-build/kdecomp}
script=scripts/completion/kdecomp
failed=0

# expect "WANTED CANDIDATES" WORD...: the words typed so far, the last being completed
expect() {
	local want=$1 got
	shift
	got=$(bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _kdecomp;
		printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' - "$script" "$kd" "$@")
	want=$(printf '%s\n' $want | sort | tr '\n' ' ')
	if [ "$got" != "$want" ]; then
		echo "FAIL completing 'kdecomp $*': got '$got', want '$want'"
		failed=1
	fi
}

[ -x "$kd" ] || { echo "FAIL: $kd is missing"; exit 1; }
expect "inspect decompress extract relocs symbols simulate pack formats help --help --version" ""
expect "pack" p
expect "symbols simulate" help s
expect "gzip bzip2 lzma xz lzo lz4 zstd" pack -c ""
expect "lzma lzo lz4" pack -c l
expect "gzip bzip2 lzma xz lzo lz4 zstd" decompress -F ""
expect "--relocs --level --help" pack --
expect "--mem" simulate --me
expect "--read-mbps" formats --r
expect "" pack --level ""
expect "" simulate --seed 1
expect "docs/kdecomp.1" inspect docs/kdecomp.
expect "docs/kdecomp.1" pack -o docs/kdecomp.
expect "Makefile" formats Makef
[ $failed = 0 ] && echo "completion: all candidates as expected"
exit $failed
