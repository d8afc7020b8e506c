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

__all__ = ["average_precision_at_k", "average_precision_at_top_k", "evaluate", "evaluate_files", "Metric", "Result",
           "metric_names", "conventions", "default_threads"]
__version__ = "0.2.0"


def metric_names():
    """The names of the metrics this library computes (``["map"]``, more as mapk grows)."""
    return _abi.lib.mapk_metric_names().decode().split(",")


def conventions():
    """The library conventions ``like=`` takes (``mapk eval --like``): ``["tensorflow", "trec_eval", "ranx", "torchmetrics"]``."""
    return _abi.lib.mapk_conventions().decode().split(",")


def _like(like, metrics, empty_rows):
    """The metrics and empty-row policy of ``like=`` (explicit arguments win, as on the command line)."""
    if like is None:
        return metrics, empty_rows
    if not isinstance(like, str):
        raise TypeError(f"like must be a string (got {like!r})")
    m, e = _abi.c_char_p(), _abi.c_char_p()
    _abi.call("mapk_convention", like.encode("utf-8"), _abi.ctypes.byref(m), _abi.ctypes.byref(e))
    return (m.value.decode() if metrics is None else metrics), (e.value.decode() if empty_rows is None else empty_rows)


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

    def __init__(self, handle, per_row=None, named=False, convention=None):
        lib = _abi.lib
        #: Whether metrics were asked for by name (``metrics=``, ``like=``): ``to_dict()`` then names each
        #: result's metric, as ``mapk eval --metric/--like --json`` does.
        self.named = named
        #: The ``like=`` convention, if any.
        self.convention = convention
        #: With ``ci=``: the level and, per result, its (lower, upper) bounds (NaN when the value is NaN).
        self.ci_level = None
        self.rows = lib.mapk_result_rows(handle)
        self.classes = lib.mapk_result_classes(handle)
        self.threads = lib.mapk_result_threads(handle)
        self.empty_rows = lib.mapk_result_empty_rows(handle)
        self.nan_scores = lib.mapk_result_nan_scores(handle)
        self.empty_rows_policy = lib.mapk_result_empty_rows_policy(handle).decode()
        self.nan_policy = lib.mapk_result_nan_policy(handle).decode()
        self.seconds = lib.mapk_result_seconds(handle)
        self.bytes = lib.mapk_result_bytes(handle)
        #: One dict per (metric, k): ``metric``, ``k``, ``value``, ``total``, ``max`` (a pooled metric's
        #: numerator and denominator), ``pooled``.
        self.results = [
            {
                "metric": lib.mapk_result_metric(handle, i).decode(),
                "k": lib.mapk_result_k(handle, i),
                "value": lib.mapk_result_value(handle, i),
                "total": lib.mapk_result_total(handle, i),
                "max": lib.mapk_result_max(handle, i),
                "pooled": bool(lib.mapk_result_pooled(handle, i)),
            }
            for i in range(lib.mapk_result_count(handle))
        ]
        self.per_row = per_row
        level = lib.mapk_result_ci_level(handle)
        if not math.isnan(level):
            lower, upper = _abi.c_double(), _abi.c_double()
            for i, r in enumerate(self.results):
                if lib.mapk_result_interval(handle, i, _abi.ctypes.byref(lower), _abi.ctypes.byref(upper)):
                    r["ci"] = (lower.value, upper.value)
            self.ci_level = level

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

        def named(r):
            x = {"metric": r["metric"], "k": r["k"], "value": number(r["value"])}
            if self.convention is not None:
                name = _library_name(self.convention, r["metric"], r["k"])
                if name is not None:
                    x["library_name"] = name
            if r["pooled"]:
                x["numerator"], x["denominator"] = number(r["total"]), number(r["max"])
            else:
                if r["metric"] == "map":
                    x["map"] = number(r["value"])
                x["total"], x["max"] = number(r["total"]), number(r["max"])
            return interval(r, x)

        def interval(r, x):
            if "ci" in r:
                x["ci"] = [number(r["ci"][0]), number(r["ci"][1])]
            return x

        out = {
            "rows": self.rows,
            "classes": self.classes,
            "threads": self.threads,
            "empty_rows": self.empty_rows,
            "nan_scores": self.nan_scores,
            "empty_rows_policy": self.empty_rows_policy,
            "nan_policy": self.nan_policy,
        }
        if self.convention is not None:
            out["convention"] = self.convention
        out["results"] = [
            named(r) if self.named else
            interval(r, {"k": r["k"], r["metric"]: number(r["value"]), "total": number(r["total"]),
                         "max": number(r["max"])})
            for r in self.results
        ]
        out["seconds"] = self.seconds
        out["bytes"] = self.bytes
        return out

    def __repr__(self):
        values = ", ".join(f"{r['metric']}@{r['k']}={r['value']!r}" for r in self.results)
        return f"mapk.Result({values}, rows={self.rows})"


