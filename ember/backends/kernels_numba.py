"""numba kernels for convolution, batch norm and elementwise passes (pooling: ``pooling_numba``, re-exported
here): the same names and results as ``kernels_numpy`` (the reference), compiled once (``cache=True``) and
parallel over the batch (``prange``).

2-D convolution reads its input in any layout (NCHW or channels-last strides) and handles padding by
copying each sample into a small zero-bordered NHWC scratch (in cache), so no padded copy of the whole
batch is made; col2im sums a sample's rows into such a scratch and writes the crop straight into the
gradient. Cases the compiled kernels do not cover (grouped or 1-d/3-d convolution, pooling of other
ranks) fall back to the NumPy reference.

Importing this module raises ImportError when numba is missing; the dispatcher then keeps NumPy.
"""
from __future__ import annotations

import math

import numpy as np
from numba import get_num_threads, njit, prange

from . import kernels_numpy as _ref
from . import kernels_seq_numba as _seq
from .pooling_numba import (max_pool, max_pool_argmax, max_pool_backward, window_scatter,  # noqa: F401
                            window_sum)  # (re-exported: the kernel switch looks names up here)

_JIT = dict(cache=True, nogil=True)


# ---------------------------------------------------------------- 2-D convolution
@njit(inline="always")
def _window_row(scr, i, j, kh, kw, sh, sw, dh, dw, row):
    """The window of output position (i, j) from a padded NHWC sample ``scr (Hs, Ws, C)`` into one im2col
    row (kh*kw*C values, channels innermost)."""
    c_ = scr.shape[2]
    col = 0
    for a in range(kh):
        ii = i * sh + a * dh
        for b in range(kw):
            jj = j * sw + b * dw
            for c in range(c_):
                row[col + c] = scr[ii, jj, c]
            col += c_


@njit(parallel=True, **_JIT)
def _im2col_nchw(x, ph, pw, oh, ow, kh, kw, sh, sw, dh, dw, cols):
    """x (N, C, H, W), any strides -> cols (N*oh*ow, kh*kw*C), row (n, i, j), column (a, b, c)."""
    n_, c_, h_, w_ = x.shape
    hs = (oh - 1) * sh + (kh - 1) * dh + 1
    ws = (ow - 1) * sw + (kw - 1) * dw + 1
    p = oh * ow
    for n in prange(n_):
        scr = np.zeros((hs, ws, c_), dtype=cols.dtype)
        i0 = max(0, ph)
        i1 = min(hs, h_ + ph)
        j0 = max(0, pw)
        j1 = min(ws, w_ + pw)
        for c in range(c_):
            for i in range(i0, i1):
                for j in range(j0, j1):
                    scr[i, j, c] = x[n, c, i - ph, j - pw]
        if dw == 1:  # a window row is kw*C contiguous values of the scratch
            s2 = scr.reshape(hs, ws * c_)
            seg = kw * c_
            for i in range(oh):
                for j in range(ow):
                    row = n * p + i * ow + j
                    j0 = j * sw * c_
                    for a in range(kh):
                        ii = i * sh + a * dh
                        col = a * seg
                        for t in range(seg):
                            cols[row, col + t] = s2[ii, j0 + t]
            continue
        for i in range(oh):
            for j in range(ow):
                _window_row(scr, i, j, kh, kw, sh, sw, dh, dw, cols[n * p + i * ow + j])


@njit(parallel=True, **_JIT)
def _im2col_nchw_rows(x, ph, pw, oh, ow, kh, kw, sh, sw, dh, dw, cols):
    """As ``_im2col_nchw`` for small batches: the padded NHWC copy of the whole batch is made first
    (parallel over its rows), then the windows are copied parallel over output rows (n, i), so batch 1
    uses every thread too."""
    n_, c_, h_, w_ = x.shape
    hs = max((oh - 1) * sh + (kh - 1) * dh + 1, h_ + ph)
    ws = max((ow - 1) * sw + (kw - 1) * dw + 1, w_ + pw)
    scr = np.zeros((n_, hs, ws, c_), dtype=cols.dtype)
    for r in prange(n_ * h_):
        n, i = r // h_, r % h_
        for c in range(c_):
            for j in range(w_):
                scr[n, i + ph, j + pw, c] = x[n, c, i, j]
    p = oh * ow
    for r in prange(n_ * oh):
        n, i = r // oh, r % oh
        for j in range(ow):
            _window_row(scr[n], i, j, kh, kw, sh, sw, dh, dw, cols[n * p + i * ow + j])


