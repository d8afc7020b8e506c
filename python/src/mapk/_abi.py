"""The C ABI of mapk (``mapk.h``) through ctypes: the structs, the prototypes
and the one place where a status becomes a Python exception.

ctypes releases the GIL for every call into a ``CDLL``, so an evaluation runs
while other Python threads do: nothing here holds the GIL across a call.
"""

import ctypes
import os
import sys
from ctypes import POINTER, c_char, c_char_p, c_double, c_int32, c_int64, c_void_p

ABI_VERSION = 3

OK, ERROR_ARGUMENT, ERROR_TYPE, ERROR_VALUE, ERROR_FILE, ERROR_FILE_NOT_FOUND, ERROR_STATE, ERROR_INTERNAL = range(8)
FLOAT16, FLOAT32, FLOAT64, INT32, INT64, BOOL = 1, 2, 3, 4, 5, 6
LABELS_DENSE, LABELS_SPARSE, LABELS_MULTIHOT = 1, 2, 3


class Error(ctypes.Structure):
    _fields_ = [("status", c_int32), ("message", c_char * 1020)]


class Array(ctypes.Structure):
    _fields_ = [
        ("data", c_void_p),
        ("dtype", c_int32),
        ("ndim", c_int32),
        ("shape", POINTER(c_int64)),
        ("strides", POINTER(c_int64)),
    ]


class Labels(ctypes.Structure):
    _fields_ = [("kind", c_int32), ("values", Array), ("offsets", Array)]


class Options(ctypes.Structure):
    _fields_ = [
        ("ks", POINTER(c_int64)),
        ("k_count", c_int64),
        ("metrics", c_char_p),
        ("empty_rows", c_char_p),
        ("nan_scores", c_char_p),
        ("threads", c_int64),
    ]


class IDReading(ctypes.Structure):
    _fields_ = [("pad", c_int64), ("duplicates", c_char_p), ("classes", c_int64)]


class SparseScores(ctypes.Structure):
    _fields_ = [("indptr", Array), ("indices", Array), ("data", Array), ("rows", c_int64), ("width", c_int64)]


_handle = c_void_p
_out = POINTER(c_void_p)
_error = POINTER(Error)

