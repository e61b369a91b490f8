"""One converter per recorded op: ``fn(g, args, outs) -> [value names of outs]``.

``args`` are the op's own forward arguments (tensors and Python values, as ``Function.apply`` got them);
``outs`` its output tensors, whose shapes fix the attributes the arguments leave implicit.
"""
from __future__ import annotations

import math

import numpy as np

from ..tensor import Tensor

INT64_MAX = np.iinfo(np.int64).max
CONVERTERS: dict = {}


def converts(*names):
    def deco(fn):
        for n in names:
            CONVERTERS[n] = fn
        return fn
    return deco


def _operand(g, a, like):
    return g.value(a) if isinstance(a, Tensor) else g.scalar_like(a, like)


def _tensor_of(args):
    return next(a for a in args if isinstance(a, Tensor))


# ---- pointwise
_BINARY = {"Add": "Add", "Sub": "Sub", "Mul": "Mul", "Div": "Div", "Pow": "Pow", "Maximum": "Max",
           "Minimum": "Min"}


@converts(*_BINARY)
def _binary(g, op, args, outs):
    a, b = args[0], args[1]
    like = _tensor_of((a, b))
    y = g.one(_BINARY[op], [_operand(g, a, like), _operand(g, b, like)])
    if op == "Div" and len(args) > 2 and args[2] is not None:  # rounding_mode "floor" or "trunc"
        y = g.one("Floor", [y]) if args[2] == "floor" else _trunc(g, y)
    return [y]


def _trunc(g, y):
    return g.one("Mul", [g.one("Floor", [g.one("Abs", [y])]), g.one("Sign", [y])])


_UNARY = {"Neg": "Neg", "Abs": "Abs", "Relu": "Relu", "Sigmoid": "Sigmoid", "Tanh": "Tanh", "Exp": "Exp",
          "Log": "Log", "Sqrt": "Sqrt", "Sin": "Sin", "Cos": "Cos", "Erf": "Erf", "Reciprocal": "Reciprocal",
          "Floor": "Floor", "Ceil": "Ceil", "Sign": "Sign", "Clone": "Identity", "Contiguous": "Identity",
          "Softplus": "Softplus"}


@converts(*_UNARY)
def _unary(g, op, args, outs):
    return [g.one(_UNARY[op], [g.value(args[0])])]


@converts("Rsqrt")
def _rsqrt(g, op, args, outs):
    return [g.one("Reciprocal", [g.one("Sqrt", [g.value(args[0])])])]


@converts("Square")
def _square(g, op, args, outs):
    x = g.value(args[0])
    return [g.one("Mul", [x, x])]


@converts("Hardtanh", "Clamp")
def _clip(g, op, args, outs):
    x, lo, hi = args[0], args[1], args[2] if len(args) > 2 else None
    if isinstance(lo, Tensor) or isinstance(hi, Tensor):
        y = g.value(x)
        if lo is not None:
            y = g.one("Max", [y, _operand(g, lo, x)])
        if hi is not None:
            y = g.one("Min", [y, _operand(g, hi, x)])
        return [y]
    ins = [g.value(x), "" if lo is None else g.scalar_like(lo, x), "" if hi is None else g.scalar_like(hi, x)]
    while ins[-1] == "":
        ins.pop()
    return [g.one("Clip", ins)]


@converts("LeakyRelu")
def _leaky(g, op, args, outs):
    return [g.one("LeakyRelu", [g.value(args[0])], alpha=float(args[1]))]


@converts("Gelu")
def _gelu(g, op, args, outs):
    x = args[0]
    xv = g.value(x)
    half = g.scalar_like(0.5, x)
    one = g.scalar_like(1.0, x)
    if len(args) > 1 and args[1] == "tanh":
        cube = g.one("Mul", [g.one("Mul", [xv, xv]), xv])
        u = g.one("Mul", [g.scalar_like(math.sqrt(2 / math.pi), x),
                          g.one("Add", [xv, g.one("Mul", [g.scalar_like(0.044715, x), cube])])])
        inner = g.one("Add", [one, g.one("Tanh", [u])])
    else:
        inner = g.one("Add", [one, g.one("Erf", [g.one("Mul", [xv, g.scalar_like(1 / math.sqrt(2), x)])])])
    return [g.one("Mul", [g.one("Mul", [xv, half]), inner])]


@converts("Silu")
def _silu(g, op, args, outs):
    x = g.value(args[0])
    return [g.one("Mul", [x, g.one("Sigmoid", [x])])]


