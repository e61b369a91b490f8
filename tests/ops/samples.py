"""Sample generators and small helpers shared by the op-table rows (``op_db_<op file>.py``)."""
from __future__ import annotations

import ember
import numpy as np
import torch

from .opinfo import arr, ErrorSample, FLOAT, Sample, T


def _fn(name):
    return getattr(ember, name), getattr(torch, name)


NO_GRAD = {"grad": False, "gradcheck": False}
TOL = {"float32": (1e-4, 1e-4)}  # the float32 tolerance of the linalg and spectral rows


def _idx(*values):
    return lambda d, r: T(np.array(values, "int64"))


def same(fn):
    """The ember and torch callables are the same expression on the module (``fn(ember)``/``fn(torch)``)."""
    return fn(ember), fn(torch)

def _f(shape, layout="contiguous"):
    return lambda d, rng: T(arr(rng, shape, d), layout=layout)

def gen(*cases):
    """Samples from (name, [arg makers or plain values], kwargs) triples."""

    def g(dtype, rng):
        out = []
        for name, args, kw in cases:
            kw = {k: v(dtype, rng) if callable(v) else v for k, v in kw.items()}
            out.append(Sample(tuple(a(dtype, rng) if callable(a) else a for a in args), kw, name=name))
        return out

    return g

def err(*cases):
    return lambda: [ErrorSample(tuple(args), kw) for args, kw in cases]

def _t(shape, dtype="float32"):
    return T(np.ones(shape, dtype))

def _resize(m):
    import warnings

    def f(x, *s):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return x.resize(*s)

    return f

def _fill_diag(m):
    def f(x, v, wrap=False):
        y = x * 1 if x.dtype.is_floating_point else x.clone()
        return y.fill_diagonal_(v, wrap=wrap)

    return f

# ---------------------------------------------------------------- binary arithmetic
def _bin_errors():
    return [ErrorSample((T(np.ones((3,), "float32")), T(np.ones((4,), "float32"))),
                        match="The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 0")]

# ---------------------------------------------------------------- promotion corner cases
def _mixed(dtype, rng):
    return [Sample((T(arr(rng, (3,), "int64")), T(arr(rng, (3,), dtype))), name="int+float"),
            Sample((T(arr(rng, (3,), dtype)), T(arr(rng, (), "float64"))), name="0d_f64"),
            Sample((T(arr(rng, (3,), "uint8")), T(arr(rng, (3,), "int8"))), name="u8+i8"),
            Sample((T(arr(rng, (3,), "bool")), 2), name="bool+int"),
            Sample((T(arr(rng, (3,), "int32")), 2.5), name="int+float_scalar"),
            Sample((T(arr(rng, (3,), "int32")), T(arr(rng, (), "int64"))), name="int32+0d_int64")]

# ---------------------------------------------------------------- reductions
def _red(dtype, rng):
    return [Sample((T(arr(rng, (3, 4), dtype)),), name="all"),
            Sample((T(arr(rng, (3, 4), dtype)), 1), name="dim1"),
            Sample((T(arr(rng, (3, 4, 2), dtype)), (0, 2)), {"keepdim": True}, name="dims_keep"),
            Sample((T(arr(rng, (3, 4), dtype), layout="transposed"), -1), name="noncontig"),
            Sample((T(arr(rng, (), dtype)),), name="0d")]

# ---------------------------------------------------------------- matmul family
_mm_err = lambda: [ErrorSample((T(np.ones((128, 20), "float32")), T(np.ones((30, 40), "float32"))),  # noqa: E731
                               match="mat1 and mat2 shapes cannot be multiplied (128x20 and 30x40)")]

# ---------------------------------------------------------------- views and movement
def _m(shape):
    return lambda d, rng: [Sample((T(arr(rng, shape, d)),)), Sample((T(arr(rng, shape[::-1], d), layout="transposed"),))
                           if False else Sample((T(arr(rng, shape, d)),), name="again")]

