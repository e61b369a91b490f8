"""Winograd F(2x2, 3x3) transforms compiled with numba: the same names, layouts and results as
``winograd_numpy`` (the reference, where the math is written out), parallel over (sample, channel)
planes. Each transform reads or writes one 4x4 tile at a time in registers; padding is handled by
bounds checks, so no padded copy of the input is made.
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

from .winograd_numpy import tiles  # noqa: F401  (re-exported: the dispatcher looks names up here)

_JIT = dict(cache=True, nogil=True, parallel=True, error_model="numpy")


@njit(**_JIT)
def _weight(w, u):
    co, c = w.shape[:2]
    for o in prange(co):
        t = np.empty((4, 3), dtype=u.dtype)
        for ci in range(c):
            for j in range(3):  # G over rows, per column j
                g0, g1, g2 = w[o, ci, 0, j], w[o, ci, 1, j], w[o, ci, 2, j]
                t[0, j] = g0
                t[1, j] = (g0 + g1 + g2) * 0.5
                t[2, j] = (g0 - g1 + g2) * 0.5
                t[3, j] = g2
            for i in range(4):  # G over columns
                g0, g1, g2 = t[i, 0], t[i, 1], t[i, 2]
                u[4 * i, o, ci] = g0
                u[4 * i + 1, o, ci] = (g0 + g1 + g2) * 0.5
                u[4 * i + 2, o, ci] = (g0 - g1 + g2) * 0.5
                u[4 * i + 3, o, ci] = g2


@njit(**_JIT)
def _weight_grad(du, dw):
    co, c = dw.shape[:2]
    for o in prange(co):
        t = np.empty((4, 3), dtype=dw.dtype)
        for ci in range(c):
            for i in range(4):  # adjoint of G over columns
                e0, e1, e2, e3 = du[4 * i, o, ci], du[4 * i + 1, o, ci], du[4 * i + 2, o, ci], du[4 * i + 3, o, ci]
                t[i, 0] = e0 + (e1 + e2) * 0.5
                t[i, 1] = (e1 - e2) * 0.5
                t[i, 2] = (e1 + e2) * 0.5 + e3
            for j in range(3):  # adjoint of G over rows
                e0, e1, e2, e3 = t[0, j], t[1, j], t[2, j], t[3, j]
                dw[o, ci, 0, j] = e0 + (e1 + e2) * 0.5
                dw[o, ci, 1, j] = (e1 - e2) * 0.5
                dw[o, ci, 2, j] = (e1 + e2) * 0.5 + e3


@njit(**_JIT)
def _input(x, top, left, th, tw, v):
    """Per plane: split the zero-padded rows into even and odd columns, so that B^T d B becomes
    contiguous vector arithmetic over the tiles of a tile row."""
    n_, c_, h_, w_ = x.shape
    nq = n_ * c_
    nch = min(nq, 64)  # chunks of planes: the scratch below is allocated once per chunk
    for ch in prange(nch):
        ev = np.zeros((2 * th + 2, tw + 1), dtype=v.dtype)  # padded plane, columns 0, 2, 4, ...
        od = np.zeros((2 * th + 2, tw + 1), dtype=v.dtype)  # columns 1, 3, 5, ...
        te = np.empty((4, tw + 1), dtype=v.dtype)
        to = np.empty((4, tw + 1), dtype=v.dtype)
        for q in range(ch * nq // nch, (ch + 1) * nq // nch):
            c, n = q // n_, q % n_  # c-major: a chunk fills whole rows v[k, c, :]
            for i in range(2 * th + 2):
                ii = i - top
                if 0 <= ii < h_:
                    for j in range(tw + 1):
                        jj = 2 * j - left
                        if 0 <= jj < w_:
                            ev[i, j] = x[n, c, ii, jj]
                        if 0 <= jj + 1 < w_:
                            od[i, j] = x[n, c, ii, jj + 1]
            for ti in range(th):
                r = 2 * ti
                for j in range(tw + 1):  # B^T over the tile's 4 rows
                    te[0, j] = ev[r, j] - ev[r + 2, j]
                    te[1, j] = ev[r + 1, j] + ev[r + 2, j]
                    te[2, j] = ev[r + 2, j] - ev[r + 1, j]
                    te[3, j] = ev[r + 1, j] - ev[r + 3, j]
                    to[0, j] = od[r, j] - od[r + 2, j]
                    to[1, j] = od[r + 1, j] + od[r + 2, j]
                    to[2, j] = od[r + 2, j] - od[r + 1, j]
                    to[3, j] = od[r + 1, j] - od[r + 3, j]
                p0 = (n * th + ti) * tw
                for i in range(4):  # B over columns: tile tj has columns (e_tj, o_tj, e_tj+1, o_tj+1)
                    for tj in range(tw):
                        v[4 * i, c, p0 + tj] = te[i, tj] - te[i, tj + 1]
                        v[4 * i + 1, c, p0 + tj] = to[i, tj] + te[i, tj + 1]
                        v[4 * i + 2, c, p0 + tj] = te[i, tj + 1] - to[i, tj]
                        v[4 * i + 3, c, p0 + tj] = to[i, tj] - to[i, tj + 1]


@njit(**_JIT)
def _input_grad(dv, top, left, th, tw, dx):
    """The adjoint of ``_input``, vectorized the same way (even/odd column accumulators per plane)."""
    n_, c_, h_, w_ = dx.shape
    nq = n_ * c_
    nch = min(nq, 64)  # chunks of planes: the scratch below is allocated once per chunk
    for ch in prange(nch):
        ev = np.zeros((2 * th + 2, tw + 1), dtype=dx.dtype)
        od = np.zeros((2 * th + 2, tw + 1), dtype=dx.dtype)
        te = np.empty((4, tw + 1), dtype=dx.dtype)
        to = np.empty((4, tw + 1), dtype=dx.dtype)
        for q in range(ch * nq // nch, (ch + 1) * nq // nch):
            c, n = q // n_, q % n_  # c-major, as in _input
            ev[:, :] = 0.0
            od[:, :] = 0.0
            for ti in range(th):
                p0 = (n * th + ti) * tw
                te[:, tw] = 0.0
                to[:, tw] = 0.0
                for i in range(4):  # adjoint of B over columns
                    for tj in range(tw):
                        e0, e1 = dv[4 * i, c, p0 + tj], dv[4 * i + 1, c, p0 + tj]
                        e2, e3 = dv[4 * i + 2, c, p0 + tj], dv[4 * i + 3, c, p0 + tj]
                        te[i, tj] = e0
                        to[i, tj] = e1 - e2 + e3
                    for tj in range(tw):
                        e0, e1 = dv[4 * i, c, p0 + tj], dv[4 * i + 1, c, p0 + tj]
                        e2, e3 = dv[4 * i + 2, c, p0 + tj], dv[4 * i + 3, c, p0 + tj]
                        te[i, tj + 1] += e1 + e2 - e0
                        to[i, tj + 1] -= e3
                r = 2 * ti
                for j in range(tw + 1):  # adjoint of B^T over the 4 rows
                    ev[r, j] += te[0, j]
                    ev[r + 1, j] += te[1, j] - te[2, j] + te[3, j]
                    ev[r + 2, j] += te[1, j] + te[2, j] - te[0, j]
                    ev[r + 3, j] -= te[3, j]
                    od[r, j] += to[0, j]
                    od[r + 1, j] += to[1, j] - to[2, j] + to[3, j]
                    od[r + 2, j] += to[1, j] + to[2, j] - to[0, j]
                    od[r + 3, j] -= to[3, j]
            wcov = min(w_, 2 * tw + 2 - left)  # columns the canvas covers (all, for symmetric padding)
            for ii in range(h_):
                i = ii + top
                if i >= 2 * th + 2:
                    for jj in range(w_):
                        dx[n, c, ii, jj] = 0.0
                    continue
                for j in range(tw + 1):
                    jj = 2 * j - left
                    if 0 <= jj < wcov:
                        dx[n, c, ii, jj] = ev[i, j]
                    if 0 <= jj + 1 < wcov:
                        dx[n, c, ii, jj + 1] = od[i, j]
                for jj in range(max(wcov, 0), w_):
                    dx[n, c, ii, jj] = 0.0


@njit(**_JIT)
def _output(m, bias, y):
    n_, co_, oh, ow = y.shape
    th, tw = (oh + 1) // 2, (ow + 1) // 2
    nq = n_ * co_
    nch = min(nq, 64)  # chunks of planes: the scratch below is allocated once per chunk
    for ch in prange(nch):
        t = np.empty((2, 4, tw), dtype=y.dtype)
        ye = np.empty((2, tw), dtype=y.dtype)
        yo = np.empty((2, tw), dtype=y.dtype)
        for q in range(ch * nq // nch, (ch + 1) * nq // nch):
            o, n = q // n_, q % n_  # o-major: a chunk covers whole rows m[k, o, :]
            b = bias[o]
            for ti in range(th):
                p0 = (n * th + ti) * tw
                for j in range(4):  # A^T over rows
                    for tj in range(tw):
                        m0, m1 = m[j, o, p0 + tj], m[4 + j, o, p0 + tj]
                        m2, m3 = m[8 + j, o, p0 + tj], m[12 + j, o, p0 + tj]
                        t[0, j, tj] = m0 + m1 + m2
                        t[1, j, tj] = m1 - m2 - m3
                for r in range(2):  # A over columns
                    for tj in range(tw):
                        ye[r, tj] = t[r, 0, tj] + t[r, 1, tj] + t[r, 2, tj] + b
                        yo[r, tj] = t[r, 1, tj] - t[r, 2, tj] - t[r, 3, tj] + b
                for r in range(2):
                    i = 2 * ti + r
                    if i < oh:
                        for tj in range(tw):
                            y[n, o, i, 2 * tj] = ye[r, tj]
                            if 2 * tj + 1 < ow:
                                y[n, o, i, 2 * tj + 1] = yo[r, tj]


@njit(**_JIT)
def _output_grad(g, th, tw, dm):
    n_, co_, oh, ow = g.shape
    nq = n_ * co_
    nch = min(nq, 64)  # chunks of planes: the scratch below is allocated once per chunk
    for ch in prange(nch):
        ge = np.zeros((2, tw), dtype=dm.dtype)
        go = np.zeros((2, tw), dtype=dm.dtype)
        cc = np.empty((2, 4, tw), dtype=dm.dtype)
        for q in range(ch * nq // nch, (ch + 1) * nq // nch):
            o, n = q // n_, q % n_  # o-major: a chunk covers whole rows m[k, o, :]
            for ti in range(th):
                for r in range(2):
                    i = 2 * ti + r
                    if i < oh:
                        for tj in range(tw):
                            ge[r, tj] = g[n, o, i, 2 * tj]
                            go[r, tj] = g[n, o, i, 2 * tj + 1] if 2 * tj + 1 < ow else 0.0
                    else:
                        ge[r, :] = 0.0
                        go[r, :] = 0.0
                p0 = (n * th + ti) * tw
                for r in range(2):  # adjoint of A over columns: (e0, e0 + e1, e0 - e1, -e1) per tile
                    for tj in range(tw):
                        cc[r, 0, tj] = ge[r, tj]
                        cc[r, 1, tj] = ge[r, tj] + go[r, tj]
                        cc[r, 2, tj] = ge[r, tj] - go[r, tj]
                        cc[r, 3, tj] = -go[r, tj]
                for j in range(4):  # adjoint of A^T over rows, one column of the 4x4 tile at a time
                    for tj in range(tw):
                        c0, c1 = cc[0, j, tj], cc[1, j, tj]
                        dm[j, o, p0 + tj] = c0
                        dm[4 + j, o, p0 + tj] = c0 + c1
                        dm[8 + j, o, p0 + tj] = c0 - c1
                        dm[12 + j, o, p0 + tj] = -c1


def wino_weight(w: np.ndarray) -> np.ndarray:
    u = np.empty((16,) + w.shape[:2], dtype=w.dtype)
    _weight(w, u)
    return u


def wino_weight_grad(du: np.ndarray) -> np.ndarray:
    dw = np.empty(du.shape[1:] + (3, 3), dtype=du.dtype)
    _weight_grad(du, dw)
    return dw


def wino_input(x, pads, th, tw, v):
    _input(x, pads[0][0], pads[1][0], th, tw, v)
    return v


def wino_input_grad(dv, pads, th, tw, dx):
    _input_grad(dv, pads[0][0], pads[1][0], th, tw, dx)
    return dx


def wino_output(m, bias, y):
    _output(m, bias if bias is not None else np.zeros(y.shape[1], y.dtype), y)
    return y


def wino_output_grad(g, th, tw, dm):
    _output_grad(g, th, tw, dm)
    return dm
