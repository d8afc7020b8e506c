#!/usr/bin/env python3
"""Writes the sparse-score fixtures of ShardsTests/SparseScoresTests with scipy's own writer
(scipy.sparse.save_npz, compressed and not), each beside the same matrix as a dense .npy in
which every entry the CSR matrix does not store is -1000, below every stored score (stored
scores are quarter steps in [-2, 2], explicit zeros included). On rows storing at least k
entries the two must evaluate to the same bits; every row here stores at least 7.

    /tmp/oracle/bin/python Scripts/oracle/sparse_scores_cases.py   (numpy + scipy)

Output: Tests/ShardsTests/Fixtures/sparse-scores/ (a few KB).
"""
import os

import numpy as np
import scipy.sparse as sp

out = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "ShardsTests", "Fixtures", "sparse-scores")
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(2026)
rows, classes = 41, 29
stored = np.zeros((rows, classes), bool)
for r in range(rows):
    stored[r, rng.choice(classes, size=rng.integers(7, classes + 1), replace=False)] = True
# Quarter steps: many ties and explicit zeros, exact in every float type.
values = rng.integers(-8, 9, size=(rows, classes)) / 4
labels = np.full((rows, 5), -1, np.int64)
for r in range(rows):
    n = rng.integers(0, 6)
    labels[r, :n] = rng.choice(classes + 3, size=n, replace=False)  # some >= C: TensorFlow's out-of-range rule
np.save(os.path.join(out, "labels.npy"), labels)

for dtype in ["float16", "float32", "float64"]:
    dense = np.where(stored, values, -1000).astype(dtype)
    np.save(os.path.join(out, f"dense_{dtype}.npy"), dense)
    m = sp.csr_matrix((values[stored].astype("float64"), np.nonzero(stored)), shape=(rows, classes))
    assert m.nnz == stored.sum()  # explicit zeros kept
    wide = m.copy()
    wide.indices = wide.indices.astype(np.int64)
    wide.indptr = wide.indptr.astype(np.int64)
    for name, matrix, compressed in [(f"csr_{dtype}", m, True), (f"csr_{dtype}_stored", m, False),
                                     (f"csr_{dtype}_int64", wide, True)]:
        path = os.path.join(out, name + ".npz")
        if dtype == "float16":
            # scipy.sparse has no float16 matrices: the members save_npz writes, data in float16.
            save = np.savez_compressed if compressed else np.savez
            save(path, indices=matrix.indices, indptr=matrix.indptr, format=b"csr", shape=matrix.shape,
                 data=matrix.data.astype(np.float16))
        else:
            matrix = matrix.astype(dtype)
            sp.save_npz(path, matrix, compressed=compressed)
            back = sp.load_npz(path)
            assert back.dtype == dtype and back.nnz == stored.sum()

# Columns not ascending within rows (a csr_matrix built from raw arrays keeps their order).
m = sp.csr_matrix((values[stored].astype("float32"), np.nonzero(stored)), shape=(rows, classes))
perm_indices, perm_data = m.indices.copy(), m.data.copy()
for r in range(rows):
    a, b = m.indptr[r], m.indptr[r + 1]
    p = rng.permutation(b - a)
    perm_indices[a:b] = m.indices[a:b][p]
    perm_data[a:b] = m.data[a:b][p]
unsorted = sp.csr_matrix((perm_data, perm_indices, m.indptr.copy()), shape=(rows, classes))
assert not unsorted.has_sorted_indices
sp.save_npz(os.path.join(out, "csr_float32_unsorted.npz"), unsorted)
