"""Sparse CSR scores, exclusions (``exclude=``) and bootstrap intervals on files and streams (``ci=``) through
Python: the CLI's JSON bit for bit on files the tests write (``mapk eval`` with a scores ``.npz``,
``--exclude``, ``--ci``), and independent references where one exists (sparse scores against the dense
scores they stand for; exclusions against scores pushed to -inf)."""

import numpy as np
import pytest

import mapk
from conftest import without

scipy_sparse = pytest.importorskip("scipy.sparse")


def cli_json(cli, predictions, labels, ks, *extra):
    return cli("eval", "--predictions", str(predictions), "--labels", str(labels), "-k", ",".join(map(str, ks)),
               "--json", "--no-progress", "--threads", "2", *extra)


def same_as_cli(result, reference):
    # Only the wall time, the bytes (arrays in memory vs files) and the threads may differ.
    assert without(result.to_dict(), "seconds", "bytes", "threads") == without(reference, "seconds", "bytes",
                                                                               "threads")


def random_csr(rng, rows, width, density, dtype):
    """A canonical CSR matrix with distinct random scores, some explicit zeros and some empty rows."""
    mask = rng.random((rows, width)) < density
    mask[:3] = False  # rows with no candidate
    dense = np.where(mask, rng.random((rows, width)), 0).astype(dtype)
    m = scipy_sparse.csr_matrix(dense)
    # Explicit zeros are candidates scored 0 (as in mapk's .npz reader): a few stored on purpose.
    coo = m.tocoo()
    extra_rows, extra_cols = np.nonzero(~mask[10:20])
    data = np.concatenate([coo.data, np.zeros(len(extra_rows), dtype=dtype)])
    r = np.concatenate([coo.row, extra_rows + 10])
    c = np.concatenate([coo.col, extra_cols])
    return scipy_sparse.csr_matrix((data, (r, c)), shape=(rows, width))


# --- Sparse scores ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sparse_scores_give_the_clis_bits(dtype, cli, tmp_path):
    rng = np.random.default_rng(1501)  # seed 1501
    m = random_csr(rng, 300, 40, 0.3, dtype)
    labels = rng.integers(-1, 40, size=(300, 3))
    weights = rng.random(300)
    scipy_sparse.save_npz(tmp_path / "p.npz", m, compressed=False)
    np.save(tmp_path / "l.npy", labels)
    np.save(tmp_path / "w.npy", weights)
    ks = [1, 5, 10]
    metrics = ["map", "ndcg", "precision", "recall"]
    reference = cli_json(cli, tmp_path / "p.npz", tmp_path / "l.npy", ks, "--metric", ",".join(metrics),
                         "--weights", str(tmp_path / "w.npy"))
    forms = [m, (m.data, m.indices, m.indptr, m.shape),
             (m.data, m.indices.astype(np.int64), m.indptr.astype(np.int64), m.shape)]
    if hasattr(scipy_sparse, "csr_array"):
        forms.append(scipy_sparse.csr_array(m))
    for form in forms:
        for threads in (1, 2, 3, 8):
            result = mapk.evaluate(form, labels, k=ks, metrics=metrics, weights=weights, threads=threads)
            same_as_cli(result, reference)
    # The same rows through evaluate_files (the mapped .npz) and a Metric over batches of rows.
    same_as_cli(mapk.evaluate_files(tmp_path / "p.npz", tmp_path / "l.npy", k=ks, metrics=metrics,
                                    weights_path=tmp_path / "w.npy", threads=2), reference)
    metric = mapk.Metric(k=ks, metrics=metrics, threads=3)
    for lower in range(0, 300, 70):
        rows = slice(lower, lower + 70)
        metric.update(m[rows], labels[rows], weights=weights[rows])
    assert without(metric.result().to_dict(), "seconds", "bytes", "threads", "classes") == \
        without(reference, "seconds", "bytes", "threads", "classes")
    assert mapk.average_precision_at_k(labels, m, 5) == mapk.evaluate(m, labels, k=5).value(5)