@converts("Hardswish")
def _hardswish(g, op, args, outs):
    x = g.value(args[0])
    return [g.one("Mul", [x, g.one("HardSigmoid", [x], alpha=1 / 6, beta=0.5)])]


@converts("Where")
def _where(g, op, args, outs):
    cond, a, b = args[:3]
    like = _tensor_of((a, b))
    return [g.one("Where", [g.value(cond), _operand(g, a, like), _operand(g, b, like)])]


@converts("Softmax", "LogSoftmax")
def _softmax(g, op, args, outs):
    return [g.one(op, [g.value(args[0])], axis=int(args[1]))]


# ---- reductions
@converts("Sum", "Mean")
def _reduce(g, op, args, outs):
    x, dims, keepdim = args[0], args[1], args[2]
    dims = tuple(range(x.ndim)) if dims is None else dims
    return [g.reduce("ReduceSum" if op == "Sum" else "ReduceMean", g.value(x), dims, bool(keepdim))]


# ---- linear algebra, conv, pooling, normalization
@converts("Linear")
def _linear(g, op, args, outs):
    x, w = args[0], args[1]
    b = args[2] if len(args) > 2 else None
    wt = g.one("Transpose", [g.value(w)], perm=[1, 0])
    y = g.one("MatMul", [g.value(x), wt])
    if b is not None:
        y = g.one("Add", [y, g.value(b)])
    return [y]


@converts("MatMul")
def _matmul(g, op, args, outs):
    return [g.one("MatMul", [g.value(args[0]), g.value(args[1])])]


@converts("Convolution")
def _conv(g, op, args, outs):
    x, w, b, stride, pads, dilation, groups = args[:7]
    ins = [g.value(x), g.value(w)] + ([g.value(b)] if b is not None else [])
    begins = [int(p[0]) for p in pads]
    ends = [int(p[1]) for p in pads]
    return [g.one("Conv", ins, kernel_shape=list(w.shape[2:]), strides=list(stride), pads=begins + ends,
                  dilations=list(dilation), group=int(groups))]


def _pool_geometry(x, nd, ksize, stride, padding, dilation, out):
    """ONNX pads and ceil_mode that give ``out`` (torch's ceil_mode shows as an output one larger)."""
    ceil = 0
    for L, k, s, p, d, o in zip(x.shape[-nd:], ksize, stride, padding, dilation, out):
        if (L + 2 * p - d * (k - 1) - 1) // s + 1 != o:
            ceil = 1
    return [int(p) for p in padding] * 2, ceil


@converts("MaxPoolWithIndices")
def _maxpool(g, op, args, outs):
    x, nd, ksize, stride, padding, dilation, out = args[:7]
    pads, ceil = _pool_geometry(x, nd, ksize, stride, padding, dilation, out)
    attrs = dict(kernel_shape=list(ksize), strides=list(stride), pads=pads, ceil_mode=ceil)
    if any(d != 1 for d in dilation):
        attrs["dilations"] = list(dilation)
    return [g.one("MaxPool", [g.value(x)], **attrs)]


@converts("AvgPool")
def _avgpool(g, op, args, outs):
    x, nd, ksize, stride, padding, out, divisor = args[:7]
    pads, ceil = _pool_geometry(x, nd, ksize, stride, padding, (1,) * nd, out)
    div = np.asarray(divisor)
    include = int(div.ndim == 0 and float(div) == float(np.prod(ksize)))
    return [g.one("AveragePool", [g.value(x)], kernel_shape=list(ksize), strides=list(stride), pads=pads,
                  ceil_mode=ceil, count_include_pad=include)]


@converts("NativeLayerNorm")
def _layer_norm(g, op, args, outs):
    x, w, b, eps, shape = args[0], args[1], args[2], args[4], args[6]
    ones = np.ones(shape, dtype=x._data.dtype)
    ins = [g.value(x), g.value(w) if w is not None else g.const(ones),
           g.value(b) if b is not None else g.const(np.zeros_like(ones))]
    return [g.one("LayerNormalization", ins, axis=-len(shape), epsilon=float(eps))]


@converts("Embedding")
def _embedding(g, op, args, outs):
    return [g.one("Gather", [g.value(args[0]), g.value(args[1])], axis=0)]


