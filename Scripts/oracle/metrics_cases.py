#!/usr/bin/env python3
"""Cross-library conformance cases for mapk's metrics (issue 13).

Writes tie-free cases (dense and sparse labels, weights, rows without labels,
labels >= C, duplicates, scores of both signs) to OUTDIR with each library's
own numbers, computed by running the library:

  TensorFlow 2.21   tf.compat.v1.metrics average_precision_at_k, precision_at_k,
                    recall_at_k, precision_at_top_k, recall_at_top_k (graph mode)
  pytrec_eval       map_cut, P, recall, ndcg_cut, recip_rank (run cut at k), success
  ranx              map@k, precision@k, recall@k, ndcg@k, mrr@k, hit_rate@k
  torchmetrics 1.9  RetrievalMAP, RetrievalPrecision, RetrievalRecall,
                    RetrievalNormalizedDCG, RetrievalMRR, RetrievalHitRate (top_k)

TensorFlow and torch do not share a virtual environment here, so run the
script once per environment; each run regenerates the same inputs (seeded)
and adds the numbers of every library it can import to OUTDIR/cases.json:

  python3 -m venv tfenv && tfenv/bin/pip install tensorflow-cpu==2.21.0 scipy
  python3 -m venv irenv && irenv/bin/pip install numpy scipy pytrec-eval-terrier ranx torchmetrics
  tfenv/bin/python metrics_cases.py Tests/ShardsTests/Fixtures/metrics
  irenv/bin/python metrics_cases.py Tests/ShardsTests/Fixtures/metrics

  irenv/bin/python metrics_cases.py --compare PRED.npy LABELS K   # one dump, every library it can import

Ranked ids (`[rows, K]` integer predictions, distinct per row, no pads), every
metric, the same way (once per environment):

  tfenv/bin/python metrics_cases.py --ids Tests/ShardsTests/Fixtures/ranked-metrics
  irenv/bin/python metrics_cases.py --ids Tests/ShardsTests/Fixtures/ranked-metrics

  TensorFlow: metrics_impl._streaming_sparse_average_precision_at_top_k (what
  average_precision_at_k calls after its top_k), precision_at_top_k and
  recall_at_top_k, given the ids as predictions_idx (cut to the first k); with
  the classes known, AP's labels are cleaned (labels >= C become -1) and
  precision's and recall's are not, as TensorFlow's functions for scores do.
  pytrec_eval and ranx: a run of the K ids, scored K, K-1, ..., 1 (tie-free).
  torchmetrics: the same K documents and scores, plus each relevant label the
  ids miss as a document scored below all of them (-1, -2, ...: never in the
  top k <= K), so its recall and ideal DCG count it as trec_eval's do.

Label rules given to each library (docs/semantics.md): TensorFlow gets the
labels as they are (dense Tensor from .npy, SparseTensor from .txt); the
retrieval libraries get a query's relevant documents, the distinct labels
>= 0 (a label >= C is a document that is never retrieved; negatives are
padding). torchmetrics cannot name a document outside the ranking, so cases
with labels >= C have no torchmetrics numbers.
"""
import json, os, sys
import numpy as np

SEED = 13
KS = [1, 3, 5, 10]


