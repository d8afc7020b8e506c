"""Multi-hot labels, ranked-id predictions, every metric and ``like=`` convention, and the empty-row and NaN
policies through Python: the oracles' values (TensorFlow, trec_eval, ranx, torchmetrics, saved by
Scripts/oracle/) and the CLI's JSON, bit for bit, on the same inputs."""

import ctypes
import json
import os

import numpy as np
import pytest

import mapk
from mapk import _abi
from conftest import ROOT, close, nan_or, read_text_labels, without

FIXTURES = os.path.join(ROOT, "Tests", "ShardsTests", "Fixtures")
IDS = os.path.join(FIXTURES, "ranked-ids")
METRICS = os.path.join(FIXTURES, "metrics")


def load(folder, name, rows):
    path = os.path.join(folder, name)
    return np.load(path) if name.endswith(".npy") else read_text_labels(path, rows)


def cli_json(cli, predictions, labels, ks, *extra):
    return cli("eval", "--predictions", predictions, "--labels", labels, "-k", ",".join(map(str, ks)), "--json",
               "--no-progress", "--threads", "2", *extra)


def same_as_cli(result, reference):
    # Only the wall time and the bytes (arrays in memory vs files) may differ.
    assert without(result.to_dict(), "seconds", "bytes") == without(reference, "seconds", "bytes")


# --- Ranked ids (TensorFlow's predictions_idx) --------------------------------------------------------------

with open(os.path.join(IDS, "cases.json")) as f:
    ID_CASES = json.load(f)["cases"]


def id_case(case):
    ids = np.load(os.path.join(IDS, case["predictions"]))
    rows = ids.size // ids.shape[-1]
    labels = load(IDS, case["labels"], rows)
    weights = np.load(os.path.join(IDS, case["weights"])) if case.get("weights") else None
    return ids, labels, weights


def id_flags(case):
    flags = []
    if case["pad"] != -1:
        flags += ["--pad-id", str(case["pad"])]
    if case["classes"] is not None:
        flags += ["--classes", str(case["classes"])]
    return flags


@pytest.mark.parametrize("case", ID_CASES, ids=[c["name"] for c in ID_CASES])
def test_ranked_ids_match_tensorflow_and_the_cli(case, cli):
    ids, labels, weights = id_case(case)
    ks = case["ks"]
    pad = None if case["pad"] == -1 else case["pad"]
    result = mapk.evaluate(ids, labels, k=ks, weights=weights, threads=2, pad_id=pad, classes=case["classes"])
    for k, expected in zip(ks, case["expected"]):
        assert close(result.value(k), nan_or(expected)), (k, result, expected)
        assert close(mapk.average_precision_at_top_k(labels, ids, k, weights, pad_id=pad, classes=case["classes"]),
                     nan_or(expected))
    predictions = os.path.join(IDS, case["predictions"])
    labels_path = os.path.join(IDS, case["labels"])
    extra = id_flags(case) + (["--weights", os.path.join(IDS, case["weights"])] if case.get("weights") else [])
    reference = cli_json(cli, predictions, labels_path, ks, *extra)
    same_as_cli(result, reference)
    from_files = mapk.evaluate_files(predictions, labels_path, k=ks, threads=2, pad_id=pad, classes=case["classes"],
                                     weights_path=os.path.join(IDS, case["weights"]) if case.get("weights") else None)
    assert without(from_files.to_dict(), "seconds") == without(reference, "seconds")
    # In batches, and as int32 ids: the same bits.
    # Batches of flat rows: [D1..DN, K] as [rows, K], the weights broadcast to the rows.
    flat = ids.reshape(-1, ids.shape[-1])
    flat_labels = labels if isinstance(labels, list) else labels.reshape(len(flat), -1)
    flat_weights = None if weights is None else np.broadcast_to(weights, ids.shape[:-1]).reshape(-1)
    metric = mapk.Metric(k=ks)
    half = len(flat) // 2
    for lo, hi in ((0, half), (half, len(flat))):
        metric.update(flat[lo:hi].astype(np.int32), flat_labels[lo:hi],
                      None if flat_weights is None else flat_weights[lo:hi], pad_id=pad, classes=case["classes"])
    assert without(metric.result().to_dict(), "seconds", "bytes") == without(result.to_dict(), "seconds", "bytes")


