"""Winograd F(2x2, 3x3) transforms for 3x3 stride-1 convolution: the NumPy reference (the numba ones in
``winograd_numba`` must agree).

A 3x3 convolution computes each 2x2 output tile from a 4x4 input tile d with 16 multiplications per
(input, output) channel pair instead of 36 (Lavin & Gray, 2015):

    Y = A^T [ U (.) V ] A,   U = G g G^T (4x4 per (o, c)),   V = B^T d B (4x4 per (c, tile))

    B^T = [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]]
    G   = [[1, 0, 0], [1/2, 1/2, 1/2], [1/2, -1/2, 1/2], [0, 0, 1]]
    A^T = [[1, 1, 1, 0], [0, 1, -1, -1]]

Summing over input channels turns the 16 elementwise products into 16 GEMMs,
``M[k] = U[k] (Cout, C) @ V[k] (C, P)`` with P = N * tiles, 2.25x fewer flops than im2col's one GEMM.
Every transform is linear, so the backward pass applies the adjoints: dM = A dY A^T, dU[k] = dM[k] V[k]^T,
dV[k] = U[k]^T dM[k], dg = G^T dU G, dd = B dV B^T scattered back over the (overlapping) input tiles.

Layouts: ``U (16, Cout, C)``, ``V (16, C, P)``, ``M (16, Cout, P)``; k = 4 * row + col of the 4x4 tile;
tile index p = (n * th + ti) * tw + tj; tile (ti, tj) reads input rows 2 ti - top .. 2 ti - top + 3
(zeros outside: the padding) and writes output rows 2 ti, 2 ti + 1 (cropped at an odd edge).
"""
from __future__ import annotations

import numpy as np


def _bt(d):
    """B^T along a list of 4 arrays: (d0 - d2, d1 + d2, d2 - d1, d1 - d3)."""
    return [d[0] - d[2], d[1] + d[2], d[2] - d[1], d[1] - d[3]]


def _b(e):
    """The adjoint of ``_bt``."""
    return [e[0], e[1] - e[2] + e[3], e[1] + e[2] - e[0], -e[3]]


def _g(g):
    """G along a list of 3 arrays."""
    return [g[0], (g[0] + g[1] + g[2]) * 0.5, (g[0] - g[1] + g[2]) * 0.5, g[2]]


def _gt(e):
    """The adjoint of ``_g``: 4 arrays -> 3."""
    return [e[0] + (e[1] + e[2]) * 0.5, (e[1] - e[2]) * 0.5, (e[1] + e[2]) * 0.5 + e[3]]


def _at(m):
    """A^T along a list of 4 arrays: (m0 + m1 + m2, m1 - m2 - m3)."""
    return [m[0] + m[1] + m[2], m[1] - m[2] - m[3]]


def _a(e):
    """The adjoint of ``_at``: 2 arrays -> 4."""
    return [e[0], e[0] + e[1], e[0] - e[1], -e[1]]


def tiles(oh: int, ow: int) -> tuple:
    """Number of 2x2 output tiles along each dim."""
    return (oh + 1) // 2, (ow + 1) // 2


def wino_weight(w: np.ndarray) -> np.ndarray:
    """g (Cout, C, 3, 3) -> U (16, Cout, C)."""
    rows = _g([w[:, :, i, :] for i in range(3)])          # 4 x (Cout, C, 3)
    u = [_g([r[..., j] for j in range(3)]) for r in rows]  # 4 x 4 x (Cout, C)
    return np.stack([u[i][j] for i in range(4) for j in range(4)])


def wino_weight_grad(du: np.ndarray) -> np.ndarray:
    """The adjoint of ``wino_weight``: dU (16, Cout, C) -> dg (Cout, C, 3, 3)."""
    cols = [_gt([du[4 * i + j] for j in range(4)]) for i in range(4)]  # 4 x 3 x (Cout, C)
    rows = [_gt([cols[i][j] for i in range(4)]) for j in range(3)]     # 3 (col j) x 3 (row i)
    return np.stack([np.stack([rows[j][i] for j in range(3)], -1) for i in range(3)], -2)


