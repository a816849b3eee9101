#!/usr/bin/env bash
# Simulated cost per answer of the scoring bench's measured rounds, from callgrind
# with cache and branch simulation. Run from the repository root:
#
#     bash benches/cost.sh
#
# It prints, per answer, the instructions (Ir), L1 instruction-cache misses, L1
# data-cache misses, mispredicted branches, and an estimate in cycles:
#
#     est = 0.25 × Ir + 12 × (L1 misses) + 16 × (mispredicted branches)
#
# The weights are a rough model of an out-of-order x86 core, not measured ones. On
# the 2.6 GHz VM where the scorer was tuned, the estimate matched the bench's
# wall time within about 10%, while the instruction count alone did not. Unlike wall
# time, it does not depend on what else runs on the machine. Needs valgrind and
# python3.
set -euo pipefail

bench=$(cargo bench --bench scoring --no-run 2>&1 | sed -n 's/.*Executable benches\/scoring.rs (\(.*\))/\1/p')
out=$(mktemp -d)

# One round and three rounds: the difference is two rounds of the 96 answers, free of
# start-up and warm-up costs.
for rounds in 1 3; do
  SCORING_ROUNDS=$rounds valgrind --tool=callgrind --cache-sim=yes --branch-sim=yes \
    --callgrind-out-file="$out/cost.$rounds" --collect-atstart=no --toggle-collect='*score_all*' \
    "$bench" --bench >/dev/null 2>&1
done

totals() {
  callgrind_annotate "$1" 2>/dev/null | grep -m1 'PROGRAM TOTALS' | sed 's/([^)]*)//g' | tr -d ','
}

python3 - "$(totals "$out/cost.1")" "$(totals "$out/cost.3")" <<'PY'
import sys

def events(line):
    return [0 if token == "." else int(token) for token in line.split()[:13]]

one_round, three_rounds = events(sys.argv[1]), events(sys.argv[2])
ir, _, _, i1, d1_read, d1_write, _, _, _, _, branch_miss, _, indirect_miss = [
    (after - before) / 192 for before, after in zip(one_round, three_rounds)
]
estimate = 0.25 * ir + 12 * (i1 + d1_read + d1_write) + 16 * (branch_miss + indirect_miss)
print(
    f"per answer: Ir {ir:.0f}, I1 misses {i1:.0f}, D1 misses {d1_read + d1_write:.0f}, "
    f"mispredicted {branch_miss + indirect_miss:.0f}, est cycles {estimate:.0f}"
)
PY
echo "callgrind files: $out (callgrind_annotate --sort=Bcm $out/cost.3 lists functions)"