def test_top_k_defaults_to_every_column_as_tensorflow():
    ids, labels, _ = id_case(ID_CASES[0])
    assert mapk.average_precision_at_top_k(labels, ids) == mapk.average_precision_at_top_k(labels, ids, ids.shape[-1])


def test_duplicate_ids_policy_and_the_cli(cli, tmp_path):
    # Row 0 ranks 3 twice: refused by default; with "first" the second copy is a miss (Kaggle's apk).
    ids = np.array([[3, 3, 1], [0, 2, 1]], dtype=np.int64)
    labels = np.array([[3, 1], [2, -1]], dtype=np.int64)
    with pytest.raises(ValueError, match="row 0 ranks id 3 more than once"):
        mapk.evaluate(ids, labels, k=3)
    result = mapk.evaluate(ids, labels, k=3, duplicate_ids="first", threads=2)
    # An independent reference: row 0 hits at ranks 1 and 3 of 2 labels: (1/1 + 2/3) / 2; row 1 at rank 2: 1/2.
    assert close(result.value(3), ((1 + 2 / 3) / 2 + 1 / 2) / 2)
    np.save(tmp_path / "ids.npy", ids)
    np.save(tmp_path / "labels.npy", labels)
    same_as_cli(result, cli_json(cli, str(tmp_path / "ids.npy"), str(tmp_path / "labels.npy"), [3],
                                 "--duplicate-ids", "first"))


def test_multi_hot_labels_with_ranked_ids(cli, tmp_path):
    rng = np.random.default_rng(151)  # seed 151
    ids = np.stack([rng.permutation(40)[:8] for _ in range(300)])
    flags = rng.random((300, 40)) < 0.1
    result = mapk.evaluate(ids, flags, k=[1, 5, 8], threads=2)
    as_rows = mapk.evaluate(ids, [list(np.flatnonzero(r)) for r in flags], k=[1, 5, 8], threads=2)
    assert without(result.to_dict(), "seconds", "bytes") == without(as_rows.to_dict(), "seconds", "bytes")
    # The CLI takes multi-hot labels of the predictions' shape only ([rows, K] here: K = C = 40).
    ids = np.stack([rng.permutation(40) for _ in range(300)])
    result = mapk.evaluate(ids, flags, k=[1, 5, 40], threads=2)
    np.save(tmp_path / "ids.npy", ids)
    np.save(tmp_path / "labels.npy", flags)
    same_as_cli(result, cli_json(cli, str(tmp_path / "ids.npy"), str(tmp_path / "labels.npy"), [1, 5, 40]))


# --- Multi-hot labels --------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [152, 153])
def test_multi_hot_labels_match_their_rows_and_the_cli(seed, cli, tmp_path):
    rng = np.random.default_rng(seed)
    scores = rng.random((2, 250, 30), dtype=np.float64).astype(np.float32)
    flags = rng.random((2, 250, 30)) < 0.08  # some rows have no labels: NaN under the default policy
    weights = rng.random((2, 250))
    ks = [1, 3, 10]
    result = mapk.evaluate(scores, flags, k=ks, weights=weights, threads=2, per_row=True)
    # The true columns as rows of ids (SparseTensor rules): the same bits.
    rows = [list(np.flatnonzero(r)) for r in flags.reshape(-1, 30)]
    as_rows = mapk.evaluate(scores, rows, k=ks, weights=weights, threads=2, per_row=True)
    assert without(result.to_dict(), "seconds", "bytes") == without(as_rows.to_dict(), "seconds", "bytes")
    assert np.array_equal(result.per_row, as_rows.per_row, equal_nan=True)
    # As int32 / int64 0/1 (labels_format="multihot") and as uint8 (converted to bool): the same bits.
    for dtype in (np.int32, np.int64, np.uint8):
        other = mapk.evaluate(scores, flags.astype(dtype), k=ks, weights=weights, threads=2, labels_format="multihot")
        assert without(other.to_dict(), "seconds", "bytes") == without(result.to_dict(), "seconds", "bytes")
    paths = {name: str(tmp_path / f"{name}.npy") for name in ("p", "l", "w", "i")}
    np.save(paths["p"], scores)
    np.save(paths["l"], flags)
    np.save(paths["w"], weights)
    np.save(paths["i"], flags.astype(np.int32))
    same_as_cli(result, cli_json(cli, paths["p"], paths["l"], ks, "--weights", paths["w"]))
    same_as_cli(mapk.evaluate(scores, flags.astype(np.int32), k=ks, labels_format="multihot", threads=2,
                              empty_rows="zero"),
                cli_json(cli, paths["p"], paths["i"], ks, "--labels-format", "multihot", "--empty-rows", "zero"))
    from_files = mapk.evaluate_files(paths["p"], paths["i"], k=ks, labels_format="multihot", threads=2,
                                     weights_path=paths["w"])
    assert without(from_files.to_dict(), "seconds", "bytes") == without(result.to_dict(), "seconds", "bytes")
    metric = mapk.Metric(k=ks)
    metric.update(scores[0], flags[0], weights[0])
    metric.update(scores[1], flags[1].astype(np.int64), weights[1], labels_format="multihot")
    assert without(metric.result().to_dict(), "seconds", "bytes") == without(result.to_dict(), "seconds", "bytes")


