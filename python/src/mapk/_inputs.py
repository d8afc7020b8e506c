"""NumPy (and scipy) inputs as ``mapk.h`` views.

An array mapk can read as it is (a C-contiguous array of a type the library
takes, in native byte order) is passed by address: no copy. Anything else is
converted once, here, and the conversion is the only copy:

- predictions: not C-contiguous (a slice with steps, a transpose) ->
  ``np.ascontiguousarray``; not native byte order -> ``astype``; a list -> ``np.asarray``;
  ranked ids of an integer type other than int32/int64 -> int64.
- labels: integer types other than int32/int64 -> int64; a list of lists ->
  offsets and values (int64); scipy CSR with int32 ``indptr`` -> the library
  widens the ``rows + 1`` offsets (``indices`` are read in place); a CSR
  matrix holding explicit zeros -> a copy without them; CSC/COO -> ``tocsr()``;
  multi-hot labels of an integer type other than int32/int64 -> bool (after
  checking that they hold only 0 and 1). Multi-hot labels (bool, or int32/int64
  0/1) are read in place by the library and compacted into a list of their
  true columns (4 bytes each, plus 8 per row), freed after the call.
- weights: types other than float32/float64 -> float64; a Python number -> a 0-d array.
- sparse scores (scipy CSR, or a tuple ``(data, indices, indptr, shape)``):
  ``data``, ``indices`` and ``indptr`` are read in place when they are
  C-contiguous float16/32/64 and int32/int64 arrays; other integer types ->
  int64, other float types -> float64; CSC/COO/... matrices -> ``tocsr()``.
  Explicit zeros stay (a stored entry is a candidate, as in mapk's ``.npz``).
- exclusions (``exclude=``): every form labels take, converted as labels are.

Each function returns the ctypes struct and keeps, in ``keep``, every object
the struct points into, for as long as the call lasts.
"""

import itertools
import numbers

import numpy as np

from . import _abi

_FLOAT_CODES = {np.dtype(np.float16): _abi.FLOAT16, np.dtype(np.float32): _abi.FLOAT32, np.dtype(np.float64): _abi.FLOAT64}
_INT_CODES = {np.dtype(np.int32): _abi.INT32, np.dtype(np.int64): _abi.INT64}
_INT64_MAX = np.iinfo(np.int64).max


def _view(a, code, keep):
    """The ``mapk_array`` of a C-contiguous native array ``a``."""
    keep.append(a)
    shape = (_abi.c_int64 * max(a.ndim, 1))(*a.shape)
    keep.append(shape)
    return _abi.Array(a.ctypes.data if a.size else None, code, a.ndim, shape, None)


def _native_contiguous(a):
    if not a.dtype.isnative:
        a = a.astype(a.dtype.newbyteorder("="))
    return np.ascontiguousarray(a)


def _as_array(x, what):
    if isinstance(x, np.ndarray):
        return x
    try:
        return np.asarray(x)
    except (ValueError, TypeError) as e:
        raise TypeError(f"{what} must be an array ({e})") from None


def predictions(x, keep):
    """Scores (float16/32/64) or ranked ids (integers), rank >= 1 ``[D1..DN, C or K]``.

    Returns the view, the array and whether it holds ranked ids.
    """
    a = _as_array(x, "predictions")
    if a.dtype.kind in "iu":
        if a.ndim == 0:
            raise ValueError("ranked ids must have rank >= 1 ([D1..DN, K]), found a scalar")
        if a.dtype.kind == "u" and a.dtype.itemsize == 8 and a.size and a.max() > _INT64_MAX:
            raise ValueError(f"ranked ids must fit in int64 (found {a.max()})")
        if np.dtype(a.dtype.newbyteorder("=")) not in _INT_CODES:
            a = a.astype(np.int64)
        a = _native_contiguous(a)
        return _view(a, _INT_CODES[np.dtype(a.dtype)], keep), a, True
    if a.dtype.kind != "f" or a.dtype.itemsize not in (2, 4, 8):
        raise TypeError(f"predictions must be float16, float32 or float64 scores, or int32/int64 ranked ids (found {a.dtype})")
    if a.ndim == 0:
        raise ValueError("predictions must have rank >= 1 ([D1..DN, C]), found a scalar")
    a = _native_contiguous(a)
    return _view(a, _FLOAT_CODES[np.dtype(a.dtype.newbyteorder("="))], keep), a, False


def id_reading(pad_id, duplicate_ids, classes, keep):
    """``mapk_id_reading`` from the keyword arguments (None: each argument's default)."""
    if pad_id is None:
        pad_id = -1
    if isinstance(pad_id, bool) or not isinstance(pad_id, (numbers.Integral, np.integer)):
        raise TypeError(f"pad_id must be an integer (got {pad_id!r})")
    if not -(2**63) <= int(pad_id) < 2**63:
        raise ValueError(f"pad_id = {pad_id} does not fit in int64")
    if duplicate_ids is not None and not isinstance(duplicate_ids, str):
        raise TypeError(f"duplicate_ids must be a string (got {duplicate_ids!r})")
    if classes is None:
        classes = 0
    elif isinstance(classes, bool) or not isinstance(classes, (numbers.Integral, np.integer)):
        raise TypeError(f"classes must be an integer (got {classes!r})")
    elif not 1 <= int(classes) < 2**31:
        raise ValueError(f"classes must be >= 1 and below 2^31 (got {classes})")
    text = None if duplicate_ids is None else duplicate_ids.encode("utf-8")
    keep.append(text)
    return _abi.IDReading(int(pad_id), text, int(classes))


