"""mapk from Python: TensorFlow's ``average_precision_at_k``, exact and in
parallel, on NumPy arrays in memory (read in place) or on files (mapped).

    >>> import numpy as np, mapk
    >>> scores = np.array([[0.1, 0.9, 0.3], [0.8, 0.1, 0.2]], dtype=np.float32)
    >>> float(mapk.average_precision_at_k(np.array([[1], [2]]), scores, 2))
    0.75

The sums are exact, so every result has the same bits for any thread count,
any batching of a :class:`Metric` and any order of merges. The library is a
Swift dynamic library called through ctypes, which releases the GIL for the
call: other Python threads run while mapk evaluates.
"""

import math
import threading

import numpy as np

from . import _abi, _inputs

__all__ = ["average_precision_at_k", "evaluate", "evaluate_files", "Metric", "Result", "metric_names", "default_threads"]
__version__ = "0.1.0"


def metric_names():
    """The names of the metrics this library computes (``["map"]``, more as mapk grows)."""
    return _abi.lib.mapk_metric_names().decode().split(",")


def default_threads():
    """The worker threads ``threads=None`` stands for: the CPUs this process may use (affinity, cgroup quota)."""
    return int(_abi.lib.mapk_default_threads())


class Result:
    """The result of an evaluation: a value per (metric, k) and the run's counts.

    ``to_dict()`` is the object ``mapk eval --json`` prints, key for key
    (NaN as ``None``, JSON's ``null``). ``per_row`` is the per-row values when
    they were asked for: a float64 array the library wrote into, shape
    ``[D1..DN]`` for one (metric, k) and ``[D1..DN, pairs]`` for several
    (columns metric-major, ks ascending, as in ``results``), NaN for a row
    without labels under ``empty_rows="nan"``.
    """

    def __init__(self, handle, per_row=None):
        lib = _abi.lib
        self.rows = lib.mapk_result_rows(handle)
        self.classes = lib.mapk_result_classes(handle)
        self.threads = lib.mapk_result_threads(handle)
        self.empty_rows = lib.mapk_result_empty_rows(handle)
        self.nan_scores = lib.mapk_result_nan_scores(handle)
        self.empty_rows_policy = lib.mapk_result_empty_rows_policy(handle).decode()
        self.nan_policy = lib.mapk_result_nan_policy(handle).decode()
        self.seconds = lib.mapk_result_seconds(handle)
        self.bytes = lib.mapk_result_bytes(handle)
        #: One dict per (metric, k): ``metric``, ``k``, ``value``, ``total``, ``max``.
        self.results = [
            {
                "metric": lib.mapk_result_metric(handle, i).decode(),
                "k": lib.mapk_result_k(handle, i),
                "value": lib.mapk_result_value(handle, i),
                "total": lib.mapk_result_total(handle, i),
                "max": lib.mapk_result_max(handle, i),
            }
            for i in range(lib.mapk_result_count(handle))
        ]
        self.per_row = per_row

    def value(self, k=None, metric="map"):
        """The value of ``metric`` at ``k`` (``k`` may be omitted when one k was asked for), a float64."""
        matches = [r for r in self.results if r["metric"] == metric and (k is None or r["k"] == k)]
        if len(matches) != 1:
            asked = sorted({(r["metric"], r["k"]) for r in self.results})
            raise KeyError(f"no single result for metric {metric!r} at k = {k} (the results are for {asked})")
        return np.float64(matches[0]["value"])

    def __float__(self):
        if len(self.results) != 1:
            raise TypeError(f"a result of {len(self.results)} (metric, k) pairs is not one number: use value(k=...)")
        return float(self.results[0]["value"])

    def to_dict(self):
        """The object ``mapk eval --json`` prints for the same inputs, with the same keys in the same order."""

        def number(v):
            return v if math.isfinite(v) else None

        return {
            "rows": self.rows,
            "classes": self.classes,
            "threads": self.threads,
            "empty_rows": self.empty_rows,
            "nan_scores": self.nan_scores,
            "empty_rows_policy": self.empty_rows_policy,
            "nan_policy": self.nan_policy,
            "results": [
                {"k": r["k"], r["metric"]: number(r["value"]), "total": number(r["total"]), "max": number(r["max"])}
                for r in self.results
            ],
            "seconds": self.seconds,
            "bytes": self.bytes,
        }

    def __repr__(self):
        values = ", ".join(f"{r['metric']}@{r['k']}={r['value']!r}" for r in self.results)
        return f"mapk.Result({values}, rows={self.rows})"


