"""Op-table rows for the foundation's primitive ops."""
from __future__ import annotations

import numpy as np
import torch

import ember

from .opinfo import (ALL, FLOAT, INT, ErrorSample, OpInfo, Sample, T, arr, positive, standard_binary,
                     standard_unary, unit)

OPS: list = []


def row(name, e, t, samples, **kw):
    OPS.append(OpInfo(name, e, t, samples, **kw))


# ---------------------------------------------------------------- binary arithmetic
def _bin_errors():
    return [ErrorSample((T(np.ones((3,), "float32")), T(np.ones((4,), "float32"))),
                        match="The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 0")]


row("add", lambda a, b: ember.add(a, b), lambda a, b: torch.add(a, b), standard_binary(),
    dtypes=FLOAT + INT, errors=_bin_errors)
row("add_alpha", lambda a, b: ember.add(a, b, alpha=2), lambda a, b: torch.add(a, b, alpha=2), standard_binary())
row("sub", lambda a, b: a - b, lambda a, b: a - b, standard_binary(), dtypes=FLOAT + INT, errors=_bin_errors)
row("rsub", lambda a, b: 2.0 - a, lambda a, b: 2.0 - a, standard_binary(scalar=None))
row("mul", lambda a, b: a * b, lambda a, b: a * b, standard_binary(), dtypes=ALL, errors=_bin_errors,
    gradgrad=True)
row("div", lambda a, b: a / b, lambda a, b: a / b, standard_binary(fn_b=positive), dtypes=FLOAT + INT)
row("div_floor", lambda a, b: ember.div(a, b, rounding_mode="floor"),
    lambda a, b: torch.div(a, b, rounding_mode="floor"), standard_binary(fn_b=positive), dtypes=FLOAT + ("int64",),
    grad=False, gradcheck=False)
row("div_trunc", lambda a, b: ember.div(a, b, rounding_mode="trunc"),
    lambda a, b: torch.div(a, b, rounding_mode="trunc"), standard_binary(fn_b=positive), dtypes=FLOAT + ("int64",),
    grad=False, gradcheck=False)
row("floordiv", lambda a, b: a // b, lambda a, b: a // b, standard_binary(fn_b=positive), dtypes=FLOAT + ("int64",),
    grad=False, gradcheck=False)
row("pow", lambda a, b: a ** b, lambda a, b: a ** b, standard_binary(fn_a=positive), gradgrad=True)
row("pow_scalar", lambda a: a ** 3, lambda a: a ** 3, standard_unary())
row("rpow", lambda a: 2.0 ** a, lambda a: 2.0 ** a, standard_unary())
row("remainder", lambda a, b: a % b, lambda a, b: a % b, standard_binary(fn_b=positive), dtypes=FLOAT + ("int64",))
row("fmod", ember.fmod, torch.fmod, standard_binary(fn_b=positive), dtypes=FLOAT + ("int64",))
row("maximum", ember.maximum, torch.maximum, standard_binary(scalar=None), dtypes=FLOAT + ("int64",))
row("minimum", ember.minimum, torch.minimum, standard_binary(scalar=None), dtypes=FLOAT + ("int64",))
for _n in ("eq", "ne", "lt", "le", "gt", "ge"):
    row(_n, getattr(ember, _n), getattr(torch, _n), standard_binary(), dtypes=FLOAT + INT, grad=False,
        gradcheck=False)
for _n in ("bitwise_and", "bitwise_or", "bitwise_xor"):
    row(_n, getattr(ember, _n), getattr(torch, _n), standard_binary(scalar=3), dtypes=("int64", "int32", "bool"),
        grad=False, gradcheck=False)
for _n in ("logical_and", "logical_or", "logical_xor"):
    row(_n, getattr(ember, _n), getattr(torch, _n), standard_binary(scalar=None), dtypes=FLOAT + ("bool",),
        grad=False, gradcheck=False)