def make_cases():
    rng = np.random.default_rng(SEED)
    cases = []

    def scores(rows, c, signed):
        # Distinct values: a random permutation of a grid, so no two scores tie.
        v = rng.permutation(rows * c).astype(np.float64).reshape(rows, c) / (rows * c)
        return v * 2 - 1 if signed else v + 1e-3

    # dense, -1 padding, duplicates, labels >= C, empty rows; positive scores
    rows, c = 40, 20
    lab = np.full((rows, 4), -1, np.int64)
    for r in range(rows):
        m = rng.integers(0, 5)
        lab[r, :m] = rng.integers(0, c, m)
    lab[3] = [-1, -1, -1, -1]
    lab[5] = [2, 2, 7, -1]        # a duplicate
    lab[7] = [25, 3, -1, -1]      # a label >= C
    lab[9] = [30, 31, -1, -1]     # only labels >= C
    cases.append(dict(name="dense", pred=scores(rows, c, False), dense=lab, note="dense labels: -1 padding, duplicates, labels >= C, rows without labels"))

    # dense, every slot filled (no padding), no label >= C: torchmetrics comparable; signed scores
    rows, c = 30, 16
    lab = np.stack([rng.choice(c, 3, replace=False) for _ in range(rows)]).astype(np.int64)
    cases.append(dict(name="densefull", pred=scores(rows, c, True), dense=lab, note="dense labels, no padding; scores of both signs (torchmetrics' score <= 0 rule)"))

    # dense with padding and empty rows, no label >= C, signed scores, weights
    rows, c = 36, 24
    lab = np.full((rows, 5), -1, np.int64)
    for r in range(rows):
        m = rng.integers(0, 6)
        lab[r, :m] = rng.choice(c, m, replace=False)
    lab[0] = -1
    lab[11] = -1
    w = rng.integers(0, 5, rows).astype(np.float64) / 2
    cases.append(dict(name="denseweighted", pred=scores(rows, c, True), dense=lab, weights=w, note="dense labels with padding and empty rows; weights (TensorFlow only: the retrieval libraries have none)"))

    # sparse text: duplicates, labels >= C, empty lines, more labels than k
    rows, c = 50, 30
    text = []
    for r in range(rows):
        m = int(rng.integers(0, 14))
        text.append([int(x) for x in rng.integers(0, c, m)])
    text[1] = []
    text[4] = [5, 5, 6]
    text[8] = [40, 2]
    text[12] = [33]
    text[20] = list(range(0, 30, 2))
    cases.append(dict(name="sparse", pred=scores(rows, c, False), sparse=text, note="text labels: duplicates, labels >= C, empty rows, rows with more labels than k"))

    # sparse text, signed scores, no label >= C, empty rows: torchmetrics comparable
    rows, c = 45, 12
    text = []
    for r in range(rows):
        m = int(rng.integers(0, 6))
        text.append(sorted(set(int(x) for x in rng.integers(0, c, m))))
    text[2] = []
    cases.append(dict(name="sparsesigned", pred=scores(rows, c, True), sparse=text, note="text labels, scores of both signs, rows without labels"))
    return cases


def relevant_sets(case):
    if "dense" in case:
        return [sorted(set(int(v) for v in row if v >= 0)) for row in case["dense"]]
    return [sorted(set(v for v in row if v >= 0)) for row in case["sparse"]]


def write_inputs(outdir, case):
    name = case["name"]
    np.save(os.path.join(outdir, f"{name}.pred.npy"), case["pred"])
    if "dense" in case:
        np.save(os.path.join(outdir, f"{name}.labels.npy"), case["dense"])
        labels = f"{name}.labels.npy"
    else:
        labels = f"{name}.labels.txt"
        with open(os.path.join(outdir, labels), "w") as f:
            for row in case["sparse"]:
                f.write(" ".join(str(v) for v in row) + "\n")
    entry = dict(name=name, note=case["note"], predictions=f"{name}.pred.npy", labels=labels, ks=KS,
                 label_semantics="dense" if "dense" in case else "sparse")
    if "weights" in case:
        np.save(os.path.join(outdir, f"{name}.weights.npy"), case["weights"])
        entry["weights"] = f"{name}.weights.npy"
    return entry


def num(x):
    x = float(x)
    return None if np.isnan(x) else x


# ---- TensorFlow
def tf_labels(case):
    """The labels as TensorFlow takes them: a dense Tensor, or a SparseTensor from the text rows."""
    import tensorflow as tf
    if "dense" in case:
        return tf.constant(case["dense"], tf.int64)
    idx = [[r, j] for r, row in enumerate(case["sparse"]) for j in range(len(row))]
    vals = [v for row in case["sparse"] for v in row]
    width = max([len(r) for r in case["sparse"]] + [1])
    return tf.SparseTensor(np.array(idx, np.int64).reshape(-1, 2), np.array(vals, np.int64),
                           [len(case["sparse"]), width])


def tf_session_numbers(case, ks, make_ops):
    """Per k, in a fresh graph: make_ops(k, labels, weights kwargs) gives {name: (value, update)};
    each update runs once, then the values are read (graph mode, tf.compat.v1)."""
    import tensorflow as tf
    tf.compat.v1.disable_eager_execution()
    out = {}
    for k in ks:
        g = tf.Graph()
        with g.as_default():
            kw = {}
            if "weights" in case:
                kw["weights"] = tf.constant(case["weights"], tf.float64)
            ops = make_ops(k, tf_labels(case), kw)
            with tf.compat.v1.Session() as s:
                s.run(tf.compat.v1.local_variables_initializer())
                s.run([u for _, u in ops.values()])
                vals = s.run({n: v for n, (v, _) in ops.items()})
        for n, v in vals.items():
            out.setdefault(n, {})[str(k)] = num(v)
    return out