def _library_name(convention, metric, k):
    buffer = _abi.ctypes.create_string_buffer(256)
    length = _abi.lib.mapk_convention_metric_name(convention.encode(), metric.encode(), k, buffer, len(buffer))
    return buffer.value.decode() if 0 < length < len(buffer) else None


def _take_result(out, per_row, named=False, convention=None):
    try:
        return Result(out, per_row, named, convention)
    finally:
        _abi.lib.mapk_result_free(out)


def _per_row_buffer(options, row_shape):
    count = _abi.c_int64()
    _abi.call("mapk_pair_count", _abi.ctypes.byref(options), _abi.ctypes.byref(count))
    pairs = count.value
    shape = tuple(row_shape) + ((pairs,) if pairs > 1 else ())
    buffer = np.empty(shape, dtype=np.float64)
    return buffer, buffer.ctypes.data_as(_abi.POINTER(_abi.c_double)), buffer.size


_ID_ARGUMENTS = ("pad_id", "duplicate_ids", "classes")


def _reading(is_ids, pad_id, duplicate_ids, classes, keep):
    """The ranked-id reading, or None for scores (where giving one is an error, as on the command line)."""
    given = [name for name, v in zip(_ID_ARGUMENTS, (pad_id, duplicate_ids, classes)) if v is not None]
    if not is_ids:
        if given:
            raise ValueError(f"{given[0]} applies to ranked-id predictions (integers), and the predictions hold scores")
        return None
    return _inputs.id_reading(pad_id, duplicate_ids, classes, keep)


class _Batch:
    """The views of one call: ``kind`` ("scores", "ids" or "sparse"), predictions, reading (None unless ids),
    labels, exclusions (None: none), weights (None: none) and the rows' shape."""

    __slots__ = ("kind", "predictions", "reading", "labels", "exclude", "weights", "row_shape")

    def __init__(self, kind, predictions, reading, labels, exclude, weights, row_shape):
        self.kind, self.predictions, self.reading, self.labels = kind, predictions, reading, labels
        self.exclude, self.weights, self.row_shape = exclude, weights, row_shape


def _batch(predictions, labels, weights, labels_format, pad_id, duplicate_ids, classes, keep, exclude=None):
    """The checked views of one call's inputs (see :class:`_Batch`)."""
    if _inputs.is_sparse_predictions(predictions):
        p, rows = _inputs.sparse_predictions(predictions, keep)
        reading = _reading(False, pad_id, duplicate_ids, classes, keep)
        kind, row_shape = "sparse", (rows,)
    else:
        p, array, is_ids = _inputs.predictions(predictions, keep)
        reading = _reading(is_ids, pad_id, duplicate_ids, classes, keep)
        rows = array.size // array.shape[-1] if array.shape[-1] else 0
        kind, row_shape = ("ids" if is_ids else "scores"), array.shape[:-1]
    lab = _inputs.labels(labels, rows, keep, labels_format)
    exc = None if exclude is None else _inputs.labels(exclude, rows, keep, None, what="exclude")
    w = _inputs.weights(weights, keep)
    return _Batch(kind, p, reading, lab, exc, w, tuple(row_shape))


def _evaluate_batch(b, opts, pointer, capacity, out):
    """One ``mapk_evaluate_*`` call of a batch into the result handle ``out``."""
    byref = _abi.ctypes.byref
    if b.kind == "sparse":
        _abi.call("mapk_evaluate_sparse", byref(b.predictions), byref(b.labels), _ref(b.exclude), _ref(b.weights),
                  byref(opts), pointer, capacity, byref(out))
    elif b.kind == "ids":
        _abi.call("mapk_evaluate_ids_excluding", byref(b.predictions), byref(b.reading), byref(b.labels),
                  _ref(b.exclude), _ref(b.weights), byref(opts), pointer, capacity, byref(out))
    else:
        _abi.call("mapk_evaluate_excluding", byref(b.predictions), byref(b.labels), _ref(b.exclude), _ref(b.weights),
                  byref(opts), pointer, capacity, byref(out))