def test_sparse_scores_equal_the_dense_scores_they_stand_for():
    # Independent reference: a row with at least k stored entries ranks them as dense scores that put
    # every column it does not store last (-inf), so the first k are the same and so is every value.
    rng = np.random.default_rng(1502)  # seed 1502
    rows, width, k = 400, 25, 6
    dense = rng.random((rows, width))
    keep = rng.random((rows, width)) < 0.5
    keep[np.arange(rows)[:, None], np.argsort(rng.random((rows, width)), axis=1)[:, :k]] = True  # >= k stored
    m = scipy_sparse.csr_matrix(np.where(keep, dense, 0))
    masked = np.where(keep, dense, -np.inf)
    labels = [list(rng.choice(width, size=rng.integers(1, 5), replace=False)) for _ in range(rows)]
    for metric in ("map", "ndcg", "mrr", "precision", "recall"):
        sparse = mapk.evaluate(m, labels, k=[1, 3, k], metrics=metric, per_row=True)
        reference = mapk.evaluate(masked, labels, k=[1, 3, k], metrics=metric, per_row=True)
        assert [r["value"] for r in sparse.results] == [r["value"] for r in reference.results]
        assert np.array_equal(sparse.per_row, reference.per_row, equal_nan=True)
    # And the mean AP@k computed here in plain Python (TensorFlow's rule: precision at each hit over
    # min(k, labels)), within rounding.
    expected = []
    for r in range(rows):
        top = [c for c in np.argsort(-masked[r], kind="stable")[:k]]
        hits, total = 0, 0.0
        for i, c in enumerate(top):
            if c in labels[r]:
                hits += 1
                total += hits / (i + 1)
        expected.append(total / min(k, len(labels[r])))
    assert mapk.average_precision_at_k(labels, m, k) == pytest.approx(np.mean(expected), rel=1e-12)


def test_bad_sparse_scores_raise_with_the_message():
    data, indices, indptr = np.array([0.5, 0.2, 0.9]), np.array([0, 2, 1]), np.array([0, 2, 3])
    labels = np.array([[0], [1]])
    assert mapk.evaluate((data, indices, indptr, (2, 3)), labels, k=1).value(1) == 1.0
    cases = [
        ((data, indices, np.array([0, 2]), (2, 3)), ValueError, "indptr has 2 entries for 2 rows"),
        ((data, indices, np.array([1, 2, 3]), (2, 3)), ValueError, "indptr must start at 0"),
        ((data, indices, np.array([0, 3, 2]), (2, 3)), ValueError, "indptr decreases"),
        ((data, indices, np.array([0, 2, 4]), (2, 3)), ValueError, "past the 3 stored entries"),
        ((data, np.array([0, 3, 1]), indptr, (2, 3)), ValueError, "outside the 3 columns"),
        ((data, np.array([2, 2, 1]), indptr, (2, 3)), ValueError, "stores column 2 more than once"),
        ((data[:2], indices, indptr, (2, 3)), ValueError, "3 indices for 2 data values"),
        ((data.astype(int), indices, indptr, (2, 3)), TypeError, "float16, float32 or float64"),
        ((data, indices.astype(float), indptr, (2, 3)), TypeError, "indices must be integers"),
        ((data, indices, indptr, (2, 0)), ValueError, "width 0"),
        ((data, indices, indptr, (2, 3.0)), ValueError, "two integers"),
    ]
    for form, error, message in cases:
        with pytest.raises(error, match=message):
            mapk.evaluate(form, labels, k=1)
    with pytest.raises(ValueError, match="k = 4|above"):
        mapk.evaluate((data, indices, indptr, (2, 3)), labels, k=4)
    with pytest.raises(ValueError, match="pad_id applies to ranked-id predictions"):
        mapk.evaluate((data, indices, indptr, (2, 3)), labels, k=1, pad_id=-1)


# --- Exclusions ---------------------------------------------------------------------------------------------


def exclusion_forms(rng, rows, width, tmp_path):
    """The same exclusions in every form: (python object, file for --exclude)."""
    counts = rng.integers(0, 4, size=rows)
    counts[-1] = 2  # the text file's last line is not empty (rows without exclusions are empty lines before it)
    sets = [sorted(rng.choice(width, size=c, replace=False).tolist()) for c in counts]
    dense = np.full((rows, 3), -1, dtype=np.int64)
    for r, s in enumerate(sets):
        dense[r, :len(s)] = s
    hot = np.zeros((rows, width), dtype=bool)
    for r, s in enumerate(sets):
        hot[r, s] = True
    csr = scipy_sparse.csr_matrix(hot.astype(np.float64))
    np.save(tmp_path / "x-dense.npy", dense)
    with open(tmp_path / "x.txt", "w") as f:
        f.write("".join(" ".join(map(str, s)) + "\n" for s in sets))
    scipy_sparse.save_npz(tmp_path / "x.npz", csr)
    np.save(tmp_path / "x-hot.npy", hot)
    return sets, [(dense, tmp_path / "x-dense.npy"), (sets, tmp_path / "x.txt"), (csr, tmp_path / "x.npz"),
                  (hot, tmp_path / "x-hot.npy")]


