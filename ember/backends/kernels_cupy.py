"""Fused GPU kernels through CuPy (``ElementwiseKernel``/``ReductionKernel``), where a composition of CuPy
array calls would launch many kernels and round-trip every intermediate through GPU memory: GELU and its
gradient, row-wise log-softmax and the cross-entropy built on it, layer norm forward and backward, the LSTM
cell's pointwise step, and one Adam update. Each has the same contract as its NumPy reference (the tests
compare them on a GPU, and skip without one). Compiled by CuPy on first use and cached.

NOT YET RUN ON A GPU: no GPU was available while this was written; ops do not call these kernels yet.
"""
from __future__ import annotations

import functools
import math


@functools.lru_cache(maxsize=None)
def _cp():
    import cupy  # type: ignore

    return cupy


@functools.lru_cache(maxsize=None)
def _kernels():
    cp = _cp()
    k = {}
    k["gelu"] = cp.ElementwiseKernel(
        "T x", "T y", "y = (T)0.5 * x * ((T)1 + erf(x * (T)0.7071067811865476))", "ember_gelu")
    k["gelu_tanh"] = cp.ElementwiseKernel(
        "T x", "T y",
        "T u = (T)0.7978845608028654 * (x + (T)0.044715 * x * x * x); y = (T)0.5 * x * ((T)1 + tanh(u))",
        "ember_gelu_tanh")
    k["gelu_backward"] = cp.ElementwiseKernel(
        "T g, T x", "T dx",
        "T cdf = (T)0.5 * ((T)1 + erf(x * (T)0.7071067811865476));"
        "T pdf = exp((T)-0.5 * x * x) * (T)0.3989422804014327;"
        "dx = g * (cdf + x * pdf)", "ember_gelu_backward")
    k["lstm_cell"] = cp.ElementwiseKernel(
        "T gi, T gf, T gg, T go, T c_prev", "T h, T c",
        "T i = (T)1 / ((T)1 + exp(-gi)); T f = (T)1 / ((T)1 + exp(-gf));"
        "T o = (T)1 / ((T)1 + exp(-go)); T g = tanh(gg);"
        "c = f * c_prev + i * g; h = o * tanh(c)", "ember_lstm_cell")
    k["adam"] = cp.ElementwiseKernel(
        "T g, T lr, T beta1, T beta2, T eps, T weight_decay, T bc1, T bc2sqrt, int32 decoupled",
        "T p, T m, T v",
        "T grad = g; if (decoupled) { p = p * ((T)1 - lr * weight_decay); } else { grad = grad + weight_decay * p; }"
        "m = beta1 * m + ((T)1 - beta1) * grad; v = beta2 * v + ((T)1 - beta2) * grad * grad;"
        "p = p - (lr / bc1) * m / (sqrt(v) / bc2sqrt + eps)", "ember_adam")
    k["affine_normalize"] = cp.ElementwiseKernel(
        "T x, T mean, T inv_std, T w, T b", "T y, T x_hat",
        "x_hat = (x - mean) * inv_std; y = x_hat * w + b", "ember_affine_normalize")
    k["layer_norm_dx"] = cp.ElementwiseKernel(
        "T gw, T x_hat, T mean_gw, T mean_gw_xhat, T inv_std", "T dx",
        "dx = inv_std * (gw - mean_gw - x_hat * mean_gw_xhat)", "ember_layer_norm_dx")
    k["exp_shift"] = cp.ElementwiseKernel("T x, T m", "T e", "e = exp(x - m)", "ember_exp_shift")
    return k


def gelu(x, approximate: str = "none"):
    """0.5 x (1 + erf(x / sqrt 2)) (``approximate="tanh"``: torch's tanh form), one kernel."""
    return _kernels()["gelu_tanh" if approximate == "tanh" else "gelu"](x)


def gelu_backward(g, x):
    """g * (Phi(x) + x phi(x)), one kernel (the exact GELU's derivative)."""
    return _kernels()["gelu_backward"](g, x)


def log_softmax(x, axis: int = -1):
    """x - max - log(sum(exp(x - max))) along ``axis``: the shift and exp fused, two reductions."""
    cp = _cp()
    m = x.max(axis=axis, keepdims=True)
    e = _kernels()["exp_shift"](x, m)
    return x - (m + cp.log(e.sum(axis=axis, keepdims=True)))


def softmax(x, axis: int = -1):
    m = x.max(axis=axis, keepdims=True)
    e = _kernels()["exp_shift"](x, m)
    return e / e.sum(axis=axis, keepdims=True)


