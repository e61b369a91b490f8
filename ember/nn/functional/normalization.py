"""Normalization: ``batch_norm``, ``instance_norm``, ``layer_norm``, ``group_norm``, ``rms_norm``,
``local_response_norm``.

Each standardizes x over some axes and applies a per-feature affine:
    x_hat = (x - mean) / sqrt(var + eps),    y = gamma * x_hat + beta
with the biased variance. batch_norm reduces over (N, *spatial) per channel; layer_norm over the
trailing ``normalized_shape``; group_norm over (C/G, *spatial) per sample and group; instance_norm
over *spatial per sample and channel. One fused op does batch and layer norm (and the standardizing of
the others): forward saves x_hat and 1/std, backward is the closed form over the M reduced elements
    dx = gamma / std * (g - mean(g) - x_hat * mean(g * x_hat)),
    dgamma = sum(g * x_hat),  dbeta = sum(g).
It computes on raw arrays (for speed and memory) as a backward op (``NormBackward``) whose own backward is
torch's double backward formula in ember ops, so ``create_graph=True`` works.

>>> import ember, ember.nn.functional as F
>>> y = F.layer_norm(ember.tensor([[1., 2., 3.]]), (3,))
>>> [round(v, 4) for v in y.tolist()[0]]
[-1.2247, 0.0, 1.2247]
"""
from __future__ import annotations

import math

import numpy as np

from ...autograd.function import Op, records
from ...backends import kernels
from ...tensor import Tensor, wrap
from ._torch_rounding import SMALL_ROW, fma, groups_backward, rows_backward, welford
from .pooling import avg_pool2d, avg_pool3d
from .vision import pad

__all__ = ["batch_norm", "instance_norm", "layer_norm", "group_norm", "rms_norm", "local_response_norm"]


def _stats(xd: np.ndarray, axes: tuple) -> tuple:
    """(x - mean, mean, biased var) over ``axes`` (kept as size-1 dims)."""
    mean = xd.mean(axis=axes, keepdims=True)
    xc = xd - mean
    var = np.mean(np.square(xc), axis=axes, keepdims=True)
    return xc, mean, var


class NativeNorm(Op):
    """y = x_hat * w + b with x_hat = (x - mean) / std: the fused normalize-and-affine op.

    ``xc`` is x - mean (an array the caller computed with the statistics it also needs), ``inv_std``
    1/sqrt(var + eps); both are shaped to broadcast against x. ``param_shape`` reshapes w and b to
    broadcast too; ``param_axes`` are the axes dw and db sum over.
    """

    @staticmethod
    def forward(ctx, x, w, b, xc, inv_std, stat_axes, param_shape, param_axes, eps):
        ctx.eps = eps
        if isinstance(xc, tuple):  # (y, x_hat) already computed by a fused kernel
            y, x_hat = xc
            if ctx.next is not None:
                ctx.x_hat, ctx.inv_std = x_hat, inv_std
                ctx.w = w
                ctx.axes = (stat_axes, param_shape, param_axes)
            return y
        x_hat = np.multiply(xc, inv_std, out=xc)
        if w is not None:
            y = x_hat * w._data.reshape(param_shape)
            if b is not None:
                y += b._data.reshape(param_shape)
        else:
            y = x_hat + b._data.reshape(param_shape) if b is not None else x_hat.copy()
        if ctx.next is not None:
            ctx.x_hat, ctx.inv_std = x_hat, inv_std
            ctx.w = w
            ctx.axes = (stat_axes, param_shape, param_axes)
        return y

    @staticmethod
    def backward(ctx, g):
        need = ctx.needs_input_grad
        which = tuple(i for i in range(min(len(need), 3)) if need[i])
        x_hat = ctx.x_hat.reshape(g.shape)
        inv_std = ctx.inv_std.reshape(g.shape[:-1] + (1,)) if getattr(ctx, "rowk", False) else ctx.inv_std
        saved = (x_hat, inv_std, ctx.axes, getattr(ctx, "rowk", False), ctx.eps)
        return _norm_grads(ctx, g, x_hat, inv_std, saved, which)


