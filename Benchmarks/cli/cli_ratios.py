#!/usr/bin/env python3
"""The command line against the read ceiling (issue 16's targets), in one run.

For each dump of issue 16 it times the whole `mapk eval` command (process
start, mapping, evaluation, output: what a user waits for) and the C reader
`Benchmarks/ceiling/bw.c` (mmap, T threads, AVX2 max-scan of the same bytes)
interleaved, round after round, and keeps each one's best; the ratio is the
reader's time over the command's. Dumps are made with `mapk generate` in DIR
(kept with --keep) and read hot (each is read once before the rounds).

    swift build -c release --product mapk
    python3 Benchmarks/cli/cli_ratios.py [--dir DIR] [--keep] [--rounds 5] [--mapk PATH]

Needs python3 (standard library only) and a C compiler (`cc`) with AVX2 on
x86-64. Never run by the build or the tests.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def run(cmd):
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    t = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"cli_ratios: {' '.join(cmd)} failed ({p.returncode}): {p.stderr.strip()}")
    return t, p.stdout


def data_bytes(path):
    """The bytes after a .npy file's header."""
    with open(path, "rb") as f:
        head = f.read(12)
    if head[:6] != b"\x93NUMPY":
        return os.path.getsize(path)
    n = 10 + (head[8] | head[9] << 8) if head[6] == 1 else 12 + int.from_bytes(head[8:12], "little")
    return os.path.getsize(path) - n


