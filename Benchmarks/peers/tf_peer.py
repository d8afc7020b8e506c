"""TensorFlow's own metric over a mapk dump, for comparison with mapk-bench.

tf.compat.v1.metrics.average_precision_at_k in graph mode, fed in batches
from the memory-mapped .npy files, the way Scripts/oracle-extra.py runs the
metric for the conformance fixtures. Needs `tensorflow-cpu` (2.21.0 was used
for docs/performance.md; `python3 -m venv tfenv && tfenv/bin/pip install
tensorflow-cpu==2.21.0`); never needed by the build or the tests.

    python3 tf_peer.py PRED.npy LABELS.npy K [BATCH]

Prints one JSON object: the value, seconds (the timed loop over batches, not
the import or graph building), GB/s of scores and rows/s.
"""
import json, os, sys, time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np
import tensorflow as tf


def main():
    pred_path, lab_path, k = sys.argv[1], sys.argv[2], int(sys.argv[3])
    batch = int(sys.argv[4]) if len(sys.argv) > 4 else 10000
    tf1 = tf.compat.v1
    tf1.disable_eager_execution()
    P = np.load(pred_path, mmap_mode="r")
    L = np.load(lab_path, mmap_mode="r")
    g = tf.Graph()
    with g.as_default():
        pp = tf1.placeholder(P.dtype, shape=(None, P.shape[1]))
        lp = tf1.placeholder(tf.int64, shape=(None, L.shape[1]))
        metric, update = tf1.metrics.average_precision_at_k(lp, pp, k)
        with tf1.Session(graph=g) as s:
            s.run(tf1.local_variables_initializer())
            start = time.perf_counter()
            for a in range(0, P.shape[0], batch):
                s.run(update, {pp: P[a:a + batch], lp: L[a:a + batch]})
            value = s.run(metric)
            seconds = time.perf_counter() - start
    print(json.dumps({"peer": "tensorflow", "version": tf.__version__, "k": k, "rows": int(P.shape[0]),
                      "classes": int(P.shape[1]), "dtype": str(P.dtype), "batch": batch, "value": float(value),
                      "seconds": seconds, "gigabytes_per_second": P.nbytes / seconds / 1e9,
                      "rows_per_second": P.shape[0] / seconds}))


if __name__ == "__main__":
    main()
