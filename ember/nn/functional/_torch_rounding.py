"""torch's CPU formulas for layer norm over short rows and group norm over small groups, rounding for rounding.

Rows and groups shorter than a vector (float32: 8 values, float64: 4) run torch's kernels in scalar lanes on
every x86 build, so their rounding is machine-independent and ember can follow it exactly: Welford moments,
fused multiply-adds (emulated: float32 through float64, float64 by Dekker's exact product), and torch's
summation order. Where a row or group is constant, 1/sqrt(eps) = 316 (and its cube in backward) amplifies the
residues torch leaves, so the closed form's exact zeros would differ from torch. The ops using these are
``SmallRowLayerNorm`` and ``SmallGroupNorm`` in ``normalization.py`` (their docstrings give the formulas); the
functions here work on arrays only.
"""
from __future__ import annotations

import numpy as np


# rows shorter than this (float32: 8, float64: 4) run torch's CPU layer norm in scalar lanes on every x86 build (the
# vector width of AVX2 and AVX-512 is at least this), so its rounding is machine-independent there; see SmallRowLayerNorm
SMALL_ROW = {np.dtype(np.float32): 8, np.dtype(np.float64): 4}


def fma(a, b, c) -> np.ndarray:
    """a * b + c rounded once (a fused multiply-add), in the dtype of ``a``: float32 through float64 (the exact
    product plus c, rounded twice only in rare ties), float64 by Dekker's exact product and a two-sum."""
    dt = np.result_type(a, b, c)
    if dt == np.float32:
        return (np.asarray(a, np.float64) * b + np.asarray(c, np.float64)).astype(np.float32)
    a, b, c = np.asarray(a, dt), np.asarray(b, dt), np.asarray(c, dt)
    p = a * b
    ca, cb = a * 134217729.0, b * 134217729.0  # Veltkamp split: 2^27 + 1
    ah, bh = ca - (ca - a), cb - (cb - b)
    al, bl = a - ah, b - bh
    e = ((ah * bh - p) + ah * bl + al * bh) + al * bl  # a * b = p + e exactly
    s = p + c
    z = s - p
    return s + (((p - (s - z)) + (c - z)) + e)


def welford(x2: np.ndarray) -> tuple:
    """Per-row (mean, biased var) of (M, N) in x2's dtype by Welford's update, one column at a time: torch's
    RowwiseMoments on a row shorter than a vector (a constant row gives exactly its value and 0)."""
    dt = x2.dtype.type
    m1 = np.zeros(x2.shape[0], x2.dtype)
    m2 = np.zeros(x2.shape[0], x2.dtype)
    for j in range(x2.shape[1]):
        d = x2[:, j] - m1
        m1 = m1 + d / dt(j + 1)
        m2 = m2 + d * (x2[:, j] - m1)
    return m1, m2 / dt(x2.shape[1])


def rows_backward(g: np.ndarray, rows: tuple, w, which: tuple, param_shape: tuple) -> tuple:
    """(dx, dw, db) of SmallRowLayerNorm (its docstring has the formulas) for the requested ``which``."""
    _, x2, mean, a = rows
    n = x2.shape[1]
    dt = x2.dtype.type
    g2 = np.ascontiguousarray(g, dtype=x2.dtype).reshape(-1, n)
    wv = w._data.reshape(n) if w is not None else None
    out = []
    if 0 in which:
        ds = np.zeros_like(mean)
        dsum = np.zeros_like(mean)
        for j in range(n):  # sequential sums, as torch's reduction of a partial vector
            gx = g2[:, j] * x2[:, j]
            ds = ds + (gx * wv[j] if wv is not None else gx)
            dsum = dsum + (g2[:, j] * wv[j] if wv is not None else g2[:, j])
        scale = dt(1) / dt(n)
        u = fma(dsum, mean, -ds) * a * a * a * scale
        v = fma(-u, mean, -(dsum * a * scale))
        ag = a[:, None] * g2
        out.append((fma(u[:, None], x2, ag * wv if wv is not None else ag) + v[:, None]).reshape(g.shape))
    if 1 in which:
        h = fma(a[:, None], x2, (-a * mean)[:, None])
        out.append((g2 * h).sum(0).reshape(param_shape))
    if 2 in which:
        out.append(g2.sum(0).reshape(param_shape))
    return tuple(out)


def groups_backward(g: np.ndarray, groups: tuple, w, which: tuple) -> tuple:
    """(dx, dw, db) of SmallGroupNorm (its docstring has the formulas) for the requested ``which``."""
    _, x4, mean, rstd = groups
    n, gr, d, sp = x4.shape
    dt = x4.dtype.type
    g4 = np.ascontiguousarray(g, dtype=x4.dtype)
    wv = w._data.reshape(1, gr, d, 1) if w is not None else np.ones((1, gr, d, 1), x4.dtype)
    ds = np.zeros((n, gr, d, 1), x4.dtype)
    db = np.zeros((n, gr, d, 1), x4.dtype)
    for k in range(sp):  # sequential sums, as torch's reduction of a partial vector
        ds = ds + g4[..., k:k + 1] * x4[..., k:k + 1]
        db = db + g4[..., k:k + 1]
    out = []
    if 0 in which:
        dsg = np.zeros((n, gr, 1, 1), x4.dtype)
        dbg = np.zeros((n, gr, 1, 1), x4.dtype)
        for j in range(d):
            dsg = fma(ds[:, :, j:j + 1], wv[:, :, j:j + 1], dsg)
            dbg = fma(db[:, :, j:j + 1], wv[:, :, j:j + 1], dbg)
        s = dt(1) / dt(d * sp)
        u = fma(dbg, mean, -dsg) * rstd * rstd * rstd * s
        v = fma(-dbg * rstd, s, -u * mean)
        out.append(fma(rstd * wv, g4, u * x4) + v)
    if 1 in which:
        dw = np.zeros((gr, d, 1), x4.dtype)
        for i in range(n):  # torch's order: sample after sample, each added with a fused multiply-add
            dw = fma(fma(-db[i], mean[i], ds[i]), rstd[i], dw)
        out.append(dw.reshape(-1))
    if 2 in which:
        out.append(db.sum(0).reshape(-1))
    return tuple(out)
