#!/usr/bin/env python3
"""Writes the .safetensors and .npz score fixtures of ShardsTests/ContainerScoresTests
with the real writers (safetensors.numpy.save_file, numpy.savez, numpy.savez_compressed),
each beside the same scores as a plain .npy, so the tests compare bits without Python.

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install safetensors numpy
    /tmp/venv/bin/python Scripts/oracle/safetensors_cases.py

Output: Tests/ShardsTests/Fixtures/safetensors/ (small: a few KB in all).
"""
import os

import numpy as np
from safetensors.numpy import save_file

out = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "ShardsTests", "Fixtures", "safetensors")
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(12)
rows, classes = 37, 23
# Quarter steps: many ties, exact in every float type.
base = rng.integers(0, 9, size=(rows, classes)) / 4
labels = np.full((rows, 4), -1, np.int64)
for r in range(rows):
    n = rng.integers(0, 5)
    labels[r, :n] = rng.choice(classes, size=n, replace=False)
np.save(os.path.join(out, "labels.npy"), labels)

for dtype in ["float16", "float32", "float64"]:
    scores = base.astype(dtype)
    np.save(os.path.join(out, f"scores_{dtype}.npy"), scores)
    save_file({"scores": scores}, os.path.join(out, f"scores_{dtype}.safetensors"))
    np.savez(os.path.join(out, f"scores_{dtype}.npz"), scores=scores)
    np.savez_compressed(os.path.join(out, f"scores_{dtype}_compressed.npz"), scores=scores)

# Several tensors and metadata; a rank-3 [2, 37, 23] view of the float32 scores' rows doubled.
f32 = base.astype("float32")
save_file({"scores": f32, "logits": (f32 * 2).astype("float64"), "bias": np.arange(3, dtype=np.float16)},
          os.path.join(out, "several.safetensors"), metadata={"format": "np", "note": "mapk fixture"})
np.savez(os.path.join(out, "several.npz"), scores=f32, logits=(f32 * 2).astype("float64"))
np.savez_compressed(os.path.join(out, "several_compressed.npz"), logits=(f32 * 2).astype("float64"), scores=f32)
# bfloat16 (bf16.safetensors and the other BF16 fixtures): Scripts/oracle/bf16_cases.py, run after this.
print("wrote", out)
