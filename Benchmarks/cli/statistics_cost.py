#!/usr/bin/env python3
"""What the statistics of issue 14 cost beside a plain `mapk eval`, in one run.

On the 200,000 x 1,000 float32 dump (`mapk generate --seed 1`) and two
systems made from it (its scores plus seeded Gaussian noise of sd 0.01 and
0.02, the same labels), it times, best of R rounds, interleaved:

- `mapk eval -k 10` and `mapk eval -k 10 --ci 0.95 --bootstrap 1000`
  (issue 14: B = 1,000 must not make eval more than a few times slower),
  also with a pooled metric (`--metric map,recall`);
- `mapk eval -k 1,10` of each of the three systems, summed, beside
  `mapk compare -k 1,10` of the three (4 comparisons, 10,000 sign flips,
  1,000 bootstrap replicates).

Each line gives the wall time of the whole command (best), its user + sys
CPU time, and the ratio to the plain command it extends.

    swift build -c release --product mapk
    python3 Benchmarks/cli/statistics_cost.py [--dir DIR] [--keep] [--rounds 3] [--mapk PATH] [--threads T]

Needs python3 with numpy (for the two noisy systems). Never run by the
build or the tests.
"""
import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def run(cmd):
    """Wall and CPU (user + sys of the child) seconds of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        sys.exit(f"statistics_cost: {' '.join(cmd)} failed ({p.returncode}): {p.stderr.strip()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--mapk", default=os.path.join(ROOT, ".build/release/mapk"))
    args = ap.parse_args()
    try:
        import numpy as np
    except ImportError:
        sys.exit("statistics_cost: needs numpy (the two noisy systems are made with it)")
    mapk = args.mapk
    if not os.access(mapk, os.X_OK):
        sys.exit(f"statistics_cost: {mapk} not found: swift build -c release --product mapk")
    work = args.dir or tempfile.mkdtemp(prefix="mapk-stats-")
    os.makedirs(work, exist_ok=True)
    a = os.path.join(work, "a")
    if not os.path.exists(a + ".pred.npy"):
        subprocess.run([mapk, "generate", "--rows", "200000", "--classes", "1000", "--labels-per-row", "5",
                        "--seed", "1", "--out", a, "--no-progress"], check=True, stdout=subprocess.DEVNULL)
    scores = np.load(a + ".pred.npy", mmap_mode="r")
    rng = np.random.default_rng(7)
    systems = [a + ".pred.npy"]
    for name, sd in (("b", 0.01), ("c", 0.02)):
        path = os.path.join(work, name + ".pred.npy")
        systems.append(path)
        if os.path.exists(path):
            continue
        out = np.lib.format.open_memmap(path, mode="w+", dtype="<f4", shape=scores.shape)
        for start in range(0, scores.shape[0], 20000):
            part = scores[start:start + 20000]
            out[start:start + 20000] = part + rng.normal(0, sd, size=part.shape).astype("<f4")
        out.flush()
        del out
    labels = a + ".labels.npy"
    for path in systems:  # hot
        with open(path, "rb") as f:
            while f.read(1 << 24):
                pass

    common = ["--labels", labels, "--threads", str(args.threads)]
    evals = {
        "eval -k 10": [mapk, "eval", "--predictions", systems[0], *common, "-k", "10", "--no-progress"],
        "eval -k 10 --ci 0.95 --bootstrap 1000":
            [mapk, "eval", "--predictions", systems[0], *common, "-k", "10", "--ci", "0.95",
             "--bootstrap", "1000", "--no-progress"],
        "eval -k 10 --metric map,recall":
            [mapk, "eval", "--predictions", systems[0], *common, "-k", "10", "--metric", "map,recall",
             "--no-progress"],
        "eval -k 10 --metric map,recall --ci 0.95 --bootstrap 1000":
            [mapk, "eval", "--predictions", systems[0], *common, "-k", "10", "--metric", "map,recall",
             "--ci", "0.95", "--bootstrap", "1000", "--no-progress"],
    }
    three = {f"eval -k 1,10 of system {i}": [mapk, "eval", "--predictions", s, *common, "-k", "1,10",
                                             "--no-progress"] for i, s in enumerate(systems)}
    compare = [mapk, "compare", *common, "-k", "1,10", *systems]
    commands = {**evals, **three, "compare -k 1,10 of the three": compare}
    best = {name: (1e9, 0.0) for name in commands}
    for _ in range(args.rounds):
        for name, cmd in commands.items():
            wall, cpu = run(cmd)
            if wall < best[name][0]:
                best[name] = (wall, cpu)

    print(f"threads {args.threads}, best of {args.rounds} rounds, load average {os.getloadavg()[0]:.1f}")
    print("| command | wall (best) | CPU | ratio |")
    print("|---|---:|---:|---:|")

    def line(name, base=None):
        wall, cpu = best[name]
        ratio = f"{wall / best[base][0]:.2f}x {base}" if base else ""
        print(f"| `{name}` | {wall:.3f} s | {cpu:.3f} s | {ratio} |")

    line("eval -k 10")
    line("eval -k 10 --ci 0.95 --bootstrap 1000", "eval -k 10")
    line("eval -k 10 --metric map,recall")
    line("eval -k 10 --metric map,recall --ci 0.95 --bootstrap 1000", "eval -k 10 --metric map,recall")
    for name in three:
        line(name)
    total = sum(best[name][0] for name in three)
    wall, cpu = best["compare -k 1,10 of the three"]
    print(f"| `compare -k 1,10 of the three` | {wall:.3f} s | {cpu:.3f} s | {wall / total:.2f}x the three evals"
          f" ({total:.3f} s) |")
    if not args.keep and not args.dir:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
