"""Linear algebra primitives: the factorizations as Ops (inv, det, slogdet, solve, cholesky, qr, svd,
eigh) with torch's gradients, and the top-level torch forms (``ember.det``, ``inverse``, ``logdet``,
``slogdet``, ``cholesky``, ``svd``, ``qr``, ``pinverse``, ``matrix_power``, ``norm``, ``trace``).
The ``ember.linalg`` namespace (ember/linalg.py) builds the rest from these.

Every op takes batches ``(..., m, n)``. Backward formulas (real case; complex uses ^H):

* inv:      X = A^-1,        gA = -X^T g X^T
* det:      d = det A,       gA = g d A^-T
* slogdet:  l = log|det A|,  gA = g A^-T
* solve:    X = A^-1 B,      gB = A^-T g,  gA = -gB X^T
* cholesky, qr, svd, eigh: the standard formulas, written out in each backward (as torch's
  FunctionsManual.cpp), assuming distinct singular values / eigenvalues.

>>> import ember
>>> A = ember.tensor([[2., 1.], [1., 3.]], requires_grad=True)
>>> ember.det(A).backward(); A.grad
tensor([[ 3., -1.],
        [-1.,  2.]])
"""
from __future__ import annotations

import math
import numpy as np

from .._autocast import autocast_policy
from .. import dtypes as _dt
from ..tensor import Tensor, wrap
from ._common import method, Op, wrap_dim
from .reduction import _namedtuple, return_types
from .joining import cat

__all__ = ["inverse", "det", "slogdet", "logdet", "cholesky", "qr", "svd", "matrix_power", "trace",
           "renorm"]


class LinAlgError(RuntimeError):
    """A matrix that the factorization cannot handle (singular, not positive-definite); torch's
    ``torch.linalg.LinAlgError`` (a RuntimeError)."""


svd_old = _namedtuple("svd", ("U", "S", "V"))  # torch.svd's (U, S, V), unlike linalg.svd's Vh


# ---------------------------------------------------------------- checks
def check_matrix(A: Tensor, fname: str, square: bool = True) -> None:
    """torch's input checks: at least 2-d, floating or complex, (square)."""
    d = A._data
    if d.ndim < 2:
        raise RuntimeError(f"{fname}: The input tensor A must have at least 2 dimensions.")
    if d.dtype.kind not in "fc":
        raise RuntimeError(f"{fname}: Expected a floating point or complex tensor as input. Got "
                           f"{_dt.scalar_type_name(_dt.from_numpy_dtype(d.dtype))}")
    if square and d.shape[-1] != d.shape[-2]:
        raise RuntimeError(f"{fname}: A must be batches of square matrices, but they are "
                           f"{d.shape[-2]} by {d.shape[-1]} matrices")


def _zero_pivot(a: np.ndarray) -> int:
    """1-based index of the first zero pivot of LU with partial pivoting (LAPACK getrf's info), or 0."""
    a = np.array(a, dtype=np.complex128 if a.dtype.kind == "c" else np.float64)
    n = a.shape[0]
    for k in range(n):
        p = k + int(np.argmax(np.abs(a[k:, k])))
        if a[p, k] == 0:
            return k + 1
        a[[k, p]] = a[[p, k]]
        a[k + 1:, k:] -= np.outer(a[k + 1:, k] / a[k, k], a[k, k:])
    return 0


def raise_singular(d: np.ndarray, fname: str) -> None:
    """torch's error for the first singular matrix of a batch."""
    flat = d.reshape((-1,) + d.shape[-2:])
    for i, m in enumerate(flat):
        k = _zero_pivot(m)
        if k:
            prefix = f"(Batch element {i}): " if d.ndim > 2 else ""
            raise LinAlgError(f"{fname}: {prefix}The diagonal element {k} is zero, the inversion could not "
                              "be completed because the input matrix is singular.")
    raise LinAlgError(f"{fname}: The input matrix is singular.")


def _eye(n: int, like: Tensor) -> Tensor:
    return wrap(np.eye(n, dtype=like._data.dtype))


def _mh(x: Tensor) -> Tensor:
    return x.mH if x.is_complex() else x.mT


def _tril(x: Tensor, k: int = 0) -> Tensor:
    n, m = x._data.shape[-2:]
    return x * wrap(np.tri(n, m, k, dtype=np.bool_))