@njit(parallel=True, **_JIT)
def _col2im_nchw(cols, ph, pw, oh, ow, kh, kw, sh, sw, dh, dw, dx):
    """The adjoint of ``_im2col_nchw``: dx (N, C, H, W), any strides, is overwritten with the sums."""
    n_, c_, h_, w_ = dx.shape
    hs = max((oh - 1) * sh + (kh - 1) * dh + 1, h_ + ph)
    ws = max((ow - 1) * sw + (kw - 1) * dw + 1, w_ + pw)
    p = oh * ow
    for n in prange(n_):
        scr = np.zeros((hs, ws, c_), dtype=cols.dtype)
        if dw == 1:
            s2 = scr.reshape(hs, ws * c_)
            seg = kw * c_
            for i in range(oh):
                for j in range(ow):
                    row = n * p + i * ow + j
                    j0 = j * sw * c_
                    for a in range(kh):
                        ii = i * sh + a * dh
                        col = a * seg
                        for t in range(seg):
                            s2[ii, j0 + t] += cols[row, col + t]
        else:
            for i in range(oh):
                for j in range(ow):
                    row = n * p + i * ow + j
                    col = 0
                    for a in range(kh):
                        ii = i * sh + a * dh
                        for b in range(kw):
                            jj = j * sw + b * dw
                            for c in range(c_):
                                scr[ii, jj, c] += cols[row, col + c]
                            col += c_
        for c in range(c_):
            for i in range(h_):
                for j in range(w_):
                    dx[n, c, i, j] = scr[i + ph, j + pw, c]


@njit(parallel=True, **_JIT)
def _rows_to_nchw(y2, bias, out):
    """y2 (N*P, C) -> out (N, C, P) any strides, plus bias (C,)."""
    n_, c_, p_ = out.shape
    for n in prange(n_):
        for c in range(c_):
            b = bias[c]
            for q in range(p_):
                out[n, c, q] = y2[n * p_ + q, c] + b


@njit(parallel=True, **_JIT)
def _nchw_to_rows(g, out):
    """g (N, C, P) any strides -> out (N*P, C)."""
    n_, c_, p_ = g.shape
    for n in prange(n_):
        for c in range(c_):
            for q in range(p_):
                out[n * p_ + q, c] = g[n, c, q]


def conv2d_cols(x, pads, out, ksize, stride, dilation, buf):
    """Windows of an NCHW-indexed ``x`` (any strides) as rows ``(N*OH*OW, KH*KW*C)`` written into ``buf``
    (zeros where a window hangs over the padding ``pads = ((top, bottom), (left, right))``)."""
    kern = _im2col_nchw_rows if x.shape[0] < 2 * get_num_threads() else _im2col_nchw
    kern(x, pads[0][0], pads[1][0], out[0], out[1], ksize[0], ksize[1], stride[0], stride[1],
         dilation[0], dilation[1], buf)
    return buf


def conv2d_col2im(cols, pads, out, ksize, stride, dilation, dx):
    """The adjoint of ``conv2d_cols``: overwrite ``dx`` (NCHW-indexed, any strides) with the sums of rows."""
    _col2im_nchw(cols, pads[0][0], pads[1][0], out[0], out[1], ksize[0], ksize[1], stride[0], stride[1],
                 dilation[0], dilation[1], dx)
    return dx


def rows_to_nchw(y2, bias, out):
    """Rows ``(N*P, C)`` (+ bias) into ``out`` seen as ``(N, C, P)`` (any strides)."""
    n, c = out.shape[:2]
    o3 = out.reshape(n, c, -1) if out.ndim != 3 else out
    _rows_to_nchw(y2, bias if bias is not None else np.zeros(c, y2.dtype), o3)
    if o3 is not out and not np.shares_memory(o3, out):  # reshape copied (cannot for the layouts used here)
        out[...] = o3.reshape(out.shape)
    return out