def test_exclusions_give_the_clis_bits(cli, tmp_path):
    rng = np.random.default_rng(1503)  # seed 1503
    rows, width = 240, 30
    scores = rng.random((rows, width)).astype(np.float32)
    labels = rng.integers(-1, width, size=(rows, 4))
    weights = rng.random(rows)
    np.save(tmp_path / "p.npy", scores)
    np.save(tmp_path / "l.npy", labels)
    np.save(tmp_path / "w.npy", weights)
    sets, forms = exclusion_forms(rng, rows, width, tmp_path)
    ks, metrics = [1, 3, 10], ["map", "ndcg", "precision"]
    reference = cli_json(cli, tmp_path / "p.npy", tmp_path / "l.npy", ks, "--metric", ",".join(metrics),
                         "--weights", str(tmp_path / "w.npy"), "--exclude", str(tmp_path / "x.txt"))
    for form, path in forms:
        # Every form on the command line gives the same JSON, and so does every form in Python.
        assert without(cli_json(cli, tmp_path / "p.npy", tmp_path / "l.npy", ks, "--metric", ",".join(metrics),
                                "--weights", str(tmp_path / "w.npy"), "--exclude", str(path)),
                       "seconds", "bytes") == without(reference, "seconds", "bytes")
        for threads in (1, 3):
            same_as_cli(mapk.evaluate(scores, labels, k=ks, metrics=metrics, weights=weights, threads=threads,
                                      exclude=form), reference)
        same_as_cli(mapk.evaluate_files(tmp_path / "p.npy", tmp_path / "l.npy", k=ks, metrics=metrics,
                                        weights_path=tmp_path / "w.npy", exclude=path), reference)
        metric = mapk.Metric(k=ks, metrics=metrics)
        for lower in range(0, rows, 100):
            part = slice(lower, lower + 100)
            metric.update(scores[part], labels[part], weights=weights[part], exclude=form[part])
        assert without(metric.result().to_dict(), "seconds", "bytes", "threads") == \
            without(reference, "seconds", "bytes", "threads")
    # TensorFlow's function with exclusions, through every label form too.
    value = mapk.average_precision_at_k(labels, scores, 3, weights, exclude=sets)
    assert value == mapk.evaluate(scores, labels, k=3, weights=weights, exclude=forms[3][0]).value(3)


def test_exclusions_equal_scores_pushed_last():
    # Independent reference: with k <= C - (the most classes a row excludes), removing a row's excluded
    # classes from its ranking gives the same first k as scoring them -inf (ranked after every other).
    rng = np.random.default_rng(1504)  # seed 1504
    rows, width = 300, 20
    scores = rng.random((rows, width))
    labels = [list(rng.choice(width, size=rng.integers(1, 4), replace=False)) for _ in range(rows)]
    excluded = [list(rng.choice(width, size=rng.integers(0, 5), replace=False)) for _ in range(rows)]
    pushed = scores.copy()
    for r, s in enumerate(excluded):
        pushed[r, s] = -np.inf
    ks = [1, 5, 15]
    for metric in ("map", "ndcg", "mrr", "recall"):
        got = mapk.evaluate(scores, labels, k=ks, metrics=metric, exclude=excluded, per_row=True)
        want = mapk.evaluate(pushed, labels, k=ks, metrics=metric, per_row=True)
        assert np.array_equal(got.per_row, want.per_row, equal_nan=True)
        assert [r["value"] for r in got.results] == [r["value"] for r in want.results]