# ---------------------------------------------------------------- inverse, determinants, solve
class Inv(Op):
    save_output = True

    @staticmethod
    def forward(ctx, A):
        try:
            return np.linalg.inv(A._data)
        except np.linalg.LinAlgError:
            raise_singular(A._data, "linalg.inv")

    @staticmethod
    def backward(ctx, g):
        Xh = _mh(ctx.output)
        return -(Xh @ g @ Xh)


class Det(Op):
    """det A; gA = g det(A) A^-T (the inverse is taken in backward, so A must be invertible there)."""

    save_output = True

    @staticmethod
    def forward(ctx, A):
        ctx.save_for_backward(A)
        return np.asarray(np.linalg.det(A._data))

    @staticmethod
    def backward(ctx, g):
        (A,) = ctx.saved_tensors
        d = ctx.output
        if A.is_complex():
            d = d.conj()
        return (g * d).unsqueeze(-1).unsqueeze(-1) * _mh(Inv.apply(A))


class Slogdet(Op):
    """(sign, log|det A|); gA = g_logabsdet A^-T (real A: sign is locally constant)."""

    @staticmethod
    def forward(ctx, A):
        ctx.save_for_backward(A)
        sign, logabs = np.linalg.slogdet(A._data)
        return np.asarray(sign), np.asarray(logabs)  # sign's gradient is zero for real A (as torch)

    @staticmethod
    def backward(ctx, g_sign, g_logabs):
        (A,) = ctx.saved_tensors
        return g_logabs.unsqueeze(-1).unsqueeze(-1) * _mh(Inv.apply(A))


class Solve(Op):
    """X = A^-1 B for B of shape (..., n, k) with matching batch dims (the wrapper broadcasts)."""

    save_output = True

    @staticmethod
    def forward(ctx, A, B):
        ctx.save_for_backward(A)
        try:
            return np.linalg.solve(A._data, B._data)
        except np.linalg.LinAlgError:
            raise LinAlgError("torch.linalg.solve: The solver failed because the input matrix is singular.")

    @staticmethod
    def backward(ctx, g):
        (A,) = ctx.saved_tensors
        gB = Solve.apply(_mh(A), g)
        gA = -(gB @ _mh(ctx.output)) if ctx.needs_input_grad[0] else None
        return gA, gB


def solve_matrix(A: Tensor, B: Tensor) -> Tensor:
    """A^-1 B with the batch dims of A and B broadcast (B is (..., n, k))."""
    batch = np.broadcast_shapes(A.shape[:-2], B.shape[:-2])
    if tuple(A.shape[:-2]) != batch:
        A = A.expand(batch + tuple(A.shape[-2:]))
    if tuple(B.shape[:-2]) != batch:
        B = B.expand(batch + tuple(B.shape[-2:]))
    return Solve.apply(A, B)


# ---------------------------------------------------------------- factorizations
def _not_pd_order(d: np.ndarray) -> tuple:
    """(batch index, order) of the first leading minor that is not positive-definite."""
    flat = d.reshape((-1,) + d.shape[-2:])
    for i, m in enumerate(flat):
        for k in range(1, m.shape[0] + 1):
            try:
                np.linalg.cholesky(m[:k, :k])
            except np.linalg.LinAlgError:
                return i, k
    return 0, d.shape[-1]


class Cholesky(Op):
    """A = L L^H (lower); gA = L^-H Phi L^-1 with Phi = (P + tril(P, -1)^H) / 2, P = tril(L^H gL)."""

    save_output = True

    @staticmethod
    def forward(ctx, A):
        try:
            return np.linalg.cholesky(A._data)
        except np.linalg.LinAlgError:
            i, k = _not_pd_order(A._data)
            prefix = f"(Batch element {i}): " if A._data.ndim > 2 else ""
            raise LinAlgError(f"linalg.cholesky: {prefix}The factorization could not be completed because the "
                              f"input is not positive-definite (the leading minor of order {k} is not "
                              "positive-definite).") from None

    @staticmethod
    def backward(ctx, g):
        L = ctx.output
        P = _tril(_mh(L) @ g)
        P = 0.5 * (P + _mh(_tril(P, -1)))
        left = solve_matrix(_mh(L), P)  # L^-H P
        return _mh(solve_matrix(_mh(L), _mh(left)))  # (L^-H left^H)^H = left L^-1