# ---------------------------------------------------------------- promotion corner cases
def _mixed(dtype, rng):
    return [Sample((T(arr(rng, (3,), "int64")), T(arr(rng, (3,), dtype))), name="int+float"),
            Sample((T(arr(rng, (3,), dtype)), T(arr(rng, (), "float64"))), name="0d_f64"),
            Sample((T(arr(rng, (3,), "uint8")), T(arr(rng, (3,), "int8"))), name="u8+i8"),
            Sample((T(arr(rng, (3,), "bool")), 2), name="bool+int"),
            Sample((T(arr(rng, (3,), "int32")), 2.5), name="int+float_scalar"),
            Sample((T(arr(rng, (3,), "int32")), T(arr(rng, (), "int64"))), name="int32+0d_int64")]


row("add_promotion", lambda a, b: a + b, lambda a, b: a + b, _mixed, dtypes=("float32", "float16"), grad=False,
    gradcheck=False)
row("mul_promotion", lambda a, b: a * b, lambda a, b: a * b, _mixed, dtypes=("float32",), grad=False,
    gradcheck=False)
row("div_promotion", lambda a, b: a / b, lambda a, b: a / b,
    lambda d, rng: [Sample((T(arr(rng, (3,), "int64")), T(positive(rng, (3,), "int64"))), name="int/int")],
    dtypes=("float32",), grad=False, gradcheck=False)

# ---------------------------------------------------------------- unary pointwise
for _n, _gen in [("exp", arr), ("log", positive), ("log2", positive), ("log10", positive), ("log1p", positive),
                 ("expm1", arr), ("sqrt", positive), ("rsqrt", positive), ("sin", arr), ("cos", arr),
                 ("tan", unit), ("asin", unit), ("acos", unit), ("atan", arr), ("sinh", arr), ("cosh", arr),
                 ("tanh", arr), ("asinh", arr), ("atanh", unit), ("sigmoid", arr), ("erf", arr),
                 ("erfc", arr), ("erfinv", unit), ("reciprocal", positive), ("neg", arr), ("abs", arr),
                 ("relu", arr), ("square", arr), ("exp2", arr)]:
    row(_n, getattr(ember, _n), getattr(torch, _n), standard_unary(_gen),
        dtypes=FLOAT + (("int64",) if _n not in ("neg", "abs", "relu", "square") else ("int64", "int32")),
        gradgrad=_n in ("exp", "tanh", "sigmoid", "log"))
row("acosh", ember.acosh, torch.acosh, standard_unary(lambda r, s, d: arr(r, s, d, 1.2, 3.0)))
for _n in ("floor", "ceil", "trunc", "round", "sign", "frac"):
    row(_n, getattr(ember, _n), getattr(torch, _n), standard_unary(), dtypes=FLOAT, gradcheck=False)
row("round_decimals", lambda x: ember.round(x, decimals=2), lambda x: torch.round(x, decimals=2), standard_unary(),
    gradcheck=False)
for _n in ("isnan", "isinf", "isfinite", "logical_not"):
    row(_n, getattr(ember, _n), getattr(torch, _n), standard_unary(), dtypes=FLOAT + ("int64",), grad=False,
        gradcheck=False)
row("bitwise_not", ember.bitwise_not, torch.bitwise_not, standard_unary(), dtypes=("int64", "bool"), grad=False,
    gradcheck=False)

# ---------------------------------------------------------------- where / clamp
row("where", lambda c, a, b: ember.where(c > 0, a, b), lambda c, a, b: torch.where(c > 0, a, b),
    lambda d, rng: [Sample((T(arr(rng, (3, 4), d), grad=False), T(arr(rng, (3, 4), d)), T(arr(rng, (1, 4), d)))),
                    Sample((T(arr(rng, (3, 1), d), grad=False), T(arr(rng, (), d)), T(arr(rng, (4,), d))))])
row("where_scalar", lambda c, a: ember.where(c > 0, a, 0.0), lambda c, a: torch.where(c > 0, a, 0.0),
    lambda d, rng: [Sample((T(arr(rng, (3, 4), d), grad=False), T(arr(rng, (3, 4), d))))])