def test_exclusions_with_ranked_ids_and_sparse_scores_give_the_clis_bits(cli, tmp_path):
    rng = np.random.default_rng(1505)  # seed 1505
    rows, width = 150, 25
    scores = rng.random((rows, width))
    ids = np.argsort(-scores, axis=1)[:, :12].astype(np.int32)
    labels = rng.integers(-1, width, size=(rows, 2))
    np.save(tmp_path / "ids.npy", ids)
    np.save(tmp_path / "l.npy", labels)
    m = random_csr(rng, rows, width, 0.4, np.float64)
    scipy_sparse.save_npz(tmp_path / "p.npz", m, compressed=False)
    sets, forms = exclusion_forms(rng, rows, width, tmp_path)
    for predictions, path in ((ids, tmp_path / "ids.npy"), (m, tmp_path / "p.npz")):
        reference = cli_json(cli, path, tmp_path / "l.npy", [1, 4], "--exclude", str(tmp_path / "x.txt"),
                             "--metric", "map,mrr")
        for form, _ in forms:
            same_as_cli(mapk.evaluate(predictions, labels, k=[1, 4], metrics=["map", "mrr"], exclude=form),
                        reference)
        for _, exclude_path in forms:
            same_as_cli(mapk.evaluate_files(path, tmp_path / "l.npy", k=[1, 4], metrics=["map", "mrr"],
                                            exclude=exclude_path), reference)
        metric = mapk.Metric(k=[1, 4], metrics=["map", "mrr"])
        metric.update(predictions[:60], labels[:60], exclude=sets[:60])
        metric.update(predictions[60:], labels[60:], exclude=sets[60:])
        assert without(metric.result().to_dict(), "seconds", "bytes", "threads", "classes") == \
            without(reference, "seconds", "bytes", "threads", "classes")
    assert mapk.average_precision_at_top_k(labels, ids, 4, exclude=sets) == \
        mapk.evaluate(ids, labels, k=4, exclude=forms[0][0]).value(4)


def test_bad_exclusions_raise_with_the_message():
    scores = np.random.default_rng(1506).random((4, 5))  # seed 1506
    labels = np.array([0, 1, 2, 3])
    with pytest.raises(ValueError, match="exclusions of shape \\[3, 2\\] do not match"):
        mapk.evaluate(scores, labels, k=1, exclude=np.zeros((3, 2), dtype=np.int64))
    with pytest.raises(ValueError, match="multi-hot exclusions of shape"):
        mapk.evaluate(scores, labels, k=1, exclude=np.zeros((4, 4), dtype=bool))
    with pytest.raises(TypeError, match="exclude must be integer class ids"):
        mapk.evaluate(scores, labels, k=1, exclude=np.zeros((4, 1)))
    with pytest.raises(ValueError, match="exclude matrix has 3 rows"):
        mapk.evaluate(scores, labels, k=1, exclude=scipy_sparse.csr_matrix(np.ones((3, 5))))
    with pytest.raises(ValueError):
        mapk.evaluate(scores, labels, k=1, exclude=[[0], [1]])
    metric = mapk.Metric(k=1)
    with pytest.raises(ValueError):
        metric.update(scores, labels, exclude=[[0], [1]])
    assert metric.result().rows == 0  # unchanged by the refused batch


# --- Bootstrap intervals of files and streams ----------------------------------------------------------------


