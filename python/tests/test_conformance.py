"""Every conformance case through Python: TensorFlow's values at 1e-12 and the CLI's JSON, bit for bit."""

import numpy as np
import pytest

import mapk
from conftest import CONFORMANCE, cases, cli_args, close, load_case, nan_or, without

CASES = cases()


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case_matches_tensorflow_and_the_cli(case, cli):
    predictions, labels, weights = load_case(case)
    result = mapk.evaluate(predictions, labels, k=case["k"], weights=weights, threads=2, per_row=True)
    assert close(result.value(case["k"]), nan_or(case["expected_map"])), (result, case["expected_map"])
    assert close(mapk.average_precision_at_k(labels, predictions, case["k"], weights), nan_or(case["expected_map"]))
    if "expected_per_row" in case:
        # TensorFlow's per-row values are unweighted, as mapk's.
        expected = np.array([nan_or(v) for v in case["expected_per_row"]], dtype=np.float64)
        got = result.per_row.reshape(-1)
        assert got.shape == expected.shape
        assert all(close(a, b) for a, b in zip(got, expected))

    reference = cli(*cli_args(case), "--threads", "2")
    # The same object, every number with the same bits (JSON round-trips doubles);
    # only the wall time and the bytes (files vs arrays in memory) differ.
    assert without(result.to_dict(), "seconds", "bytes") == without(reference, "seconds", "bytes")
    import os

    from_files = mapk.evaluate_files(
        os.path.join(CONFORMANCE, case["predictions"]), os.path.join(CONFORMANCE, case["labels"]), k=case["k"],
        weights_path=os.path.join(CONFORMANCE, case["weights"]) if case.get("weights") else None, threads=2)
    assert without(from_files.to_dict(), "seconds") == without(reference, "seconds")


STREAMING = [c for c in CASES if "batch_bounds" in c]


@pytest.mark.parametrize("case", STREAMING, ids=[c["name"] for c in STREAMING])
def test_streaming_updates_match_tensorflow(case):
    predictions, labels, weights = load_case(case)
    metric = mapk.Metric(k=case["k"])
    bounds = case["batch_bounds"]
    for (lo, hi), expected in zip(zip(bounds, bounds[1:]), case["expected_updates"]):
        metric.update(predictions[lo:hi], labels[lo:hi], None if weights is None else weights[lo:hi])
        assert close(metric.result().value(), nan_or(expected))
    whole = mapk.evaluate(predictions, labels, k=case["k"], weights=weights)
    assert without(metric.result().to_dict(), "seconds", "bytes", "threads") == without(
        whole.to_dict(), "seconds", "bytes", "threads")
