#!/bin/bash
# run.sh — runs one fuzz target (tests/fuzz/build.mk), either engine, one way.
#
#   run.sh check FUZZER SEEDS WORK MAX_LEN SEED RUNS
#       `make check-unit`: RUNS inputs from the seed corpus SEEDS alone (a
#       fresh, empty WORK/NAME-check for new inputs), generator seed SEED, so
#       a failure repeats; prints the seed first, the wall time last, and on a
#       failure the log's tail and the command that reproduces it.
#   run.sh long FUZZER SEEDS WORK MAX_LEN SECONDS
#       `make fuzz-NAME`: SECONDS of fuzzing from SEEDS and WORK/NAME-corpus,
#       which keeps the new inputs between runs.
# Crash inputs land in WORK/ (libFuzzer: crash-*, the driver: crash-standalone-*).
set -u
if [ $# -lt 6 ]; then
	echo "usage: run.sh check FUZZER SEEDS WORK MAX_LEN SEED RUNS | long FUZZER SEEDS WORK MAX_LEN SECONDS" >&2
	exit 2
fi
mode=$1 fuzzer=$2 seeds=$3 work=$4 max_len=$5
name=$(basename "$fuzzer")
name=${name#fuzz_}
opts=(-max_len="$max_len" -timeout=20 -rss_limit_mb=2048 -artifact_prefix="$work/")
t0=$(date +%s%N)
wall() { echo "$(( ($(date +%s%N) - t0) / 1000000 )) ms"; }

case $mode in
check)
	seed=$6 runs=$7
	corpus=$work/$name-check
	log=$work/$name-check.log
	rm -rf "$corpus" && mkdir -p "$corpus" || exit 1
	cmd=("$fuzzer" -seed="$seed" -runs="$runs" "${opts[@]}" "$corpus" "$seeds")
	echo "fuzz_$name: seed $seed, $runs runs"
	if ! "${cmd[@]}" >"$log" 2>&1; then
		tail -40 "$log"
		echo "fuzz_$name: FAILED after $(wall) (log: $log); reproduce with:"
		echo "  rm -rf $corpus && mkdir $corpus && ${cmd[*]}"
		exit 1
	fi
	echo "fuzz_$name: $(grep -m1 '^Done' "$log" || echo 'done'), no crash; wall $(wall)"
	;;
long)
	secs=$6
	mkdir -p "$work/$name-corpus" || exit 1
	"$fuzzer" -max_total_time="$secs" -print_final_stats=1 "${opts[@]}" "$work/$name-corpus" "$seeds"
	rc=$?
	echo "fuzz_$name: exit $rc; wall $(wall)"
	exit $rc
	;;
*)
	echo "run.sh: unknown mode '$mode' (check or long)" >&2
	exit 2
	;;
esac
