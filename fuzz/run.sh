#!/bin/sh
# One fuzz campaign: fuzz/run.sh NAME SECONDS [libFuzzer options...]
#
# Runs build/fuzz/NAME (make builds it) for SECONDS on its seeds
# (fuzz/corpus/NAME, only read) and its working corpus
# (build/fuzz/corpus-NAME, where new inputs go), with its dictionary if it
# has one, then prints one summary line for fuzz/README.md's table:
#   NAME cpu=SECONDS execs=N cov=EDGES ft=FEATURES corpus=FILES crashes=N
# The full log is build/fuzz/log-NAME; crashing inputs go to build/fuzz/.
# Exits non-zero when the target crashed.
set -u
cd "$(dirname "$0")/.."
name=$1
secs=$2
shift 2
bin=build/fuzz/$name
log=build/fuzz/log-$name
work=build/fuzz/corpus-$name
mkdir -p "$work" "fuzz/corpus/$name"
dict=
[ -f "fuzz/dict/$name.dict" ] && dict=-dict=fuzz/dict/$name.dict
/usr/bin/time -f 'cpu_seconds: %U %S' -o "$log.time" \
	"$bin" -max_total_time="$secs" -max_len=65536 -print_final_stats=1 -artifact_prefix=build/fuzz/ \
	$dict "$@" "$work" "fuzz/corpus/$name" > "$log" 2>&1
status=$?
cpu=$(awk '/^cpu_seconds:/ { printf "%d", $2 + $3 }' "$log.time")
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
last=$(grep -a -E '^#[0-9]+.*cov: ' "$log" | tail -n 1)
cov=$(echo "$last" | grep -o 'cov: [0-9]*' | tr -cd '0-9')
ft=$(echo "$last" | grep -o 'ft: [0-9]*' | tr -cd '0-9')
crashes=$(grep -a -c '^SUMMARY: ' "$log")
echo "$name cpu=${cpu:-?} execs=${execs:-?} cov=${cov:-?} ft=${ft:-?} corpus=$(ls "$work" | wc -l) crashes=$crashes"
exit $status
