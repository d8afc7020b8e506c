"""The Python API: thread invariance, streaming, merging, state bytes, inputs and bad inputs."""

import ctypes
import pickle

import numpy as np
import pytest

import mapk
from mapk import _abi
from conftest import without


def dump(seed, rows=3000, classes=200, width=6, dtype=np.float32):
    rng = np.random.default_rng(seed)
    scores = rng.random((rows, classes), dtype=np.float64).astype(dtype)
    labels = rng.integers(-1, classes, size=(rows, width), dtype=np.int64)
    weights = rng.random(rows)
    return scores, labels, weights


def same(a, b, *ignoring):
    """Two results with the same bits (threads, timings and `ignoring` aside)."""
    keys = ("seconds", "bytes", "threads") + ignoring
    return without(a.to_dict(), *keys) == without(b.to_dict(), *keys)


@pytest.mark.parametrize("seed", [1, 2])
def test_thread_count_does_not_change_a_bit(seed):
    scores, labels, weights = dump(seed)
    results = [mapk.evaluate(scores, labels, k=[1, 5, 20], weights=weights, threads=t, per_row=True)
               for t in (1, 2, 3, 8, 64)]
    for r in results[1:]:
        assert same(r, results[0])
        assert np.array_equal(r.per_row, results[0].per_row, equal_nan=True)
    assert [r.threads for r in results] == [1, 2, 3, 8, 64]


@pytest.mark.parametrize("seed", [3, 4])
def test_metric_over_batches_equals_one_call(seed):
    scores, labels, weights = dump(seed)
    whole = mapk.evaluate(scores, labels, k=[1, 10], weights=weights)
    metric = mapk.Metric(k=[1, 10])
    bounds = [0, 1, 700, 701, 2000, 3000]
    for lo, hi in zip(bounds, bounds[1:]):
        metric.update(scores[lo:hi], labels[lo:hi], weights[lo:hi])
    assert same(metric.result(), whole)
    metric.reset()
    assert metric.result().rows == 0 and metric.result().value(1) == 0.0


def test_merge_of_halves_equals_the_whole():
    scores, labels, weights = dump(5)
    whole = mapk.evaluate(scores, labels, k=5, weights=weights)
    first, second = mapk.Metric(k=5), mapk.Metric(k=5)
    first.update(scores[:1234], labels[:1234], weights[:1234])
    second.update(scores[1234:], labels[1234:], weights[1234:])
    second.merge(first)  # the order of a merge does not matter either
    assert same(second.result(), whole)
    with pytest.raises(ValueError, match="cannot merge"):
        second.merge(mapk.Metric(k=6))
    with pytest.raises(ValueError, match="itself"):
        second.merge(second)


def test_state_bytes_round_trip():
    scores, labels, weights = dump(6)
    metric = mapk.Metric(k=[3, 7], empty_rows="zero")
    metric.update(scores, labels, weights)
    data = metric.state_bytes()
    again = mapk.Metric.from_state_bytes(data)
    assert again.state_bytes() == data
    # A state holds no class count (a stream's batches may differ in it): 0 once decoded.
    assert again.result().classes == 0
    assert same(again.result(), metric.result(), "classes")
    assert same(pickle.loads(pickle.dumps(metric)).result(), metric.result(), "classes")
    # A decoded state merges like the original: halves sent as bytes.
    a, b = mapk.Metric(k=[3, 7], empty_rows="zero"), mapk.Metric(k=[3, 7], empty_rows="zero")
    a.update(scores[:100], labels[:100], weights[:100])
    b.update(scores[100:], labels[100:], weights[100:])
    merged = mapk.Metric.from_state_bytes(a.state_bytes())
    merged.merge(mapk.Metric.from_state_bytes(b.state_bytes()))
    assert same(merged.result(), metric.result(), "classes")
    for bad, message in [(b"", "not a mapk metric state"), (b"[1]", "not a mapk metric state"),
                         (data.replace(b'"version":1', b'"version":9'), "version 9"),
                         (data.replace(b'"ks":[3,7]', b'"ks":[7,3]'), "ascending"),
                         (data.replace(b'"exact":"0x', b'"exact":"0X'), "bad metric state")]:
        with pytest.raises(ValueError, match=message):
            mapk.Metric.from_state_bytes(bad)


def test_inputs_in_every_form_give_the_same_bits():
    scores, labels, _ = dump(7, rows=500, classes=50)
    reference = mapk.evaluate(scores, labels, k=4)
    # Strided, Fortran-ordered, big-endian and float64 copies of the same values.
    wide = np.zeros((500, 100), dtype=np.float32)
    wide[:, ::2] = scores
    assert same(mapk.evaluate(wide[:, ::2], labels, k=4), reference)
    assert same(mapk.evaluate(np.asfortranarray(scores), labels, k=4), reference)
    assert same(mapk.evaluate(scores.astype(">f4"), labels, k=4), reference)
    assert same(mapk.evaluate(scores, labels.astype(np.int32), k=4), reference)
    assert same(mapk.evaluate(scores, labels.astype(np.int16), k=4), reference)
    # Rank 3: rows are the flattened leading dims.
    assert same(mapk.evaluate(scores.reshape(10, 50, 50), labels.reshape(10, 50, 6), k=4), reference)