def _integers(a, what):
    """``a`` as int32 or int64 (other integer types widened, huge uint64 clamped as the library does)."""
    if a.dtype.kind == "b":
        raise TypeError(f"{what} must be integer class ids (int32 or int64), found bool")
    if a.dtype.kind == "u" and a.dtype.itemsize == 8:
        # A value beyond int64 is >= C: ignored as it would be at its own value.
        a = np.minimum(a, _INT64_MAX).astype(np.int64)
    elif a.dtype.kind not in "iu" and not (a.dtype.kind == "f" and a.size == 0):
        raise TypeError(f"{what} must be integer class ids (int32 or int64), found {a.dtype}")
    if np.dtype(a.dtype.newbyteorder("=")) not in _INT_CODES:
        a = a.astype(np.int64)
    return _native_contiguous(a)


def _is_sparse_matrix(x):
    """A scipy.sparse matrix or array (duck-typed, so scipy stays optional)."""
    return hasattr(x, "tocsr") and hasattr(x, "nnz")


def _multi_hot(x, keep):
    """Multi-hot flags ``[D1..DN, C]``: bool, or integers holding only 0 and 1."""
    a = _as_array(x, "multi-hot labels")
    if a.dtype.kind == "b":
        a = _native_contiguous(a)
        return _abi.Labels(_abi.LABELS_MULTIHOT, _view(a, _abi.BOOL, keep), _abi.Array())
    if a.dtype.kind not in "iu":
        raise TypeError(f"multi-hot labels must be bool or integers holding 0 and 1 (found {a.dtype})")
    if np.dtype(a.dtype.newbyteorder("=")) not in _INT_CODES:
        # Checked here as the library checks int32/int64 (the same message), then 1 byte per flag.
        bad = (a != 0) & (a != 1)
        if a.ndim and bad.any():
            at = np.unravel_index(int(np.argmax(bad)), a.shape)
            row = int(np.ravel_multi_index(at[:-1], a.shape[:-1])) if a.ndim > 1 else 0
            raise ValueError(f"labels: multi-hot labels must hold only 0 and 1: row {row}, column {at[-1]} holds {a[at]}")
        a = a.astype(bool)
    a = _native_contiguous(a)
    code = _abi.BOOL if a.dtype.kind == "b" else _INT_CODES[np.dtype(a.dtype)]
    return _abi.Labels(_abi.LABELS_MULTIHOT, _view(a, code, keep), _abi.Array())


LABEL_FORMATS = ("dense", "multihot")