def _dt(lib, name):
    return getattr(lib, name)

def _ri(z):
    """A real view of a complex result that keeps all the information: stack(real, imag)."""
    return z.real * 1.5 + z.imag * 0.5 if z.is_complex() else z

def signals(dtype, rng):
    return [Sample((T(arr(rng, (8,), dtype)),), name="1d"),
            Sample((T(arr(rng, (3, 7), dtype)),), name="2d_odd"),
            Sample((T(arr(rng, (4, 3), dtype), layout="transposed"),), name="noncontig"),
            Sample((T(arr(rng, (6,), dtype), layout="flipped"),), name="negstride")]

def signals2d(dtype, rng):
    return [s for s in signals(dtype, rng) if len(s.args[0].value.shape) == 2]

# ---------------------------------------------------------------- stft / istft
def _stft_samples(dtype, rng):
    return [Sample((T(arr(rng, (40,), dtype)), T(np.hanning(16).astype(dtype))), {"n_fft": 16}, name="1d"),
            Sample((T(arr(rng, (2, 40), dtype)), T(np.hanning(12).astype(dtype))),
                   {"n_fft": 16, "hop_length": 5, "win_length": 12}, name="batch_win"),
            Sample((T(arr(rng, (33,), dtype)), T(np.hamming(16).astype(dtype))),
                   {"n_fft": 16, "center": False, "normalized": True}, name="nocenter"),
            Sample((T(arr(rng, (30,), dtype)), T(np.hanning(8).astype(dtype))),
                   {"n_fft": 8, "pad_mode": "constant", "onesided": False}, name="twosided")]

def _istft_samples(dtype, rng):
    cd = np.complex64 if dtype == "float32" else np.complex128
    w = np.hanning(16).astype(dtype)
    spec = torch.stft(torch.from_numpy(arr(rng, (2, 40), dtype)), 16, window=torch.from_numpy(w),
                      return_complex=True).numpy().astype(cd)
    return [Sample((T(spec), T(w)), {"n_fft": 16}, name="batch"),
            Sample((T(spec[0]), T(w)), {"n_fft": 16, "length": 45}, name="1d_length")]

# ---------------------------------------------------------------- reductions
# NaNs at fixed places, none of the reduced slices all-NaN (there torch's gradient is 0/0 = nan)
_NAN_AT = np.array([[1, 0, 0, 1], [0, 0, 1, 0], [0, 1, 0, 0]], bool)

_NANS = lambda d, r: T(np.where(_NAN_AT, np.nan, r.uniform(-2, 2, (3, 4))).astype(d))  # noqa: E731

def _sq(rng, shape, dtype):
    n = shape[-1]
    return (rng.uniform(-1, 1, shape) + n * np.eye(n)).astype(dtype)

def _spd(rng, shape, dtype):
    b = rng.uniform(-1, 1, shape)
    return (b @ np.swapaxes(b, -1, -2) + shape[-1] * np.eye(shape[-1])).astype(dtype)

def _rect(rng, shape, dtype):
    return rng.uniform(-1, 1, shape).astype(dtype)

def square(fn=_sq):
    def gen(dtype, rng):
        return [Sample((T(fn(rng, (3, 3), dtype)),), name="3x3"),
                Sample((T(fn(rng, (2, 4, 4), dtype)),), name="batch"),
                Sample((T(fn(rng, (3, 3), dtype), layout="transposed"),), name="noncontig"),
                Sample((T(fn(rng, (1, 1), dtype)),), name="1x1")]
    return gen

def rect(dtype, rng):
    return [Sample((T(_rect(rng, s, dtype)),), name="x".join(map(str, s)))
            for s in [(5, 3), (3, 5), (4, 4), (2, 4, 3)]]

def two(gen_a, shape_b):
    def gen(dtype, rng):
        return [Sample((T(_sq(rng, (3, 3), dtype)), T(_rect(rng, shape_b, dtype))), name="single"),
                Sample((T(_sq(rng, (2, 3, 3), dtype)), T(_rect(rng, (2,) + shape_b, dtype))), name="batch")]
    return gen