def nchw_to_rows(g, out):
    """``g`` seen as ``(N, C, P)`` (any strides) into rows ``out (N*P, C)``."""
    n, c = g.shape[:2]
    _nchw_to_rows(g.reshape(n, c, -1), out)
    return out


# ---------------------------------------------------------------- reference-signature im2col / col2im
def im2col(xp, out, ksize, stride, dilation, groups):
    """As ``kernels_numpy.im2col`` (padded channels-last input)."""
    if groups != 1 or len(out) != 2:
        return _ref.im2col(xp, out, ksize, stride, dilation, groups)
    n, c = xp.shape[0], xp.shape[-1]
    cols = np.empty((n * out[0] * out[1], ksize[0] * ksize[1] * c), dtype=xp.dtype)
    conv2d_cols(np.moveaxis(xp, -1, 1), ((0, 0), (0, 0)), out, ksize, stride, dilation, cols)
    return cols[None]


def col2im(cols, spatial, out, ksize, stride, dilation, groups):
    """As ``kernels_numpy.col2im`` (into a channels-last array)."""
    if groups != 1 or len(out) != 2:
        return _ref.col2im(cols, spatial, out, ksize, stride, dilation, groups)
    rows, width = cols.shape[1:]
    c = width // (ksize[0] * ksize[1])
    n = rows // (out[0] * out[1])
    dx = np.empty((n, *spatial, c), dtype=cols.dtype)
    conv2d_col2im(np.ascontiguousarray(cols[0]), ((0, 0), (0, 0)), out, ksize, stride, dilation,
                  np.moveaxis(dx, -1, 1))
    return dx


# ---------------------------------------------------------------- direct 2-D convolution (few input channels)
@njit(parallel=True, **_JIT)
def _direct_fwd(xp, w, bias, y):
    n_, c_, hp, wp = xp.shape
    o_, _, kh, kw = w.shape
    oh, ow = y.shape[2], y.shape[3]
    for n in prange(n_):
        for o in range(o_):
            acc = np.empty((oh, ow), dtype=y.dtype)
            acc[:] = bias[o]
            for c in range(c_):
                for a in range(kh):
                    for b in range(kw):
                        wv = w[o, c, a, b]
                        for i in range(oh):
                            for j in range(ow):
                                acc[i, j] += wv * xp[n, c, i + a, j + b]
            for i in range(oh):
                for j in range(ow):
                    y[n, o, i, j] = acc[i, j]


@njit(parallel=True, fastmath={"reassoc", "contract"}, error_model="numpy", **_JIT)
def _direct_dw(xp, g, kh, kw, parts):
    """parts (T, O, C, kh, kw, OW): per-chunk partial sums of dW over the batch, still split by output
    column j. Keeping the j lanes apart until the end makes the innermost loop a plain vectorizable
    multiply-add over a row (no horizontal reduction per row): 2.2x faster than one dot per tap."""
    n_, c_, hp, wp = xp.shape
    o_, oh, ow = g.shape[1], g.shape[2], g.shape[3]
    t_ = parts.shape[0]
    step = (n_ + t_ - 1) // t_
    for t in prange(t_):
        acc = parts[t]
        for n in range(t * step, min(n_, (t + 1) * step)):
            for c in range(c_):
                for a in range(kh):
                    for i in range(oh):
                        for o in range(o_):
                            for b in range(kw):
                                for j in range(ow):
                                    acc[o, c, a, b, j] += g[n, o, i, j] * xp[n, c, i + a, j + b]


def conv2d_direct(xp, w, bias, y):
    """Direct stride-1 convolution of a padded contiguous NCHW ``xp`` into ``y (N, O, OH, OW)``."""
    _direct_fwd(xp, w, bias if bias is not None else np.zeros(w.shape[0], w.dtype), y)
    return y


