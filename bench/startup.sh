#!/usr/bin/env bash
# Measures castle's start-up to its first frame (the wizard drawn in tmux at
# 80x24, every section discovered against the in-process sandbox) and the wall
# time of `castle status --sandbox`. Prints the median and the spread of N runs.
#   bench/startup.sh [N]      (default 20; needs tmux)
set -euo pipefail
n=${1:-20}
cd "$(dirname "$0")/.."
bin=$(mktemp -d)/castle
go build -o "$bin" .
state=$(mktemp -d)
"$bin" status --sandbox --state-dir "$state" >/dev/null   # create the sandbox state once

ms() { echo $(( $(date +%s%N) / 1000000 )); }
stats() { sort -n | awk '{a[NR]=$1} END {printf "median %d ms, min %d ms, max %d ms (%d runs)\n", a[int((NR+1)/2)], a[1], a[NR], NR}'; }

echo "first frame (wizard, sandbox, 80x24):"
for i in $(seq "$n"); do
  t0=$(ms)
  tmux new-session -d -s castle-bench -x 80 -y 24 "TERM=xterm-256color $bin --sandbox --state-dir $state"
  # The first frame that shows discovered sections: Preflight done.
  until tmux capture-pane -p -t castle-bench 2>/dev/null | grep -q "Preflight .*done"; do sleep 0.005; done
  echo $(( $(ms) - t0 ))
  tmux kill-session -t castle-bench
done | stats

echo "castle status --sandbox:"
for i in $(seq "$n"); do
  t0=$(ms)
  "$bin" status --sandbox --state-dir "$state" >/dev/null
  echo $(( $(ms) - t0 ))
done | stats