def _take_result(out, per_row):
    try:
        return Result(out, per_row)
    finally:
        _abi.lib.mapk_result_free(out)


def _per_row_buffer(options, row_shape):
    count = _abi.c_int64()
    _abi.call("mapk_pair_count", _abi.ctypes.byref(options), _abi.ctypes.byref(count))
    pairs = count.value
    shape = tuple(row_shape) + ((pairs,) if pairs > 1 else ())
    buffer = np.empty(shape, dtype=np.float64)
    return buffer, buffer.ctypes.data_as(_abi.POINTER(_abi.c_double)), buffer.size


def evaluate(predictions, labels, k, metrics=None, weights=None, threads=None, empty_rows="nan", nan="error",
             per_row=False):
    """Evaluates ``predictions`` against ``labels`` in parallel, reading the arrays in place.

    Args:
        predictions: Scores ``[D1..DN, C]``, float16, float32 or float64 (a
            C-contiguous array is read where it is; see the package README for
            what is copied otherwise).
        labels: Dense integer ids ``[D1..DN, L]`` or ``[D1..DN]`` with -1
            padding (TensorFlow's dense rules), a list of lists of ids (one per
            row; TensorFlow's SparseTensor rules, as mapk's text labels), or a
            scipy sparse matrix ``[rows, M]`` whose nonzero columns are the
            labels (SparseTensor rules, as mapk's ``.npz`` labels).
        k: One k or a sequence of ks.
        metrics: A metric name or names (default ``"map"``; see :func:`metric_names`).
        weights: None, a number, or weights broadcastable to ``[D1..DN]``.
        threads: Worker threads (default: all the CPUs this process may use).
        empty_rows: Rows without labels: ``"nan"`` (TensorFlow), ``"skip"`` or ``"zero"``.
        nan: NaN scores: ``"error"``, ``"largest"`` or ``"lowest"``.
        per_row: Also return every row's value in ``Result.per_row``.

    Returns:
        A :class:`Result`.

    Raises:
        TypeError: for an element type mapk does not take.
        ValueError: for anything else mapk refuses, with mapk's message.
    """
    keep = []
    opts = _inputs.options(k, metrics, empty_rows, nan, threads, keep)
    p, scores = _inputs.predictions(predictions, keep)
    rows = scores.size // scores.shape[-1] if scores.shape[-1] else 0
    lab = _inputs.labels(labels, rows, keep)
    w = _inputs.weights(weights, keep)
    buffer, pointer, capacity = (None, None, 0)
    if per_row:
        buffer, pointer, capacity = _per_row_buffer(opts, scores.shape[:-1])
    out = _abi.c_void_p()
    _abi.call("mapk_evaluate", _abi.ctypes.byref(p), _abi.ctypes.byref(lab), _abi.ctypes.byref(w) if w is not None else None,
              _abi.ctypes.byref(opts), pointer, capacity, _abi.ctypes.byref(out))
    return _take_result(out, buffer)


def average_precision_at_k(labels, predictions, k, weights=None, *, threads=None):
    """TensorFlow's ``tf.compat.v1.metrics.average_precision_at_k(labels, predictions, k, weights)``:
    the same arguments in the same order, the same float64 value (NaN if a row has no labels).
    """
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise TypeError(f"k must be an integer (got {k!r})")
    return evaluate(predictions, labels, k=int(k), weights=weights, threads=threads).value(int(k))


def evaluate_files(predictions_path, labels_path, k, metrics=None, weights_path=None, labels_format=None, threads=None,
                   empty_rows="nan", nan="error", per_row=False):
    """Evaluates files as ``mapk eval`` does: the predictions ``.npy`` memory-mapped, the labels
    ``.npy`` (dense), ``.txt`` or ``.npz`` (CSR) by extension or ``labels_format``
    (``"dense"``, ``"text"``, ``"csr"``), the weights ``.npy``. Arguments and result as :func:`evaluate`.

    Raises:
        FileNotFoundError: for a missing file.
        TypeError, ValueError: for a file mapk cannot read or values it refuses, with mapk's message.
    """
    import os

    keep = []
    opts = _inputs.options(k, metrics, empty_rows, nan, threads, keep)

    def path(p):
        return None if p is None else os.fsencode(os.fspath(p))

    files = _abi.c_void_p()
    _abi.call("mapk_files_open", path(predictions_path), path(labels_path), path(weights_path),
              None if labels_format is None else labels_format.encode(), opts.threads, _abi.ctypes.byref(files))
    try:
        lib = _abi.lib
        buffer, pointer, capacity = (None, None, 0)
        if per_row:
            row_shape = [lib.mapk_files_row_dim(files, i) for i in range(lib.mapk_files_row_rank(files))]
            buffer, pointer, capacity = _per_row_buffer(opts, row_shape)
        out = _abi.c_void_p()
        _abi.call("mapk_files_evaluate", files, _abi.ctypes.byref(opts), pointer, capacity, _abi.ctypes.byref(out))
        return _take_result(out, buffer)
    finally:
        _abi.lib.mapk_files_free(files)


