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

import mapk
from bench_common import arguments, best, run_cli


def main():
    pred, lab, cli, scores, labels = arguments()
    print(f"in memory: {scores.shape} {scores.dtype}, {scores.nbytes / 1e6:.0f} MB")
    value, seconds = best(lambda: mapk.average_precision_at_k(labels, scores, 10))
    print(f"mapk.average_precision_at_k  {float(value)!r}  {seconds:.3f} s")
    result, seconds = best(lambda: mapk.evaluate(scores, labels, k=10))
    print(f"mapk.evaluate                {result.value(10)!r}  {seconds:.3f} s  ({result.threads} threads)")

    report, seconds = best(lambda: run_cli(cli, pred, lab))
    print(f"mapk eval (CLI, mapped file) {report['results'][0]['map']!r}  {report['seconds']:.3f} s by its clock, "
          f"{seconds:.3f} s for the process")


if __name__ == "__main__":
    main()