# --- Every metric, the conventions, the policies ------------------------------------------------------------

with open(os.path.join(METRICS, "cases.json")) as f:
    METRIC_CASES = json.load(f)["cases"]
CONVENTION_CASES = [(c, lib) for c in METRIC_CASES for lib in c["expected"]]


@pytest.mark.parametrize("case,library", CONVENTION_CASES, ids=[f"{c['name']}-{lib}" for c, lib in CONVENTION_CASES])
def test_like_gives_each_librarys_values_and_the_clis_json(case, library, cli):
    scores = np.load(os.path.join(METRICS, case["predictions"]))
    rows = scores.size // scores.shape[-1]
    labels = load(METRICS, case["labels"], rows)
    weights = np.load(os.path.join(METRICS, case["weights"])) if case.get("weights") else None
    result = mapk.evaluate(scores, labels, k=case["ks"], weights=weights, like=library, threads=2)
    names = set(mapk.metric_names())
    checked = 0
    for metric, by_k in case["expected"][library].items():
        if metric not in names:
            continue  # TensorFlow's *_at_top_k entries: the same metrics fed ranked ids
        for k, expected in by_k.items():
            # torchmetrics computes in float32.
            rel = 1e-6 if library == "torchmetrics" else 1e-12
            assert close(result.value(int(k), metric), nan_or(expected), rel=rel), (metric, k, expected)
            checked += 1
    assert checked > 0
    extra = ["--like", library] + (["--weights", os.path.join(METRICS, case["weights"])] if case.get("weights") else [])
    reference = cli_json(cli, os.path.join(METRICS, case["predictions"]), os.path.join(METRICS, case["labels"]),
                         case["ks"], *extra)
    same_as_cli(result, reference)


@pytest.mark.parametrize("empty_rows", ["nan", "skip", "zero"])
@pytest.mark.parametrize("nan", ["largest", "lowest"])
def test_every_metric_and_policy_gives_the_clis_bits(empty_rows, nan, cli, tmp_path):
    rng = np.random.default_rng(154)  # seed 154
    scores = rng.random((400, 25))
    scores[rng.random((400, 25)) < 0.05] = np.nan
    labels = rng.integers(-1, 25, size=(400, 3))
    labels[:40] = -1  # rows without labels
    np.save(tmp_path / "p.npy", scores)
    np.save(tmp_path / "l.npy", labels)
    metrics = mapk.metric_names()
    result = mapk.evaluate(scores, labels, k=[1, 4, 25], metrics=metrics, empty_rows=empty_rows, nan=nan, threads=2)
    assert result.nan_scores > 0 and result.empty_rows == 40
    same_as_cli(result, cli_json(cli, str(tmp_path / "p.npy"), str(tmp_path / "l.npy"), [1, 4, 25],
                                 "--metric", ",".join(metrics), "--empty-rows", empty_rows, "--nan", nan))


