#!/usr/bin/env python3
"""Writes the bfloat16 .safetensors fixtures with the real safetensors writer, each beside the
same values as a float32 .npy (every bfloat16 is exactly a float32: its bits are the float32's
top 16), so ShardsTests/BFloat16ScoresTests and CLITests/BFloat16CLITests compare bits without Python.

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install safetensors numpy
    /tmp/venv/bin/python Scripts/oracle/bf16_cases.py

numpy has no bfloat16 dtype, so the tensors go through safetensors' own serializer
(`safetensors.serialize_file` with a `TensorSpec` of dtype "bfloat16"): the call
`safetensors.torch.save_file` makes for a torch.bfloat16 tensor, which writes dtype "BF16".

Output: Tests/ShardsTests/Fixtures/safetensors/ (a few tens of KB):
  bf16.safetensors        the quarter-step scores of scores_float32.npy as BF16 (labels.npy)
  bf16_edge.safetensors   tensors "scores" [64, 300] (no NaN) and "nan" [64, 300] (NaNs mixed in):
                          ties, +-0, +-inf, subnormals, magnitudes above float16's infinity bits
  bf16_edge_scores.npy, bf16_edge_nan.npy   the same values as float32
  bf16_edge_labels.npy    int64 [64, 6] labels, -1 padded
"""
import os

import numpy as np
from safetensors import TensorSpec, safe_open, serialize_file

out = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "ShardsTests", "Fixtures", "safetensors")
os.makedirs(out, exist_ok=True)


def save_bf16(tensors, path):
    """Saves {name: uint16 array of bfloat16 bits} as BF16 tensors, as safetensors.torch.save_file does."""
    keep = {k: np.ascontiguousarray(v, dtype="<u2") for k, v in tensors.items()}
    specs = {k: TensorSpec(dtype="bfloat16", shape=list(v.shape), data_ptr=v.ctypes.data, data_len=v.nbytes)
             for k, v in keep.items()}
    serialize_file(specs, path)
    with safe_open(path, framework="numpy") as f:  # the format's own reader accepts it
        assert sorted(f.keys()) == sorted(tensors)


def as_float32(bits):
    return (bits.astype(np.uint32) << 16).view(np.float32)


# 1. The quarter steps of the container fixtures (exact in bfloat16).
f32 = np.load(os.path.join(out, "scores_float32.npy"))
bits = (f32.view(np.uint32) >> 16).astype(np.uint16)
assert np.array_equal(as_float32(bits), f32)
save_bf16({"scores": bits}, os.path.join(out, "bf16.safetensors"))

# 2. Edge values.
rng = np.random.default_rng(16)
rows, classes = 64, 300
ties = np.array([0x0000, 0x8000, 0x3E80, 0x3F00, 0x3F80, 0xBF80, 0x7F80, 0xFF80], np.uint16)  # +-0, .25, .5, 1, -1, +-inf
subnormal = lambda n: (rng.integers(1, 0x80, n) | (rng.integers(0, 2, n) << 15)).astype(np.uint16)
# Finite, but above float16's infinity bits (0x7C00): |x| >= 2^121.
huge = lambda n: (rng.integers(0x7C01, 0x7F80, n) | (rng.integers(0, 2, n) << 15)).astype(np.uint16)
uniform = lambda n: (((rng.random(n) * 2 - 1).astype(np.float32).view(np.uint32)) >> 16).astype(np.uint16)
scores = np.empty((rows, classes), np.uint16)
for r in range(rows):
    kind = r % 4
    if kind == 0:
        scores[r] = uniform(classes)
    elif kind == 1:
        scores[r] = ties[rng.integers(0, len(ties), classes)]
    else:
        row = uniform(classes)
        pick = rng.random(classes)
        row[pick < 0.15] = ties[rng.integers(0, len(ties), (pick < 0.15).sum())]
        row[(pick >= 0.15) & (pick < 0.25)] = subnormal(((pick >= 0.15) & (pick < 0.25)).sum())
        if kind == 3:
            row[(pick >= 0.25) & (pick < 0.3)] = huge(((pick >= 0.25) & (pick < 0.3)).sum())
        scores[r] = row
nan = scores.copy()
for r in range(rows):
    if r % 3 != 0:
        where = rng.random(classes) < [0.005, 0.05, 0.3][r % 3]
        payload = rng.integers(0x7F81, 0x8000, where.sum()) | (rng.integers(0, 2, where.sum()) << 15)
        nan[r, where] = payload.astype(np.uint16)
save_bf16({"scores": scores, "nan": nan}, os.path.join(out, "bf16_edge.safetensors"))
np.save(os.path.join(out, "bf16_edge_scores.npy"), as_float32(scores))
np.save(os.path.join(out, "bf16_edge_nan.npy"), as_float32(nan))
labels = np.full((rows, 6), -1, np.int64)
for r in range(rows):
    n = rng.integers(0, 7)
    labels[r, :n] = rng.choice(classes, size=n, replace=False)
np.save(os.path.join(out, "bf16_edge_labels.npy"), labels)
print("wrote", out)
