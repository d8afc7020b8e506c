"""What a numpy user would write for MAP@k, over a mapk dump.

The straightforward numpy method: argpartition for the top k, a stable
argsort of those, then the definition, in batches of 10,000 rows. argpartition does not keep
TensorFlow's tie order, so on dumps with exact ties its value can differ from
TensorFlow's in the last digits. Needs only numpy.

    python3 np_peer.py PRED.npy LABELS.npy K

Prints one JSON object like tf_peer.py's.
"""
import json, sys, time

import numpy as np


def main():
    P = np.load(sys.argv[1], mmap_mode="r")
    L = np.load(sys.argv[2], mmap_mode="r")
    k = int(sys.argv[3])
    batch = 10000
    start = time.perf_counter()
    total = 0.0
    n = P.shape[0]
    for a in range(0, n, batch):
        p = np.asarray(P[a:a + batch], dtype=np.float32)
        l = np.asarray(L[a:a + batch])
        part = np.argpartition(-p, k - 1, axis=1)[:, :k]
        order = np.argsort(-np.take_along_axis(p, part, 1), axis=1, kind="stable")
        top = np.take_along_axis(part, order, 1)
        rel = (top[:, :, None] == l[:, None, :]).any(-1)
        prec = np.cumsum(rel, 1) / np.arange(1, k + 1)
        nrel = np.minimum(((l >= 0) & (l < P.shape[1])).sum(1), k)
        total += ((prec * rel).sum(1) / nrel).sum()
    seconds = time.perf_counter() - start
    print(json.dumps({"peer": "numpy", "version": np.__version__, "k": k, "rows": int(n), "classes": int(P.shape[1]),
                      "dtype": str(P.dtype), "value": total / n, "seconds": seconds,
                      "gigabytes_per_second": P.nbytes / seconds / 1e9, "rows_per_second": n / seconds}))


if __name__ == "__main__":
    main()
