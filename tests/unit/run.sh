#!/bin/bash
# run.sh TEST... — `make check-unit`: runs every unit test (cmocka binaries and
# script wrappers, build/tests/*), each with its wall time, then the summary
# line with the suite's wall time. Runs them all even when one fails; exits 1
# when any failed (naming them), 0 when all passed.
set -u
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
t0=$(date +%s%N)
failed=()
for t in "$@"; do
	echo "== $t"
	t1=$(date +%s%N)
	"$t"
	rc=$?
	if [ $rc -eq 0 ]; then
		echo "== $(basename "$t"): passed, wall $(ms "$t1") ms"
	else
		echo "== $(basename "$t"): FAILED (exit $rc), wall $(ms "$t1") ms"
		failed+=("$(basename "$t")")
	fi
done
if [ ${#failed[@]} -ne 0 ]; then
	echo "unit tests: ${#failed[@]} of $# FAILED (${failed[*]}); wall $(ms "$t0") ms"
	exit 1
fi
echo "unit tests: all $# passed; wall $(ms "$t0") ms"
