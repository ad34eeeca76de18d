#!/usr/bin/env bash
# Long fuzz campaign: every property/fuzz test file with a large example budget.
#   bench/fuzz.sh            # 5000 examples a property
#   bench/fuzz.sh 20000      # or any budget; extra args go to pytest (e.g. -x, -k policy)
# CI runs the same files with the small default budget (MLPOSTURE_FUZZ_EXAMPLES unset).
set -euo pipefail
cd "$(dirname "$0")/.."
budget="${1:-5000}"
[[ $# -gt 0 ]] && shift
py=".venv/bin/python"
[[ -x "$py" ]] || py="python3"
files=(tests/test_fuzz_*.py)
echo "fuzz: ${#files[@]} files, MLPOSTURE_FUZZ_EXAMPLES=$budget"
start=$(date +%s)
status=0
MLPOSTURE_FUZZ_EXAMPLES="$budget" "$py" -m pytest -q -p no:cacheprovider "${files[@]}" "$@" || status=$?
end=$(date +%s)
echo "fuzz: $((end - start)) s with $budget examples a property (exit $status)"
exit "$status"
