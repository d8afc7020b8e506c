#!/usr/bin/env python3
"""Writes the small example dump shipped in Examples/ (deterministic).

    python3 Scripts/make-examples.py

Examples/demo.pred.npy    float32 [1000, 64]: scores, higher for true labels, with ties
Examples/demo.labels.npy  int64   [1000, 4]:  1-4 labels per row, -1 padding
Examples/demo.labels.txt  the same labels, one line per row (sparse semantics)
Examples/demo.weights.npy float64 [1000]:     per-row weights
"""
import os
import numpy as np

rows, classes, width = 1000, 64, 4
rng = np.random.default_rng(20261129)
here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Examples")
os.makedirs(here, exist_ok=True)

# Scores quantized to 1/64 so that exact ties occur, as in real float dumps.
scores = np.round(rng.random((rows, classes)) * 64) / 64
count = rng.integers(1, width + 1, size=rows)
labels = np.full((rows, width), -1, np.int64)
for r in range(rows):
    chosen = rng.choice(classes, size=count[r], replace=False)
    labels[r, : count[r]] = chosen
    scores[r, chosen] += rng.random(count[r]) * 0.75  # true labels tend to rank higher
scores = scores.astype(np.float32)
weights = np.round(rng.random(rows) * 4, 2)

np.save(os.path.join(here, "demo.pred.npy"), scores)
np.save(os.path.join(here, "demo.labels.npy"), labels)
np.save(os.path.join(here, "demo.weights.npy"), weights)
with open(os.path.join(here, "demo.labels.txt"), "w") as f:
    for r in range(rows):
        f.write(" ".join(str(x) for x in labels[r] if x >= 0) + "\n")
print("wrote", here)