@converts("ScaledDotProductAttention")
def _sdpa(g, op, args, outs):
    q, k, v, mask, _, scale, is_causal, return_probs = args[:8]
    kt = g.one("Transpose", [g.value(k)], perm=list(range(k.ndim - 2)) + [k.ndim - 1, k.ndim - 2])
    s = g.one("Mul", [g.one("MatMul", [g.value(q), kt]), g.scalar_like(scale, q)])
    L, S = q.shape[-2], k.shape[-2]
    bias = None
    if mask is not None:
        m = mask if isinstance(mask, Tensor) else mask
        md = m._data if isinstance(m, Tensor) else np.asarray(m)
        if md.dtype == np.bool_:
            bias = g.one("Where", [g.value(m), g.scalar_like(0.0, q), g.scalar_like(-np.inf, q)])
        else:
            bias = g.value(m)
    if is_causal:
        causal = np.where(np.tri(L, S, dtype=bool), 0.0, -np.inf).astype(q._data.dtype)
        bias = g.const(causal) if bias is None else g.one("Add", [bias, g.const(causal)])
    if bias is not None:
        s = g.one("Add", [s, bias])
    p = g.one("Softmax", [s], axis=-1)
    y = g.one("MatMul", [p, g.value(v)])
    return [y, p][:len(outs)]


# ---- shapes and views
def reshape_target(g, in_shape, out_shape) -> list:
    """The Reshape shape for a dynamic batch: a dim equal to the input's at the same place is copied (0),
    and one other dim is inferred (-1): the first equal to the traced batch size, else the first multiple
    of it, else the first, so the graph holds no traced batch size."""
    target = [int(d) for d in out_shape]
    if g.batch is None:
        return target
    free = []
    for i, d in enumerate(target):
        if i < len(in_shape) and d == in_shape[i] and d != 0:
            target[i] = 0
        else:
            free.append(i)
    if free:
        pick = [i for i in free if target[i] == g.batch] or [i for i in free if target[i] % g.batch == 0] or free
        target[pick[0]] = -1
    return target


@converts("View", "UnsafeView", "Reshape", "Flatten", "Unflatten")
def _view(g, op, args, outs):
    x = args[0]
    return [g.one("Reshape", [g.value(x), g.ints(reshape_target(g, x.shape, outs[0].shape))])]


@converts("Transpose")
def _transpose(g, op, args, outs):
    x, d0, d1 = args[0], args[1], args[2]
    perm = list(range(x.ndim))
    perm[d0], perm[d1] = perm[d1], perm[d0]
    return [g.one("Transpose", [g.value(x)], perm=perm)]


@converts("T")
def _t(g, op, args, outs):
    x = args[0]
    return [g.one("Transpose", [g.value(x)], perm=list(range(x.ndim))[::-1])]


@converts("Permute")
def _permute(g, op, args, outs):
    x = args[0]
    return [g.one("Transpose", [g.value(x)], perm=[int(d) % x.ndim for d in args[1]])]


@converts("Unsqueeze")
def _unsqueeze(g, op, args, outs):
    dims = args[1] if isinstance(args[1], (tuple, list)) else (args[1],)
    nd = outs[0].ndim
    return [g.one("Unsqueeze", [g.value(args[0]), g.ints([int(d) % nd for d in dims])])]


@converts("Squeeze")
def _squeeze(g, op, args, outs):
    x = args[0]
    dims = args[1]
    if dims is None:
        dims = [i for i, s in enumerate(x.shape) if s == 1]
    dims = dims if isinstance(dims, (tuple, list)) else (dims,)
    dims = [int(d) % max(x.ndim, 1) for d in dims if x.shape[int(d)] == 1]
    if not dims:
        return [g.one("Identity", [g.value(x)])]
    return [g.one("Squeeze", [g.value(x), g.ints(dims)])]


@converts("Expand")
def _expand(g, op, args, outs):
    x = args[0]
    shape = [1 if (i >= outs[0].ndim - x.ndim and x.shape[i - outs[0].ndim + x.ndim] == d) else d
             for i, d in enumerate(outs[0].shape)]
    return [g.one("Expand", [g.value(x), g.ints(shape)])]


@converts("Cat")
def _cat(g, op, args, outs):
    dim, xs = args[0], args[1:]
    if len(xs) == 1 and isinstance(xs[0], (tuple, list)):
        xs = xs[0]
    return [g.one("Concat", [g.value(x) for x in xs], axis=int(dim) % outs[0].ndim)]