def test_ci_of_files_and_metrics_gives_the_clis_bits(cli, tmp_path):
    rng = np.random.default_rng(1507)  # seed 1507
    scores = rng.random((2, 250, 15))
    labels = rng.integers(-1, 15, size=(2, 250, 2))
    weights = rng.random((2, 1))
    for name, a in (("p", scores), ("l", labels), ("w", weights)):
        np.save(tmp_path / f"{name}.npy", a)
    sets = [[int(c)] for c in rng.integers(0, 15, size=500)]
    with open(tmp_path / "x.txt", "w") as f:
        f.write("".join(f"{s[0]}\n" for s in sets))
    metrics = ["map", "ndcg", "mrr"]
    for empty_rows in ("skip", "nan"):
        args = ["--weights", str(tmp_path / "w.npy"), "--ci", "0.9", "--bootstrap", "300", "--seed", "11",
                "--metric", ",".join(metrics), "--empty-rows", empty_rows]
        reference = cli_json(cli, tmp_path / "p.npy", tmp_path / "l.npy", [1, 5], *args)
        assert all("ci" in r for r in reference["results"])
        common = dict(k=[1, 5], metrics=metrics, ci=0.9, bootstrap=300, seed=11, empty_rows=empty_rows)
        for threads, per_row in ((1, False), (3, True)):
            files = mapk.evaluate_files(tmp_path / "p.npy", tmp_path / "l.npy", weights_path=tmp_path / "w.npy",
                                        threads=threads, per_row=per_row, **common)
            same_as_cli(files, reference)
            assert (files.per_row is not None) == per_row
        same_as_cli(mapk.evaluate(scores, labels, weights=weights, **common), reference)
        # A metric over batches of rows (numbered in update order) is the one call.
        flat_scores, flat_labels = scores.reshape(500, 15), labels.reshape(500, 2)
        flat_weights = np.repeat(weights.reshape(2), 250)
        metric = mapk.Metric(k=[1, 5], metrics=metrics, ci=0.9, bootstrap=300, seed=11, empty_rows=empty_rows,
                             threads=2)
        for lower in (0, 130, 260, 390):
            part = slice(lower, min(lower + 130, 500))
            metric.update(flat_scores[part], flat_labels[part], weights=flat_weights[part])
        same_as_cli(metric.result(), reference)
        # Halves merged (the second numbered from its first global row) are the whole.
        first = mapk.Metric(k=[1, 5], metrics=metrics, ci=0.9, bootstrap=300, seed=11, empty_rows=empty_rows)
        second = mapk.Metric(k=[1, 5], metrics=metrics, ci=0.9, bootstrap=300, seed=11, empty_rows=empty_rows,
                             first_row=200)
        first.update(flat_scores[:200], flat_labels[:200], weights=flat_weights[:200])
        second.update(flat_scores[200:], flat_labels[200:], weights=flat_weights[200:])
        second.merge(first)
        same_as_cli(second.result(), reference)
        # With exclusions too, files and memory alike.
        excluded = cli_json(cli, tmp_path / "p.npy", tmp_path / "l.npy", [1, 5], *args, "--exclude",
                            str(tmp_path / "x.txt"))
        same_as_cli(mapk.evaluate_files(tmp_path / "p.npy", tmp_path / "l.npy", weights_path=tmp_path / "w.npy",
                                        exclude=tmp_path / "x.txt", **common), excluded)
        same_as_cli(mapk.evaluate(scores, labels, weights=weights, exclude=sets, **common), excluded)
    # A wrong first_row gives other counts, so (almost surely) other bounds: the numbering matters.
    shifted = mapk.Metric(k=5, ci=0.9, bootstrap=300, seed=11, first_row=1, empty_rows="skip")
    shifted.update(flat_scores, flat_labels)
    plain = mapk.evaluate(flat_scores, flat_labels, k=5, ci=0.9, bootstrap=300, seed=11, empty_rows="skip")
    assert shifted.result().results[0]["value"] == plain.results[0]["value"]
    assert shifted.result().results[0]["ci"] != plain.results[0]["ci"]


