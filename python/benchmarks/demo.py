"""The same dump evaluated by mapk.average_precision_at_k (in memory), the mapk CLI (the file, mapped)
and TensorFlow (in-process, on the same arrays): values with every digit, and times.

    python demo.py PRED.npy LABELS.npy path/to/mapk [--generate]

Run it with a Python that has TensorFlow and mapk (for example TensorFlow's
virtual environment with ``PYTHONPATH=python/src``, or ``pip install ./python``
there). With --generate, first writes the 800 MB float32 dump of bench_common.py
(200,000 rows, 1,000 classes, 5 int64 labels per row, seed 15). mapk and the
CLI: best of 5; TensorFlow: one run (graph mode, as ``tf.compat.v1.metrics``
needs), its import timed apart.
"""

import os
import time

import mapk
from bench_common import arguments, best, run_cli


def main():
    pred, lab, cli, scores, labels = arguments()
    print(f"dump: {scores.shape} {scores.dtype}, {scores.nbytes / 1e6:.0f} MB; labels {labels.shape} {labels.dtype}; k = 10")

    value, seconds = best(lambda: mapk.average_precision_at_k(labels, scores, 10))
    print(f"mapk.average_precision_at_k (in memory)  {float(value)!r}  {seconds:.3f} s")
    result, seconds = best(lambda: mapk.evaluate(scores, labels, k=10))
    print(f"mapk.evaluate (in memory)                {float(result.value(10))!r}  {seconds:.3f} s ({result.threads} threads)")

    report, seconds = best(lambda: run_cli(cli, pred, lab))
    print(f"mapk eval (CLI, mapped file)             {report['results'][0]['map']!r}  {report['seconds']:.3f} s by its "
          f"clock, {seconds:.3f} s for the process")

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    start = time.perf_counter()
    import tensorflow as tf

    imported = time.perf_counter() - start
    tf1 = tf.compat.v1
    tf1.disable_eager_execution()
    start = time.perf_counter()
    graph = tf.Graph()
    with graph.as_default():
        p = tf1.placeholder(tf.float32, shape=scores.shape)
        l = tf1.placeholder(tf.int64, shape=labels.shape)
        metric, update = tf1.metrics.average_precision_at_k(l, p, 10)
        with tf1.Session(graph=graph) as session:
            session.run(tf1.local_variables_initializer())
            session.run(update, {p: scores, l: labels})
            value = session.run(metric)
    seconds = time.perf_counter() - start
    print(f"TensorFlow {tf.__version__} (in-process)            {float(value)!r}  {seconds:.3f} s "
          f"(+ {imported:.1f} s to import it)")


if __name__ == "__main__":
    main()
