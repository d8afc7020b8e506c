"""mapk from Python against the CLI on the same dump: the numbers in python/README.md's Speed section.

    python speed.py PRED.npy LABELS.npy path/to/mapk [--generate]

With --generate, first writes an 800 MB float32 dump (200,000 rows, 1,000
classes, 5 int64 labels per row) to those paths. The arrays are then loaded
into memory (np.load, no mapping) and evaluated at k = 10 by
mapk.average_precision_at_k and mapk.evaluate, and the files by the CLI;
best of 5 each, values printed with every digit.

TensorFlow on the same arrays (in its own virtual environment, Scripts/oracle/README.md):

    PYTHONPATH=Scripts/oracle tfenv/bin/python -c "import numpy as np, time; from tf_apk import tf_apk; \\
      p, l = np.load('PRED.npy'), np.load('LABELS.npy'); t = time.perf_counter(); \\
      print(tf_apk(l, p, 10)[0], time.perf_counter() - t)"
"""

import json
import subprocess
import sys
import time

import numpy as np

import mapk


def best(f, n=5):
    times = []
    for _ in range(n):
        start = time.perf_counter()
        value = f()
        times.append(time.perf_counter() - start)
    return value, min(times)


def main():
    pred, lab, cli = sys.argv[1:4]
    if "--generate" in sys.argv:
        rng = np.random.default_rng(15)
        np.save(pred, rng.random((200_000, 1000), dtype=np.float32))
        np.save(lab, rng.integers(0, 1000, size=(200_000, 5), dtype=np.int64))
    scores, labels = np.load(pred), np.load(lab)
    print(f"in memory: {scores.shape} {scores.dtype}, {scores.nbytes / 1e6:.0f} MB")
    value, seconds = best(lambda: mapk.average_precision_at_k(labels, scores, 10))
    print(f"mapk.average_precision_at_k  {float(value)!r}  {seconds:.3f} s")
    result, seconds = best(lambda: mapk.evaluate(scores, labels, k=10))
    print(f"mapk.evaluate                {result.value(10)!r}  {seconds:.3f} s  ({result.threads} threads)")

    def run_cli():
        done = subprocess.run([cli, "eval", "--predictions", pred, "--labels", lab, "-k", "10", "--json", "--no-progress"],
                              capture_output=True, text=True, check=True)
        return json.loads(done.stdout)

    report, seconds = best(run_cli)
    print(f"mapk eval (CLI, mapped file) {report['results'][0]['map']!r}  {report['seconds']:.3f} s by its clock, "
          f"{seconds:.3f} s for the process")


if __name__ == "__main__":
    main()