def test_like_and_explicit_arguments():
    assert mapk.conventions() == ["tensorflow", "trec_eval", "ranx", "torchmetrics"]
    scores = np.random.default_rng(155).random((50, 8))  # seed 155
    labels = np.zeros((50, 1), dtype=np.int64)
    labels[:5] = -1
    ranx = mapk.evaluate(scores, labels, k=3, like="ranx")
    assert ranx.empty_rows_policy == "zero" and {r["metric"] for r in ranx.results} >= {"map_trec", "ndcg", "hit"}
    # An explicit policy or metric list wins over the convention's, as on the command line.
    own = mapk.evaluate(scores, labels, k=3, like="ranx", empty_rows="skip", metrics="ndcg")
    assert own.empty_rows_policy == "skip" and [r["metric"] for r in own.results] == ["ndcg"]
    assert own.to_dict()["results"][0]["library_name"] == "ndcg@3"
    metric = mapk.Metric(k=3, like="trec_eval")
    metric.update(scores, labels)
    assert metric.result().to_dict() == {**metric.result().to_dict(), "convention": "trec_eval"}
    assert metric.result().empty_rows_policy == "skip"


# --- Bad inputs ---------------------------------------------------------------------------------------------


def test_bad_multi_hot_and_id_inputs_raise_with_the_message():
    scores = np.zeros((4, 5), dtype=np.float32)
    flags = np.zeros((4, 5), dtype=bool)
    ids = np.tile(np.arange(5), (4, 1))
    dense = np.zeros((4, 1), dtype=np.int64)
    cases = [
        (ValueError, "do not match predictions", lambda: mapk.evaluate(scores, np.zeros((4, 6), bool), k=1)),
        (ValueError, "row 2, column 3 holds 2",
         lambda: mapk.evaluate(scores, np.where(np.arange(20).reshape(4, 5) == 13, 2, 0).astype(np.int32), k=1,
                               labels_format="multihot")),
        (ValueError, "row 1, column 0 holds 7",
         lambda: mapk.evaluate(scores, np.eye(4, 5, dtype=np.uint8) * 0 + (np.arange(20).reshape(4, 5) == 5) * 7,
                               k=1, labels_format="multihot")),
        (TypeError, "multi-hot labels must be bool", lambda: mapk.evaluate(scores, flags.astype(np.float32), k=1,
                                                                          labels_format="multihot")),
        (ValueError, "labels_format must be", lambda: mapk.evaluate(scores, flags, k=1, labels_format="csv")),
        (TypeError, "found bool", lambda: mapk.evaluate(scores, flags, k=1, labels_format="dense")),
        (ValueError, "pad_id applies to ranked-id predictions", lambda: mapk.evaluate(scores, dense, k=1, pad_id=0)),
        (ValueError, "classes applies to ranked-id", lambda: mapk.evaluate(scores, dense, k=1, classes=5)),
        (ValueError, "more than once", lambda: mapk.evaluate(np.zeros((4, 5), np.int64), dense, k=2)),
        (ValueError, "id -3", lambda: mapk.evaluate(np.where(ids == 2, -3, ids), dense, k=5)),
        (ValueError, "k", lambda: mapk.evaluate(ids, dense, k=6)),
        (ValueError, "k", lambda: mapk.evaluate(ids, dense, k=5, classes=4)),
        (ValueError, "classes must be", lambda: mapk.evaluate(ids, dense, k=1, classes=0)),
        (ValueError, "duplicate-ids policy 'bogus'", lambda: mapk.evaluate(ids, dense, k=1, duplicate_ids="bogus")),
        (TypeError, "pad_id must be an integer", lambda: mapk.evaluate(ids, dense, k=1, pad_id=1.5)),
        (ValueError, "ranked ids have no columns", lambda: mapk.evaluate(np.zeros((4, 0), np.int64), dense, k=1)),
        (ValueError, "do not match", lambda: mapk.evaluate(ids, np.zeros((3, 1), np.int64), k=1)),
        (TypeError, "predictions must be", lambda: mapk.evaluate(flags, dense, k=1)),
        (TypeError, "predictions_idx must be integer", lambda: mapk.average_precision_at_top_k(dense, scores, 1)),
        (ValueError, "library convention 'keras'", lambda: mapk.evaluate(scores, dense, k=1, like="keras")),
        (ValueError, "applies to ranked-id predictions",
         lambda: mapk.evaluate_files(os.path.join(METRICS, "dense.pred.npy"), os.path.join(METRICS, "dense.labels.npy"),
                                     k=1, pad_id=0)),
    ]
    for kind, message, call in cases:
        with pytest.raises(kind, match=message):
            call()