def _padded(x: np.ndarray, top: int, left: int, th: int, tw: int) -> np.ndarray:
    """x (N, C, H, W) inside a zero canvas (N, C, 2 th + 2, 2 tw + 2) at offset (top, left)."""
    n, c, h, w = x.shape
    xp = np.zeros((n, c, 2 * th + 2, 2 * tw + 2), dtype=x.dtype)
    hh, ww = min(h, 2 * th + 2 - top), min(w, 2 * tw + 2 - left)
    xp[:, :, top:top + hh, left:left + ww] = x[:, :, :hh, :ww]
    return xp


def wino_input(x: np.ndarray, pads: tuple, th: int, tw: int, v: np.ndarray) -> np.ndarray:
    """x (N, C, H, W), any strides -> V (16, C, P) written into ``v``."""
    n, c = x.shape[:2]
    xp = _padded(x, pads[0][0], pads[1][0], th, tw)
    d = [[xp[:, :, i:i + 2 * th:2, j:j + 2 * tw:2] for j in range(4)] for i in range(4)]
    cols = [_bt([d[i][j] for i in range(4)]) for j in range(4)]  # cols[j][i']: B^T over rows
    vv = v.reshape(16, c, n, th, tw)
    for i in range(4):
        t = _bt([cols[j][i] for j in range(4)])                   # B over columns
        for j in range(4):
            vv[4 * i + j] = t[j].transpose(1, 0, 2, 3)
    return v


def wino_input_grad(dv: np.ndarray, pads: tuple, th: int, tw: int, dx: np.ndarray) -> np.ndarray:
    """The adjoint of ``wino_input``: overwrite dx (N, C, H, W), any strides, from dV (16, C, P)."""
    n, c, h, w = dx.shape
    e = dv.reshape(16, c, n, th, tw).transpose(0, 2, 1, 3, 4)      # (16, N, C, th, tw)
    rows = [_b([e[4 * i + j] for j in range(4)]) for i in range(4)]  # adjoint over columns
    dd = [_b([rows[i][j] for i in range(4)]) for j in range(4)]      # dd[j][i]: adjoint over rows
    top, left = pads[0][0], pads[1][0]
    canvas = np.zeros((n, c, 2 * th + 2, 2 * tw + 2), dtype=dv.dtype)
    for i in range(4):
        for j in range(4):
            canvas[:, :, i:i + 2 * th:2, j:j + 2 * tw:2] += dd[j][i]
    dx[...] = 0
    hh, ww = min(h, 2 * th + 2 - top), min(w, 2 * tw + 2 - left)
    dx[:, :, :hh, :ww] = canvas[:, :, top:top + hh, left:left + ww]
    return dx


def wino_output(m: np.ndarray, bias, y: np.ndarray) -> np.ndarray:
    """M (16, Cout, P) (+ bias) -> y (N, Cout, OH, OW), any strides."""
    n, co, oh, ow = y.shape
    th, tw = tiles(oh, ow)
    mm = m.reshape(16, co, n, th, tw).transpose(0, 2, 1, 3, 4)
    rows = [_at([mm[4 * i + j] for i in range(4)]) for j in range(4)]  # rows[j][r]: A^T over rows
    full = np.empty((n, co, 2 * th, 2 * tw), dtype=m.dtype)
    for r in range(2):
        out = _at([rows[j][r] for j in range(4)])
        for s in range(2):
            full[:, :, r::2, s::2] = out[s]
    if bias is not None:
        full += bias.reshape(-1, 1, 1)
    y[...] = full[:, :, :oh, :ow]
    return y


def wino_output_grad(g: np.ndarray, th: int, tw: int, dm: np.ndarray) -> np.ndarray:
    """The adjoint of ``wino_output`` (without the bias): dY (N, Cout, OH, OW) -> dM (16, Cout, P) in ``dm``."""
    n, co, oh, ow = g.shape
    full = np.zeros((n, co, 2 * th, 2 * tw), dtype=g.dtype)
    full[:, :, :oh, :ow] = g
    e = [[full[:, :, r::2, s::2] for s in range(2)] for r in range(2)]
    cols = [_a([e[r][s] for s in range(2)]) for r in range(2)]   # cols[r][j]
    out = dm.reshape(16, co, n, th, tw)
    for j in range(4):
        t = _a([cols[r][j] for r in range(2)])                    # t[i]
        for i in range(4):
            out[4 * i + j] = t[i].transpose(1, 0, 2, 3)
    return dm