row("clamp", lambda x: x.clamp(-1, 1), lambda x: x.clamp(-1, 1), standard_unary(), dtypes=FLOAT + ("int64",))
row("clamp_min", lambda x: x.clamp(min=0.5), lambda x: x.clamp(min=0.5), standard_unary())
row("clamp_tensor", lambda x, lo, hi: ember.clamp(x, lo, hi), lambda x, lo, hi: torch.clamp(x, lo, hi),
    lambda d, rng: [Sample((T(arr(rng, (3, 4), d)), T(arr(rng, (3, 4), d, -3, -1)), T(arr(rng, (4,), d, 1, 3))))])
row("masked_fill", lambda x, m: x.masked_fill(m > 0, 2.0), lambda x, m: x.masked_fill(m > 0, 2.0),
    lambda d, rng: [Sample((T(arr(rng, (3, 4), d)), T(arr(rng, (3, 4), d), grad=False))),
                    Sample((T(arr(rng, (3, 4), d)), T(arr(rng, (4,), d), grad=False)))])


# ---------------------------------------------------------------- reductions
def _red(dtype, rng):
    return [Sample((T(arr(rng, (3, 4), dtype)),), name="all"),
            Sample((T(arr(rng, (3, 4), dtype)), 1), name="dim1"),
            Sample((T(arr(rng, (3, 4, 2), dtype)), (0, 2)), {"keepdim": True}, name="dims_keep"),
            Sample((T(arr(rng, (3, 4), dtype), layout="transposed"), -1), name="noncontig"),
            Sample((T(arr(rng, (), dtype)),), name="0d")]


row("sum", ember.sum, torch.sum, _red, dtypes=FLOAT + INT + ("bool",), gradgrad=True)
row("mean", ember.mean, torch.mean, _red)
row("prod", lambda x: x.prod(), lambda x: x.prod(), standard_unary(positive), dtypes=FLOAT + ("int64",))
row("prod_dim", lambda x: x.prod(1), lambda x: x.prod(1),
    lambda d, rng: [Sample((T(arr(rng, (3, 4), d)),))])
row("amax", ember.amax, torch.amax, _red, dtypes=FLOAT + ("int64",))
row("amin", ember.amin, torch.amin, _red, dtypes=FLOAT + ("int64",))
row("max_all", lambda x: x.max(), lambda x: x.max(), standard_unary(empty=False), dtypes=FLOAT + ("int64",),
    errors=lambda: [ErrorSample((T(np.ones((0,), "float32")),))])
row("max_dim", lambda x: x.max(1), lambda x: x.max(1), lambda d, rng: [Sample((T(arr(rng, (3, 4), d)),))],
    dtypes=FLOAT + ("int64",))
row("min_dim_keep", lambda x: x.min(0, keepdim=True), lambda x: x.min(0, keepdim=True),
    lambda d, rng: [Sample((T(arr(rng, (3, 4), d)),))])
row("argmax", ember.argmax, torch.argmax, _red.__call__ if False else (
    lambda d, rng: [Sample((T(arr(rng, (3, 4), d)),)), Sample((T(arr(rng, (3, 4), d)), 1)),
                    Sample((T(arr(rng, (3, 4), d)), 0), {"keepdim": True})]), dtypes=FLOAT + ("int64",), grad=False)
row("argmin", ember.argmin, torch.argmin,
    lambda d, rng: [Sample((T(arr(rng, (3, 4), d)),)), Sample((T(arr(rng, (3, 4), d)), 1))], grad=False)
row("var", lambda x, *a, **k: ember.var(x, *a, **k), lambda x, *a, **k: torch.var(x, *a, **k),
    lambda d, rng: [Sample((T(arr(rng, (3, 4), d)),)), Sample((T(arr(rng, (3, 4), d)), 1)),
                    Sample((T(arr(rng, (3, 4), d)), 0), {"correction": 0, "keepdim": True})])