def test_rows_of_ids_and_csr_are_sparse_labels():
    scipy_sparse = pytest.importorskip("scipy.sparse")
    rng = np.random.default_rng(8)
    scores = rng.random((300, 40)).astype(np.float32)
    rows = [sorted(set(rng.integers(0, 40, size=rng.integers(0, 5)).tolist())) for _ in range(300)]
    by_rows = mapk.evaluate(scores, rows, k=5, empty_rows="skip")
    indptr = np.cumsum([0] + [len(r) for r in rows])
    indices = np.array([v for r in rows for v in r], dtype=np.int32)
    csr = scipy_sparse.csr_matrix((np.ones(len(indices)), indices, indptr), shape=(300, 40))
    assert same(mapk.evaluate(scores, csr, k=5, empty_rows="skip"), by_rows)
    assert same(mapk.evaluate(scores, csr.tocoo(), k=5, empty_rows="skip"), by_rows)
    with_zeros = csr.copy()
    with_zeros.data[:3] = 0  # explicit zeros are not labels
    flat = [(r, v) for r, row in enumerate(rows) for v in row]
    kept = [[v for v in row if (r, v) not in flat[:3]] for r, row in enumerate(rows)]
    expected = mapk.evaluate(scores, kept, k=5, empty_rows="skip")
    assert same(mapk.evaluate(scores, with_zeros, k=5, empty_rows="skip"), expected)
    assert with_zeros.nnz == csr.nnz  # the caller's matrix is left as it was


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_score_types(dtype):
    scores, labels, _ = dump(9, rows=200, classes=30, dtype=dtype)
    r = mapk.evaluate(scores, labels, k=3)
    assert r.classes == 30 and 0 <= r.value(3) <= 1


def raises(exception, message, call):
    with pytest.raises(exception) as info:
        call()
    assert message in str(info.value), str(info.value)


def test_bad_inputs_raise_with_the_message():
    scores, labels, _ = dump(10, rows=20, classes=10)
    # Integer predictions are ranked ids: all zeros rank id 0 more than once.
    raises(ValueError, "row 0 ranks id 0 more than once", lambda: mapk.evaluate(scores.astype(np.int64) * 0, labels, k=2))
    raises(TypeError, "predictions must be float16, float32 or float64 scores, or int32/int64 ranked ids (found bool)",
           lambda: mapk.evaluate(scores > 0.5, labels, k=1))
    raises(TypeError, "predictions must be float16, float32 or float64 scores, or int32/int64 ranked ids (found object)",
           lambda: mapk.evaluate(np.array([[0.1, "x"]], dtype=object), [[0]], k=1))
    raises(TypeError, "labels must be integer class ids (int32 or int64), found float64",
           lambda: mapk.evaluate(scores, labels.astype(np.float64), k=1))
    raises(TypeError, "found object", lambda: mapk.evaluate(scores, np.array([[1], [2, 3]], dtype=object), k=1))
    raises(ValueError, "multi-hot labels of shape [20, 9] do not match predictions of shape [20, 10]",
           lambda: mapk.evaluate(scores, np.zeros((20, 9), dtype=bool), k=1))
    raises(ValueError, "labels of shape [19, 6] do not match predictions of shape [20, 10]",
           lambda: mapk.evaluate(scores, labels[:19], k=1))
    raises(ValueError, "k = 11 exceeds the number of classes (10)", lambda: mapk.evaluate(scores, labels, k=11))
    raises(ValueError, "k must be at least 1 (got 0)", lambda: mapk.evaluate(scores, labels, k=0))
    raises(ValueError, "no k requested", lambda: mapk.evaluate(scores, labels, k=[]))
    nan_scores = scores.copy()
    nan_scores[7, 3] = np.nan
    raises(ValueError, "NaN score at row 7, class 3", lambda: mapk.evaluate(nan_scores, labels, k=2))
    assert mapk.evaluate(nan_scores, labels, k=2, nan="lowest").nan_scores == 1
    raises(ValueError, "weight 2 is -1.0", lambda: mapk.evaluate(scores, labels, k=1, weights=np.r_[1, 1, -1, np.ones(17)]))
    raises(ValueError, "do not broadcast", lambda: mapk.evaluate(scores, labels, k=1, weights=np.ones(7)))
    raises(ValueError, "metric 'nope' is not one of", lambda: mapk.evaluate(scores, labels, k=1, metrics="nope"))
    raises(ValueError, "empty-row policy 'never' is not one of nan|skip|zero",
           lambda: mapk.evaluate(scores, labels, k=1, empty_rows="never"))
    raises(ValueError, "rank >= 1", lambda: mapk.evaluate(np.float32(1), labels, k=1))
    raises(ValueError, "predictions have no classes", lambda: mapk.evaluate(np.zeros((3, 0), np.float32), [[0]] * 3, k=1))
    raises(ValueError, "threads must be", lambda: mapk.evaluate(scores, labels, k=1, threads=0))
    raises(FileNotFoundError, "no-such.npy", lambda: mapk.evaluate_files("no-such.npy", "no-such.txt", k=1))
    metric = mapk.Metric(k=2)
    metric.update(scores, labels)
    before = metric.state_bytes()
    raises(ValueError, "NaN score", lambda: metric.update(nan_scores, labels))
    assert metric.state_bytes() == before  # a failed update leaves the state as it was


