"""Ranked-id conformance cases: TensorFlow 2.21's own function for ranked ids,
metrics_impl._streaming_sparse_average_precision_at_top_k(labels, predictions_idx,
weights) (what average_precision_at_k calls after its top_k), on random rows.

Usage: ids_cases.py OUTDIR SEED

Writes OUTDIR/cases.json and the inputs it names. Every case's ids are
distinct per row. Pads: the .npy mapk reads holds the pad; TensorFlow is given
the same row with each pad replaced by a distinct id that matches no label
(mapk's definition of a pad). With "classes", TensorFlow's labels first go
through _clean_out_of_range_indices(labels, classes), as average_precision_at_k
does for dense scores.
"""
import os, sys, json
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import numpy as np
import tensorflow as tf
from tensorflow.python.ops import metrics_impl

tf1 = tf.compat.v1
tf1.disable_eager_execution()


def tf_ranked(labels, ids, weights, classes):
    """labels: ndarray (dense) or (indices, values, dense_shape) (SparseTensor)."""
    g = tf.Graph()
    with g.as_default():
        if isinstance(labels, tuple):
            lab = tf.SparseTensor(*[tf.constant(x, tf.int64) for x in labels])
        else:
            lab = tf.constant(labels, tf.int64)
        if classes is not None:
            lab = metrics_impl._clean_out_of_range_indices(lab, tf.constant(classes, tf.int64))
        w = None if weights is None else tf.constant(weights, tf.float64)
        m, up = metrics_impl._streaming_sparse_average_precision_at_top_k(
            lab, tf.constant(ids, tf.int64), weights=w)
        with tf1.Session(graph=g) as s:
            s.run(tf1.local_variables_initializer())
            s.run(up)
            return float(s.run(m))


def distinct_ids(rng, row_shape, K, pool):
    rows = int(np.prod(row_shape))
    out = np.stack([rng.choice(pool, size=K, replace=False) for _ in range(rows)])
    return out.reshape(tuple(row_shape) + (K,))