def tf_numbers(case, ks):
    import tensorflow as tf
    m = tf.compat.v1.metrics

    def ops(k, lab, kw):
        p = tf.constant(case["pred"], tf.float64)
        _, top = tf.nn.top_k(p, k)
        top = tf.cast(top, tf.int64)
        return {
            "map": m.average_precision_at_k(lab, p, k, **kw),
            "precision": m.precision_at_k(lab, p, k, **kw),
            "recall": m.recall_at_k(lab, p, k, **kw),
            "precision_at_top_k": m.precision_at_top_k(lab, top, k=k, **kw),
            "recall_at_top_k": m.recall_at_top_k(lab, top, k=k, **kw),
        }
    return tf_session_numbers(case, ks, ops)


# ---- pytrec_eval
def score_run(case):
    """The retrieval libraries' run: every class a document with its score
    (ranked ids: the K ids, scored K, K-1, ..., 1)."""
    if case.get("ids"):
        return id_run(case)
    pred = case["pred"]
    rows, c = pred.shape
    return {f"q{q}": {f"d{d}": float(pred[q, d]) for d in range(c)} for q in range(rows)}


def trec_numbers(case, ks):
    import pytrec_eval
    rels = relevant_sets(case)
    # trec_eval leaves out queries without relevant documents: they are not in the qrels.
    qrels = {f"q{q}": {f"d{d}": 1 for d in rels[q]} for q in range(len(rels)) if rels[q]}
    run = score_run(case)
    out = {}
    for k in ks:
        measures = {f"map_cut.{k}", f"P.{k}", f"recall.{k}", f"ndcg_cut.{k}", f"success.{k}"}
        res = pytrec_eval.RelevanceEvaluator(qrels, measures).evaluate(run)
        # recip_rank has no cut: evaluate it on the run cut at k.
        cut = {q: dict(sorted(d.items(), key=lambda x: -x[1])[:k]) for q, d in run.items()}
        rr = pytrec_eval.RelevanceEvaluator(qrels, {"recip_rank"}).evaluate(cut)
        names = {"map_trec": f"map_cut_{k}", "precision": f"P_{k}", "recall_macro": f"recall_{k}",
                 "ndcg": f"ndcg_cut_{k}", "hit": f"success_{k}"}
        for metric, key in names.items():
            out.setdefault(metric, {})[str(k)] = float(np.mean([res[q][key] for q in sorted(res)]))
        out.setdefault("mrr", {})[str(k)] = float(np.mean([rr[q]["recip_rank"] for q in sorted(rr)]))
    return out


# ---- ranx
def ranx_numbers(case, ks):
    import ranx
    rels = relevant_sets(case)
    qrels = ranx.Qrels({f"q{q}": {f"d{d}": 1 for d in rels[q]} for q in range(len(rels))})
    run = ranx.Run(score_run(case))
    out = {}
    for k in ks:
        names = {"map_trec": f"map@{k}", "precision": f"precision@{k}", "recall_macro": f"recall@{k}",
                 "ndcg": f"ndcg@{k}", "mrr": f"mrr@{k}", "hit": f"hit_rate@{k}"}
        res = ranx.evaluate(qrels, run, list(names.values()))
        for metric, key in names.items():
            out.setdefault(metric, {})[str(k)] = float(res[key])
    return out


# ---- torchmetrics
def torch_numbers(case, ks):
    pred = case["pred"]
    rels = relevant_sets(case)
    rows, c = pred.shape
    if any(d >= c for r in rels for d in r):
        return None  # a relevant document outside the ranking cannot be given to torchmetrics
    target = np.zeros((rows, c), bool)
    for q, r in enumerate(rels):
        target[q, r] = True
    return torch_retrieval(np.arange(rows).repeat(c), pred.reshape(-1), target.reshape(-1), ks)


def torch_retrieval(indexes, scores, target, ks):
    """torchmetrics' retrieval metrics (top_k) on flat per-document queries, scores, targets."""
    import torch
    from torchmetrics import retrieval as R
    i = torch.tensor(np.asarray(indexes, np.int64))
    p = torch.tensor(np.asarray(scores, np.float64), dtype=torch.float64)
    t = torch.tensor(np.asarray(target, bool))
    names = {"map_torch": R.RetrievalMAP, "precision_torch": R.RetrievalPrecision,
             "recall_torch": R.RetrievalRecall, "ndcg": R.RetrievalNormalizedDCG,
             "mrr_torch": R.RetrievalMRR, "hit": R.RetrievalHitRate}
    out = {}
    for k in ks:
        for metric, M in names.items():
            out.setdefault(metric, {})[str(k)] = float(M(top_k=k)(p, t, indexes=i))
    return out