@pytest.mark.parametrize("empty_rows", ["skip", "nan", "zero"])
def test_ci_of_pooled_metrics_gives_the_clis_bits(empty_rows, cli, tmp_path):
    # precision and recall are pooled (Σ w·hits / Σ w·n): their replicates are the pooled ratio's, as
    # `mapk eval --ci` computes them; beside map (a mean), whose rows without labels they keep.
    rng = np.random.default_rng(1509)  # seed 1509
    scores = rng.random((2, 240, 12))
    labels = rng.integers(-1, 12, size=(2, 240, 3))
    labels[0, :4] = -1  # rows without labels
    weights = rng.random((2, 1))
    for name, a in (("p", scores), ("l", labels), ("w", weights)):
        np.save(tmp_path / f"{name}.npy", a)
    sets = [[int(c)] for c in rng.integers(0, 12, size=480)]
    with open(tmp_path / "x.txt", "w") as f:
        f.write("".join(f"{s[0]}\n" for s in sets))
    for metrics in (["map", "precision", "recall"], ["precision", "recall"]):
        args = ["--weights", str(tmp_path / "w.npy"), "--ci", "0.95", "--bootstrap", "250", "--seed", "5",
                "--metric", ",".join(metrics), "--empty-rows", empty_rows]
        reference = cli_json(cli, tmp_path / "p.npy", tmp_path / "l.npy", [1, 5], *args)
        assert all("ci" in r for r in reference["results"])
        # The pooled bounds are numbers (the ratio takes the rows without labels under "nan" too).
        pooled = [r for r in reference["results"] if r["metric"] in ("precision", "recall")]
        assert all(isinstance(r["ci"][0], float) and r["ci"][0] <= r["ci"][1] for r in pooled)
        common = dict(k=[1, 5], metrics=metrics, ci=0.95, bootstrap=250, seed=5, empty_rows=empty_rows)
        for threads, per_row in ((1, False), (3, True)):
            same_as_cli(mapk.evaluate_files(tmp_path / "p.npy", tmp_path / "l.npy", weights_path=tmp_path / "w.npy",
                                            threads=threads, per_row=per_row, **common), reference)
            memory = mapk.evaluate(scores, labels, weights=weights, threads=threads, per_row=per_row, **common)
            same_as_cli(memory, reference)
            assert (memory.per_row is not None) == per_row
        flat_scores, flat_labels = scores.reshape(480, 12), labels.reshape(480, 3)
        flat_weights = np.repeat(weights.reshape(2), 240)
        # A metric over batches of rows (numbered in update order) is the one call.
        metric = mapk.Metric(threads=2, **common)
        for lower in (0, 100, 200, 300, 400):
            part = slice(lower, min(lower + 100, 480))
            metric.update(flat_scores[part], flat_labels[part], weights=flat_weights[part])
        same_as_cli(metric.result(), reference)
        # Halves merged (the second numbered from its first global row) are the whole.
        first = mapk.Metric(**common)
        second = mapk.Metric(first_row=170, **common)
        first.update(flat_scores[:170], flat_labels[:170], weights=flat_weights[:170])
        second.update(flat_scores[170:], flat_labels[170:], weights=flat_weights[170:])
        second.merge(first)
        same_as_cli(second.result(), reference)
        # With exclusions too, files and memory alike.
        excluded = cli_json(cli, tmp_path / "p.npy", tmp_path / "l.npy", [1, 5], *args, "--exclude",
                            str(tmp_path / "x.txt"))
        same_as_cli(mapk.evaluate_files(tmp_path / "p.npy", tmp_path / "l.npy", weights_path=tmp_path / "w.npy",
                                        exclude=tmp_path / "x.txt", **common), excluded)
        same_as_cli(mapk.evaluate(scores, labels, weights=weights, exclude=sets, **common), excluded)
    # The seed moves the pooled bounds, never the values: the replicates are drawn, not copied.
    a = mapk.evaluate(scores, labels, k=5, metrics="precision", ci=0.95, bootstrap=250, seed=5)
    b = mapk.evaluate(scores, labels, k=5, metrics="precision", ci=0.95, bootstrap=250, seed=6)
    assert a.results[0]["value"] == b.results[0]["value"] and a.results[0]["ci"] != b.results[0]["ci"]


def test_ci_refusals():
    rng = np.random.default_rng(1508)  # seed 1508
    scores, labels = rng.random((50, 6)), rng.integers(0, 6, size=50)
    metric = mapk.Metric(k=2, ci=0.9, bootstrap=50)
    metric.update(scores, labels)
    with pytest.raises(ValueError, match="do not carry its replicates"):
        metric.state_bytes()
    with pytest.raises(ValueError, match="one without"):
        metric.merge(mapk.Metric(k=2))
    with pytest.raises(ValueError, match="different bootstraps"):
        metric.merge(mapk.Metric(k=2, ci=0.9, bootstrap=50, seed=1))
    with pytest.raises(ValueError, match="different bootstraps"):
        metric.merge(mapk.Metric(k=2, ci=0.8, bootstrap=50))
    # A pooled metric's bootstrap keeps denominators a mean's does not: not the same design.
    with pytest.raises(ValueError, match="different bootstraps"):
        mapk.Metric(k=2, metrics="precision", ci=0.9, bootstrap=50).merge(mapk.Metric(k=2, ci=0.9, bootstrap=50))
    for bad in (dict(ci=1.5), dict(ci=0.9, bootstrap=0), dict(ci=0.9, first_row=-1), dict(first_row=3)):
        with pytest.raises(ValueError):
            mapk.Metric(k=1, **bad)
    # reset forgets the bootstrap's rows too: the result is the one of the batch added after it.
    metric.reset()
    metric.update(scores, labels)
    assert metric.result().results[0]["ci"] == mapk.evaluate(scores, labels, k=2, ci=0.9, bootstrap=50).results[0]["ci"]


# --- The C ABI's new entry points refuse what they cannot read ----------------------------------------------


