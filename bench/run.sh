#!/usr/bin/env bash
# Runs every corral benchmark and prints the figures BENCHMARKS.md quotes.
# Takes about fifteen minutes on 2 cores. Needs tmux for the whole-binary part.
#   bash bench/run.sh            (CORRAL_BENCH_MB=100 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
echo "== go benchmarks (medians over -count runs; each output-path run alternates raw and corral)"
go test -run '^$' -bench 'OutputPath' -benchtime 3x -count 3 ./spawn | tee "$out/path.txt" | grep Benchmark
go test -run '^$' -bench 'KillLatency' -benchtime 10x -count 3 ./spawn | tee "$out/kill.txt" | grep Benchmark
go test -run '^$' -bench . -count 3 ./tui ./registry | tee "$out/other.txt" | grep Benchmark
echo
echo "== summary: median (min–max) of the -count runs"
cat "$out"/*.txt | awk '
  /^Benchmark/ {
    name = $1; sub(/-[0-9]+$/, "", name)
    for (i = 3; i < NF; i++) if ($(i+1) ~ /^(ratio|ms\/kill|B\/line|ns\/op|spawn-MB\/s|raw-MB\/s)$/)
      printf "%s %s\t%s\n", name, $(i+1), $i
  }' | sort -t "$(printf '\t')" -k1,1 -k2,2g | awk -F '\t' '
  function flush() { if (n) printf "%-62s %12s  (%s–%s)\n", key, v[int((n+1)/2)], v[1], v[n] }
  $1 != key { flush(); key = $1; n = 0 }
  { v[++n] = $2 }
  END { flush() }'
echo
echo "== whole binary: 1 and 4 floods (each child vs a raw drain in the same round), a key during the 4 floods,"
echo "   showing a hidden run, one flood with the run history on and off (issue 15: the log holds it all), memory"
go run ./bench/binary -mb "${CORRAL_BENCH_MB:-100}" -rounds 3 -floods 1,4 -keys 30 -show 20 -logging 3
echo
echo "== keystroke echo"
go run ./bench/latency -keys 200
echo
echo "== idle runs: corral's RSS and CPU with 20, 50 and 200 sleeping runs, and 20 idle Claude sessions (the fake)"
go run ./bench/idle -n 20,50,200 -agents 20
echo
echo "== corral hook: run time of one hook invocation (Claude Code waits for it on every tool call)"
go run ./bench/hook -n 300
echo
echo "== agent states: hook event → row updated"
go run ./bench/states -n 200 -hooks 50