def _ref(x):
    return None if x is None else _abi.ctypes.byref(x)


def _check_ci(ci, bootstrap, seed):
    if ci is None:
        return
    if isinstance(ci, bool) or not isinstance(ci, (int, float, np.floating)) or not 0 < ci < 1:
        raise ValueError(f"ci must be a number between 0 and 1 (got {ci!r})")
    if isinstance(bootstrap, bool) or not isinstance(bootstrap, (int, np.integer)) or not 1 <= bootstrap <= 2**20:
        raise ValueError(f"bootstrap must be an integer within 1...{2**20} (got {bootstrap!r})")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**64:
        raise ValueError(f"seed must be an integer >= 0 below 2^64 (got {seed!r})")


def _add_intervals(result, values, row_shape, weights, ci, bootstrap, seed, threads):
    """``mapk eval --ci``'s bounds from the per-row values, on ``result``; NaN where the value is NaN."""
    pairs = len(result.results)
    lower, upper = (_abi.c_double * pairs)(), (_abi.c_double * pairs)()
    shape = (_abi.c_int64 * max(len(row_shape), 1))(*row_shape)
    rows = int(np.prod(row_shape, dtype=np.int64)) if len(row_shape) else 1
    _abi.call("mapk_bootstrap_intervals", values.ctypes.data_as(_abi.POINTER(_abi.c_double)), rows, pairs, shape,
              len(row_shape), _ref(weights), float(ci), int(bootstrap), int(seed), threads, lower, upper)
    undefined = result.empty_rows_policy == "nan" and result.empty_rows > 0
    for i, r in enumerate(result.results):
        r["ci"] = (math.nan, math.nan) if undefined else (lower[i], upper[i])
    result.ci_level = float(ci)


def _add_pooled_intervals(result, b, opts, ci, bootstrap, seed):
    """``mapk eval --ci``'s bounds with pooled metrics, on ``result``: a pooled ratio's replicates need its
    rows' numerators and denominators, not their ratios, so the rows go through a stream made with ci (one
    batch, rows numbered from 0: the CLI's counts), whose result carries the bounds."""
    handle = _abi.c_void_p()
    _abi.call("mapk_stream_create_ci", _abi.ctypes.byref(opts), float(ci), int(bootstrap), int(seed), 0,
              _abi.ctypes.byref(handle))
    try:
        _stream_update(handle, b)
        out = _abi.c_void_p()
        _abi.call("mapk_stream_result", handle, _abi.ctypes.byref(out))
    finally:
        _abi.lib.mapk_stream_free(handle)
    bounds = _take_result(out, None, False, None)
    for r, s in zip(result.results, bounds.results):
        r["ci"] = s["ci"]
    result.ci_level = bounds.ci_level


def _stream_update(handle, b):
    """Adds batch ``b`` to the stream ``handle``, with the entry point of its kind."""
    byref = _abi.ctypes.byref
    if b.kind == "sparse":
        _abi.call("mapk_stream_update_sparse", handle, byref(b.predictions), byref(b.labels), _ref(b.exclude),
                  _ref(b.weights))
    elif b.kind == "ids":
        _abi.call("mapk_stream_update_ids_excluding", handle, byref(b.predictions), byref(b.reading),
                  byref(b.labels), _ref(b.exclude), _ref(b.weights))
    else:
        _abi.call("mapk_stream_update_excluding", handle, byref(b.predictions), byref(b.labels), _ref(b.exclude),
                  _ref(b.weights))