def test_the_new_entry_points_refuse_null_pointers():
    out, error = ctypes.c_void_p(), _abi.Error()
    lib = _abi.lib
    assert lib.mapk_evaluate_ids(None, None, None, None, None, None, 0, ctypes.byref(out),
                                 ctypes.byref(error)) == _abi.ERROR_ARGUMENT
    assert lib.mapk_evaluate_ids(None, None, None, None, None, None, 0, None, None) == _abi.ERROR_ARGUMENT
    assert lib.mapk_stream_update_ids(None, None, None, None, None, ctypes.byref(error)) == _abi.ERROR_ARGUMENT
    assert lib.mapk_convention(None, None, None, ctypes.byref(error)) == _abi.ERROR_ARGUMENT
    assert lib.mapk_files_open_ids(None, None, None, None, None, 0, ctypes.byref(out), None) == _abi.ERROR_ARGUMENT
    assert lib.mapk_convention_metric_name(None, None, 1, None, 0) == 0
    assert lib.mapk_convention_metric_name(b"ranx", b"ndcg", 0, None, 0) == 0
    assert lib.mapk_convention_metric_name(b"ranx", b"ndcg", 10, None, 0) == len("ndcg@10")
    assert lib.mapk_result_pooled(None, 0) == 0
    # An unknown labels kind, through the ids entry point.
    ids = np.zeros((1, 1), np.int64)
    shape = (ctypes.c_int64 * 2)(1, 1)
    view = _abi.Array(ids.ctypes.data, _abi.INT64, 2, shape, None)
    labels = _abi.Labels(9, view, _abi.Array())
    options = _abi.Options((ctypes.c_int64 * 1)(1), 1, None, None, None, 1)
    status = lib.mapk_evaluate_ids(ctypes.byref(view), None, ctypes.byref(labels), None, ctypes.byref(options), None, 0,
                                   ctypes.byref(out), ctypes.byref(error))
    assert status == _abi.ERROR_ARGUMENT and "unknown kind 9" in error.message.decode()


# --- The bootstrap interval (mapk eval --ci) ----------------------------------------------------------------


@pytest.mark.parametrize("empty_rows", ["nan", "skip"])
def test_ci_gives_the_clis_bounds(empty_rows, cli, tmp_path):
    rng = np.random.default_rng(156)  # seed 156
    scores = rng.random((3, 200, 20))
    labels = rng.integers(-1, 20, size=(3, 200, 2))
    labels[0, :3] = -1  # rows without labels: NaN bounds under "nan", left out under "skip"
    weights = rng.random((3, 1))
    for name, a in (("p", scores), ("l", labels), ("w", weights)):
        np.save(tmp_path / f"{name}.npy", a)
    args = ["--weights", str(tmp_path / "w.npy"), "--ci", "0.9", "--bootstrap", "200", "--seed", "7",
            "--empty-rows", empty_rows]
    for metrics in (None, ["map", "ndcg", "mrr"]):
        result = mapk.evaluate(scores, labels, k=[1, 5], metrics=metrics, weights=weights, ci=0.9, bootstrap=200,
                               seed=7, empty_rows=empty_rows, threads=3)
        extra = args + (["--metric", ",".join(metrics)] if metrics else [])
        reference = cli_json(cli, str(tmp_path / "p.npy"), str(tmp_path / "l.npy"), [1, 5], *extra)
        # 3 threads here, 2 for the CLI: the same bits.
        assert without(result.to_dict(), "seconds", "bytes", "threads") == without(reference, "seconds", "bytes",
                                                                                   "threads")
        assert all("ci" in r for r in reference["results"]) and result.per_row is None
        one = mapk.evaluate(scores, labels, k=[1, 5], metrics=metrics, weights=weights, ci=0.9, bootstrap=200, seed=7,
                            empty_rows=empty_rows, threads=1, per_row=True)
        assert np.array_equal([r["ci"] for r in one.results], [r["ci"] for r in result.results], equal_nan=True)
        assert one.per_row.shape == (3, 200, len(one.results))
    for bad in (dict(ci=1.0), dict(ci=0.9, bootstrap=0), dict(ci=0.9, seed=-1), dict(ci="0.9")):
        with pytest.raises(ValueError):
            mapk.evaluate(scores, labels, k=1, **bad)