@converts("Slice")
def _slice(g, op, args, outs):
    x, key = args[0], args[1]
    key = key if isinstance(key, tuple) else (key,)
    n_real = sum(1 for k in key if k is not None and k is not Ellipsis)
    if Ellipsis in key:
        i = key.index(Ellipsis)
        key = key[:i] + (slice(None),) * (x.ndim - n_real) + key[i + 1:]
    y = g.value(x)
    starts, ends, axes, steps, picks, news = [], [], [], [], [], []
    axis = 0
    out_axis = 0
    for k in key:
        if k is None:
            news.append(out_axis)
            out_axis += 1
            continue
        if isinstance(k, slice):
            if k != slice(None):
                st = 1 if k.step is None else int(k.step)
                lo = k.start if k.start is not None else (0 if st > 0 else INT64_MAX)
                hi = k.stop if k.stop is not None else (INT64_MAX if st > 0 else -INT64_MAX)
                starts.append(int(lo)), ends.append(int(hi)), axes.append(axis), steps.append(st)
            out_axis += 1
        elif isinstance(k, (int, np.integer)):
            picks.append((axis, int(k)))
        else:
            raise g.unsupported(f"aten::index with a {type(k).__name__} index")
        axis += 1
    if axes:
        y = g.one("Slice", [y, g.ints(starts), g.ints(ends), g.ints(axes), g.ints(steps)])
    for ax, k in reversed(picks):
        y = g.one("Gather", [y, g.const(np.asarray(k, dtype=np.int64))], axis=ax)
    if news:
        y = g.one("Unsqueeze", [y, g.ints(news)])
    return [y]


@converts("Narrow")
def _narrow(g, op, args, outs):
    x, dim, start, length = args[:4]
    return [g.one("Slice", [g.value(x), g.ints([start]), g.ints([start + length]), g.ints([dim % x.ndim])])]


@converts("IndexSelect")
def _index_select(g, op, args, outs):
    return [g.one("Gather", [g.value(args[0]), g.value(args[2])], axis=int(args[1]))]


@converts("ConvolutionTranspose")
def _conv_transpose(g, op, args, outs):
    x, w, b, stride, padding, output_padding, dilation, groups = args[:8]
    ins = [g.value(x), g.value(w)] + ([g.value(b)] if b is not None else [])
    return [g.one("ConvTranspose", ins, kernel_shape=list(w.shape[2:]), strides=list(stride),
                  pads=[int(p) for p in padding] * 2, output_padding=list(output_padding),
                  dilations=list(dilation), group=int(groups))]


_COMMON_EPS = (1e-5, 1e-6, 1e-3, 1e-12, 1e-8, 1e-4, 1e-2)


def _recover_eps(x: np.ndarray, inv_std: np.ndarray, axes: tuple) -> float:
    """NativeNorm receives 1/sqrt(var + eps), not eps: recover eps from the batch variance (float64),
    snapped to a common value within 5%."""
    var = x.astype(np.float64).var(axis=axes, keepdims=True)
    est = float(np.median(1.0 / np.asarray(inv_std, dtype=np.float64) ** 2 - var))
    for e in _COMMON_EPS:
        if abs(est - e) <= 0.05 * e:
            return e
    return max(est, 0.0)


@converts("NativeNorm", "NativeBatchNorm")
def _native_norm(g, op, args, outs):
    """Normalization over ``stat_axes`` with the input's own statistics (group, instance and batch norm
    in their statistics-from-input form), then the affine weight and bias."""
    x, w, b, _, inv_std, stat_axes, param_shape = args[:7]
    axes = tuple(int(a) for a in stat_axes)
    eps = _recover_eps(x._data, inv_std, axes)
    xv = g.value(x)
    xc = g.one("Sub", [xv, g.reduce("ReduceMean", xv, axes, True)])
    var = g.reduce("ReduceMean", g.one("Mul", [xc, xc]), axes, True)
    y = g.one("Div", [xc, g.one("Sqrt", [g.one("Add", [var, g.scalar_like(eps, x)])])])
    shape = g.ints([int(s) for s in param_shape])
    if w is not None:
        y = g.one("Mul", [y, g.one("Reshape", [g.value(w), shape])])
    if b is not None:
        y = g.one("Add", [y, g.one("Reshape", [g.value(b), shape])])
    return [y]


@converts("AdaptiveMaxPool")
def _adaptive_max(g, op, args, outs):
    """Bins of equal size are a MaxPool with kernel = stride = L / out (the indices are not exported)."""
    x, out = args[0], args[1]
    spatial = x.shape[-len(out):]
    if any(L % o for L, o in zip(spatial, out)):
        raise g.unsupported(f"ember::AdaptiveMaxPool with input size {tuple(spatial)} not divisible by the "
                            f"output size {tuple(out)}")
    k = [L // o for L, o in zip(spatial, out)]
    return [g.one("MaxPool", [g.value(x)], kernel_shape=k, strides=k), None]