def evaluate(predictions, labels, k, metrics=None, weights=None, threads=None, empty_rows=None, nan="error",
             per_row=False, *, like=None, labels_format=None, pad_id=None, duplicate_ids=None, classes=None,
             ci=None, bootstrap=1000, seed=0, exclude=None):
    """Evaluates ``predictions`` against ``labels`` in parallel, reading the arrays in place.

    Args:
        predictions: Scores ``[D1..DN, C]``, float16, float32 or float64; or
            ranked ids ``[D1..DN, K]``, integers, best first (TensorFlow's
            ``predictions_idx``, FAISS's ``I``); or sparse scores ``[rows, C]``:
            a scipy sparse matrix or array (CSR is read in place; other formats
            are converted with ``tocsr()``) or a tuple ``(data, indices, indptr,
            (rows, C))``, each row ranked among its stored entries only (an
            explicit zero is a candidate), as ``mapk eval`` ranks a scores
            ``.npz``. A C-contiguous array of a type the library takes is read
            where it is (see the package README for what is copied otherwise).
        labels: Dense integer ids ``[D1..DN, L]`` or ``[D1..DN]`` with -1
            padding (TensorFlow's dense rules), a list of lists of ids (one per
            row; TensorFlow's SparseTensor rules, as mapk's text labels), a
            scipy sparse matrix ``[rows, M]`` whose nonzero columns are the
            labels (SparseTensor rules, as mapk's ``.npz`` labels), or
            multi-hot flags ``[D1..DN, C]``: a bool array, or 0/1 integers
            with ``labels_format="multihot"`` (the true columns are the
            labels, SparseTensor rules; for scores C is their classes).
        k: One k or a sequence of ks.
        metrics: A metric name or names (default ``"map"``, or ``like``'s; see :func:`metric_names`).
        weights: None, a number, or weights broadcastable to ``[D1..DN]``.
        threads: Worker threads (default: all the CPUs this process may use).
        empty_rows: Rows without labels: ``"nan"`` (TensorFlow; the default, or ``like``'s), ``"skip"`` or ``"zero"``.
        nan: NaN scores: ``"error"``, ``"largest"`` or ``"lowest"``.
        per_row: Also return every row's value in ``Result.per_row``.
        like: A library convention (``mapk eval --like``; see :func:`conventions`): its metrics and its
            rule for rows without labels, unless ``metrics`` or ``empty_rows`` say otherwise.
        labels_format: None (from the labels' type), ``"dense"`` or ``"multihot"``.
        pad_id: Ranked ids: the id of an empty position, never a hit (default -1).
        duplicate_ids: Ranked ids: a repeated id in a row is an ``"error"`` (default) or, with
            ``"first"``, later copies are misses.
        classes: Ranked ids: the number of classes; labels ``>= classes`` are ignored as for scores
            and every k must be ``<= classes`` (default: labels compared as they are).
        ci: A level (e.g. 0.95): add ``mapk eval --ci``'s Poisson bootstrap percentile interval to every
            result (``result.results[i]["ci"]``, ``"ci"`` in ``to_dict()``), with ``bootstrap`` replicates
            and ``seed`` (``--bootstrap``, ``--seed``); the same bits as the CLI for any thread count.
            It needs the per-row values: 8 bytes per row and (metric, k), allocated for the call. A pooled
            metric (``precision``, ``recall``) bootstraps its ratio, as the CLI's: the rows then also go
            through a one-batch ``Metric(ci=)`` (another pass, 24 more bytes per row and (metric, k)).
        exclude: Classes (for ranked ids: ids) to remove from each row's ranking before the top k, as
            ``mapk eval --exclude``: in any form ``labels`` takes (dense ids with -1 pads, a list of lists,
            a scipy sparse matrix, a bool multi-hot array), one row per row. A label also excluded can
            never be retrieved.

    Returns:
        A :class:`Result`.

    Raises:
        TypeError: for an element type mapk does not take.
        ValueError: for anything else mapk refuses, with mapk's message.
    """
    keep = []
    _check_ci(ci, bootstrap, seed)
    named = metrics is not None or like is not None
    metrics, empty_rows = _like(like, metrics, empty_rows)
    opts = _inputs.options(k, metrics, empty_rows, nan, threads, keep)
    b = _batch(predictions, labels, weights, labels_format, pad_id, duplicate_ids, classes, keep, exclude)
    buffer, pointer, capacity = (None, None, 0)
    if per_row or ci is not None:
        buffer, pointer, capacity = _per_row_buffer(opts, b.row_shape)
    out = _abi.c_void_p()
    _evaluate_batch(b, opts, pointer, capacity, out)
    result = _take_result(out, buffer if per_row else None, named, like)
    if ci is not None:
        if any(r["pooled"] for r in result.results):
            _add_pooled_intervals(result, b, opts, ci, bootstrap, seed)
        else:
            _add_intervals(result, buffer, b.row_shape, b.weights, ci, bootstrap, seed, opts.threads)
    return result