def test_the_c_abi_refuses_what_it_cannot_read_in_place():
    """Straight through ctypes: strides that are not C-contiguous, misalignment, NULLs, overflow."""
    scores = np.zeros((4, 8), dtype=np.float32)
    labels = np.zeros((4, 1), dtype=np.int64)
    keep = []

    def array(a, code, shape=None, strides=None, offset=0):
        shape = shape or a.shape
        s = (ctypes.c_int64 * len(shape))(*shape)
        st = None if strides is None else (ctypes.c_int64 * len(strides))(*strides)
        keep.extend([s, st])
        return _abi.Array(a.ctypes.data + offset, code, len(shape), s, st)

    lab = _abi.Labels(_abi.LABELS_DENSE, array(labels, _abi.INT64), _abi.Array())
    options = _abi.Options((ctypes.c_int64 * 1)(1), 1, None, None, None, 1)

    def evaluate(p, l=lab, o=options):
        out = ctypes.c_void_p()
        error = _abi.Error()
        status = _abi.lib.mapk_evaluate(ctypes.byref(p), ctypes.byref(l), None, ctypes.byref(o), None, 0,
                                        ctypes.byref(out), ctypes.byref(error))
        if status == _abi.OK:
            _abi.lib.mapk_result_free(out)
        return status, error.message.decode()

    assert evaluate(array(scores, _abi.FLOAT32)) == (_abi.OK, "")
    assert evaluate(array(scores, _abi.FLOAT32, strides=[32, 4]))[0] == _abi.OK
    status, message = evaluate(array(scores, _abi.FLOAT32, shape=[4, 4], strides=[32, 8]))
    assert status == _abi.ERROR_VALUE and "not C-contiguous" in message
    status, message = evaluate(array(scores, _abi.FLOAT32, offset=2))
    assert status == _abi.ERROR_VALUE and "not aligned" in message
    status, message = evaluate(array(scores, _abi.FLOAT32, shape=[2**40, 2**30]))
    assert status == _abi.ERROR_VALUE and "addressed" in message
    status, message = evaluate(array(scores, 42))
    assert status == _abi.ERROR_ARGUMENT and "unknown dtype" in message
    bad_offsets = np.array([0, 1, 0, 1, 1], dtype=np.int64)
    sparse = _abi.Labels(_abi.LABELS_SPARSE, array(np.zeros(1, np.int64), _abi.INT64), array(bad_offsets, _abi.INT64))
    status, message = evaluate(array(scores, _abi.FLOAT32), sparse)
    assert status == _abi.ERROR_VALUE and "row offsets decrease at row 1" in message
    out, error = ctypes.c_void_p(), _abi.Error()
    assert _abi.lib.mapk_evaluate(None, None, None, None, None, 0, ctypes.byref(out), ctypes.byref(error)) == _abi.ERROR_ARGUMENT
    assert _abi.lib.mapk_evaluate(None, None, None, None, None, 0, None, None) == _abi.ERROR_ARGUMENT
    per_row = np.zeros(3)
    out, error = ctypes.c_void_p(), _abi.Error()
    status = _abi.lib.mapk_evaluate(ctypes.byref(array(scores, _abi.FLOAT32)), ctypes.byref(lab), None,
                                    ctypes.byref(options), per_row.ctypes.data_as(ctypes.POINTER(ctypes.c_double)), 3,
                                    ctypes.byref(out), ctypes.byref(error))
    assert status == _abi.ERROR_VALUE and "per-row buffer holds 3 values" in error.message.decode()


def test_per_row_is_the_array_the_library_wrote():
    scores, labels, _ = dump(11, rows=50, classes=10)
    one = mapk.evaluate(scores, labels, k=3, per_row=True)
    assert one.per_row.shape == (50,) and one.per_row.dtype == np.float64 and one.per_row.flags.owndata
    several = mapk.evaluate(scores.reshape(5, 10, 10), labels.reshape(5, 10, 6), k=[1, 3], per_row=True)
    assert several.per_row.shape == (5, 10, 2)
    assert np.array_equal(several.per_row[..., 1].reshape(-1), one.per_row)


def test_metric_names_and_defaults():
    assert "map" in mapk.metric_names()
    assert mapk.default_threads() >= 1
    assert mapk.evaluate(np.eye(3, dtype=np.float32), np.arange(3), k=1).value() == 1.0
