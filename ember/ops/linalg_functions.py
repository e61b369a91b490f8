"""torch.linalg's functions, exported as ``ember.linalg.<name>`` (ember/linalg.py re-exports ``__all__``). The factorizations are the Ops of ember/ops/linalg.py;
norms, pinv, matrix_rank, lstsq, multi_dot, ... compose them, so their gradients come for free.

>>> import ember
>>> A = ember.tensor([[4., 1.], [1., 3.]])
>>> ember.linalg.solve(A, ember.tensor([1., 2.]))
tensor([0.0909, 0.6364])
>>> ember.linalg.matrix_norm(A, "nuc"), ember.linalg.vector_norm(ember.tensor([3., 4.]))
(tensor(7.), tensor(5.))
"""
from __future__ import annotations

import math

import numpy as np

from .. import dtypes as _dt
from . import linalg as _ops
from .calling import bind_all
from ._common import Op, norm_dims
from .linalg import LinAlgError, check_matrix, det, matrix_power, slogdet  # noqa: F401 - re-exported
from .joining import stack
from .reduction import return_types
from ..tensor import Tensor, wrap

__all__ = ["LinAlgError", "norm", "vector_norm", "matrix_norm", "inv", "det", "slogdet", "solve", "cholesky",
           "qr", "svd", "svdvals", "eigh", "eigvalsh", "pinv", "matrix_rank", "lstsq", "matrix_power",
           "cross", "multi_dot", "diagonal", "vecdot"]


def inv(A: Tensor) -> Tensor:
    """A^-1 of (..., n, n) matrices; raises LinAlgError for singular ones. gA = -A^-H g A^-H."""
    check_matrix(A, "linalg.inv")
    return _ops.Inv.apply(A)


def solve(A: Tensor, B: Tensor, *, left: bool = True) -> Tensor:
    """X with A X = B (or X A = B when ``left=False``); B is a vector when it is (..., n) with the batch
    of A. gB = A^-H g, gA = -gB X^H."""
    check_matrix(A, "linalg.solve")
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and tuple(B.shape) == tuple(A.shape[:-1]))
    if vector:
        B = B.unsqueeze(-1)
    if B.shape[-2] != A.shape[-1] and left:
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation AX = B "
                           f"({A.shape[-2]}x{A.shape[-1]} and {B.shape[-2]}x{B.shape[-1]})")
    X = _ops.solve_matrix(A, B) if left else _ops.solve_matrix(A.mT, B.mT).mT
    return X.squeeze(-1) if vector else X


def cholesky(A: Tensor, *, upper: bool = False) -> Tensor:
    """L (lower) with A = L L^H for Hermitian positive-definite A; LinAlgError names the failing minor."""
    return _ops.cholesky(A, upper)


def qr(A: Tensor, mode: str = "reduced"):
    """(Q, R) with A = Q R; ``mode`` is 'reduced', 'complete' or 'r' (Q empty)."""
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), "
                           "'r', or 'complete'")
    check_matrix(A, "linalg.qr", square=False)
    Q, R = _ops.QR.apply(A, "reduced" if mode == "r" else mode)
    if mode == "r":
        Q = wrap(np.zeros((0,), A._data.dtype))
    return return_types.qr(Q, R)


def svd(A: Tensor, full_matrices: bool = True):
    """(U, S, Vh) with A = U diag(S) Vh, S descending. The gradient assumes distinct singular values."""
    check_matrix(A, "linalg.svd", square=False)
    return return_types.svd(*_ops.SVD.apply(A, full_matrices))


def svdvals(A: Tensor) -> Tensor:
    """The singular values (descending); gA = U diag(gS) Vh."""
    check_matrix(A, "linalg.svd", square=False)
    return _ops.SVD.apply(A, False)[1]


def eigh(A: Tensor, UPLO: str = "L"):
    """(eigenvalues ascending, eigenvectors) of Hermitian A, read from the ``UPLO`` triangle."""
    check_matrix(A, "linalg.eigh")
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    return return_types.eigh(*_ops.Eigh.apply(A, UPLO))


