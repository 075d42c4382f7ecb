#!/usr/bin/env bash
# Compares the whole-process time of two hemsim builds in paired rounds: each round runs
# build A then build B on the same scenario, so both see the machine in the same state;
# prints each build's median CPU time (user + system) and the median of the per-round
# ratios B / A, with how many rounds B was faster. Used for docs/performance.md, where
# the machine's load moves single timings by tens of percent.
#
#   bench/paired_rounds.sh ROUNDS BUILD_A BUILD_B [SCENARIO] [INDIVIDUALS]
#   bench/paired_rounds.sh 10 ../old/build/hemsim build/hemsim
set -euo pipefail
rounds=$1 a=$2 b=$3
scenario=${4:-"$(dirname "$0")/../scenarios/validation/sick_sicker_microsim.yaml"}
individuals=${5:-1000000}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cpu_seconds() {  # user + system seconds of one run, to the millisecond (bash's time)
  local t TIMEFORMAT='%3U %3S'
  t=$( { time "$1" run "$scenario" -n "$individuals" -t 1 -q --out "$out/run" > /dev/null 2>&1; } 2>&1)
  awk '{print $1 + $2}' <<< "$t"
}
for ((r = 0; r < rounds; ++r)); do
  echo "$(cpu_seconds "$a") $(cpu_seconds "$b")"
done > "$out/times"
median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
echo "A $a: median $(awk '{print $1}' "$out/times" | median) s"
echo "B $b: median $(awk '{print $2}' "$out/times" | median) s"
echo "B / A per round: median $(awk '{print $2 / $1}' "$out/times" | median); B faster in $(awk '$2 < $1' "$out/times" | wc -l) of $rounds rounds"