row("std", ember.std, torch.std,
    lambda d, rng: [Sample((T(arr(rng, (3, 4), d)),)), Sample((T(arr(rng, (3, 4), d)), 1), {"unbiased": False})])
row("logsumexp", ember.logsumexp, torch.logsumexp,
    lambda d, rng: [Sample((T(arr(rng, (3, 4), d)), 1)), Sample((T(arr(rng, (3, 4), d)), (0, 1)))])
row("all", lambda x: ember.all(x > 0), lambda x: torch.all(x > 0), standard_unary(), grad=False, gradcheck=False)
row("any_dim", lambda x: ember.any(x > 0, 1), lambda x: torch.any(x > 0, 1),
    lambda d, rng: [Sample((T(arr(rng, (3, 4), d)),))], grad=False, gradcheck=False)

# ---------------------------------------------------------------- matmul family
_mm_err = lambda: [ErrorSample((T(np.ones((128, 20), "float32")), T(np.ones((30, 40), "float32"))),  # noqa: E731
                               match="mat1 and mat2 shapes cannot be multiplied (128x20 and 30x40)")]
row("matmul", ember.matmul, torch.matmul,
    lambda d, rng: [Sample((T(arr(rng, (3, 4), d)), T(arr(rng, (4, 5), d))), name="mm"),
                    Sample((T(arr(rng, (2, 3, 4), d)), T(arr(rng, (4, 5), d))), name="batched_bcast"),
                    Sample((T(arr(rng, (4,), d)), T(arr(rng, (4, 5), d))), name="vec_mat"),
                    Sample((T(arr(rng, (3, 4), d)), T(arr(rng, (4,), d))), name="mat_vec"),
                    Sample((T(arr(rng, (4,), d)), T(arr(rng, (4,), d))), name="dot"),
                    Sample((T(arr(rng, (2, 1, 3, 4), d)), T(arr(rng, (5, 4, 2), d))), name="bcast_batch"),
                    Sample((T(arr(rng, (3, 4), d), layout="transposed"), T(arr(rng, (4, 5), d))), name="noncontig")],
    errors=_mm_err, gradgrad=True)
row("mm", ember.mm, torch.mm, lambda d, rng: [Sample((T(arr(rng, (3, 4), d)), T(arr(rng, (4, 5), d))))],
    errors=_mm_err)
row("bmm", ember.bmm, torch.bmm, lambda d, rng: [Sample((T(arr(rng, (2, 3, 4), d)), T(arr(rng, (2, 4, 5), d))))],
    errors=lambda: [ErrorSample((T(np.ones((2, 3, 4), "float32")), T(np.ones((2, 5, 5), "float32"))))])
row("mv", ember.mv, torch.mv, lambda d, rng: [Sample((T(arr(rng, (3, 4), d)), T(arr(rng, (4,), d))))])
row("dot", ember.dot, torch.dot, lambda d, rng: [Sample((T(arr(rng, (4,), d)), T(arr(rng, (4,), d))))],
    errors=lambda: [ErrorSample((T(np.ones((3,), "float32")), T(np.ones((4,), "float32"))))])
row("addmm", lambda b, x, y: ember.addmm(b, x, y, beta=0.5, alpha=2),
    lambda b, x, y: torch.addmm(b, x, y, beta=0.5, alpha=2),
    lambda d, rng: [Sample((T(arr(rng, (5,), d)), T(arr(rng, (3, 4), d)), T(arr(rng, (4, 5), d))))])
row("matmul_dtype_error", ember.matmul, torch.matmul, lambda d, rng: [], errors=lambda: [
    ErrorSample((T(np.ones((2, 2), "float32")), T(np.ones((2, 2), "float64"))))])


# ---------------------------------------------------------------- views and movement
def _m(shape):
    return lambda d, rng: [Sample((T(arr(rng, shape, d)),)), Sample((T(arr(rng, shape[::-1], d), layout="transposed"),))
                           if False else Sample((T(arr(rng, shape, d)),), name="again")]