def main(outdir, seed):
    rng = np.random.default_rng(seed)
    os.makedirs(outdir, exist_ok=True)
    cases = []

    def add(name, ids, labels, weights=None, ks=(1, 3), pad=-1, classes=None, sparse=False, dtype=np.int64):
        ids = np.asarray(ids)
        K = ids.shape[-1]
        ks = sorted(set(k for k in ks if k <= K))
        # TensorFlow's row: every pad replaced by a distinct id no label has.
        tf_ids = ids.astype(np.int64).copy()
        flat = tf_ids.reshape(-1)
        pads = flat == pad
        flat[pads] = 10**12 + np.arange(pads.sum())
        pred_file = name + ".pred.npy"
        np.save(os.path.join(outdir, pred_file), ids.astype(dtype))
        case = {"name": name, "predictions": pred_file, "ks": ks, "pad": pad, "classes": classes}
        if sparse:
            # labels: a list of lists (one per row of the flattened rows).
            rows = labels
            lab_file = name + ".labels.txt"
            with open(os.path.join(outdir, lab_file), "w") as f:
                for r in rows:
                    f.write(" ".join(str(v) for v in r) + "\n")
            idx = [list(np.unravel_index(i, ids.shape[:-1])) + [j] for i, r in enumerate(rows) for j in range(len(r))]
            vals = [v for r in rows for v in r]
            width = max([len(r) for r in rows] + [1])
            tf_labels = (np.array(idx, np.int64).reshape(-1, ids.ndim), np.array(vals, np.int64),
                         np.array(list(ids.shape[:-1]) + [width], np.int64))
        else:
            lab_file = name + ".labels.npy"
            np.save(os.path.join(outdir, lab_file), np.asarray(labels, np.int64))
            tf_labels = np.asarray(labels, np.int64)
        case["labels"] = lab_file
        if weights is not None:
            w_file = name + ".weights.npy"
            np.save(os.path.join(outdir, w_file), np.asarray(weights, np.float64))
            case["weights"] = w_file
        tf_w = None
        if weights is not None:
            tf_w = np.broadcast_to(np.asarray(weights, np.float64), ids.shape[:-1])
        case["expected"] = [tf_ranked(tf_labels, tf_ids[..., :k], tf_w, classes) for k in ks]
        cases.append(case)

    def dense_labels(row_shape, L, pool, fill=0.3, valid=None):
        # Some -1 padding, but a valid label in column 0 (no row is empty,
        # whose NaN would make the whole case NaN).
        lab = rng.choice(pool, size=tuple(row_shape) + (L,))
        lab[rng.random(lab.shape) < fill] = -1
        lab[..., 0] = rng.choice(valid or pool, size=tuple(row_shape))
        return lab

    # Dense labels, 2-D, int64 and int32 ids, with and without weights.
    for i, (N, K, L, pool) in enumerate([(40, 5, 3, 12), (60, 10, 4, 30), (25, 8, 6, 10)]):
        ids = distinct_ids(rng, [N], K, pool)
        lab = dense_labels([N], L, pool)
        add(f"dense{i}", ids, lab, ks=(1, 2, 3, K))
        add(f"dense{i}_w", ids, lab, weights=rng.random(N) * 3, ks=(1, 3, K), dtype=np.int32)
    # Rank 3 (and 4), weights broadcast over the last row dim.
    ids = distinct_ids(rng, [4, 5], 6, 15)
    add("rank3", ids, dense_labels([4, 5], 3, 15), weights=rng.random((4, 1)), ks=(1, 4, 6))
    ids = distinct_ids(rng, [2, 3, 4], 5, 9)
    add("rank4", ids, dense_labels([2, 3, 4], 2, 9), ks=(2, 5))
    # Sparse labels (SparseTensor; rows of different lengths, some empty
    # except where a row would be NaN: every row has one label).
    for i, (N, K, pool) in enumerate([(50, 6, 20), (30, 12, 40)]):
        ids = distinct_ids(rng, [N], K, pool)
        rows = [sorted(set(rng.choice(pool, size=rng.integers(1, 6)).tolist())) for _ in range(N)]
        add(f"sparse{i}", ids, rows, ks=(1, 3, K), sparse=True)
        add(f"sparse{i}_w", ids, rows, weights=rng.random(N), ks=(2, K), sparse=True)
    ids = distinct_ids(rng, [3, 4], 5, 10)
    rows = [sorted(set(rng.choice(10, size=rng.integers(1, 4)).tolist())) for _ in range(12)]
    add("sparse_rank3", ids, rows, weights=rng.random((3, 4)), ks=(1, 5), sparse=True)
    # Pads: -1 (FAISS) and a sentinel (pyxclib's --pad-val), trailing and inside.
    for i, pad in enumerate([-1, 100000000]):
        N, K, pool = 40, 7, 25
        ids = distinct_ids(rng, [N], K, pool)
        for r in range(N):
            t = rng.integers(0, K + 1)
            ids[r, t:] = pad  # trailing pads (fewer than K results)
            if rng.random() < 0.2: ids[r, rng.integers(0, K)] = pad
        add(f"pad{i}", ids, dense_labels([N], 3, pool), ks=(1, 3, K), pad=pad)
        rows = [sorted(set(rng.choice(pool, size=rng.integers(1, 5)).tolist())) for _ in range(N)]
        add(f"pad{i}_sparse", ids, rows, weights=rng.random(N), ks=(2, K), pad=pad, sparse=True)
    # Classes: labels >= C cleaned as for dense scores (dense: ignored;
    # sparse: all become one -1 that counts in n).
    N, K, C = 40, 6, 12
    ids = distinct_ids(rng, [N], K, C)
    add("classes_dense", ids, dense_labels([N], 4, 18, valid=C), ks=(1, 3, K), classes=C)
    rows = [sorted(set(rng.choice(18, size=rng.integers(1, 5)).tolist())) for _ in range(N)]
    add("classes_sparse", ids, rows, ks=(1, 3, K), classes=C, sparse=True)
    # Without classes the same labels are compared as they are.
    add("noclasses_sparse", ids, rows, ks=(1, 3, K), sparse=True)

    with open(os.path.join(outdir, "cases.json"), "w") as f:
        json.dump({"producer": f"TensorFlow {tf.__version__}, metrics_impl._streaming_sparse_average_precision_at_top_k, "
                               f"Scripts/oracle/ids_cases.py seed {seed}",
                   "cases": cases}, f, indent=1)
    print(len(cases), "cases")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