def cross_entropy(logits, target):
    """(mean loss, softmax) of rows ``logits`` (N, C) against class indices ``target`` (N,): the softmax is
    what the backward needs (grad = (softmax - onehot) / N)."""
    cp = _cp()
    logp = log_softmax(logits, axis=1)
    n = logits.shape[0]
    loss = -logp[cp.arange(n), target].mean()
    return loss, cp.exp(logp)


def layer_norm(x, weight, bias, eps: float):
    """(y, x_hat, inv_std) over the last axes covered by ``weight``'s shape (statistics in float32 or wider)."""
    cp = _cp()
    axes = tuple(range(x.ndim - weight.ndim, x.ndim))
    mean = x.mean(axis=axes, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=axes, keepdims=True)
    inv_std = (1.0 / cp.sqrt(var + eps)).astype(x.dtype)
    y, x_hat = _kernels()["affine_normalize"](x, mean, inv_std, weight, bias)
    return y, x_hat, inv_std


def layer_norm_backward(g, x_hat, inv_std, weight):
    """(dx, dweight, dbias): dx = inv_std (g w - mean(g w) - x_hat mean(g w x_hat)) over the normalized axes."""
    axes = tuple(range(g.ndim - weight.ndim, g.ndim))
    lead = tuple(range(g.ndim - weight.ndim))
    gw = g * weight
    dx = _kernels()["layer_norm_dx"](gw, x_hat, gw.mean(axis=axes, keepdims=True),
                                     (gw * x_hat).mean(axis=axes, keepdims=True), inv_std)
    return dx, (g * x_hat).sum(axis=lead), g.sum(axis=lead)


def batch_norm_train(x, weight, bias, eps: float):
    """(y, x_hat, mean, var, inv_std) of (N, C, *) with the statistics per channel (biased var)."""
    cp = _cp()
    axes = (0,) + tuple(range(2, x.ndim))
    shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
    mean = x.mean(axis=axes)
    var = x.var(axis=axes)
    inv_std = (1.0 / cp.sqrt(var + eps)).astype(x.dtype)
    w = weight.reshape(shape) if weight is not None else cp.ones(shape, x.dtype)
    b = bias.reshape(shape) if bias is not None else cp.zeros(shape, x.dtype)
    y, x_hat = _kernels()["affine_normalize"](x, mean.reshape(shape), inv_std.reshape(shape), w, b)
    return y, x_hat, mean, var, inv_std


def lstm_cell(gates, c_prev):
    """(h, c) from the pre-activation gates (N, 4H) in torch's order i, f, g, o and the previous cell state."""
    hidden = c_prev.shape[-1]
    gi, gf, gg, go = (gates[..., k * hidden:(k + 1) * hidden] for k in range(4))
    return _kernels()["lstm_cell"](gi, gf, gg, go, c_prev)


def adam_step(p, g, m, v, *, step: int, lr: float, beta1: float, beta2: float, eps: float,
              weight_decay: float = 0.0, decoupled: bool = False) -> None:
    """One Adam (``decoupled``: AdamW) update of ``p``, ``m``, ``v`` in place, one kernel for every element."""
    t = p.dtype.type
    _kernels()["adam"](g, t(lr), t(beta1), t(beta2), t(eps), t(weight_decay), t(1 - beta1 ** step),
                       t(math.sqrt(1 - beta2 ** step)), int(decoupled), p, m, v)


def conv2d(x, w, stride=(1, 1), padding=(0, 0), dilation=(1, 1), groups: int = 1):
    """Convolution through cuDNN (``cupyx.cudnn``), NCHW; raises RuntimeError when CuPy has no cuDNN."""
    import cupyx  # type: ignore

    cp = _cp()
    try:
        from cupy import cudnn  # type: ignore  # noqa: F401
    except ImportError:
        raise RuntimeError("conv2d on the GPU needs CuPy built with cuDNN (pip install 'ember[cuda]' and "
                           "the nvidia-cudnn wheel)") from None
    n, _, h, wd = x.shape
    oc, _, kh, kw = w.shape
    oh = (h + 2 * padding[0] - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    ow = (wd + 2 * padding[1] - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    y = cp.empty((n, oc, oh, ow), x.dtype)
    cupyx.cudnn.convolution_forward(x, w, None, y, padding, stride, dilation, groups, auto_tune=True,
                                    tensor_core="auto")
    return y