class QR(Op):
    """A = Q R; for m >= n (reduced): gA = (gQ + Q copyltu(M)) R^-H with M = R gR^H - gQ^H Q."""

    @staticmethod
    def forward(ctx, A, mode):
        q, r = np.linalg.qr(A._data, mode="complete" if mode == "complete" else "reduced")
        ctx.save_for_backward(A)
        ctx.mode, ctx.arrays = mode, (q, r)
        return q, r

    @staticmethod
    def backward(ctx, gQ, gR):
        Q, R = ctx.outputs(*ctx.arrays)
        m, n = Q.shape[-2], R.shape[-1]
        if ctx.mode == "complete" and m > n:
            raise RuntimeError("The QR decomposition is not differentiable when mode='complete' and "
                               "nrows > ncols.")
        if m >= n:
            return _qr_square_backward(gQ, gR, Q, R), None
        # A = [X | Y] with X = Q R1 square: Y = Q R2 adds to gQ, and gY = Q gR2
        R1, gR1, gR2 = R[..., :m], gR[..., :m], gR[..., m:]
        (A,) = ctx.saved_tensors
        gX = _qr_square_backward(gQ + A[..., m:] @ _mh(gR2), gR1, Q, R1)

        return cat([gX, Q @ gR2], -1), None


def _qr_square_backward(gQ, gR, Q, R):
    M = R @ _mh(gR) - _mh(gQ) @ Q
    M = _tril(M) + _mh(_tril(M, -1))  # copy the lower triangle to the upper
    b = gQ + Q @ M  # gA = b R^-H, i.e. solve R gA^H = b^H
    return _mh(solve_matrix(R, _mh(b)))


class SVD(Op):
    """A = U diag(S) Vh; torch's svd_backward (distinct singular values; full_matrices narrows)."""

    @staticmethod
    def forward(ctx, A, full_matrices):
        u, s, vh = np.linalg.svd(A._data, full_matrices=full_matrices)
        ctx.arrays = (u, s, vh)
        return u, s, vh

    @staticmethod
    def backward(ctx, gU, gS, gVh):
        U, S, Vh = ctx.outputs(*ctx.arrays)
        k = S.shape[-1]
        U, gU, Vh, gVh = U[..., :k], gU[..., :k], Vh[..., :k, :], gVh[..., :k, :]
        return svd_backward(gU, gS, gVh, U, S, Vh), None


def svd_backward(gU, gS, gVh, U, S, Vh):
    """torch's formula: gA = U [(skew(U^H gU) S + S skew(Vh gVh^H)) / E + diag(gS)] Vh (+ the
    projections for non-square A), E_ij = S_j^2 - S_i^2 (1 on the diagonal)."""
    m, n = U.shape[-2], Vh.shape[-1]
    k = S.shape[-1]
    UhgU = U.mT @ gU
    VhgV = Vh @ gVh.mT
    UhgU, VhgV = UhgU - UhgU.mT, VhgV - VhgV.mT
    S2 = S * S
    E = S2.unsqueeze(-2) - S2.unsqueeze(-1) + _eye(k, S)
    gA = (UhgU * S.unsqueeze(-2) + S.unsqueeze(-1) * VhgV) / E + gS.unsqueeze(-1) * _eye(k, S)
    if m > n:
        gUSinv = gU / S.unsqueeze(-2)
        gA = U @ gA + gUSinv - U @ (U.mT @ gUSinv)
        return gA @ Vh
    if m < n:
        SinvgVh = gVh / S.unsqueeze(-1)
        gA = gA @ Vh + SinvgVh - (SinvgVh @ Vh.mT) @ Vh
        return U @ gA
    return U @ gA @ Vh


class Eigh(Op):
    """A = V diag(L) V^H; gA = V (skew(V^H gV) / 2 / E + diag(gL)) V^H, E_ij = L_j - L_i."""

    @staticmethod
    def forward(ctx, A, uplo):
        w, v = np.linalg.eigh(A._data, UPLO=uplo)
        ctx.arrays = (w, v)
        return w, v

    @staticmethod
    def backward(ctx, gL, gV):
        L, V = ctx.outputs(*ctx.arrays)
        n = L.shape[-1]
        VhgV = _mh(V) @ gV
        VhgV = 0.5 * (VhgV - _mh(VhgV))
        E = L.unsqueeze(-2) - L.unsqueeze(-1) + _eye(n, L)
        inner = VhgV / E * wrap(1 - np.eye(n, dtype=np.bool_)) + gL.unsqueeze(-1) * _eye(n, L)
        return V @ inner @ _mh(V), None


