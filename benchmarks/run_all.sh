#!/usr/bin/env bash
# Every benchmark, one after the other: about 50 minutes (QUICK=1: about 20, with
# shorter forms). Run on an otherwise idle machine. Each benchmark prints its own
# figures, baselines, ratios and PASS/FAIL lines; this script stops at the first one
# that crashes, not at a FAIL (a FAIL is a measurement, not a broken benchmark).
# Extra arguments go to bench_pages.py, e.g. `benchmarks/run_all.sh --postgres`.
set -euo pipefail
cd "$(dirname "$0")/.."
py="${PYTHON:-python}"
if [ "${QUICK:-0}" = 1 ]; then
    pages=(--rounds 1); shift_change=(--workers 100 --arrival-seconds 20 --think 2 6)
    stress=(--workers 200); scoring=(--quick); dashboard=(--quick); briefs=(--quick)
    walk=(--quick)
else
    pages=(); shift_change=(); stress=(); scoring=(); dashboard=(); briefs=(); walk=()
fi
echo "### bench_pages.py"
"$py" benchmarks/bench_pages.py "${pages[@]}" "$@"
echo; echo "### bench_walk.py"
"$py" benchmarks/bench_walk.py "${walk[@]}"
echo; echo "### bench_shift_change.py"
"$py" benchmarks/bench_shift_change.py "${shift_change[@]}"
echo; echo "### bench_shift_change.py --stress"
"$py" benchmarks/bench_shift_change.py --stress "${stress[@]}"
echo; echo "### bench_scoring.py"
"$py" benchmarks/bench_scoring.py "${scoring[@]}"
echo; echo "### bench_dashboard.py"
"$py" benchmarks/bench_dashboard.py "${dashboard[@]}"
echo; echo "### bench_briefs.py"
"$py" benchmarks/bench_briefs.py "${briefs[@]}"
