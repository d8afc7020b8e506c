#!/usr/bin/env python3
"""The closing note of issue 13: one generated dump evaluated with
`mapk eval --like LIB` beside that library's own output on the same dump.

Usage:
  like_demo.py MAPK --tf-python TFENV/bin/python --ir-python IRENV/bin/python
               [--rows 2000] [--classes 100] [--labels-per-row 5] [-k 10] [--seed 1] [--markdown]

Run it with a Python that has numpy. It writes a dump with `mapk generate`
(dense labels, -1 padding), then a tie-free copy of its scores: `mapk
generate` makes ties on purpose, and the libraries break ties differently
(docs/semantics.md), so each score is replaced by a value that keeps
TensorFlow's order (score descending, lower class first) and the score's
sign (torchmetrics' rule for scores <= 0). The libraries' numbers come from
`metrics_cases.py --compare` run in each environment (TensorFlow 2.21 in
one, pytrec_eval, ranx and torchmetrics in the other); mapk's from
`mapk eval --like LIB --json`. It prints one line per library and metric:
the library's name for it, the library's value, mapk's, their difference.
"""
import argparse, json, os, subprocess, sys, tempfile
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
# metrics_cases.py's metric names per library, as `--like` names them.
LIBRARIES = {
    "tensorflow": ["map", "precision", "recall"],
    "trec_eval": ["map_trec", "precision", "recall_macro", "ndcg", "mrr", "hit"],
    "ranx": ["map_trec", "precision", "recall_macro", "ndcg", "mrr", "hit"],
    "torchmetrics": ["map_torch", "precision_torch", "recall_torch", "ndcg", "mrr_torch", "hit"],
}


def tie_free(pred):
    """Scores without ties, in TensorFlow's order, signs kept: rank r (0 best) of a
    row with p scores > 0 gets p - r - 0.5 (the top p ranks are exactly the scores > 0)."""
    rows, c = pred.shape
    order = np.argsort(-pred, axis=1, kind="stable")  # descending, lower class first on ties
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(c)[None, :].repeat(rows, 0), axis=1)
    positive = (pred > 0).sum(axis=1, keepdims=True)
    return (positive - rank - 0.5).astype(np.float64)


def library_numbers(python, pred, labels, k):
    out = subprocess.run([python, os.path.join(HERE, "metrics_cases.py"), "--compare", pred, labels, str(k)],
                         capture_output=True, text=True, check=True).stdout
    numbers = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 5 and parts[3] == "=":
            numbers.setdefault(parts[0], {})[parts[1]] = float(parts[4])
    return numbers


def mapk_numbers(mapk, pred, labels, k, library):
    out = subprocess.run([mapk, "eval", "--predictions", pred, "--labels", labels, "-k", str(k), "--like", library,
                          "--json"], capture_output=True, text=True, check=True).stdout
    return {r["metric"]: (r["value"], r["library_name"]) for r in json.loads(out)["results"]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mapk")
    ap.add_argument("--tf-python", required=True)
    ap.add_argument("--ir-python", required=True)
    ap.add_argument("--rows", type=int, default=2000)
    ap.add_argument("--classes", type=int, default=100)
    ap.add_argument("--labels-per-row", type=int, default=5)
    ap.add_argument("-k", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--markdown", action="store_true")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        prefix = os.path.join(tmp, "demo")
        subprocess.run([a.mapk, "generate", "--rows", str(a.rows), "--classes", str(a.classes), "--labels-per-row",
                        str(a.labels_per_row), "--seed", str(a.seed), "--out", prefix, "--no-progress"],
                       check=True, capture_output=True)
        pred, labels = prefix + ".tiefree.pred.npy", prefix + ".labels.npy"
        np.save(pred, tie_free(np.load(prefix + ".pred.npy").astype(np.float64)))
        libs = library_numbers(a.tf_python, pred, labels, a.k)
        libs.update(library_numbers(a.ir_python, pred, labels, a.k))
        print(f"mapk generate --rows {a.rows} --classes {a.classes} --labels-per-row {a.labels_per_row} "
              f"--seed {a.seed} (scores made tie-free), k = {a.k}")
        if a.markdown:
            print("\n| --like | library's name | library | mapk | difference |\n|---|---|---|---|---|")
        for library, metrics in LIBRARIES.items():
            ours = mapk_numbers(a.mapk, pred, labels, a.k, library)
            theirs = libs.get(library, {})
            for metric in metrics:
                value, name = ours[metric]
                other = theirs.get(metric)
                diff = "n/a" if other is None or value is None else f"{abs(value - other):.1e}"
                row = [library, name, "n/a" if other is None else repr(other), repr(value), diff]
                print("| " + " | ".join(row) + " |" if a.markdown else
                      f"{row[0]:13s} {row[1]:32s} {row[2]:>22s} {row[3]:>22s} {row[4]:>8s}")


if __name__ == "__main__":
    sys.exit(main())