def labels(x, rows, keep, labels_format=None, what="labels"):
    """Dense ids (an integer array, -1 pads), rows of ids (a list of lists), a scipy sparse matrix, or
    multi-hot flags (a bool array, or 0/1 integers with ``labels_format="multihot"``); ``what`` names
    them in messages (``"exclude"`` for exclusions)."""
    if labels_format is not None and labels_format not in LABEL_FORMATS:
        raise ValueError(f"labels_format must be None, 'dense' or 'multihot' (got {labels_format!r})")
    values_shape = None
    if labels_format == "multihot" or (
            labels_format is None and isinstance(x, np.ndarray) and x.dtype.kind == "b"):
        if _is_sparse_matrix(x):
            raise TypeError("labels_format='multihot' takes an array [D1..DN, C], not a sparse matrix")
        return _multi_hot(x, keep)
    if _is_sparse_matrix(x):
        m = x if getattr(x, "format", None) == "csr" else x.tocsr()
        if m.shape[0] != rows:
            raise ValueError(f"the {what} matrix has {m.shape[0]} rows but the predictions have {rows} rows")
        if m.nnz and not np.all(m.data):
            # Explicit zeros are not labels (as in m.nonzero() and mapk's .npz reader).
            m = m.copy()
            m.eliminate_zeros()
        offsets, values, kind = m.indptr, m.indices, _abi.LABELS_SPARSE
    elif isinstance(x, (list, tuple)) and any(isinstance(r, (list, tuple, np.ndarray, range)) for r in x):
        if not all(isinstance(r, (list, tuple, np.ndarray, range)) for r in x):
            raise TypeError(f"{what} given as rows must be one sequence of class ids per row")
        lengths = np.fromiter((len(r) for r in x), dtype=np.int64, count=len(x))
        offsets = np.zeros(len(x) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        flat = list(itertools.chain.from_iterable(x))
        if any(isinstance(v, bool) or not isinstance(v, (numbers.Integral, np.integer)) for v in flat):
            raise TypeError(f"{what} must be integer class ids")
        values = np.array([min(int(v), _INT64_MAX) for v in flat], dtype=np.int64)
        kind = _abi.LABELS_SPARSE
    else:
        a = _as_array(x, what)
        if a.dtype == object:
            raise TypeError(f"{what} must be integer class ids (int32 or int64), found object")
        values, kind, offsets = a, _abi.LABELS_DENSE, None
        values_shape = a.shape
    values = _integers(values, what)
    v = _view(values, _INT_CODES[np.dtype(values.dtype)], keep)
    if kind == _abi.LABELS_DENSE:
        return _abi.Labels(kind, v, _abi.Array())
    offsets = _integers(np.asarray(offsets), f"{what} offsets")
    return _abi.Labels(kind, v, _view(offsets, _INT_CODES[np.dtype(offsets.dtype)], keep))


def _is_sparse_tuple(x):
    return (isinstance(x, tuple) and len(x) == 4 and isinstance(x[3], (tuple, list)) and len(x[3]) == 2
            and not any(isinstance(v, (list, tuple)) for v in x[:3]))


def is_sparse_predictions(x):
    """Sparse scores: a scipy sparse matrix or array, or a tuple ``(data, indices, indptr, shape)``."""
    return _is_sparse_matrix(x) or _is_sparse_tuple(x)


def sparse_predictions(x, keep):
    """``mapk_sparse_scores`` of CSR scores ``[rows, C]``, and its rows."""
    if _is_sparse_matrix(x):
        m = x if getattr(x, "format", None) == "csr" else x.tocsr()
        data, indices, indptr, shape = m.data, m.indices, m.indptr, m.shape
    else:
        data, indices, indptr, shape = x
        data, indices, indptr = (_as_array(a, n) for a, n in ((data, "data"), (indices, "indices"), (indptr, "indptr")))
    if len(shape) != 2 or any(isinstance(d, bool) or not isinstance(d, (numbers.Integral, np.integer)) for d in shape):
        raise ValueError(f"sparse scores need a shape (rows, classes) of two integers (got {shape!r})")
    rows, width = (int(d) for d in shape)
    if rows < 0 or width < 0:
        raise ValueError(f"sparse scores: negative shape {shape!r}")
    if data.dtype.kind != "f":
        raise TypeError(f"sparse scores must be float16, float32 or float64 (found {data.dtype})")
    if np.dtype(data.dtype.newbyteorder("=")) not in _FLOAT_CODES:
        data = data.astype(np.float64)
    data = _native_contiguous(data)
    parts = []
    for a, name in ((indptr, "indptr"), (indices, "indices")):
        if a.dtype.kind not in "iu":
            raise TypeError(f"sparse scores: {name} must be integers (found {a.dtype})")
        parts.append(_integers(a, f"sparse scores: {name}"))
    indptr, indices = parts
    view = _abi.SparseScores(_view(indptr, _INT_CODES[np.dtype(indptr.dtype)], keep),
                             _view(indices, _INT_CODES[np.dtype(indices.dtype)], keep),
                             _view(data, _FLOAT_CODES[np.dtype(data.dtype)], keep), rows, width)
    return view, rows


def weights(x, keep):
    """None, a number, or float32/float64 weights broadcastable to ``[D1..DN]``."""
    if x is None:
        return None
    a = _as_array(x, "weights")
    if a.dtype == object or a.dtype.kind not in "biuf":
        raise TypeError(f"weights must be numbers (float32 or float64), found {a.dtype}")
    if np.dtype(a.dtype.newbyteorder("=")) not in (np.dtype(np.float32), np.dtype(np.float64)):
        a = a.astype(np.float64)
    a = _native_contiguous(a)
    return _view(a, _FLOAT_CODES[np.dtype(a.dtype)], keep)


def options(k, metrics, empty_rows, nan, threads, keep):
    """``mapk_options`` from Python values (``empty_rows`` None: the library's default)."""
    ks = [k] if isinstance(k, (numbers.Integral, np.integer)) else list(k) if k is not None else []
    for value in ks:
        if isinstance(value, bool) or not isinstance(value, (numbers.Integral, np.integer)):
            raise TypeError(f"k must be an integer or a sequence of integers (got {value!r})")
        if not -(2**62) < int(value) < 2**62:
            raise ValueError(f"k = {value} is out of range")
    array = (_abi.c_int64 * max(len(ks), 1))(*[int(v) for v in ks])
    keep.append(array)
    if metrics is not None and not isinstance(metrics, str):
        metrics = ",".join(metrics)
    if threads is None:
        threads = 0
    elif isinstance(threads, bool) or not isinstance(threads, (numbers.Integral, np.integer)) or threads < 1:
        raise ValueError(f"threads must be an integer >= 1, or None for all the CPUs this process may use (got {threads!r})")
    for name, value in (("empty_rows", empty_rows), ("nan", nan)):
        if value is not None and not isinstance(value, str):
            raise TypeError(f"{name} must be a string (got {value!r})")

    def text(s):
        return None if s is None else s.encode("utf-8")

    return _abi.Options(array, len(ks), text(metrics), text(empty_rows), text(nan), int(threads))