def _integer_k(k):
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise TypeError(f"k must be an integer (got {k!r})")
    return int(k)


def average_precision_at_k(labels, predictions, k, weights=None, *, threads=None, exclude=None):
    """TensorFlow's ``tf.compat.v1.metrics.average_precision_at_k(labels, predictions, k, weights)``:
    the same arguments in the same order, the same float64 value (NaN if a row has no labels).

    Integer ``predictions`` are ranked ids, as for :func:`average_precision_at_top_k`; sparse
    ``predictions`` are CSR scores, as for :func:`evaluate`. ``exclude`` as in :func:`evaluate`.
    """
    k = _integer_k(k)
    return evaluate(predictions, labels, k=k, weights=weights, threads=threads, exclude=exclude).value(k)


def average_precision_at_top_k(labels, predictions_idx, k=None, weights=None, *, threads=None, pad_id=None,
                               duplicate_ids=None, classes=None, exclude=None):
    """TensorFlow's ``tf.compat.v1.metrics.average_precision_at_top_k(labels, predictions_idx, k, weights)``:
    ``predictions_idx`` integer ids ``[D1..DN, K]``, best first; ``k`` None means K, as in TensorFlow.

    Two rows TensorFlow gives no meaningful value for are defined instead: a
    pad (``pad_id``, default -1) is never a hit, and a repeated id in a row is
    refused (``duplicate_ids="first"``: later copies are misses), where
    TensorFlow counts every copy as a hit. ``classes`` and ``exclude`` as in :func:`evaluate`.
    """
    keep = []
    p, array, is_ids = _inputs.predictions(predictions_idx, keep)
    if not is_ids:
        raise TypeError(f"predictions_idx must be integer class ids (found {array.dtype}); scores go to average_precision_at_k")
    k = array.shape[-1] if k is None else _integer_k(k)
    return evaluate(array, labels, k=k, weights=weights, threads=threads, pad_id=pad_id, duplicate_ids=duplicate_ids,
                    classes=classes, exclude=exclude).value(k)


