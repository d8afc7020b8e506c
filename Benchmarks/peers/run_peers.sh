#!/usr/bin/env bash
# Runs TensorFlow's metric and the numpy version on the dumps mapk-bench
# generates, for the comparison in docs/performance.md. Never needed by the
# build or CI.
#
#   Benchmarks/peers/run_peers.sh DIR [PYTHON]
#
# DIR holds dumps written by `mapk-bench --dir DIR --keep`; PYTHON is an
# interpreter with numpy and tensorflow-cpu (default: python3). TensorFlow is
# skipped, with a note, when it cannot be imported. One JSON line per run.
set -euo pipefail
dir=${1:?usage: run_peers.sh DIR [PYTHON]}
python=${2:-python3}
here=$(cd "$(dirname "$0")" && pwd)
has_tf=1
"$python" -c "import tensorflow" 2>/dev/null || { has_tf=0; echo "note: tensorflow not importable with $python; skipping it" >&2; }
run() {  # run PREFIX K...
  local prefix=$1; shift
  [ -f "$dir/$prefix.pred.npy" ] || { echo "note: $dir/$prefix.pred.npy missing; skipping" >&2; return; }
  for k in "$@"; do
    [ $has_tf = 1 ] && "$python" "$here/tf_peer.py" "$dir/$prefix.pred.npy" "$dir/$prefix.labels.npy" "$k"
    "$python" "$here/np_peer.py" "$dir/$prefix.pred.npy" "$dir/$prefix.labels.npy" "$k"
  done
}
run 200000x1000-f32-seed1 1 10 100
run 200000x1000-f16-seed1 10
run 2000000x50-f32-seed1 5
run 20000x1000-f32-seed1 1000
