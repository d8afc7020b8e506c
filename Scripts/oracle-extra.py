#!/usr/bin/env python3
"""Extra TensorFlow conformance cases beyond Tests/ShardsTests/Fixtures/conformance:
large k (the partial-sort path), float16 at large k, huge and negative label
values, rank-1 predictions, wide rows with heavy ties. The project's tests
only read its output (Tests/ShardsTests/Fixtures/oracle-extra was written
with seed 11 and TensorFlow 2.21.0 CPU). Needs TensorFlow and numpy, in a
virtual environment:

    python3 -m venv tfenv && tfenv/bin/pip install tensorflow-cpu==2.21.0
    tfenv/bin/python Scripts/oracle-extra.py Tests/ShardsTests/Fixtures/oracle-extra 11
"""
import json, os, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import numpy as np
import tensorflow as tf
from tensorflow.python.ops import metrics_impl
tf1 = tf.compat.v1
tf1.disable_eager_execution()


def run_tf(labels, pred, k, weights=None):
    g = tf.Graph()
    with g.as_default():
        lab = tf.constant(labels)
        p = tf.constant(pred)
        w = None if weights is None else tf.constant(weights, tf.float64)
        m, up = tf1.metrics.average_precision_at_k(lab, p, k, weights=w)
        _, pidx = tf.nn.top_k(p, k)
        cl = metrics_impl._clean_out_of_range_indices(lab, tf.cast(tf.shape(p)[-1], tf.int64))
        cl = metrics_impl._maybe_expand_labels(cl, pidx)
        per_row = metrics_impl._sparse_average_precision_at_top_k(cl, pidx)
        with tf1.Session(graph=g) as s:
            s.run(tf1.local_variables_initializer())
            s.run(up)
            return float(s.run(m)), np.asarray(s.run(per_row), np.float64)


def main():
    out, seed = sys.argv[1], int(sys.argv[2])
    rs = np.random.default_rng(seed)
    os.makedirs(out, exist_ok=True)
    cases = []

    def add(name, pred, k, labels, weights=None, note=""):
        name = f"x{name}"
        d = {"name": name, "k": k, "note": note, "predictions": f"{name}.pred.npy", "labels": f"{name}.labels.npy"}
        np.save(os.path.join(out, d["predictions"]), pred)
        np.save(os.path.join(out, d["labels"]), labels)
        if weights is not None:
            d["weights"] = f"{name}.weights.npy"
            np.save(os.path.join(out, d["weights"]), weights)
        val, per_row = run_tf(labels.astype(np.int64), pred, k, weights)
        d["expected_map"] = None if np.isnan(val) else val
        d["expected_per_row"] = [None if np.isnan(x) else float(x) for x in per_row.ravel()]
        d["label_semantics"] = "dense"
        cases.append(d)

    def labels(n, L, C, neg=0.2):
        lab = rs.integers(0, C, size=(n, L))
        lab = np.where(rs.random(lab.shape) < neg, -1, lab)
        lab[:, 0] = rs.integers(0, C, size=n)
        return lab

    n, C = 60, 300
    add("largek", rs.standard_normal((n, C)).astype(np.float32), 200, labels(n, 40, C), note="k above the insertion limit")
    add("largekties", rs.integers(0, 6, size=(n, C)).astype(np.float32), 150, labels(n, 30, C), note="large k, heavy ties")
    add("largekf16", rs.standard_normal((n, C)).astype(np.float16), 120, labels(n, 25, C), note="float16 at large k")
    add("largekf64", rs.standard_normal((n, C)), 299, labels(n, 25, C), weights=rs.random(n), note="float64, k = C - 1")
    add("fullrank", (rs.integers(-3, 3, size=(40, 64)) * 0.5).astype(np.float32), 64, labels(40, 10, 64),
        note="k = C with ties and negative zero-crossing scores")
    lab = labels(50, 5, 20)
    lab[:, 1] = 2**40
    lab[:, 2] = -(2**40)
    add("hugelabels", rs.standard_normal((50, 20)).astype(np.float32), 6, lab, note="labels far beyond C and far below 0")
    pz = rs.integers(-1, 2, size=(30, 12)).astype(np.float32) * 0.0  # -0.0 and 0.0 mixed
    pz[rs.random(pz.shape) < 0.3] = -0.0
    add("negzero", pz, 4, labels(30, 3, 12), note="-0.0 and 0.0 tie: lower index first")
    add("infs", np.where(rs.random((40, 10)) < 0.2, np.inf, np.where(rs.random((40, 10)) < 0.2, -np.inf, rs.standard_normal((40, 10)))).astype(np.float32),
        3, labels(40, 3, 10), note="+inf and -inf scores")
    add("rank1", rs.standard_normal(9).astype(np.float32), 3, np.array([4, 1, -1]), note="rank-1 predictions: one row")
    add("manyk1", rs.standard_normal((500, 3)).astype(np.float32), 1, labels(500, 2, 3), note="many short rows")
    with open(os.path.join(out, "cases.json"), "w") as f:
        json.dump({"oracle": f"tensorflow {tf.__version__} tf.compat.v1.metrics.average_precision_at_k "
                             f"(Scripts/oracle-extra.py seed {seed})", "cases": cases}, f, indent=1)
    print(len(cases), "cases")


main()