def _norm_grads(ctx, g, x_hat, inv_std, saved: tuple, which: tuple) -> tuple:
    """(dx, dw, db) of a normalisation by its backward op (None where not wanted). Recorded (create_graph): the
    stand-in holds x - mean, from which the double backward recomputes x_hat and 1/std with ember ops (both
    shift-invariant), so every higher order is exact too."""
    xc = x_hat / inv_std if records(g, ctx.w) else x_hat
    outs = NormBackward.apply(g, _stand_in(ctx.next[0], xc), ctx.w, saved, which)
    grads = [None, None, None]
    for i, o in zip(which, outs):
        grads[i] = o
    return tuple(grads)


def _stand_in(edge, like: np.ndarray):
    """The forward's input as a Tensor for a backward op's graph, without keeping its data: the leaf itself, or
    a tensor with the input's node (``like`` has its shape and dtype); None when it needs no gradient."""
    if edge is None or edge is False:
        return None
    if isinstance(edge, Tensor):
        return edge
    t = wrap(like, True)
    t._grad_fn = edge
    return t


class NormBackward(Op):
    """The backward op of the fused norms: (dx, dw, db) for the requested ``which`` of them, on raw arrays
    (the batch-norm and layer-norm row kernels, or the closed form below), with per group of M elements
        P(v) = v - mean(v) - x_hat mean(v x_hat),   dx = inv_std P(g w),   dw = sum(g x_hat),   db = sum(g).
    Its own backward (torch's batchnorm_double_backward), with x_hat and inv_std recomputed from x in ember ops:
        dg = w inv_std P(ggx) + ggw x_hat + ggb,   dw = sum(g inv_std P(ggx)),
        dx = inv_std P(A) - inv_std^2 x_hat sum(ggx P(g w)) / M,
        A = ggw g - inv_std (ggx mean(g w x_hat) + g w mean(ggx x_hat))   (the gradient that reaches x_hat);
    the sum is what reaches inv_std, whose derivative is -inv_std^2 x_hat / M. Checked against torch's."""

    @staticmethod
    def forward(ctx, g, x, w, saved, which):
        x_hat, inv_std, (stat_axes, param_shape, param_axes), rowk, _ = saved
        ctx.state, ctx.which = saved, which
        ctx.save_for_backward(g, x, w)
        wd = w._data if w is not None else None
        gd = g._data
        if isinstance(rowk, tuple):  # short layer-norm rows or small groups: torch's formulas
            if rowk[0] == "torch groups":
                return groups_backward(gd, rowk, w, which)
            return rows_backward(gd, rowk, w, which, param_shape)
        if rowk:  # layer norm over the last dim: one row kernel for all three
            d = x_hat.shape[-1]
            g2 = np.ascontiguousarray(gd, dtype=x_hat.dtype).reshape(-1, d)
            dx, dw, db = np.empty_like(g2), np.empty_like(wd), np.empty_like(wd)
            kernels.layer_norm_backward(g2, x_hat.reshape(-1, d), inv_std.reshape(-1), wd, dx, dw, db)
            return tuple((dx.reshape(gd.shape), dw, db)[i] for i in which)
        if tuple(stat_axes) == tuple(param_axes) and x_hat.size:  # zero-size: the general path below
            # batch norm: the per-channel sums of dW and db are the ones dx needs, and gamma factors out:
            # dx = gamma / std * (g - sum(g) / M - x_hat * sum(g x_hat) / M)
            scale = inv_std if wd is None else inv_std * wd.reshape(param_shape)
            dx, sg, sgx = kernels.batch_norm_backward(gd, x_hat, scale.reshape(-1))
            return tuple((dx, sgx, sg)[i] for i in which)
        out = []
        if 0 in which:
            m = math.prod(gd.shape[a] for a in stat_axes)
            gh = gd * wd.reshape(param_shape) if wd is not None else gd
            dx = gh - gh.mean(axis=stat_axes, keepdims=True)
            dx -= x_hat * ((gh * x_hat).sum(axis=stat_axes, keepdims=True) / m)
            dx *= inv_std
            out.append(dx)
        if 1 in which:
            out.append((gd * x_hat).sum(axis=param_axes))
        if 2 in which:
            out.append(gd.sum(axis=param_axes))
        return tuple(out)

    @staticmethod
    def backward(ctx, *ggs):
        x_hat, inv_std, (stat_axes, param_shape, param_axes), _, eps = ctx.state
        g, x, w = ctx.saved_tensors
        gg = dict(zip(ctx.which, ggs))
        m = math.prod(x_hat.shape[a] for a in stat_axes)

        def mean(v):
            return v.mean(stat_axes, keepdim=True)

        if x is None:  # x needs no gradient: x_hat and 1/std are constants
            xh, s = wrap(x_hat), wrap(inv_std)
        else:  # x holds x - mean (see NativeNorm.backward): x_hat and 1/std as functions of x
            xc = x - mean(x)
            s = (mean(xc * xc) + eps).rsqrt()
            xh = xc * s

        def proj(v):  # P(v), self-adjoint within each group
            return v - mean(v) - xh * mean(v * xh)

        wv = w.reshape(param_shape) if w is not None else None
        gh = g * wv if wv is not None else g
        dg = dx = dw = a = None
        ggx, ggw, ggb = gg.get(0), gg.get(1), gg.get(2)
        if ggx is not None:
            pg = s * proj(ggx)
            dg = pg * wv if wv is not None else pg
            dw = None if w is None else (g * pg).sum(param_axes) if param_axes else g * pg  # sum(()) sums all
            a = -s * (ggx * mean(gh * xh) + gh * mean(ggx * xh))
            sterm = (ggx * proj(gh)).sum(stat_axes, keepdim=True)
            dx = -(sterm * s * s * xh) / m
        if ggw is not None:
            t = ggw.reshape(param_shape)
            dg = t * xh if dg is None else dg + t * xh
            a = t * g if a is None else a + t * g
        if ggb is not None:
            t = ggb.reshape(param_shape).expand(g.shape)
            dg = t if dg is None else dg + t
        if a is not None:
            dx = s * proj(a) if dx is None else dx + s * proj(a)
        return dg, dx, dw if dw is None else dw.reshape(w.shape)


