#!/bin/bash
# Stream vs mapped: wall seconds (best of 3) and peak RSS.
# DIR: p.npy float32 [100000, 1000] (standard normal, seed 7), pc.npy = np.round(p, 2),
# pc.npz = np.savez_compressed(scores=pc), l.npy int64 [100000, 3] labels (docs/performance.md).
M=$(realpath "${MAPK:-.build/release/mapk}")
cd "${1:?usage: Scripts/stream_bench.sh DIR (holding p.npy pc.npy pc.npz l.npy)}"
t() { local best=999; for i in 1 2 3; do s=$(date +%s.%N); bash -c "$1" > /dev/null 2>/dev/null || true; e=$(date +%s.%N); d=$(echo "$e - $s" | bc); best=$(echo "if ($d < $best) $d else $best" | bc); done; echo "$best  $1"; }
cat p.npy pc.npy l.npy > /dev/null
t "cat p.npy | cat > /dev/null"
t "cat p.npy | $M eval --predictions - --labels l.npy -k 10 --no-progress"
t "$M eval --predictions p.npy --labels l.npy -k 10 --no-progress"
t "cat p.npy | $M eval --predictions - --labels l.npy -k 10 --no-progress --threads 1"
t "$M eval --predictions p.npy --labels l.npy -k 10 --no-progress --threads 1"
t "$M eval --predictions pc.npy --labels l.npy -k 10 --no-progress"
t "$M eval --predictions pc.npz --labels l.npy -k 10 --no-progress"
for c in "cat p.npy | $M eval --predictions - --labels l.npy -k 10 --no-progress" "$M eval --predictions pc.npz --labels l.npy -k 10 --no-progress"; do
  /usr/bin/time -f "%M KB peak RSS  $c" bash -c "$c" > /dev/null
done
cat p.npy | $M eval --predictions - --labels l.npy -k 1,10 ; $M eval --predictions p.npy --labels l.npy -k 1,10
$M eval --predictions pc.npz --labels l.npy -k 1,10 ; $M eval --predictions pc.npy --labels l.npy -k 1,10