def test_the_abi_version_3_entry_points_refuse_bad_pointers():
    import ctypes

    from mapk import _abi

    lib = _abi.lib
    assert lib.mapk_abi_version() == 3
    error, out = _abi.Error(), ctypes.c_void_p()
    ks = (ctypes.c_int64 * 1)(1)
    options = _abi.Options(ks, 1, None, None, None, 1)
    status = lib.mapk_evaluate_sparse(None, None, None, None, ctypes.byref(options), None, 0, ctypes.byref(out),
                                      ctypes.byref(error))
    assert status == _abi.ERROR_ARGUMENT and "sparse scores: NULL pointer" in error.message.decode()
    # A sparse matrix whose arrays are missing: NULL data for elements is refused before any read.
    shape = (ctypes.c_int64 * 1)(3)
    missing = _abi.Array(None, _abi.INT64, 1, shape, None)
    scores = _abi.SparseScores(missing, missing, _abi.Array(None, _abi.FLOAT32, 1, shape, None), 2, 4)
    labels = _abi.Labels(_abi.LABELS_DENSE, _abi.Array(None, _abi.INT64, 1, (ctypes.c_int64 * 1)(0), None),
                         _abi.Array())
    status = lib.mapk_evaluate_sparse(ctypes.byref(scores), ctypes.byref(labels), None, None, ctypes.byref(options),
                                      None, 0, ctypes.byref(out), ctypes.byref(error))
    assert status == _abi.ERROR_ARGUMENT and "NULL data" in error.message.decode()
    status = lib.mapk_stream_create_ci(ctypes.byref(options), 0.9, 0, 0, 0, ctypes.byref(out), ctypes.byref(error))
    assert status == _abi.ERROR_VALUE and "replicates" in error.message.decode()
    status = lib.mapk_files_evaluate_ci(None, ctypes.byref(options), 0.9, 10, 0, None, 0, ctypes.byref(out),
                                        ctypes.byref(error))
    assert status == _abi.ERROR_ARGUMENT
    # A result without intervals: level NaN, no interval written.
    result = mapk.evaluate(np.eye(3), np.arange(3), k=1)
    assert result.ci_level is None and "ci" not in result.results[0]
    assert lib.mapk_result_interval(None, 0, None, None) == 0 and np.isnan(lib.mapk_result_ci_level(None))


def test_sparse_scores_are_read_in_place():
    # 200,000 rows x 100 stored entries: 80 MB of float32 data and 80 MB of int32 indices, read where they
    # are (peak RSS grows by far less than either; a copy of the arrays would add at least 80 MB).
    import test_memory_and_gil as memory

    rng = np.random.default_rng(1509)  # seed 1509
    rows, stored, width = 200_000, 100, 5000
    data = rng.random(rows * stored, dtype=np.float32)
    indices = np.tile(np.arange(0, width, width // stored, dtype=np.int32), rows)
    indptr = np.arange(0, rows * stored + 1, stored, dtype=np.int64)
    labels = rng.integers(0, width, size=(rows, 3), dtype=np.int32)
    form = (data, indices, indptr, (rows, width))
    mapk.evaluate((data[:stored * 10], indices[:stored * 10], indptr[:11], (10, width)), labels[:10], k=10)
    before = memory.peak_rss_bytes()
    result = mapk.evaluate(form, labels, k=[1, 10])
    grown = memory.peak_rss_bytes() - before
    assert result.rows == rows
    assert grown < 32 << 20, f"peak RSS grew by {grown / 2**20:.1f} MB evaluating 160 MB of sparse scores"


def test_ci_of_sparse_scores_gives_the_clis_bits(cli, tmp_path):
    rng = np.random.default_rng(1510)  # seed 1510
    m = random_csr(rng, 260, 30, 0.3, np.float32)
    labels = rng.integers(-1, 30, size=(260, 2))
    scipy_sparse.save_npz(tmp_path / "p.npz", m, compressed=False)
    np.save(tmp_path / "l.npy", labels)
    reference = cli_json(cli, tmp_path / "p.npz", tmp_path / "l.npy", [2, 8], "--ci", "0.8", "--bootstrap", "150",
                         "--seed", "3", "--empty-rows", "skip", "--metric", "map,ndcg")
    common = dict(k=[2, 8], metrics=["map", "ndcg"], ci=0.8, bootstrap=150, seed=3, empty_rows="skip")
    same_as_cli(mapk.evaluate(m, labels, **common), reference)
    same_as_cli(mapk.evaluate_files(tmp_path / "p.npz", tmp_path / "l.npy", **common), reference)
    metric = mapk.Metric(**common)
    metric.update(m[:100], labels[:100])
    metric.update(m[100:], labels[100:])
    same_as_cli(metric.result(), reference)