def _native_norm(x: Tensor, w, b, eps: float, stat_axes: tuple, param_shape: tuple, param_axes: tuple,
                 stats=None, acc64: bool = False) -> Tensor:
    """The fused norm with 1/sqrt(var + eps) in x's dtype, or (``acc64``) in float64 rounded once to x's dtype,
    as torch's batch norm (and so instance norm) computes it: a constant group then gives torch's 1/std exactly."""
    xc, mean, var = stats if stats is not None else _stats(x._data, stat_axes)
    inv_std = 1.0 / np.sqrt(var.astype(np.float64) + eps) if acc64 else 1.0 / np.sqrt(var + eps)
    return NativeNorm.apply(x, w, b, xc, inv_std.astype(x._data.dtype, copy=False), stat_axes, param_shape,
                            param_axes, eps)


class NativeBatchNorm(NativeNorm):
    """The fused op under batch_norm (torch's node: NativeBatchNormBackward0)."""


class NativeLayerNorm(NativeNorm):
    """The fused op under layer_norm (torch's node: NativeLayerNormBackward0).

    A float layer norm over the last dim with weight and bias runs as one row kernel each way
    (``kernels.layer_norm_forward/backward``; ``xc`` is then None and the kernel computes the statistics)."""

    @staticmethod
    def forward(ctx, x, w, b, xc, inv_std, stat_axes, param_shape, param_axes, eps):
        if xc is not None:
            return NativeNorm.forward(ctx, x, w, b, xc, inv_std, stat_axes, param_shape, param_axes, eps)
        ctx.eps = eps
        xd = x._data
        d = xd.shape[-1]
        x2 = np.ascontiguousarray(xd).reshape(-1, d)
        y, xhat = np.empty_like(x2), np.empty_like(x2)
        inv = np.empty(x2.shape[0], xd.dtype)
        kernels.layer_norm_forward(x2, w._data, b._data, inv_std, y, xhat, inv)
        if ctx.next is not None:
            ctx.x_hat, ctx.inv_std, ctx.w, ctx.rowk = xhat, inv, w, True
            ctx.axes = (stat_axes, param_shape, param_axes)
        return y.reshape(xd.shape)