def conv2d_direct_dw(xp, g, ksize):
    """dW of a direct stride-1 convolution: sum over the batch of g (x) windows of ``xp``."""
    from numba import get_num_threads

    t = max(1, min(get_num_threads() * 2, xp.shape[0]))
    parts = np.zeros((t, g.shape[1], xp.shape[1], *ksize, g.shape[3]), dtype=g.dtype)
    _direct_dw(xp, np.ascontiguousarray(g), ksize[0], ksize[1], parts)
    return parts.sum((0, 5), dtype=np.float64).astype(g.dtype)


# ---------------------------------------------------------------- batch norm over (N, C, P), per channel
@njit(parallel=True, fastmath={"reassoc", "contract"}, error_model="numpy", **_JIT)
def _bn_train_fwd(x, w, b, eps, y, xhat, stats):
    """Training batch norm of x (N, C, P), C-contiguous: per channel the mean and biased variance (two
    passes, float64 sums), then x_hat = (x - mean) / std and y = x_hat w + b in one more pass.
    stats (3, C) float64 gets mean, var, 1/std."""
    n_, c_, p_ = x.shape
    m = n_ * p_
    for c in prange(c_):
        s = 0.0
        for n in range(n_):
            for q in range(p_):
                s += x[n, c, q]
        mean = s / m
        v = 0.0
        for n in range(n_):
            for q in range(p_):
                d = x[n, c, q] - mean
                v += d * d
        var = v / m
        inv = 1.0 / math.sqrt(var + eps)
        stats[0, c] = mean
        stats[1, c] = var
        stats[2, c] = inv
        mt = x.dtype.type(mean)
        it = x.dtype.type(inv)
        wc = w[c]
        bc = b[c]
        for n in range(n_):
            for q in range(p_):
                h = (x[n, c, q] - mt) * it
                xhat[n, c, q] = h
                y[n, c, q] = h * wc + bc


@njit(parallel=True, fastmath={"reassoc", "contract"}, error_model="numpy", **_JIT)
def _bn_bwd(g, xhat, scale, dx, sums):
    """dx = scale (g - sum(g) / M - x_hat sum(g x_hat) / M) per channel of (N, C, P); sums (2, C)
    float64 gets sum(g) and sum(g x_hat) (db and dW)."""
    n_, c_, p_ = g.shape
    m = n_ * p_
    for c in prange(c_):
        sg = 0.0
        sgx = 0.0
        for n in range(n_):
            for q in range(p_):
                gv = g[n, c, q]
                sg += gv
                sgx += gv * xhat[n, c, q]
        sums[0, c] = sg
        sums[1, c] = sgx
        k = scale[c]
        a = g.dtype.type(sg / m)
        bq = g.dtype.type(sgx / m)
        for n in range(n_):
            for q in range(p_):
                dx[n, c, q] = k * (g[n, c, q] - a - xhat[n, c, q] * bq)


def batch_norm_train(x, w, b, eps):
    """Training-mode batch norm of a C-contiguous float (N, C, *) array, or the reference's result where not covered.
    Returns (y, x_hat, mean, biased var, 1/std) (the last three per channel, in x's dtype)."""
    if x.ndim < 3 or x.dtype not in (np.float32, np.float64) or not x.flags.c_contiguous or not x.size:
        return _ref.batch_norm_train(x, w, b, eps)
    n, c = x.shape[:2]
    x3 = x.reshape(n, c, -1)
    wv = w if w is not None else np.ones(c, x.dtype)
    bv = b if b is not None else np.zeros(c, x.dtype)
    y, xhat = np.empty_like(x), np.empty_like(x)
    stats = np.empty((3, c))
    _bn_train_fwd(x3, wv.astype(x.dtype, copy=False), bv.astype(x.dtype, copy=False), float(eps),
                  y.reshape(n, c, -1), xhat.reshape(n, c, -1), stats)
    st = stats.astype(x.dtype)
    return y, xhat, st[0], st[1], st[2]