def npz_members(path, work):
    """A stored .npz's .npy members, extracted once into WORK (bw.c reads .npy files): the bytes
    `mapk eval` reads from a sparse-scores archive, less the zip headers."""
    import zipfile
    out = []
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            os.makedirs(os.path.join(work, "members"), exist_ok=True)
            target = os.path.join(work, "members", os.path.basename(path) + "." + name)
            if not os.path.exists(target):
                with z.open(name) as src, open(target, "wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 24)
            if name != "format.npy":
                out.append(target)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--mapk", default=os.path.join(ROOT, ".build/release/mapk"))
    args = ap.parse_args()
    mapk = args.mapk
    if not os.access(mapk, os.X_OK):
        sys.exit(f"cli_ratios: {mapk} not found: swift build -c release --product mapk")
    work = args.dir or tempfile.mkdtemp(prefix="mapk-cli-")
    os.makedirs(work, exist_ok=True)
    bw = os.path.join(work, "bw")
    subprocess.run(["cc", "-O3", "-mavx2", "-pthread", os.path.join(ROOT, "Benchmarks/ceiling/bw.c"), "-o", bw],
                   check=True)

    def gen(name, *opts):
        prefix = os.path.join(work, name)
        if not any(f.startswith(name + ".pred") for f in os.listdir(work)):
            p = subprocess.run([mapk, "generate", "--out", prefix, "--no-progress", *opts],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            if p.returncode != 0:
                return None
        return prefix

    # (label, generator options, files read, eval options)
    cases = []
    a = gen("f32", "--rows", "200000", "--classes", "1000", "--labels-per-row", "5")
    for k in (1, 10, 100):
        cases.append((f"200000x1000 f32, k={k}", a, [], ["-k", str(k)], 2))
    cases.append(("200000x1000 f32, k=10, --metric all", a, [], ["-k", "10", "--metric", "all"], 2))
    h = gen("f16", "--rows", "200000", "--classes", "1000", "--labels-per-row", "5", "--dtype", "f16")
    cases.append(("200000x1000 f16, k=10 (bytes)", h, [], ["-k", "10"], 2))
    s = gen("short", "--rows", "2000000", "--classes", "50", "--labels-per-row", "5")
    cases.append(("2000000x50 f32, k=5", s, [], ["-k", "5"], 2))
    d = gen("deep", "--rows", "20000", "--classes", "1000", "--labels-per-row", "5")
    cases.append(("20000x1000 f32, k=1000", d, [], ["-k", "1000"], 2))
    m = gen("multihot", "--rows", "200000", "--classes", "1000", "--labels-per-row", "5",
            "--labels-format", "multihot")
    cases.append(("200000x1000 f32, multi-hot bool labels, k=10", m, ["labels"], ["-k", "10"], 2))
    # Sparse scores: a scipy CSR .npz of each row's 100 best f32 scores (issue 16: >= 0.5 of bw.c over its bytes).
    sp = gen("sparse", "--rows", "200000", "--classes", "1000", "--labels-per-row", "5",
             "--predictions-format", "csr", "--ids-per-row", "100")
    for k in (10, 100):
        cases.append((f"200000x1000 f32 CSR top 100 (sparse scores), k={k}", sp, [], ["-k", str(k)], 2))
    ids = gen("ids", "--rows", "200000", "--classes", "1000", "--labels-per-row", "5",
              "--predictions-format", "ids", "--ids-per-row", "100")
    for k in (10, 100):
        cases.append((f"200000x100 int32 ranked ids, k={k}", ids, [], ["-k", str(k)], 2))
    # 800 MB, the bytes of the 200000x1000 f32 dump, so the process's fixed cost is amortised alike.
    big_ids = gen("ids_big", "--rows", "2000000", "--classes", "1000", "--labels-per-row", "5",
                  "--predictions-format", "ids", "--ids-per-row", "100")
    for k in (10, 100):
        cases.append((f"2000000x100 int32 ranked ids (800 MB), k={k}", big_ids, [], ["-k", str(k)], 2))

    def files(prefix):
        pred = next(os.path.join(work, f) for f in sorted(os.listdir(work))
                    if f.startswith(os.path.basename(prefix) + ".pred"))
        labels = next(os.path.join(work, f) for f in sorted(os.listdir(work))
                      if f.startswith(os.path.basename(prefix) + ".labels"))
        return pred, labels

    rows = []
    for label, prefix, extra, opts, _ in cases:
        pred, labels = files(prefix)
        read = [pred] + ([labels] if "labels" in extra else [])
        if pred.endswith(".npz"):  # sparse scores: bw.c over the archive's arrays
            read = npz_members(pred, work) + read[1:]
        for path in read + ([pred] if pred not in read else []):  # hot
            with open(path, "rb") as f:
                while f.read(1 << 24):
                    pass
        for threads in (2, 1, 8):
            cmd = [mapk, "eval", "--predictions", pred, "--labels", labels, "--threads", str(threads),
                   "--no-progress", *opts]
            best_cmd, best_ceiling, kernel, value = 1e9, 1e9, None, None
            for _ in range(args.rounds):
                t, out = run(cmd)
                if t < best_cmd:
                    best_cmd = t
                    found = re.search(r", ([0-9.]+) s, ", out)
                    kernel = float(found.group(1)) if found else None
                value = out.splitlines()[0]
                c = 0.0
                for path in read:
                    _, o = run([bw, path, str(min(threads, 2) if threads <= 2 else threads)])
                    c += float(re.search(r": ([0-9.]+) s,", o).group(1))
                best_ceiling = min(best_ceiling, c)
            nbytes = sum(data_bytes(p) for p in read)
            rows.append((label, threads, best_cmd, kernel, nbytes / best_ceiling / 1e9, best_ceiling / best_cmd, value))
            print(f"{label} | {threads} | {best_cmd:.3f} s | kernel {kernel} s | ceiling {nbytes / best_ceiling / 1e9:.1f} GB/s"
                  f" | ratio {best_ceiling / best_cmd:.2f} | {value}", flush=True)

    print("\n| dump | threads | command (best) | kernel in process | ceiling GB/s (bw.c) | ratio |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, threads, t, kernel, ceil, ratio, _ in rows:
        print(f"| {label} | {threads} | {t:.3f} s | {kernel if kernel is not None else '-'} s | {ceil:.1f} | {ratio:.2f} |")
    print("\nscaling (command time, 1 thread / 2 threads; 8 threads / 2 threads):")
    by = {(r[0], r[1]): r[2] for r in rows}
    for label, *_ in cases:
        print(f"  {label}: {by[(label, 1)] / by[(label, 2)]:.2f}x; 8 threads {by[(label, 8)] / by[(label, 2)]:.2f} of 2's time")
    if not args.keep and not args.dir:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
