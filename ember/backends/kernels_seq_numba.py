"""numba kernels for the sequence ops (fused LSTM cell forward/backward): one pass over a time step's
cells instead of ~15 NumPy passes.

``tanh`` and the logistic function use a float32 rational approximation (Eigen's, as torch's
vectorized CPU kernels do; within ~4 ulp of the exact value), which LLVM vectorizes;
``math.tanh``/``math.exp`` per element would be libm calls, 5-30x slower than NumPy's SIMD ufuncs.
Kernels are serial: a step of a (32, 256) LSTM is ~10 us, less than a parallel launch costs.

Reached only through ``ember.backends.kernels`` (``kernels_numba`` re-exports them); their NumPy references,
with the same contracts, are in ``kernels_numpy``. Importing this module raises ImportError without numba.
"""
from __future__ import annotations

import numpy as np
from numba import njit

# error_model="numpy": no ZeroDivisionError check, which would stop the loops from vectorizing.
_JIT = dict(cache=True, nogil=True, fastmath=True, error_model="numpy")

_C = np.float32(7.90531110763549805)  # tanh(x) rounds to +-1 in float32 beyond this


@njit(inline="always", **_JIT)
def _tanh(x):
    """tanh by Eigen's float rational approximation (odd degree 13 / even degree 6) on [-7.9, 7.9]."""
    x = _C if x > _C else x
    x = -_C if x < -_C else x
    x2 = x * x
    p = np.float32(-2.76076847742355e-16)
    p = p * x2 + np.float32(2.00018790482477e-13)
    p = p * x2 + np.float32(-8.60467152213735e-11)
    p = p * x2 + np.float32(5.12229709037114e-08)
    p = p * x2 + np.float32(1.48572235717979e-05)
    p = p * x2 + np.float32(6.37261928875436e-04)
    p = p * x2 + np.float32(4.89352455891786e-03)
    q = np.float32(1.19825839466702e-06)
    q = q * x2 + np.float32(1.18534705686654e-04)
    q = q * x2 + np.float32(2.26843463243900e-03)
    q = q * x2 + np.float32(4.89352518554385e-03)
    return x * p / q


@njit(inline="always", **_JIT)
def _sigmoid(x):
    """1 / (1 + e^-x) = (1 + tanh(x / 2)) / 2."""
    return np.float32(0.5) * _tanh(np.float32(0.5) * x) + np.float32(0.5)


@njit(**_JIT)
def lstm_cell_forward(g, rec, c, cprev, tc, hr):
    """One LSTM step for b rows, in place: g (b, 4H) pre-activations (input part) += rec (the
    ``h W_hh^T`` part, any layout), then g <- (s(i), s(f), tanh(g), s(o)); cprev <- c;
    c <- s(f) c + s(i) tanh(g); tc <- tanh(c); hr <- s(o) tc. float32 only.

    Loops index sliced rows from 0 (``range(n)``), so numba can drop its negative-index checks
    and LLVM vectorizes them."""
    b, h4 = g.shape
    n = h4 // 4
    for r in range(b):
        gr = g[r]
        rr = rec[r]
        for k in range(h4):
            gr[k] += rr[k]
    for r in range(b):
        gi = g[r, :n]
        gf = g[r, n:2 * n]
        gg = g[r, 2 * n:3 * n]
        go = g[r, 3 * n:]
        cr = c[r]
        cpr = cprev[r]
        tr = tc[r]
        hrr = hr[r]
        for j in range(n):
            i = _sigmoid(gi[j])
            f = _sigmoid(gf[j])
            u = _tanh(gg[j])
            o = _sigmoid(go[j])
            gi[j] = i
            gf[j] = f
            gg[j] = u
            go[j] = o
            cold = cr[j]
            cpr[j] = cold
            cn = f * cold + i * u
            cr[j] = cn
            t = _tanh(cn)
            tr[j] = t
            hrr[j] = o * t


@njit(**_JIT)
def lstm_cell_backward(dh, gout, has_gout, g, tc, cprev, dc, dg):
    """One LSTM step of BPTT for b rows: dh (b, H) the carried hidden grad (+ gout when has_gout);
    g the activated gates, tc = tanh(c_t), cprev = c_{t-1}; dc (b, H) carried cell grad, updated in
    place to dc_{t-1}; writes dg (b, 4H), the pre-activation gate grads. Any float dtype."""
    b, h4 = g.shape
    n = h4 // 4
    one = np.float32(1.0)  # keeps float32 math in float32
    for r in range(b):
        gi = g[r, :n]
        gf = g[r, n:2 * n]
        gg = g[r, 2 * n:3 * n]
        go = g[r, 3 * n:]
        di = dg[r, :n]
        df = dg[r, n:2 * n]
        dgg = dg[r, 2 * n:3 * n]
        do = dg[r, 3 * n:]
        dhr = dh[r]
        gor = gout[r]
        tr = tc[r]
        cpr = cprev[r]
        dcr = dc[r]
        for j in range(n):
            d = dhr[j]
            if has_gout:
                d += gor[j]
            i = gi[j]
            f = gf[j]
            u = gg[j]
            o = go[j]
            t = tr[j]
            do[j] = d * t * o * (one - o)
            dcv = dcr[j] + d * o * (one - t * t)
            di[j] = dcv * u * i * (one - i)
            df[j] = dcv * cpr[j] * f * (one - f)
            dgg[j] = dcv * i * (one - u * u)
            dcr[j] = dcv * f


# ---------------------------------------------------------------- LayerNorm over the last dim
@njit(**_JIT)
def layer_norm_forward(x, w, b, eps, y, xhat, inv):
    """Rows x (N, D): xhat = (x - mean) / sqrt(var + eps) (biased var; sums in float64),
    y = xhat w + b, inv (N,) = 1 / sqrt(var + eps)."""
    m, d = x.shape
    for r in range(m):
        xr = x[r]
        s = 0.0
        for j in range(d):
            s += xr[j]
        mean = s / d
        q = 0.0
        for j in range(d):
            t = xr[j] - mean
            q += t * t
        iv = 1.0 / np.sqrt(q / d + eps)
        inv[r] = iv
        hr = xhat[r]
        yr = y[r]
        for j in range(d):
            h = (xr[j] - mean) * iv
            hr[j] = h
            yr[j] = h * w[j] + b[j]


@njit(**_JIT)
def layer_norm_backward(g, xhat, inv, w, dx, dw, db):
    """dx = (g w - mean(g w) - xhat mean(g w xhat)) inv per row; dw = sum g xhat, db = sum g
    (dw, db zeroed here)."""
    m, d = g.shape
    dw[:] = 0
    db[:] = 0
    for r in range(m):
        gr = g[r]
        hr = xhat[r]
        s1 = 0.0
        s2 = 0.0
        for j in range(d):
            gw = gr[j] * w[j]
            s1 += gw
            s2 += gw * hr[j]
        a = s1 / d
        c = s2 / d
        iv = inv[r]
        dr = dx[r]
        for j in range(d):
            dr[j] = (gr[j] * w[j] - a - hr[j] * c) * iv
            dw[j] += gr[j] * hr[j]
            db[j] += gr[j]