_PROTOTYPES = {
    "mapk_abi_version": (c_int32, []),
    "mapk_metric_names": (c_char_p, []),
    "mapk_empty_row_policies": (c_char_p, []),
    "mapk_nan_policies": (c_char_p, []),
    "mapk_default_threads": (c_int64, []),
    "mapk_pair_count": (c_int32, [POINTER(Options), POINTER(c_int64), _error]),
    "mapk_evaluate": (
        c_int32,
        [POINTER(Array), POINTER(Labels), POINTER(Array), POINTER(Options), POINTER(c_double), c_int64, _out, _error],
    ),
    "mapk_evaluate_ids": (
        c_int32,
        [POINTER(Array), POINTER(IDReading), POINTER(Labels), POINTER(Array), POINTER(Options), POINTER(c_double),
         c_int64, _out, _error],
    ),
    "mapk_evaluate_excluding": (
        c_int32,
        [POINTER(Array), POINTER(Labels), POINTER(Labels), POINTER(Array), POINTER(Options), POINTER(c_double),
         c_int64, _out, _error],
    ),
    "mapk_evaluate_ids_excluding": (
        c_int32,
        [POINTER(Array), POINTER(IDReading), POINTER(Labels), POINTER(Labels), POINTER(Array), POINTER(Options),
         POINTER(c_double), c_int64, _out, _error],
    ),
    "mapk_evaluate_sparse": (
        c_int32,
        [POINTER(SparseScores), POINTER(Labels), POINTER(Labels), POINTER(Array), POINTER(Options), POINTER(c_double),
         c_int64, _out, _error],
    ),
    "mapk_result_ci_level": (c_double, [_handle]),
    "mapk_result_interval": (c_int32, [_handle, c_int64, POINTER(c_double), POINTER(c_double)]),
    "mapk_files_open_excluding": (
        c_int32, [c_char_p, c_char_p, c_char_p, c_char_p, c_char_p, POINTER(IDReading), c_int64, _out, _error]),
    "mapk_files_evaluate_ci": (
        c_int32,
        [_handle, POINTER(Options), c_double, c_int64, ctypes.c_uint64, POINTER(c_double), c_int64, _out, _error]),
    "mapk_stream_update_excluding": (
        c_int32, [_handle, POINTER(Array), POINTER(Labels), POINTER(Labels), POINTER(Array), _error]),
    "mapk_stream_update_ids_excluding": (
        c_int32, [_handle, POINTER(Array), POINTER(IDReading), POINTER(Labels), POINTER(Labels), POINTER(Array),
                  _error]),
    "mapk_stream_update_sparse": (
        c_int32, [_handle, POINTER(SparseScores), POINTER(Labels), POINTER(Labels), POINTER(Array), _error]),
    "mapk_stream_create_ci": (
        c_int32, [POINTER(Options), c_double, c_int64, ctypes.c_uint64, c_int64, _out, _error]),
    "mapk_bootstrap_intervals": (
        c_int32,
        [POINTER(c_double), c_int64, c_int64, POINTER(c_int64), c_int32, POINTER(Array), c_double, c_int64,
         ctypes.c_uint64, c_int64, POINTER(c_double), POINTER(c_double), _error],
    ),
    "mapk_conventions": (c_char_p, []),
    "mapk_convention": (c_int32, [c_char_p, POINTER(c_char_p), POINTER(c_char_p), _error]),
    "mapk_convention_metric_name": (c_int64, [c_char_p, c_char_p, c_int64, ctypes.c_char_p, c_int64]),
    "mapk_result_pooled": (c_int32, [_handle, c_int64]),
    "mapk_result_rows": (c_int64, [_handle]),
    "mapk_result_classes": (c_int64, [_handle]),
    "mapk_result_threads": (c_int64, [_handle]),
    "mapk_result_empty_rows": (c_int64, [_handle]),
    "mapk_result_nan_scores": (c_int64, [_handle]),
    "mapk_result_bytes": (c_int64, [_handle]),
    "mapk_result_seconds": (c_double, [_handle]),
    "mapk_result_empty_rows_policy": (c_char_p, [_handle]),
    "mapk_result_nan_policy": (c_char_p, [_handle]),
    "mapk_result_count": (c_int64, [_handle]),
    "mapk_result_metric": (c_char_p, [_handle, c_int64]),
    "mapk_result_k": (c_int64, [_handle, c_int64]),
    "mapk_result_value": (c_double, [_handle, c_int64]),
    "mapk_result_total": (c_double, [_handle, c_int64]),
    "mapk_result_max": (c_double, [_handle, c_int64]),
    "mapk_result_free": (None, [_handle]),
    "mapk_files_open": (c_int32, [c_char_p, c_char_p, c_char_p, c_char_p, c_int64, _out, _error]),
    "mapk_files_open_ids": (
        c_int32, [c_char_p, c_char_p, c_char_p, c_char_p, POINTER(IDReading), c_int64, _out, _error]),
    "mapk_files_rows": (c_int64, [_handle]),
    "mapk_files_classes": (c_int64, [_handle]),
    "mapk_files_row_rank": (c_int32, [_handle]),
    "mapk_files_row_dim": (c_int64, [_handle, c_int32]),
    "mapk_files_evaluate": (c_int32, [_handle, POINTER(Options), POINTER(c_double), c_int64, _out, _error]),
    "mapk_files_free": (None, [_handle]),
    "mapk_stream_create": (c_int32, [POINTER(Options), _out, _error]),
    "mapk_stream_update": (c_int32, [_handle, POINTER(Array), POINTER(Labels), POINTER(Array), _error]),
    "mapk_stream_update_ids": (
        c_int32, [_handle, POINTER(Array), POINTER(IDReading), POINTER(Labels), POINTER(Array), _error]),
    "mapk_stream_merge": (c_int32, [_handle, _handle, _error]),
    "mapk_stream_result": (c_int32, [_handle, _out, _error]),
    "mapk_stream_reset": (None, [_handle]),
    "mapk_stream_free": (None, [_handle]),
    "mapk_stream_encode": (c_int32, [_handle, _out, _error]),
    "mapk_stream_decode": (c_int32, [ctypes.c_char_p, c_int64, c_int64, _out, _error]),
    "mapk_bytes_data": (c_void_p, [_handle]),
    "mapk_bytes_size": (c_int64, [_handle]),
    "mapk_bytes_free": (None, [_handle]),
}


def _library_path():
    """``MAPK_LIBRARY`` if set (a library built in place), else the one bundled in the package."""
    override = os.environ.get("MAPK_LIBRARY")
    if override:
        return override
    name = "libmapk-c.dylib" if sys.platform == "darwin" else "libmapk-c.so"
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), name)


def _load():
    lib = ctypes.CDLL(_library_path())
    for name, (restype, argtypes) in _PROTOTYPES.items():
        function = getattr(lib, name)
        function.restype = restype
        function.argtypes = argtypes
    version = lib.mapk_abi_version()
    if version != ABI_VERSION:
        raise ImportError(f"mapk: the library at {_library_path()} has ABI version {version}, this package needs {ABI_VERSION}")
    return lib


lib = _load()


def check(status, error):
    """Raises the exception for a failed call: its type from the status, its text mapk's message."""
    if status == OK:
        return
    message = error.message.decode("utf-8", errors="replace")
    if status == ERROR_TYPE:
        raise TypeError(message)
    if status == ERROR_FILE_NOT_FOUND:
        raise FileNotFoundError(message)
    if status == ERROR_INTERNAL:
        raise RuntimeError(message)
    raise ValueError(message)


def call(name, *args):
    """Calls a status-returning entry point with a fresh ``mapk_error`` and checks it."""
    error = Error()
    status = getattr(lib, name)(*args, ctypes.byref(error))
    check(status, error)