row("view", lambda x: x.view(4, 3), lambda x: x.view(4, 3), _m((3, 4)), dtypes=ALL,
    errors=lambda: [ErrorSample((T(np.ones((3, 4), "float32"), layout="transposed"),),
                                match="view size is not compatible with input tensor's size and stride")])
row("view_infer", lambda x: x.view(-1, 2), lambda x: x.view(-1, 2), _m((3, 4)),
    errors=lambda: [ErrorSample((T(np.ones((3, 3), "float32")),), match="is invalid for input of size 9")])
row("reshape", lambda x: x.reshape(2, -1), lambda x: x.reshape(2, -1),
    lambda d, rng: [Sample((T(arr(rng, (3, 4), d)),)), Sample((T(arr(rng, (3, 4), d), layout="transposed"),))])
row("transpose", lambda x: x.transpose(0, 1), lambda x: x.transpose(0, 1), _m((3, 4)), dtypes=ALL)
row("t", lambda x: x.t(), lambda x: x.t(), _m((3, 4)))
row("T", lambda x: x.T, lambda x: x.T, _m((3, 4)))
row("mT", lambda x: x.mT, lambda x: x.mT, _m((2, 3, 4)))
row("permute", lambda x: x.permute(2, 0, 1), lambda x: x.permute(2, 0, 1), _m((2, 3, 4)))
row("movedim", lambda x: x.movedim(0, -1), lambda x: x.movedim(0, -1), _m((2, 3, 4)))
row("expand", lambda x: x.expand(3, 2, 4), lambda x: x.expand(3, 2, 4), _m((2, 1)) if False else (
    lambda d, rng: [Sample((T(arr(rng, (2, 1), d)),))]),
    errors=lambda: [ErrorSample((T(np.ones((2, 3), "float32")),))])
row("expand_as", lambda x, y: x.expand_as(y), lambda x, y: x.expand_as(y),
    lambda d, rng: [Sample((T(arr(rng, (1, 4), d)), T(arr(rng, (3, 4), d), grad=False)))])
row("squeeze", lambda x: x.squeeze(), lambda x: x.squeeze(), _m((3, 1, 4, 1)))
row("squeeze_dim", lambda x: x.squeeze(1), lambda x: x.squeeze(1), _m((3, 1, 4)))
row("unsqueeze", lambda x: x.unsqueeze(-1), lambda x: x.unsqueeze(-1), _m((3, 4)))
row("flatten", lambda x: x.flatten(1), lambda x: x.flatten(1), _m((2, 3, 4)))
row("unflatten", lambda x: x.unflatten(1, (2, 2)), lambda x: x.unflatten(1, (2, 2)), _m((3, 4)))
row("narrow", lambda x: x.narrow(1, 1, 2), lambda x: x.narrow(1, 1, 2), _m((3, 4)))
row("select", lambda x: x.select(1, -1), lambda x: x.select(1, -1), _m((3, 4)))
row("unbind", lambda x: x.unbind(1), lambda x: x.unbind(1), _m((3, 4)))
row("split", lambda x: x.split(2, 1), lambda x: x.split(2, 1), _m((3, 5)))
row("split_sizes", lambda x: x.split([1, 3], 1), lambda x: x.split([1, 3], 1), _m((3, 4)))
row("chunk", lambda x: x.chunk(3, 0), lambda x: x.chunk(3, 0), _m((7, 2)))
row("diagonal", lambda x: x.diagonal(1), lambda x: x.diagonal(1), _m((3, 4)))
row("diagonal_neg", lambda x: x.diagonal(-1, 1, 2), lambda x: x.diagonal(-1, 1, 2), _m((2, 3, 4)))
row("unfold", lambda x: x.unfold(1, 3, 2), lambda x: x.unfold(1, 3, 2), _m((2, 7)))
row("as_strided", lambda x: x.as_strided((2, 2), (1, 2), 1), lambda x: x.as_strided((2, 2), (1, 2), 1), _m((6,)))
row("contiguous", lambda x: x.t().contiguous(), lambda x: x.t().contiguous(), _m((3, 4)), view=False)
row("clone", lambda x: x.clone(), lambda x: x.clone(), _m((3, 4)), view=False)
row("to_double", lambda x: x.to(ember.float64), lambda x: x.to(torch.float64), _m((3, 4)), dtypes=("float32",))
row("to_long", lambda x: x.long(), lambda x: x.long(), _m((3, 4)), grad=False, gradcheck=False)