def _err(fn, shape, match=None, dtype="float32"):
    return lambda: [ErrorSample((T(fn(shape, dtype)),), match=match)]

def _singular(shape, dtype):
    return np.array([[1.0, 2.0], [2.0, 4.0]], dtype)

def _svd_inv(lib, full=False):
    def f(a):
        U, S, Vh = lib.linalg.svd(a, full_matrices=full)
        k = S.shape[-1]
        return U[..., :k] @ Vh[..., :k, :], S
    return f

def _svd_abs(lib):
    def f(a):
        U, S, Vh = lib.linalg.svd(a, full_matrices=False)
        return U.abs(), S, Vh.abs()
    return f

def _eigh(lib, uplo="L"):
    def f(a):
        L, V = lib.linalg.eigh(a, uplo)
        return L, V * V
    return f

# ---------------------------------------------------------------- norms
def vec_samples(dtype, rng):
    return [Sample((T(_rect(rng, (5,), dtype)),), name="1d"),
            Sample((T(_rect(rng, (3, 4), dtype)),), {"dim": 1}, name="dim"),
            Sample((T(_rect(rng, (2, 3, 4), dtype)),), {"dim": (0, 2), "keepdim": True}, name="dims_keep"),
            Sample((T(_rect(rng, (4, 3), dtype), layout="transposed"),), name="noncontig")]

def mat_samples(dtype, rng):
    return [Sample((T(_rect(rng, (3, 4), dtype)),), name="2d"),
            Sample((T(_rect(rng, (2, 4, 3), dtype)),), name="batch"),
            Sample((T(_rect(rng, (3, 2, 4), dtype)),), {"dim": (0, 2), "keepdim": True}, name="dims_keep")]

def _p(shape, lo=0.5, hi=3.0):
    return lambda d, rng: T(arr(rng, shape, d, lo, hi))

SCAN = [("1d", [_f((5,)), 0], {}), ("2d", [_f((3, 4)), 1], {}), ("dim0", [_f((3, 4)), 0], {}),
        ("noncontig", [_f((4, 3), "transposed"), -1], {}), ("0d", [_f(()), 0], {}), ("empty", [_f((0, 3)), 1], {})]

_LOOSE_INT = {"int64": (1e-6, 1e-6)}  # float32 results of int inputs: scipy vs torch kernels differ by 1 ulp

# ---------------------------------------------------------------- random ops: shape/dtype only (values: test_random_breadth.py)
_RAND = dict(nondeterministic_values=True, grad=False, gradcheck=False)

# ---------------------------------------------------------------- predicates and cleaning
_SPECIAL = lambda d, r: T(np.array([np.inf, -np.inf, np.nan, 0.0, -1.5, 2.0], d))  # noqa: E731

def _perm(shape):
    """Distinct values (no ties, so indices and gradients are unique), shuffled."""
    def make(d, rng):
        n = int(np.prod(shape))
        v = rng.permutation(n).reshape(shape)
        return T((v - n // 3).astype(d) if d != "uint8" else v.astype(d))

    return make

def _ties(d, rng):
    return T(np.array([[2, 1, 2, 3, 1, 2], [0, 0, 5, 5, 1, 1]], dtype=d))

def _nan(d, rng):
    return T(np.array([[1.0, np.nan, 3.0, 0.5], [2.0, 1.0, 4.0, 3.0]], dtype=d))

NUM = FLOAT + ("int64", "int32", "uint8")

ORDER = [("1d", [_perm((5,))], {}), ("2d", [_perm((3, 4))], {}), ("dim0", [_perm((3, 4)), 0], {}),
         ("noncontig", [lambda d, rng: T(_perm((4, 3))(d, rng).value, layout="transposed")], {}),
         ("0d", [_perm(())], {})]

_SEQ = lambda d, r: T(np.array([-2, 0, 1, 1, 3], d))  # noqa: E731
