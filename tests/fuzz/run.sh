#!/bin/bash
# run.sh — runs one fuzz target (tests/fuzz/build.mk), either engine, one way.
#
#   run.sh check FUZZER SEEDS WORK MAX_LEN SEED RUNS
#       `make check-unit`: RUNS inputs from the seed corpus SEEDS alone (a
#       fresh, empty WORK/NAME-check for new inputs), generator seed SEED, so
#       a failure repeats; prints the seed first, the wall time last, and on a
#       failure the log's tail and the command that reproduces it.
#   run.sh long FUZZER SEEDS WORK MAX_LEN SECONDS [SEED]
#       `make fuzz-NAME`: SECONDS of fuzzing from SEEDS and WORK/NAME-corpus,
#       which keeps the new inputs between runs; generator seed SEED (default:
#       a random one), printed first. The corpus grows between runs, so the
#       same seed repeats a run only from the same corpus.
# Crash inputs land in WORK/ (libFuzzer: crash-*, the driver: crash-standalone-*).
set -u
if [ $# -lt 6 ]; then
	echo "usage: run.sh check FUZZER SEEDS WORK MAX_LEN SEED RUNS | long FUZZER SEEDS WORK MAX_LEN SECONDS [SEED]" >&2
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
	# Both engines end a complete run with "Done RUNS runs in S second(s)";
	# anything else (fewer inputs, no summary) is a failure too.
	if ! done=$(grep -m1 "^Done $runs runs in " "$log"); then
		tail -40 "$log"
		echo "fuzz_$name: FAILED: no \"Done $runs runs\" line after $(wall) (log: $log)"
		exit 1
	fi
	echo "fuzz_$name: $done, no crash; wall $(wall)"
	;;
long)
	secs=$6
	# A seed of its own each run (or SEED from the command line), printed
	# first, so a run that found something can be repeated.
	seed=${7:-$(( $(od -An -N4 -tu4 /dev/urandom) % 4294967295 + 1 ))}
	mkdir -p "$work/$name-corpus" || exit 1
	cmd=("$fuzzer" -seed="$seed" -max_total_time="$secs" -print_final_stats=1 "${opts[@]}"
		"$work/$name-corpus" "$seeds")
	echo "fuzz_$name: seed $seed, $secs seconds"
	"${cmd[@]}"
	rc=$?
	echo "fuzz_$name: exit $rc; wall $(wall)"
	[ $rc -eq 0 ] || echo "fuzz_$name: repeat with: ${cmd[*]}"
	exit $rc
	;;
*)
	echo "run.sh: unknown mode '$mode' (check or long)" >&2
	exit 2
	;;
esac