class SmallRowLayerNorm(NativeNorm):
    """layer_norm over rows of N < 8 (float32) or N < 4 (float64) elements with torch's CPU formulas, rounding
    for rounding (checked bit for bit against torch 2.13): Welford statistics in the input's dtype,
    a = 1 / sqrt(var + eps), y = fma((x - mean) a, w, b) (fma(x - mean, a, b) without w), and in backward
        dw = sum_rows g fma(a, x, -a mean),   db = sum_rows g,   ds = sum_j g x w,   dsum = sum_j g w,
        u = fma(dsum, mean, -ds) a^3 / N,   v = fma(-u, mean, -dsum a / N),   dx = fma(u, x, a g w) + v.
    These differ from the closed form only by rounding, which matters where a row is constant: 1/sqrt(eps) = 316
    (and its cube) amplifies the residues torch leaves there. Longer rows use the row kernels."""

    node_name = "NativeLayerNormBackward0"

    @staticmethod
    def forward(ctx, x, w, b, n, k, eps):
        xd = x._data
        x2 = np.ascontiguousarray(xd).reshape(-1, n)
        dt = x2.dtype.type
        mean, var = welford(x2)
        a = dt(1) / np.sqrt(var + dt(eps))
        xc = x2 - mean[:, None]
        h = xc * a[:, None]
        bias = b._data.reshape(n) if b is not None else dt(0)
        y = fma(h, w._data.reshape(n), bias) if w is not None else fma(xc, a[:, None], bias)
        if ctx.next is not None:  # k: the number of leading (batch) dims
            ctx.state = (x2, mean, a, k)
            ctx.x_hat, ctx.w, ctx.eps = h, w, eps
        return y.reshape(xd.shape)

    @staticmethod
    def backward(ctx, g):
        x2, mean, a, k = ctx.state
        need = ctx.needs_input_grad
        which = tuple(i for i in range(3) if need[i])
        shape = tuple(g.shape)
        axes = tuple(range(k, len(shape)))
        param_shape = shape[k:]
        inv_std = a.reshape(shape[:k] + (1,) * (len(shape) - k))
        x_hat = ctx.x_hat.reshape(shape)
        saved = (x_hat, inv_std, (axes, param_shape, tuple(range(k))), ("torch rows", x2, mean, a), ctx.eps)
        return _norm_grads(ctx, g, x_hat, inv_std, saved, which)