def batch_norm_backward(g, xhat, scale):
    """(dx, sum(g), sum(g x_hat)) per channel for a C-contiguous (N, C, *) x_hat; the reference where not covered.
    ``scale`` (C,) is gamma / std."""
    if g.dtype != xhat.dtype or not xhat.flags.c_contiguous or xhat.ndim < 3:
        return _ref.batch_norm_backward(g, xhat, scale)
    n, c = xhat.shape[:2]
    g = np.ascontiguousarray(g)
    dx = np.empty_like(xhat)
    sums = np.empty((2, c))
    _bn_bwd(g.reshape(n, c, -1), xhat.reshape(n, c, -1), scale.astype(g.dtype, copy=False), dx.reshape(n, c, -1),
            sums)
    s = sums.astype(g.dtype)
    return dx, s[0], s[1]


# ---------------------------------------------------------------- elementwise
_PAR_MIN = 1 << 16  # below this many elements a parallel launch costs more than it saves


def _sigmoid_bwd_body(g, y, dx):
    for i in prange(dx.shape[0]):
        s = y[i]
        dx[i] = g[i] * s * (1 - s)


_sigmoid_bwd_par = njit(parallel=True, error_model="numpy", **_JIT)(_sigmoid_bwd_body)
_sigmoid_bwd_ser = njit(error_model="numpy", **_JIT)(_sigmoid_bwd_body)


sigmoid = _ref.sigmoid  # NumPy's exp is faster than numba's scalar one here (no vector exp)


def sigmoid_backward(g, y):
    """g * y * (1 - y) in one pass for same-shape float arrays (the reference where not covered)."""
    if g.shape != y.shape or g.dtype != y.dtype or y.dtype.kind != "f" or y.dtype.itemsize < 4:
        return _ref.sigmoid_backward(g, y)
    g1, y1 = np.ascontiguousarray(g).reshape(-1), np.ascontiguousarray(y).reshape(-1)
    dx = np.empty_like(y1)
    (_sigmoid_bwd_par if dx.size >= _PAR_MIN else _sigmoid_bwd_ser)(g1, y1, dx)
    return dx.reshape(y.shape)


def _relu_body(x, y):
    for i in prange(x.shape[0]):
        v = x[i]
        y[i] = v if v > 0 or v != v else 0.0


def _relu_bwd_body(g, y, dx):
    for i in prange(g.shape[0]):
        dx[i] = 0.0 if y[i] <= 0 else g[i]  # NaN passes the gradient, as torch


_relu_par = njit(parallel=True, error_model="numpy", **_JIT)(_relu_body)
_relu_ser = njit(error_model="numpy", **_JIT)(_relu_body)
_relu_bwd_par = njit(parallel=True, error_model="numpy", **_JIT)(_relu_bwd_body)
_relu_bwd_ser = njit(error_model="numpy", **_JIT)(_relu_bwd_body)


def relu(x):
    """max(x, 0) in one compiled pass (5x NumPy's ``maximum`` on 32k floats); NaN stays NaN."""
    if x.dtype.kind != "f" or x.dtype.itemsize < 4:
        return _ref.relu(x)
    x1 = np.ascontiguousarray(x).reshape(-1)
    y = np.empty_like(x1)
    (_relu_par if y.size >= _PAR_MIN else _relu_ser)(x1, y)
    return y.reshape(x.shape)


def relu_backward(g, y):
    """0 where y <= 0 else g (torch's threshold_backward) in one pass, for same-shape float arrays."""
    if g.shape != y.shape or g.dtype != y.dtype or y.dtype.kind != "f" or y.dtype.itemsize < 4:
        return _ref.relu_backward(g, y)
    g1, y1 = np.ascontiguousarray(g).reshape(-1), np.ascontiguousarray(y).reshape(-1)
    dx = np.empty_like(y1)
    (_relu_bwd_par if dx.size >= _PAR_MIN else _relu_bwd_ser)(g1, y1, dx)
    return dx.reshape(y.shape)


@njit(error_model="numpy", **_JIT)
def _sgd_update(p, g, lr):
    for i in range(p.shape[0]):
        p[i] = p[i] - lr * g[i]  # no fastmath: a product rounded, then a difference rounded, as NumPy's two passes


