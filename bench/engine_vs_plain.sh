#!/usr/bin/env bash
# Issue 9's engine-speed yardstick: the whole-process CPU time of `hemsim run` on the
# Sick-Sicker microsimulation (1 thread) against the plain single-purpose loop of the same
# model (hemsim_plain_loop, sick_sicker_plain_loop.hpp), in paired rounds: each round runs
# both back to back, so both see the machine in the same state. Prints each one's median
# CPU time (user + system, to the millisecond), ns per person-cycle (individuals x 30
# cycles x 2 strategies), and the median of the per-round ratios engine / plain loop.
#
#   bench/engine_vs_plain.sh ROUNDS [BUILD_DIR] [INDIVIDUALS]
#   bench/engine_vs_plain.sh 30 build
set -euo pipefail
rounds=$1 build=${2:-build} individuals=${3:-1000000}
scenario="$(dirname "$0")/../scenarios/validation/sick_sicker_microsim.yaml"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cpu_seconds() {  # user + system seconds of the command, to the millisecond (bash's time)
  local t TIMEFORMAT='%3U %3S'
  t=$( { time "$@" > /dev/null 2>&1; } 2>&1)
  awk '{print $1 + $2}' <<< "$t"
}
for ((r = 0; r < rounds; ++r)); do
  echo "$(cpu_seconds "$build/hemsim" run "$scenario" -n "$individuals" -t 1 -q --out "$out/run") $(cpu_seconds "$build/bench/hemsim_plain_loop" "$individuals")"
done > "$out/times"
median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
ns() { awk -v n="$individuals" '{printf "%.2f", $1 * 1e9 / (n * 60)}'; }
engine=$(awk '{print $1}' "$out/times" | median) plain=$(awk '{print $2}' "$out/times" | median)
echo "engine (hemsim run): median $engine s, $(ns <<< "$engine") ns per person-cycle"
echo "plain loop:          median $plain s, $(ns <<< "$plain") ns per person-cycle"
echo "engine / plain per round: median $(awk '{print $1 / $2}' "$out/times" | median); engine faster in $(awk '$1 < $2' "$out/times" | wc -l) of $rounds rounds"