ORACLES = {"tensorflow": ("tensorflow", tf_numbers), "trec_eval": ("pytrec_eval", trec_numbers),
           "ranx": ("ranx", ranx_numbers), "torchmetrics": ("torchmetrics", torch_numbers)}


def available():
    import importlib.util
    return [lib for lib, (module, _) in ORACLES.items() if importlib.util.find_spec(module)]


def versions():
    import importlib.metadata as md
    pkg = {"tensorflow": "tensorflow-cpu", "trec_eval": "pytrec-eval-terrier", "ranx": "ranx", "torchmetrics": "torchmetrics"}
    out = {}
    for lib in available():
        try:
            out[lib] = md.version(pkg[lib])
        except md.PackageNotFoundError:
            out[lib] = md.version(lib)
    return out


def write_cases(outdir, cases, write_entry, oracles, header=None):
    """Writes every case's inputs and OUTDIR/cases.json with the numbers of each
    library this environment has, keeping those another environment wrote."""
    os.makedirs(outdir, exist_ok=True)
    path = os.path.join(outdir, "cases.json")
    old = json.load(open(path)) if os.path.exists(path) else {"oracles": {}, "cases": []}
    previous = {c["name"]: c for c in old["cases"]}
    libs = available()
    out = dict({"oracles": dict(old.get("oracles", {}), **versions())}, **(header or {}), cases=[])
    for case in cases:
        entry = write_entry(outdir, case)
        expected = dict(previous.get(case["name"], {}).get("expected", {}))
        for lib in libs:
            if lib != "tensorflow" and "weights" in case:
                continue  # the retrieval libraries take no weights
            numbers = oracles[lib](case, KS)
            if numbers is not None:
                expected[lib] = numbers
        entry["expected"] = dict(sorted(expected.items()))
        out["cases"].append(entry)
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(f"wrote {len(out['cases'])} cases to {path} with {', '.join(libs)}")


def main(outdir):
    write_cases(outdir, make_cases(), write_inputs, {lib: fn for lib, (_, fn) in ORACLES.items()})


def compare(pred_path, labels_path, k):
    """One dump, every library this environment has, printed as each names it."""
    pred = np.load(pred_path).astype(np.float64)
    if labels_path.endswith(".npy"):
        case = dict(pred=pred, dense=np.load(labels_path))
    else:
        case = dict(pred=pred, sparse=[[int(v) for v in line.replace(",", " ").split()] for line in open(labels_path)])
    for lib in available():
        numbers = ORACLES[lib][1](case, [k])
        if numbers is None:
            print(f"{lib}: a relevant label >= C cannot be given to it")
            continue
        for metric, by_k in numbers.items():
            print(f"{lib:12s} {metric:20s} @{k} = {by_k[str(k)]!r}")


# ---- ranked ids
ID_SEED = 1313