class SmallGroupNorm(NativeNorm):
    """group_norm of (N, G, D, S) where a group holds fewer values than a vector (D S < 8 in float32, < 4 in
    float64), with torch's CPU formulas (checked bit for bit against torch 2.13): Welford moments, rstd =
    1 / sqrt(var + eps) formed in float64, y = fma(x, a, fma(-a, mean, b)) with a = rstd w (without w and b:
    (x - mean) rstd), and in backward, per (n, c) ds = sum_s g x, db = sum_s g, per group
    u = fma(sum_d db w, mean, -sum_d ds w) rstd^3 / (D S), v = fma(-(sum_d db w) rstd, 1 / (D S), -u mean),
        dx = fma(rstd w, g, u x) + v,   dw = sum_n fma(fma(-db, mean, ds), rstd, .),   db = sum_n db.
    One value per group (torch's rstd is then 1/sqrt(eps) = 316) leaves torch's residues in dw and dx."""

    node_name = "NativeGroupNormBackward0"

    @staticmethod
    def forward(ctx, x, w, b, eps):
        x4 = np.ascontiguousarray(x._data)
        n, g, d, sp = x4.shape
        mean, var = welford(x4.reshape(n * g, d * sp))
        rstd = (1.0 / np.sqrt(np.maximum(var, 0).astype(np.float64) + eps)).astype(x4.dtype)
        mean, rstd = mean.reshape(n, g, 1, 1), rstd.reshape(n, g, 1, 1)
        x_hat = (x4 - mean) * rstd
        pshape = (1, g, d, 1)
        scale = rstd * w._data.reshape(pshape) if w is not None else rstd
        shift = b._data.reshape(pshape) if b is not None else x4.dtype.type(0)
        if w is None and b is None:  # torch: (x - mean) rstd
            y = x_hat.copy()
        else:  # torch: y = x scale + (b - scale mean), fused
            y = fma(x4, scale, fma(-scale, mean, shift))
        if ctx.next is not None:
            ctx.x_hat, ctx.inv_std, ctx.w, ctx.eps = x_hat, rstd, w, eps
            ctx.state = ("torch groups", x4, mean, rstd)
        return y

    @staticmethod
    def backward(ctx, g):
        need = ctx.needs_input_grad
        which = tuple(i for i in range(3) if need[i])
        pshape = (1,) + tuple(g.shape[1:3]) + (1,)
        saved = (ctx.x_hat, ctx.inv_std, ((2, 3), pshape, (0, 3)), ctx.state, ctx.eps)
        xc = ctx.x_hat / ctx.inv_std if records(g, ctx.w) else ctx.x_hat
        outs = NormBackward.apply(g, _stand_in(ctx.next[0], xc), ctx.w, saved, which)
        grads = [None, None, None]
        for i, o in zip(which, outs):
            grads[i] = o
        return tuple(grads)


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None, weight: Tensor | None = None,
               bias: Tensor | None = None, training: bool = False, momentum: float = 0.1,
               eps: float = 1e-5) -> Tensor:
    """Per-channel standardization of (N, C, *): batch statistics in training (updating the running
    ones: r <- (1 - momentum) r + momentum * stat, with the unbiased variance), running ones in eval."""
    if input.ndim < 2:
        raise ValueError(f"expected 2D or 3D input (got {input.ndim}D input)")
    c = input.shape[1]
    if c == 0 and (weight is not None or bias is not None):  # torch's kernel selects channel 0 of the weight
        raise IndexError("select(): index 0 out of range for tensor of size [0] at dimension 0")
    param_shape = (1, c) + (1,) * (input.ndim - 2)
    axes = (0,) + tuple(range(2, input.ndim))
    if training:
        m = math.prod(input.shape) // c if c else 0
        if m == 1:  # torch: exactly one (zero-size inputs pass)
            raise ValueError(f"Expected more than 1 value per channel when training, got input size {input.shape}")
        if input.numel() and input._data.dtype.kind == "f":  # zero-size inputs: the composed statistics below
            y, x_hat, mean, var, inv_std = kernels.batch_norm_train(
                input._data, weight._data if weight is not None else None, bias._data if bias is not None else None,
                eps)
            if running_mean is not None:
                _ema(running_mean, mean, momentum)
            if running_var is not None:
                _ema(running_var, var * (m / (m - 1)), momentum)
            return NativeBatchNorm.apply(input, weight, bias, (y, x_hat), inv_std.reshape(param_shape), axes,
                                         param_shape, axes, eps)
        stats = _stats(input._data, axes)
        if running_mean is not None:
            _ema(running_mean, stats[1].reshape(c), momentum)
        if running_var is not None:
            _ema(running_var, stats[2].reshape(c) * (m / (m - 1)), momentum)
        xc, mean, var = stats
        inv_std = (1.0 / np.sqrt(var.astype(np.float64) + eps)).astype(input._data.dtype, copy=False)  # as torch
        return NativeBatchNorm.apply(input, weight, bias, xc, inv_std, axes, param_shape, axes, eps)
    if running_mean is None or running_var is None:
        raise RuntimeError("running_mean and running_var must be defined in evaluation mode")
    # y = x * s + t with s = w / sqrt(var + eps), t = b - mean * s: per-channel work on C values, then two
    # passes over x (instead of three); composed ops, so every gradient (and double backward) is exact
    scale = (running_var + eps).rsqrt()
    if weight is not None:
        scale = scale * weight
    shift = -running_mean * scale
    if bias is not None:
        shift = shift + bias
    if not records(input, weight, bias, running_mean, running_var) and input.ndim >= 3 and input._data.dtype == scale._data.dtype:
        return wrap(kernels.channel_affine(input._data, scale._data, shift._data))  # inference: one fused pass
    return input * scale.reshape(param_shape) + shift.reshape(param_shape)