# ---------------------------------------------------------------- indexing
row("getitem_basic", lambda x: x[1:, ::2, None, 0], lambda x: x[1:, ::2, None, 0], _m((3, 4, 2)))
row("getitem_ellipsis", lambda x: x[..., 1], lambda x: x[..., 1], _m((3, 4, 2)))
row("getitem_int_list", lambda x: x[[0, 2, 2]], lambda x: x[[0, 2, 2]], _m((3, 4)))
row("getitem_adv_pair", lambda x: x[[0, 1], [3, 2]], lambda x: x[[0, 1], [3, 2]], _m((3, 4)))
row("getitem_mixed", lambda x: x[:, [1, 1, 0]], lambda x: x[:, [1, 1, 0]], _m((3, 4)))
row("getitem_mask", lambda x: x[x > 0], lambda x: x[x > 0], _m((3, 4)))
row("getitem_tensor_idx", lambda x, i: x[i], lambda x, i: x[i],
    lambda d, rng: [Sample((T(arr(rng, (5, 2), d)), T(np.array([4, 0, 4], "int64"))))],
    errors=lambda: [ErrorSample((T(np.ones((3,), "float32")), T(np.array([5], "int64"))))])
row("index_select", lambda x, i: x.index_select(1, i), lambda x, i: x.index_select(1, i),
    lambda d, rng: [Sample((T(arr(rng, (3, 4), d)), T(np.array([3, 0, 3], "int64"))))])
row("gather", lambda x, i: x.gather(1, i), lambda x, i: x.gather(1, i),
    lambda d, rng: [Sample((T(arr(rng, (3, 4), d)), T(np.array([[0, 3], [1, 1], [2, 0]], "int64"))))])
row("scatter", lambda x, i, s: x.scatter(1, i, s), lambda x, i, s: x.scatter(1, i, s),
    lambda d, rng: [Sample((T(arr(rng, (3, 4), d)), T(np.array([[0, 3], [1, 2], [2, 0]], "int64")),
                            T(arr(rng, (3, 2), d))))])
row("scatter_add", lambda x, i, s: x.scatter_add(0, i, s), lambda x, i, s: x.scatter_add(0, i, s),
    lambda d, rng: [Sample((T(arr(rng, (3, 4), d)), T(np.array([[0, 1, 2, 0], [0, 0, 0, 0]], "int64")),
                            T(arr(rng, (2, 4), d))))])

# ---------------------------------------------------------------- joining
row("cat", lambda a, b: ember.cat([a, b], 1), lambda a, b: torch.cat([a, b], 1),
    lambda d, rng: [Sample((T(arr(rng, (3, 2), d)), T(arr(rng, (3, 4), d))))], dtypes=ALL,
    errors=lambda: [ErrorSample((T(np.ones((3, 2), "float32")), T(np.ones((4, 2), "float32"))))])
row("cat_promote", lambda a, b: ember.cat([a, b]), lambda a, b: torch.cat([a, b]),
    lambda d, rng: [Sample((T(arr(rng, (2,), "int64")), T(arr(rng, (3,), d))))])
row("stack", lambda a, b: ember.stack([a, b], -1), lambda a, b: torch.stack([a, b], -1),
    lambda d, rng: [Sample((T(arr(rng, (3, 2), d)), T(arr(rng, (3, 2), d))))])