def eigvalsh(A: Tensor, UPLO: str = "L") -> Tensor:
    """Eigenvalues (ascending) of Hermitian A; gA = V diag(gL) V^H."""
    return eigh(A, UPLO)[0]


def _cutoff(s: np.ndarray, shape: tuple, atol, rtol) -> np.ndarray:
    """torch's threshold max(atol, rtol * S_max) for singular values ``s`` (..., k)."""
    if rtol is None:
        rtol = np.finfo(s.dtype).eps * max(shape[-2:]) if atol is None or np.all(_val(atol) <= 0) else 0.0
    smax = s.max(-1, keepdims=True) if s.shape[-1] else np.zeros(s.shape[:-1] + (1,), s.dtype)
    return np.maximum(_val(0.0 if atol is None else atol), _val(rtol) * smax)


def _val(x):
    return np.asarray(x._data)[..., None] if isinstance(x, Tensor) else x


class Pinv(Op):
    """A^+ = V diag(1/S) U^H over the singular values (|eigenvalues| when hermitian) above the cutoff.
    Backward is torch's pinv_backward, written with A and A^+ only."""

    save_output = True

    @staticmethod
    def forward(ctx, A, atol, rtol, hermitian):
        ctx.save_for_backward(A)
        a = A._data
        if hermitian:
            w, v = np.linalg.eigh(a)
            keep = np.abs(w) > _cutoff(np.abs(w), a.shape, atol, rtol)
            inv_w = np.where(keep, 1 / np.where(keep, w, 1), 0).astype(w.dtype)
            return (v * inv_w[..., None, :]) @ np.swapaxes(v, -1, -2).conj()
        u, s, vh = np.linalg.svd(a, full_matrices=False)
        keep = s > _cutoff(s, a.shape, atol, rtol)
        inv_s = np.where(keep, 1 / np.where(keep, s, 1), 0).astype(s.dtype)
        return (np.swapaxes(vh, -1, -2).conj() * inv_s[..., None, :]) @ np.swapaxes(u, -1, -2).conj()

    @staticmethod
    def backward(ctx, g):
        (A,) = ctx.saved_tensors
        P, mh = ctx.output, _ops._mh
        Ph, gh = mh(P), mh(g)
        if A.shape[-2] <= A.shape[-1]:
            K = gh @ P
            KPh = K @ Ph
            return -mh(P @ K) + KPh - (A @ P) @ KPh + (Ph @ P) @ (gh - K @ A)
        K = P @ gh
        PhK = Ph @ K
        return -mh(K @ P) + (gh - A @ K) @ P @ Ph + PhK - PhK @ P @ A


def pinv(A: Tensor, *, atol=None, rtol=None, hermitian: bool = False) -> Tensor:
    """Moore-Penrose pseudo-inverse: singular values below max(atol, rtol * S_max) are dropped
    (rtol defaults to eps * max(m, n) unless atol > 0)."""
    check_matrix(A, "linalg.pinv", square=False)
    return Pinv.apply(A, atol, rtol, hermitian)


def matrix_rank(A: Tensor, *, atol=None, rtol=None, hermitian: bool = False) -> Tensor:
    """The number of singular values above max(atol, rtol * S_max), as int64."""
    check_matrix(A, "linalg.matrix_rank", square=False)
    a = A._data
    s = np.abs(np.linalg.eigvalsh(a)) if hermitian else np.linalg.svd(a, compute_uv=False)
    return wrap(np.asarray((s > _cutoff(s, a.shape, atol, rtol)).sum(-1), dtype=np.int64))


