"""What demo.py and speed.py share: their command line, the dump (written on
request), best-of-n timing and one run of the mapk CLI on the files.

The dump: 200,000 rows of 1,000 float32 scores (800 MB) and 5 int64 labels
per row, drawn with seed 15, so both scripts measure the same arrays.
"""

import json
import subprocess
import sys
import time

import numpy as np

ROWS, CLASSES, LABELS_PER_ROW, SEED = 200_000, 1000, 5, 15
USAGE = "PRED.npy LABELS.npy path/to/mapk [--generate]"


def best(f, n=5):
    """f's value and its fastest time of n runs, in seconds."""
    times = []
    for _ in range(n):
        start = time.perf_counter()
        value = f()
        times.append(time.perf_counter() - start)
    return value, min(times)


def generate(pred, lab):
    """Writes the dump's scores to pred and its labels to lab."""
    rng = np.random.default_rng(SEED)
    np.save(pred, rng.random((ROWS, CLASSES), dtype=np.float32))
    np.save(lab, rng.integers(0, CLASSES, size=(ROWS, LABELS_PER_ROW), dtype=np.int64))


def arguments():
    """(pred, lab, cli, scores, labels) from the command line: the two files
    (written first with --generate) and the mapk binary, the arrays loaded
    into memory (np.load, no mapping)."""
    if len(sys.argv) < 4:
        sys.exit(f"usage: python {sys.argv[0]} {USAGE}")
    pred, lab, cli = sys.argv[1:4]
    if "--generate" in sys.argv:
        generate(pred, lab)
    return pred, lab, cli, np.load(pred), np.load(lab)


def run_cli(cli, pred, lab, k=10):
    """The JSON report of `mapk eval` on the files at k."""
    done = subprocess.run([cli, "eval", "--predictions", pred, "--labels", lab, "-k", str(k), "--json",
                           "--no-progress"], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)
