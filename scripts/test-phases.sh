#!/usr/bin/env bash
# `make test`: lint, typecheck, then every test on all cores (pytest-xdist), each phase timed.
# Every phase runs even after one fails, so one run shows every problem; the exit status is 1
# when any failed, and the last line then says where the failing tests left their evidence.
# TEST_WORKERS (default: auto, one per core) sets the number of pytest workers.
set -u
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
WORKERS=${TEST_WORKERS:-auto}
RESULTS=test-results
summary=()
failed=()

phase() {
  local name=$1
  shift
  local start end
  start=$(date +%s.%N)
  "$@"
  local status=$?
  end=$(date +%s.%N)
  local took
  took=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
  summary+=("$(printf '  %-10s %6s s  %s' "$name" "$took" "$([ $status -eq 0 ] && echo ok || echo FAILED)")")
  [ $status -eq 0 ] || failed+=("$name")
}

run_tests() {
  # The split by folder is pytest's own line ("Wall time by folder: …"), kept for the summary.
  "$VENV/bin/python" -m pytest -q -n "$WORKERS" --dist worksteal "$@" | tee "$log"
  return "${PIPESTATUS[0]}"
}

log=$(mktemp)
trap 'rm -f "$log"' EXIT
phase lint make --no-print-directory lint
phase typecheck make --no-print-directory typecheck
phase tests run_tests "$@"

echo
echo "make test, wall time by phase:"
printf '%s\n' "${summary[@]}"
split=$(grep -o 'Wall time by folder: .*' "$log" | sed 's/Wall time by folder: //')
[ -n "$split" ] && echo "  tests by folder (overlapping): $split"
if [ ${#failed[@]} -eq 0 ]; then
  exit 0
fi
echo "make test: failed: ${failed[*]}"
evidence=$(grep -o 'Evidence of the failure: .*' "$log" | tail -1)
if [ -n "$evidence" ]; then
  echo "$evidence"
else
  echo "No failing test left evidence; see the output of the failed phase above (junit: $RESULTS/junit.xml)."
fi
exit 1