# ---------------------------------------------------------------- top-level torch forms
@method
def inverse(input: Tensor) -> Tensor:
    """A^-1 (torch.inverse, same as ember.linalg.inv); gA = -A^-T g A^-T."""
    check_matrix(input, "linalg.inv")
    return Inv.apply(input)


@method
def det(input: Tensor) -> Tensor:
    """Determinant of (..., n, n) matrices; gA = g det(A) A^-T."""
    check_matrix(input, "linalg.det")
    return Det.apply(input)


@method
def slogdet(input: Tensor):
    """(sign, log|det A|) as a named tuple; stable where det under/overflows."""
    check_matrix(input, "linalg.slogdet")
    return return_types.slogdet(*Slogdet.apply(input))


@method
def logdet(input: Tensor) -> Tensor:
    """log det A: nan where det < 0, -inf where det = 0."""
    check_matrix(input, "logdet")
    sign, logabs = Slogdet.apply(input)
    if input.is_complex():
        return logabs + sign.log()
    return logabs.masked_fill(wrap(sign._data < 0), float("nan"))


@method
def cholesky(input: Tensor, upper: bool = False) -> Tensor:
    """torch.cholesky: L with A = L L^H (or U = L^H with ``upper=True``)."""
    check_matrix(input, "linalg.cholesky")
    L = Cholesky.apply(input)
    return _mh(L) if upper else L


@method
def qr(input: Tensor, some: bool = True):
    """torch.qr: (Q, R), reduced when ``some`` else complete."""
    check_matrix(input, "linalg.qr", square=False)
    return return_types.qr(*QR.apply(input, "reduced" if some else "complete"))


@method
def svd(input: Tensor, some: bool = True, compute_uv: bool = True):
    """torch.svd: (U, S, V) with A = U diag(S) V^H (V, not Vh); ``some`` gives the reduced factors."""
    check_matrix(input, "linalg.svd", square=False)
    U, S, Vh = SVD.apply(input, not some)
    if not compute_uv:
        z = np.zeros(U.shape, U._data.dtype), np.zeros(Vh.shape, Vh._data.dtype)
        return svd_old(wrap(z[0]), S, wrap(z[1]).mT)
    return svd_old(U, S, _mh(Vh))


@method
def matrix_power(input: Tensor, n: int) -> Tensor:
    """A^n by repeated squaring (n < 0 inverts first; n = 0 gives the identity)."""
    check_matrix(input, "linalg.matrix_power")
    if n == 0:
        eye = wrap(np.broadcast_to(np.eye(input.shape[-1], dtype=input._data.dtype), input.shape).copy())
        return eye + input * 0 if input.requires_grad else eye  # torch's identity carries a zero gradient
    if n < 0:
        input, n = inverse(input), -n
    result, base = None, input
    while n:
        if n & 1:
            result = base if result is None else result @ base
        n >>= 1
        if n:
            base = base @ base
    return result


@method
@autocast_policy("fp32")
def trace(input: Tensor) -> Tensor:
    """Sum of the main diagonal of a 2-d tensor."""
    if input._data.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input._data.ndim}")
    return input.diagonal().sum()


@method
def renorm(input: Tensor, p: float, dim: int, maxnorm: float) -> Tensor:
    """Scale each slice along ``dim`` whose p-norm exceeds ``maxnorm`` down to norm maxnorm:
    x_i * maxnorm / (||x_i||_p + 1e-7).

    >>> ember.renorm(ember.tensor([[3., 4.], [0.3, 0.4]]), 2, 0, 1.)
    tensor([[0.6000, 0.8000],
            [0.3000, 0.4000]])
    """
    if p <= 0:
        raise RuntimeError(f"renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
    dim = wrap_dim(dim, input.ndim)
    others = tuple(i for i in range(input.ndim) if i != dim)
    a = input.abs()
    norm = a.amax(others, keepdim=True) if p == math.inf else (a ** p).sum(others, keepdim=True) ** (1.0 / p)
    factor = (maxnorm / (norm + 1e-7)).masked_fill(norm <= maxnorm, 1.0)
    return input * factor