def lstsq(A: Tensor, B: Tensor, rcond=None, *, driver=None):
    """Least squares min ||A X - B||: (solution, residuals, rank, singular_values) as torch's default
    CPU driver 'gelsy' gives them (residuals when m > n and A has full rank; no singular values).
    The solution is pinv(A) B, so its gradient is pinv's."""
    check_matrix(A, "linalg.lstsq", square=False)
    if driver not in (None, "gels", "gelsy", "gelsd", "gelss"):
        raise RuntimeError(f"torch.linalg.lstsq: parameter `driver` should be one of (gels, gelsy, gelsd, "
                           f"gelss)")
    vector = B.ndim == A.ndim - 1
    Bm = B.unsqueeze(-1) if vector else B
    if Bm.shape[-2] != A.shape[-2]:
        raise RuntimeError(f"torch.linalg.lstsq: input.size(-2) should match other.size(-2)")
    m, n = A.shape[-2], A.shape[-1]
    rtol = rcond if rcond is not None else np.finfo(A._data.dtype).eps * max(m, n)
    X = pinv(A, rtol=rtol) @ Bm
    rank = matrix_rank(A, rtol=rtol)
    driver = driver or "gelsy"
    if m > n and driver != "gelsy" and bool((rank._data == n).all()):
        r = A @ X - Bm
        residuals = (r * r.conj()).real.sum(-2) if r.is_complex() else (r * r).sum(-2)
    else:
        residuals = X.reshape(-1)[:0]  # empty, but on the graph as torch's
        residuals = residuals.real if residuals.is_complex() else residuals
    svals = svdvals(A).detach() if driver in ("gelsd", "gelss") else wrap(np.zeros((0,), A._data.real.dtype))
    if driver == "gels":
        rank = wrap(np.zeros((0,), np.int64))
    return return_types.lstsq(X.squeeze(-1) if vector else X, residuals, rank, svals)


# ---------------------------------------------------------------- norms
class VectorNorm(Op):
    """(sum |x|^p)^(1/p) over dims for finite p != 0; torch's norm_backward:
    p = 1: g sgn(x); p = 2: g x / n; else g x |x|^(p-2) / n^(p-1) (0 where n = 0)."""

    node_name = "LinalgVectorNormBackward0"
    save_output = True

    @staticmethod
    def forward(ctx, x, p, dims, keepdim):
        a = np.abs(x._data)
        ctx.save_for_backward(x)
        ctx.p, ctx.dims, ctx.keepdim = p, dims, keepdim
        if p == 2:
            return np.asarray(np.sqrt((a * a).sum(axis=dims, keepdims=keepdim)))
        if p == 1:
            return np.asarray(a.sum(axis=dims, keepdims=keepdim))
        return np.asarray((a ** p).sum(axis=dims, keepdims=keepdim) ** (1.0 / p))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        p, n = ctx.p, ctx.output
        if not ctx.keepdim:
            kept = tuple(1 if i in ctx.dims else k for i, k in enumerate(x.shape))
            g, n = g.reshape(kept), n.reshape(kept)
        if p == 1:
            return g * x.sgn()
        if p < 1:
            scaled = x.sgn() * x.abs().pow(p - 1).masked_fill(x == 0, 0)
            return scaled * g * n.pow(1 - p)
        scaled = x.sgn() * x.abs().pow(p - 1) if p < 2 else (x if p == 2 else x * x.abs().pow(p - 2))
        return scaled * (g / n.pow(p - 1)).masked_fill(n == 0, 0)


def _unsq(t: Tensor, dims: tuple) -> Tensor:
    for d in sorted(dims):
        t = t.unsqueeze(d)
    return t


def vector_norm(x: Tensor, ord=2, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """||x||_ord over ``dim`` (all elements when None): inf is max |x|, -inf min |x|, 0 the count of
    non-zeros, otherwise (sum |x|^ord)^(1/ord)."""
    if x._data.dtype.kind not in "fc":
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as input. Got "
                           f"{_dt.scalar_type_name(x.dtype)}")
    if dtype is not None:
        x = x.to(dtype)
    dims = norm_dims(dim, x.ndim) if dim is not None else tuple(range(x.ndim))
    if ord == math.inf or ord == -math.inf:
        a = x.abs()
        return a.amax(dims, keepdim) if ord > 0 else a.amin(dims, keepdim)
    if ord == 0:
        return (x != 0).to(x.dtype).sum(dims, keepdim)
    return VectorNorm.apply(x, float(ord), dims, keepdim)


