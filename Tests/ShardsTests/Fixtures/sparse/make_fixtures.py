"""Writes the sparse-label fixtures of NPZTests (run once by hand; the outputs are committed).

The matrix is the 5 x 7 one the tests state by hand:
  row 0: 1 3 | row 1: (none) | row 2: 0 2 6 | row 3: 5 | row 4: 1 6
usage: python3 make_fixtures.py   (numpy >= 1.24, scipy >= 1.11)
"""
import numpy as np, scipy.sparse as sp

rows = [[1, 3], [], [0, 2, 6], [5], [1, 6]]
R, M = 5, 7
r = np.array([i for i, x in enumerate(rows) for _ in x])
c = np.array([j for x in rows for j in x])
ones = np.ones(len(c), np.float32)

csr = sp.csr_matrix((ones, (r, c)), shape=(R, M))
sp.save_npz("csr_deflated.npz", csr, compressed=True)
sp.save_npz("csr_stored.npz", csr, compressed=False)

wide = csr.copy()
wide.indices = wide.indices.astype(np.int64); wide.indptr = wide.indptr.astype(np.int64)
sp.save_npz("csr_int64.npz", wide, compressed=False)

sp.save_npz("csc.npz", csr.tocsc(), compressed=True)
sp.save_npz("coo.npz", sp.coo_matrix((ones, (r, c)), shape=(R, M)), compressed=False)
sp.save_npz("csr_bool.npz", csr.astype(bool), compressed=True)

# Explicit zeros at (1, 4) and (3, 2): stored entries that are not labels.
z = csr.tolil(); z[1, 4] = 1; z[3, 2] = 1; z = z.tocsr()
z.data[(z.indices == 4) & (np.repeat(np.arange(R), np.diff(z.indptr)) == 1)] = 0
z.data[(z.indices == 2) & (np.repeat(np.arange(R), np.diff(z.indptr)) == 3)] = 0
assert z.nnz == csr.nnz + 2
sp.save_npz("csr_explicit_zeros.npz", z, compressed=True)

sp.save_npz("bsr.npz", csr.tobsr(), compressed=False)
np.savez("not_sparse.npz", a=np.arange(3))

# One member on its own, for archives the tests assemble: the .npy bytes of
# the matrix's indptr and the same bytes as a raw deflate stream (ZIP method 8).
import io, zlib
buf = io.BytesIO(); np.save(buf, csr.indptr.astype(np.int32)); member = buf.getvalue()
open("indptr.npy", "wb").write(member)
c = zlib.compressobj(9, zlib.DEFLATED, -15); open("indptr.npy.deflate", "wb").write(c.compress(member) + c.flush())

# Written to a stream that cannot seek: zipfile then puts each member's CRC
# and sizes in a data descriptor after its data (flag bit 3), zeros in the
# local header.
class Unseekable(io.RawIOBase):
    def __init__(self, f): self.f = f
    def writable(self): return True
    def write(self, b): return self.f.write(b)
with open("csr_streamed.npz", "wb") as f:
    sp.save_npz(Unseekable(f), csr, compressed=True)