SGD_MIN = 1 << 16
"""Elements below which ``sgd_update`` keeps NumPy's: the one pass saves under 5 us a call there (NumPy 9.7 us, numba
4.8 at 2^16 float32; 34.7 and 18.7 at 200k), and a process's first numba call costs about 0.3 s even from numba's
cache (its initialization), which a run whose parameters are all smaller (the default ``ember train`` LeNet) never
pays."""


def sgd_update(p, g, lr):
    """p -= lr * g in one serial pass (NumPy's two passes and a temporary take twice as long) for same-shape
    C-contiguous float32/float64 arrays of at least ``SGD_MIN`` elements, the same bits; the reference elsewhere."""
    if (type(p) is not np.ndarray or type(g) is not np.ndarray or p.size < SGD_MIN or p.dtype != g.dtype
            or p.shape != g.shape or p.dtype.type not in (np.float32, np.float64) or type(lr) is not float
            or not p.flags.c_contiguous or not g.flags.c_contiguous or not p.flags.writeable):
        return _ref.sgd_update(p, g, lr)
    _sgd_update(p.reshape(-1), g.reshape(-1), p.dtype.type(lr))


@njit(error_model="numpy", **_JIT)
def _col_sum(g, out):
    n, m = g.shape
    for j in range(m):
        out[j] = 0.0  # NumPy starts from the identity: a column of -0.0 sums to 0.0
    for i in range(n):  # row after row, as NumPy reduces over a leading axis: the same bits
        for j in range(m):
            out[j] += g[i, j]


def col_sum(g, out):
    """The rows of a C-contiguous 2-d float ``g`` summed into ``out`` in one compiled pass (3x NumPy's on a
    128 x 256 gradient); the reference elsewhere."""
    if (type(g) is not np.ndarray or type(out) is not np.ndarray or g.ndim != 2
            or g.dtype.type not in (np.float32, np.float64) or out.dtype != g.dtype or out.shape != g.shape[1:]
            or not g.flags.c_contiguous or not out.flags.c_contiguous):
        return _ref.col_sum(g, out)
    _col_sum(g, out)


@njit(parallel=True, fastmath={"contract"}, error_model="numpy", **_JIT)
def _channel_affine(x, s, t, y):
    n_, c_, p_ = x.shape
    for q in prange(n_ * c_):
        n, c = q // c_, q % c_
        sc, sh = s[c], t[c]
        for i in range(p_):
            y[n, c, i] = x[n, c, i] * sc + sh


def channel_affine(x, s, t):
    """y = x * s[c] + t[c] over axis 1 of a C-contiguous float (N, C, *) array in one pass, or None."""
    if x.dtype.kind != "f" or x.dtype.itemsize < 4 or not x.flags.c_contiguous or x.size < _PAR_MIN:
        return _ref.channel_affine(x, s, t)
    n, c = x.shape[:2]
    y = np.empty_like(x)
    _channel_affine(x.reshape(n, c, -1), s.astype(x.dtype, copy=False), t.astype(x.dtype, copy=False),
                    y.reshape(n, c, -1))
    return y


from .winograd_numba import (tiles, wino_input, wino_input_grad, wino_output,  # noqa: E402,F401
                             wino_output_grad, wino_weight, wino_weight_grad)
DIRECT_MAX_TAPS = 32  # a direct convolution beyond this many taps loses to im2col
conv2d_direct_dx = _ref.conv2d_direct_dx


# ---------------------------------------------------------------- the recurrent cell and row layer norm


def lstm_cell_forward(g, rec, c, cprev, tc, hr):
    """One LSTM step (see ``kernels_numpy.lstm_cell_forward``): the fused numba cell for float32 (its tanh and
    logistic are float32 approximations), the reference for other dtypes."""
    (_seq.lstm_cell_forward if g.dtype == np.float32 else _ref.lstm_cell_forward)(g, rec, c, cprev, tc, hr)


lstm_cell_backward = _seq.lstm_cell_backward
transposed = _ref.transposed
layer_norm_forward = _seq.layer_norm_forward
layer_norm_backward = _seq.layer_norm_backward