def evaluate_files(predictions_path, labels_path, k, metrics=None, weights_path=None, labels_format=None, threads=None,
                   empty_rows=None, nan="error", per_row=False, *, like=None, pad_id=None, duplicate_ids=None,
                   classes=None, exclude=None, ci=None, bootstrap=1000, seed=0):
    """Evaluates files as ``mapk eval`` does: the predictions ``.npy`` (scores or ranked ids; or a scores
    ``.npz`` of CSR sparse scores) memory-mapped, the labels ``.npy`` (dense, or multi-hot if bool), ``.txt``
    or ``.npz`` (CSR) by extension or ``labels_format`` (``"dense"``, ``"text"``, ``"csr"``, ``"multihot"``),
    the weights ``.npy``.

    ``exclude`` is the path of ``mapk eval --exclude``'s file (any labels format, from its extension).
    ``ci``, ``bootstrap`` and ``seed`` are ``mapk eval --ci --bootstrap --seed``: the rows go through the
    bootstrap in blocks of bounded memory (no per-row array unless ``per_row``), with the CLI's bits.
    Other arguments and the result as :func:`evaluate`.

    Raises:
        FileNotFoundError: for a missing file.
        TypeError, ValueError: for a file mapk cannot read or values it refuses, with mapk's message.
    """
    import os

    keep = []
    _check_ci(ci, bootstrap, seed)
    named = metrics is not None or like is not None
    metrics, empty_rows = _like(like, metrics, empty_rows)
    opts = _inputs.options(k, metrics, empty_rows, nan, threads, keep)

    def path(p):
        return None if p is None else os.fsencode(os.fspath(p))

    files = _abi.c_void_p()
    fmt = None if labels_format is None else labels_format.encode()
    reading = None
    if any(v is not None for v in (pad_id, duplicate_ids, classes)):
        reading = _inputs.id_reading(pad_id, duplicate_ids, classes, keep)
    _abi.call("mapk_files_open_excluding", path(predictions_path), path(labels_path), path(weights_path), fmt,
              path(exclude), _ref(reading), opts.threads, _abi.ctypes.byref(files))
    try:
        lib = _abi.lib
        buffer, pointer, capacity = (None, None, 0)
        if per_row:
            row_shape = [lib.mapk_files_row_dim(files, i) for i in range(lib.mapk_files_row_rank(files))]
            buffer, pointer, capacity = _per_row_buffer(opts, row_shape)
        out = _abi.c_void_p()
        if ci is None:
            _abi.call("mapk_files_evaluate", files, _abi.ctypes.byref(opts), pointer, capacity, _abi.ctypes.byref(out))
        else:
            _abi.call("mapk_files_evaluate_ci", files, _abi.ctypes.byref(opts), float(ci), int(bootstrap), int(seed),
                      pointer, capacity, _abi.ctypes.byref(out))
        return _take_result(out, buffer, named, like)
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

    With ``ci`` (``bootstrap``, ``seed``) the metric also keeps ``mapk eval --ci``'s
    Poisson bootstrap, and :meth:`result` carries the intervals. Its counts are keyed
    by each row's global index: a metric's rows are numbered from ``first_row``
    (default 0) in update order (each batch's rows row-major; a merge counts the other
    metric's rows too). So a metric over rows [0, n) merged with one made with
    ``first_row=n`` over rows [n, m) has the bits of one ``evaluate(..., ci=...)`` of
    rows [0, m), as ``mapk eval --ci`` shards are numbered. Such a metric has no
    ``state_bytes()`` yet (the replicates are not in the encoding): merge it in process.
    """

    def __init__(self, k, metrics=None, *, empty_rows=None, nan="error", threads=None, like=None, ci=None,
                 bootstrap=1000, seed=0, first_row=0):
        keep = []
        _check_ci(ci, bootstrap, seed)
        self._named = metrics is not None or like is not None
        self._convention = like
        metrics, empty_rows = _like(like, metrics, empty_rows)
        opts = _inputs.options(k, metrics, empty_rows, nan, threads, keep)
        handle = _abi.c_void_p()
        if ci is None:
            if first_row != 0:
                raise ValueError("first_row numbers the rows of the bootstrap: it needs ci=")
            _abi.call("mapk_stream_create", _abi.ctypes.byref(opts), _abi.ctypes.byref(handle))
        else:
            if isinstance(first_row, bool) or not isinstance(first_row, (int, np.integer)) or first_row < 0:
                raise ValueError(f"first_row must be an integer >= 0 (got {first_row!r})")
            _abi.call("mapk_stream_create_ci", _abi.ctypes.byref(opts), float(ci), int(bootstrap), int(seed),
                      int(first_row), _abi.ctypes.byref(handle))
        self._handle = handle
        self._lock = threading.Lock()

    @classmethod
    def _from_handle(cls, handle):
        metric = cls.__new__(cls)
        metric._handle = handle
        metric._lock = threading.Lock()
        metric._named, metric._convention = False, None
        return metric

    def update(self, predictions, labels, weights=None, *, labels_format=None, pad_id=None, duplicate_ids=None,
               classes=None, exclude=None):
        """Adds a batch of scores, ranked ids or sparse scores, with its exclusions if any (arguments as
        :func:`evaluate`); on an error the state is unchanged."""
        keep = []
        b = _batch(predictions, labels, weights, labels_format, pad_id, duplicate_ids, classes, keep, exclude)
        with self._lock:
            _stream_update(self._handle, b)

    def result(self):
        """The :class:`Result` of every row so far (values 0 before any row, as TensorFlow's)."""
        out = _abi.c_void_p()
        with self._lock:
            _abi.call("mapk_stream_result", self._handle, _abi.ctypes.byref(out))
        return _take_result(out, None, self._named, self._convention)

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
        return {"state": self.state_bytes(), "named": self._named, "convention": self._convention}

    def __setstate__(self, state):
        other = Metric.from_state_bytes(state["state"])
        self._handle, other._handle = other._handle, None
        self._lock = threading.Lock()
        self._named, self._convention = state.get("named", False), state.get("convention")

    def __del__(self):
        handle = getattr(self, "_handle", None)
        if handle is not None and _abi is not None and _abi.lib is not None:
            _abi.lib.mapk_stream_free(handle)
            self._handle = None

    def __repr__(self):
        return f"mapk.Metric({self.result()!r})"