class Metric:
    """The streaming metric, as Keras' and torchmetrics' metrics are used:
    ``update`` per batch, ``result`` at any time, ``reset``, and ``merge`` of
    another metric's rows (another worker, process or rank: send it
    ``state_bytes()`` and rebuild it with :meth:`from_state_bytes`).

    The state is exact: the result after any batches and merges has the same
    bits as one :func:`evaluate` of all the rows. A metric may be shared by
    threads (calls on it are serialized).
    """

    def __init__(self, k, metrics=None, *, empty_rows="nan", nan="error", threads=None):
        keep = []
        opts = _inputs.options(k, metrics, empty_rows, nan, threads, keep)
        handle = _abi.c_void_p()
        _abi.call("mapk_stream_create", _abi.ctypes.byref(opts), _abi.ctypes.byref(handle))
        self._handle = handle
        self._lock = threading.Lock()

    @classmethod
    def _from_handle(cls, handle):
        metric = cls.__new__(cls)
        metric._handle = handle
        metric._lock = threading.Lock()
        return metric

    def update(self, predictions, labels, weights=None):
        """Adds a batch (arguments as :func:`evaluate`); on an error the state is unchanged."""
        keep = []
        p, scores = _inputs.predictions(predictions, keep)
        rows = scores.size // scores.shape[-1] if scores.shape[-1] else 0
        lab = _inputs.labels(labels, rows, keep)
        w = _inputs.weights(weights, keep)
        with self._lock:
            _abi.call("mapk_stream_update", self._handle, _abi.ctypes.byref(p), _abi.ctypes.byref(lab),
                      _abi.ctypes.byref(w) if w is not None else None)

    def result(self):
        """The :class:`Result` of every row so far (values 0 before any row, as TensorFlow's)."""
        out = _abi.c_void_p()
        with self._lock:
            _abi.call("mapk_stream_result", self._handle, _abi.ctypes.byref(out))
        return _take_result(out, None)

    def merge(self, other):
        """Adds ``other``'s rows (a metric with the same ks, metrics and policies)."""
        if not isinstance(other, Metric):
            raise TypeError(f"can only merge a mapk.Metric (got {type(other).__name__})")
        if other is self:
            raise ValueError("cannot merge a stream with itself")
        first, second = sorted((self, other), key=id)
        with first._lock, second._lock:
            _abi.call("mapk_stream_merge", self._handle, other._handle)

    def reset(self):
        """Forgets every row."""
        with self._lock:
            _abi.lib.mapk_stream_reset(self._handle)

    def state_bytes(self):
        """The exact state as bytes (JSON, sums in hexadecimal): the same bytes for the same state."""
        out = _abi.c_void_p()
        with self._lock:
            _abi.call("mapk_stream_encode", self._handle, _abi.ctypes.byref(out))
        try:
            return _abi.ctypes.string_at(_abi.lib.mapk_bytes_data(out), _abi.lib.mapk_bytes_size(out))
        finally:
            _abi.lib.mapk_bytes_free(out)

    @classmethod
    def from_state_bytes(cls, data, *, threads=None):
        """A metric holding the state ``state_bytes()`` returned, every field checked (ValueError otherwise)."""
        data = bytes(data)
        if threads is not None and (isinstance(threads, bool) or not isinstance(threads, int) or threads < 1):
            raise ValueError(f"threads must be an integer >= 1, or None (got {threads!r})")
        handle = _abi.c_void_p()
        _abi.call("mapk_stream_decode", data, len(data), threads or 0, _abi.ctypes.byref(handle))
        return cls._from_handle(handle)

    def __getstate__(self):
        return {"state": self.state_bytes()}

    def __setstate__(self, state):
        other = Metric.from_state_bytes(state["state"])
        self._handle, other._handle = other._handle, None
        self._lock = threading.Lock()

    def __del__(self):
        handle = getattr(self, "_handle", None)
        if handle is not None and _abi is not None and _abi.lib is not None:
            _abi.lib.mapk_stream_free(handle)
            self._handle = None

    def __repr__(self):
        return f"mapk.Metric({self.result()!r})"