def _ema(buf: Tensor, stat: np.ndarray, momentum: float) -> None:
    """In place: buf <- (1 - momentum) buf + momentum stat (a buffer update, never recorded)."""
    d = buf._data
    d *= 1.0 - momentum
    d += (momentum * stat).astype(d.dtype, copy=False)
    buf._bump()


def instance_norm(input: Tensor, running_mean: Tensor | None = None, running_var: Tensor | None = None,
                  weight: Tensor | None = None, bias: Tensor | None = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Per-sample, per-channel standardization over the spatial dims of (N, C, *); running statistics
    (when given) are updated with the batch average of the per-instance ones."""
    if use_input_stats and math.prod(input.shape[2:]) == 1:  # torch: exactly one (zero-size inputs pass)
        raise ValueError(f"Expected more than 1 spatial element when training, got input size {input.shape}")
    n, c = input.shape[:2]
    if not use_input_stats:
        return batch_norm(input, running_mean, running_var, weight, bias, False, momentum, eps)
    axes = tuple(range(2, input.ndim))
    param_shape = (1, c) + (1,) * (input.ndim - 2)
    xc, mean, var = _stats(input._data, axes)
    if running_mean is not None:
        _ema(running_mean, mean.reshape(n, c).mean(0), momentum)
    if running_var is not None:
        m = math.prod(input.shape[2:])
        _ema(running_var, (var.reshape(n, c) * (m / (m - 1))).mean(0), momentum)
    return _native_norm(input, weight, bias, eps, axes, param_shape, (0,) + axes, (xc, mean, var), acc64=True)


def _check_normalized_shape(input: Tensor, normalized_shape, weight, bias, star: str) -> tuple:
    """torch's checks of layer_norm / rms_norm, in its order: a non-empty shape, weight and bias of that shape,
    an input that ends with it (``star`` is how the message spells the leading dims). Returns the shape."""
    if isinstance(normalized_shape, int):  # torch's parser: a list or tuple of ints (the modules take one int)
        raise TypeError(f"{'rms_norm' if star == '[*' else 'layer_norm'}(): argument 'normalized_shape' (position 2) "
                        f"must be tuple of ints, not int")
    shape = tuple(int(s) for s in normalized_shape)
    if not shape:
        raise RuntimeError("Expected normalized_shape to be at least 1-dimensional, i.e., containing at least one "
                           "element, but got normalized_shape = []")
    for name, p in (("weight", weight), ("bias", bias)):
        if p is not None and tuple(p.shape) != shape:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but got {name} of shape "
                               f"{list(p.shape)} and normalized_shape = {list(shape)}")
    if input.ndim < len(shape) or tuple(input.shape[input.ndim - len(shape):]) != shape:
        raise RuntimeError(f"Given normalized_shape={list(shape)}, expected input with shape {star}"
                           f"{', '.join(map(str, shape))}], but got input of size{list(input.shape)}")
    return shape


def layer_norm(input: Tensor, normalized_shape, weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5) -> Tensor:
    """Standardize over the trailing ``normalized_shape`` dims; weight and bias have that shape."""
    shape = _check_normalized_shape(input, normalized_shape, weight, bias, "[*, ")
    k = len(shape)
    axes = tuple(range(input.ndim - k, input.ndim))
    xd = input._data
    n = math.prod(shape)
    if (xd.size and n < SMALL_ROW.get(xd.dtype, 0) and all(
            p is None or p._data.dtype == xd.dtype for p in (weight, bias))):
        return SmallRowLayerNorm.apply(input, weight, bias, n, input.ndim - k, float(eps))
    if (k == 1 and weight is not None and bias is not None and xd.size
            and xd.dtype in (np.float32, np.float64) and weight._data.dtype == xd.dtype
            and bias._data.dtype == xd.dtype and weight._data.flags.c_contiguous and bias._data.flags.c_contiguous):
        return NativeLayerNorm.apply(input, weight, bias, None, float(eps), axes, shape, tuple(range(input.ndim - 1)),
                                     eps)
    xc, mean, var = _stats(input._data, axes)
    inv_std = (1.0 / np.sqrt(var + eps)).astype(input._data.dtype, copy=False)
    return NativeLayerNorm.apply(input, weight, bias, xc, inv_std, axes, shape, tuple(range(input.ndim - k)), eps)


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5) -> Tensor:
    """Split C into num_groups groups; standardize each (sample, group) over (C/G, *spatial)."""
    n, c = input.shape[:2]
    if c % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, but got input "
                           f"of shape {list(input.shape)} and num_groups={num_groups}")
    if n * c // num_groups * math.prod(input.shape[2:]) == 1:  # torch's _verify_batch_size on (N*C/G, G, *S)
        raise ValueError(f"Expected more than 1 value per channel when training, got input size "
                         f"[{n * c // num_groups}, {num_groups}{''.join(f', {s}' for s in input.shape[2:])}]")
    d, sp = c // num_groups, math.prod(input.shape[2:])
    if (input.numel() and d * sp < SMALL_ROW.get(input._data.dtype, 0)
            and all(p is None or p._data.dtype == input._data.dtype for p in (weight, bias))):
        return SmallGroupNorm.apply(input.reshape(n, num_groups, d, sp), weight, bias, float(eps)).reshape(input.shape)
    xg = input.reshape(n, num_groups, math.prod(input.shape[1:]) // num_groups)  # not -1: n may be 0
    y = _native_norm(xg, None, None, eps, (2,), (1,), ()).reshape(input.shape)
    param_shape = (1, c) + (1,) * (input.ndim - 2)
    if weight is not None and n and not input.numel():
        # empty groups with N > 0: torch's kernel forms dgamma = sum_n (ds - db mean) rstd with mean and rstd
        # of no elements (0 / 0), so the weight's gradient is NaN; the (empty) output does not see the factor
        weight = weight * math.nan
    if weight is not None:
        y = y * weight.reshape(param_shape)
    return y + bias.reshape(param_shape) if bias is not None else y


def rms_norm(input: Tensor, normalized_shape, weight: Tensor | None = None, eps: float | None = None) -> Tensor:
    """y = x / sqrt(mean(x^2 over normalized_shape) + eps) * weight; eps defaults to finfo(dtype).eps."""
    k = 1 if isinstance(normalized_shape, int) else len(normalized_shape)
    if input.ndim < k and not isinstance(normalized_shape, int):
        raise ValueError(f"Input tensor must have at least {k} dimensions, but got {input.ndim}")
    shape = _check_normalized_shape(input, normalized_shape, weight, None, "[*")
    dims = tuple(range(input.ndim - len(shape), input.ndim))
    if eps is None:
        eps = float(np.finfo(input._data.dtype).eps)
    y = (input * (input.pow(2).mean(dims, keepdim=True) + eps).rsqrt()).contiguous()  # torch's is contiguous
    return y * weight if weight is not None else y


def local_response_norm(input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0) -> Tensor:
    """y_c = x_c / (k + alpha / n * sum_{c' near c} x_{c'}^2)^beta, over n = size neighbouring channels."""
    if input.ndim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality input (got {input.ndim} dimensions)")
    if input.numel() == 0:
        return input
    div = (input * input).unsqueeze(1)
    if input.ndim == 3:
        div = pad(div, (0, 0, size // 2, (size - 1) // 2))
        div = avg_pool2d(div, (size, 1), stride=1).squeeze(1)
    else:
        shape = input.shape
        div = div.reshape(shape[0], 1, shape[1], shape[2], -1)
        div = pad(div, (0, 0, 0, 0, size // 2, (size - 1) // 2))
        div = avg_pool3d(div, (size, 1, 1), stride=1).squeeze(1).reshape(shape)
    div = (div * alpha + k).pow(beta)
    return input / div