def make_id_cases():
    rng = np.random.default_rng(ID_SEED)
    cases = []

    def ids(rows, c, K):
        return np.stack([rng.choice(c, K, replace=False) for _ in range(rows)]).astype(np.int64)

    # dense labels: -1 padding, duplicates, labels >= C, rows without labels
    rows, c, K = 40, 30, 10
    lab = np.full((rows, 4), -1, np.int64)
    pred = ids(rows, c, K)
    for r in range(rows):
        m = int(rng.integers(0, 5))
        # Labels drawn half from the ids (hits likely), half from all classes.
        lab[r, :m] = [int(pred[r, rng.integers(0, K)]) if rng.random() < 0.5 else int(rng.integers(0, c)) for _ in range(m)]
    lab[3] = -1
    lab[5] = [int(pred[5, 1]), int(pred[5, 1]), 7, -1]   # a duplicate
    lab[7] = [35, int(pred[7, 0]), -1, -1]               # a label >= C (never an id)
    lab[9] = [40, 41, -1, -1]                            # only labels >= C
    cases.append(dict(name="ids_dense", pred=pred, dense=lab, classes=None,
                      note="ranked ids, dense labels: -1 padding, duplicates, labels >= C, rows without labels"))

    # sparse text labels: duplicates, empty lines, more labels than k; int32 ids
    rows, c, K = 50, 25, 12
    pred = ids(rows, c, K).astype(np.int32)
    text = []
    for r in range(rows):
        m = int(rng.integers(0, 14))
        text.append([int(pred[r, rng.integers(0, K)]) if rng.random() < 0.4 else int(rng.integers(0, c)) for _ in range(m)])
    text[1] = []
    text[4] = [int(pred[4, 0]), int(pred[4, 0]), int(pred[4, 2])]
    text[20] = list(range(0, 25, 2))
    cases.append(dict(name="ids_sparse", pred=pred, sparse=text, classes=None,
                      note="ranked ids (int32), text labels: duplicates, empty rows, rows with more labels than k"))

    # dense labels, weights (TensorFlow only: the retrieval libraries take none)
    rows, c, K = 36, 20, 10
    pred = ids(rows, c, K)
    lab = np.full((rows, 5), -1, np.int64)
    for r in range(rows):
        m = int(rng.integers(1, 6))
        lab[r, :m] = rng.choice(c, m, replace=False)
    w = rng.integers(0, 5, rows).astype(np.float64) / 2
    cases.append(dict(name="ids_weighted", pred=pred, dense=lab, weights=w, classes=None,
                      note="ranked ids, dense labels with padding, every row labelled (TensorFlow's AP not NaN); weights"))

    # sparse labels >= C with the classes known: TensorFlow's labels go through
    # _clean_out_of_range_indices; the retrieval libraries keep them as relevant, never retrieved
    rows, c, K = 30, 16, 10
    pred = ids(rows, c, K)
    text = []
    for r in range(rows):
        m = int(rng.integers(1, 6))
        text.append(sorted(set(int(x) for x in rng.integers(0, c + 4, m))))
    cases.append(dict(name="ids_classes", pred=pred, sparse=text, classes=c,
                      note="ranked ids with --classes, text labels >= C (cleaned for TensorFlow)"))
    return cases


def write_id_inputs(outdir, case):
    case["ids"] = True
    entry = write_inputs(outdir, case)
    np.save(os.path.join(outdir, entry["predictions"]), case["pred"])  # the ids, in their own dtype
    entry["pad"] = -1
    entry["classes"] = case["classes"]
    return entry


def tf_id_numbers(case, ks):
    import tensorflow as tf
    from tensorflow.python.ops import metrics_impl
    m = tf.compat.v1.metrics
    pred = case["pred"].astype(np.int64)

    def ops(k, lab, kw):
        # With the classes known, as TensorFlow treats dense scores: average_precision_at_k
        # cleans labels >= C to -1; precision_at_k and recall_at_k do not (every distinct
        # label >= C stays a label never retrieved in recall's count).
        ap_lab = lab
        if case["classes"] is not None:
            ap_lab = metrics_impl._clean_out_of_range_indices(lab, tf.constant(case["classes"], tf.int64))
        top = tf.constant(pred[:, :k])
        return {
            "map": metrics_impl._streaming_sparse_average_precision_at_top_k(ap_lab, top, **kw),
            "precision": m.precision_at_top_k(lab, top, k=k, **kw),
            "recall": m.recall_at_top_k(lab, top, k=k, **kw),
        }
    return tf_session_numbers(case, ks, ops)


def id_run(case):
    pred = case["pred"]
    K = pred.shape[1]
    return {f"q{q}": {f"d{int(d)}": float(K - i) for i, d in enumerate(pred[q])} for q in range(pred.shape[0])}


def torch_id_numbers(case, ks):
    rels = relevant_sets(case)
    pred = case["pred"]
    K = pred.shape[1]
    idx, scores, target = [], [], []
    for q in range(pred.shape[0]):
        ids = [int(d) for d in pred[q]]
        missing = [d for d in rels[q] if d not in ids]
        docs = ids + missing
        idx += [q] * len(docs)
        scores += [float(K - i) for i in range(K)] + [-1.0 - j for j in range(len(missing))]
        target += [d in rels[q] for d in docs]
    return torch_retrieval(idx, scores, target, ks)


ID_ORACLES = {"tensorflow": tf_id_numbers, "trec_eval": trec_numbers, "ranx": ranx_numbers,
              "torchmetrics": torch_id_numbers}


def main_ids(outdir):
    write_cases(outdir, make_id_cases(), write_id_inputs, ID_ORACLES, header={"seed": ID_SEED})


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--ids":
        main_ids(sys.argv[2])
    elif len(sys.argv) == 5 and sys.argv[1] == "--compare":
        compare(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif len(sys.argv) == 2:
        main(sys.argv[1])
    else:
        sys.exit(__doc__)