def matrix_norm(A: Tensor, ord="fro", dim=(-2, -1), keepdim: bool = False, *, dtype=None) -> Tensor:
    """'fro', 'nuc' (sum of singular values), 2 / -2 (largest / smallest singular value), 1 / -1 (max /
    min column sum of |A|), inf / -inf (max / min row sum) over the two dims ``dim``."""
    if A.ndim < 2:
        raise RuntimeError(f"linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
    if ord not in ("fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf):
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    if dtype is not None:
        A = A.to(dtype)
    d0, d1 = norm_dims(dim[0], A.ndim)[0], norm_dims(dim[1], A.ndim)[0]
    if d0 == d1:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({dim[0]}, {dim[1]})")
    if ord == "fro":
        return vector_norm(A, 2, (d0, d1), keepdim)
    if ord in ("nuc", 2, -2):
        S = svdvals(A.movedim((d0, d1), (-2, -1)))
        out = S.sum(-1) if ord == "nuc" else (S.amax(-1) if ord == 2 else S.amin(-1))
        return _unsq(out, (d0, d1)) if keepdim else out
    if ord in (math.inf, -math.inf):
        d0, d1 = d1, d0
    s = A.abs().sum(d0, keepdim=True)
    out = s.amax(d1, keepdim=True) if ord > 0 else s.amin(d1, keepdim=True)
    return out if keepdim else out.squeeze((d0, d1) if max(d0, d1) else (d0, d1))


def norm(A: Tensor, ord=None, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """The vector norm (1-d input, or an int ``dim``) or the matrix norm (2-d input, or two dims);
    with ``ord=None`` and ``dim=None`` the 2-norm of all elements."""
    if isinstance(dim, int):
        dim = (dim,)
    if ord is None:
        if dim is None or len(dim) == 1:
            return vector_norm(A, 2, dim, keepdim, dtype=dtype)
        return matrix_norm(A, "fro", dim, keepdim, dtype=dtype)
    if dim is None:
        if A.ndim not in (1, 2):
            raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. "
                               f"Got {A.ndim}D.")
        dim = tuple(range(A.ndim))
    if len(dim) == 2:
        return matrix_norm(A, ord, dim, keepdim, dtype=dtype)
    if isinstance(ord, str):
        raise RuntimeError(f"linalg.vector_norm: Order {ord} not supported.")
    return vector_norm(A, ord, dim, keepdim, dtype=dtype)


# ---------------------------------------------------------------- products
def cross(input: Tensor, other: Tensor, *, dim: int = -1) -> Tensor:
    """a x b along ``dim`` (size 3) with broadcasting (both inputs have the same number of dims)."""
    if input.ndim != other.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    shape = np.broadcast_shapes(tuple(input.shape), tuple(other.shape))
    d = norm_dims(dim, len(shape))[0]
    sa = (1,) * (len(shape) - input.ndim) + tuple(input.shape)
    sb = (1,) * (len(shape) - other.ndim) + tuple(other.shape)
    if sa[d] != 3 or sb[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got {sa[d]} and {sb[d]}")
    a, b = input.expand(shape), other.expand(shape)

    a0, a1, a2 = (a.select(d, i) for i in range(3))
    b0, b1, b2 = (b.select(d, i) for i in range(3))
    return stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], d)


def multi_dot(tensors) -> Tensor:
    """A_1 @ A_2 @ ... @ A_k; the first may be 1-d (a row), the last 1-d (a column)."""
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    for i, t in enumerate(tensors):
        want = (1, 2) if i in (0, len(tensors) - 1) else (2,)
        if t.ndim not in want:
            which = "first" if i == 0 else "last" if i == len(tensors) - 1 else None
            msg = f"the {which} tensor must be 1D or 2D but got {t.ndim}D" if which else \
                f"tensor {i} must be 2D but got {t.ndim}D"
            raise RuntimeError(f"multi_dot(): {msg}")
    out = tensors[0]
    for t in tensors[1:]:
        out = out @ t
    return out


def diagonal(A: Tensor, *, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """The diagonals of the last two dims (a view), as torch.diagonal with other defaults."""
    return A.diagonal(offset, dim1, dim2)


def vecdot(x: Tensor, y: Tensor, *, dim: int = -1) -> Tensor:
    """sum conj(x) y along ``dim`` with broadcasting."""
    return (x.conj() * y).sum(dim)


bind_all(globals(), without_out=("diagonal", "lstsq"))  # torch.linalg takes out= on all others
