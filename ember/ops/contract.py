"""Matrix products: matmul (with batch broadcasting), mm, bmm, mv, dot, addmm, outer, baddbmm, addmv.

For C = A B the gradients are dA = g B^T and dB = A^T g; the engine sums broadcast batch dims back.

>>> import ember
>>> a, b = ember.ones(128, 20), ember.ones(30, 40)
>>> try:
...     a @ b
... except RuntimeError as e:
...     print(e)
mat1 and mat2 shapes cannot be multiplied (128x20 and 30x40)
"""
from __future__ import annotations

import math
import numpy as np

from .. import dtypes as _dt
from .._autocast import autocast_policy
from ..backends import kernels
from ..tensor import Tensor, wrap
from ._common import (in_float32, is_low_precision, matmul_rows, method, Op, rows as _rows, type_name, wrap_dim,
                      write_out)

__all__ = ["matmul", "mm", "bmm", "mv", "dot", "vdot", "outer", "ger", "addmm", "addmv", "baddbmm", "addbmm",
           "addr", "einsum", "tensordot", "kron", "inner", "cdist", "dist"]


def _same_dtype(a: Tensor, b: Tensor, op: str = "m1 and m2") -> None:
    if a._data.dtype != b._data.dtype:
        da, db = _dt.from_numpy_dtype(a._data.dtype), _dt.from_numpy_dtype(b._data.dtype)
        raise RuntimeError(f"expected {op} to have the same dtype, but got: {_c(da)} != {_c(db)}")


def _c(d) -> str:
    return {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int",
            "int32": "int", "bfloat16": "c10::BFloat16"}.get(d.name, d.name)


class MatMul(Op):
    """np.matmul semantics: 1-d operands are promoted and the added dims dropped; batches broadcast.
    Gradients: dA = g B^T, dB = A^T g (summed over broadcast batch dims), written with matmul itself (its
    own backward op, as torch's mm): for a (..., k) @ (k, n) product each is one GEMM over all rows."""

    broadcasting = True

    @staticmethod
    def forward(ctx, a, b):
        x, y = a._data, b._data
        ctx.save_for_backward(a, b)
        if ctx.next is not None:
            ctx.rename(_MATMUL_NODES.get((min(x.ndim, 3), min(y.ndim, 3)), "MatMulBackward0"))
        if x.ndim > 2 and y.ndim == 2:  # one GEMM over all leading dims (NumPy would loop one per batch entry)
            return matmul_rows(x, y)
        if x.ndim == 2 and y.ndim == 2:
            return kernels.gemm(x, y)
        return np.asarray(np.matmul(x, y))

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        if a.ndim >= 2 and b.ndim == 2 and not b.is_complex():  # (..., k) @ (k, n): the backward ops, one GEMM each
            return (MatMulGradA.apply(g, b) if need[0] else None,
                    MatMulGradB.apply(a, g) if need[1] else None)
        a2 = a.unsqueeze(0) if a.ndim == 1 else a
        b2 = b.unsqueeze(-1) if b.ndim == 1 else b
        if a.ndim == 1 or b.ndim == 1:  # back to the 2-d product's shape
            batch = np.broadcast_shapes(a2.shape[:-2], b2.shape[:-2])
            g = g.reshape(tuple(batch) + (a2.shape[-2], b2.shape[-1]))
        ga = gb = None
        if need[0]:
            ga = matmul(g, _mt(b2))
            if a.ndim == 1:
                ga = ga.squeeze(-2)
        if need[1]:
            gb = matmul(_mt(a2), g)
            if b.ndim == 1:
                gb = gb.squeeze(-1)
        return ga, gb


class MatMulGradA(Op):
    """The backward op of a real (..., k) @ (k, n) product for its first factor (torch's mm_mat1_backward):
    dA = g B^T, one GEMM over all leading dims on raw arrays. Its gradients: d/dg = gg B, d/dB = gg^T g (rows)."""

    node_name = "MmBackward0"

    @staticmethod
    def forward(ctx, g, b):
        ctx.save_for_backward(g, b)
        gd = g._data
        return matmul_rows(gd, b._data.T) if gd.ndim > 2 else kernels.gemm(gd, b._data.T)

    @staticmethod
    def backward(ctx, gg):
        g, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (matmul(gg, b) if need[0] else None,
                matmul(_rows(gg).mT, _rows(g)) if need[1] else None)


class MatMulGradB(Op):
    """The backward op of a real (..., k) @ (k, n) product for its second factor (torch's mm_mat2_backward):
    dB = A^T g with the leading dims as rows, one GEMM on raw arrays. Its gradients: d/dA = g gg^T, d/dg = A gg."""

    node_name = "MmBackward0"

    @staticmethod
    def forward(ctx, a, g):
        ctx.save_for_backward(a, g)
        return kernels.gemm(_rows(a._data).T, _rows(g._data))

    @staticmethod
    def backward(ctx, gg):
        a, g = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (matmul(g, gg.mT) if need[0] else None,
                matmul(a, gg) if need[1] else None)


def _mt(t: Tensor) -> Tensor:
    """The (conjugate) transpose of the last two dims: torch's gradients are conjugate Wirtinger."""
    return t.mH if t.is_complex() else t.mT


# torch's node for a matmul of these ranks (3 stands for 3 or more): the last op of its decomposition
_MATMUL_NODES = {(2, 2): "MmBackward0", (1, 1): "DotBackward0", (2, 1): "MvBackward0", (1, 2): "SqueezeBackward4",
                 (3, 2): "UnsafeViewBackward0", (3, 3): "BmmBackward0", (3, 1): "ViewBackward0"}


def _check_matmul(a: Tensor, b: Tensor) -> None:
    x, y = a._data, b._data
    if x.ndim == 0 or y.ndim == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {x.ndim}D and {y.ndim}D")
    k1 = x.shape[-1]
    k2 = y.shape[0] if y.ndim == 1 else y.shape[-2]
    if k1 != k2:
        if x.ndim <= 2 and y.ndim <= 2:
            if x.ndim == 1 and y.ndim == 1:
                raise RuntimeError(f"inconsistent tensor size, expected tensor [{k1}] and src [{k2}] to have the "
                                   f"same number of elements, but got {k1} and {k2} elements respectively")
            if y.ndim == 1:
                raise RuntimeError(f"size mismatch, got input ({x.shape[0]}), mat ({x.shape[0]}x{k1}), vec ({k2})")
            sa = "x".join(map(str, x.shape if x.ndim == 2 else (1,) + x.shape))
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({sa} and {y.shape[0]}x{y.shape[1]})")
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{x.shape[0] if x.ndim == 3 else 1}, {k1}] but got: "
                           f"[{y.shape[0] if y.ndim == 3 else 1}, {k2}].")
    ba, bb = x.shape[:-2], y.shape[:-2]  # the batch dims broadcast, with torch's error (NumPy's is a ValueError)
    for i, (p, q) in enumerate(zip(reversed(ba), reversed(bb))):
        if p != q and p != 1 and q != 1:
            raise RuntimeError(f"The size of tensor a ({p}) must match the size of tensor b ({q}) at non-singleton "
                               f"dimension {max(len(ba), len(bb)) - 1 - i}")


def _takes_bmm(a: Tensor, b: Tensor, has_out: bool) -> bool:
    """Whether torch's matmul computes a @ b with bmm (its ``should_fold`` says no): both operands of 3 or more
    dims, or a matrix with a batch that is not folded into one matrix product."""
    if a.ndim >= 3 and b.ndim >= 3:
        if a.ndim == 3 and b.ndim == 3 and a.shape[0] != b.shape[0]:
            # torch squeezes a batch of one that requires grad and multiplies again: then the squeezed matrix,
            # which requires grad, makes the other operand fold
            return not (a.shape[0] == 1 and a.requires_grad or b.shape[0] == 1 and b.requires_grad)
        return True
    if a.ndim <= 2 and b.ndim <= 2:
        return False
    small = b if a.ndim >= b.ndim else a
    if small.requires_grad and not has_out:
        return False
    if a.ndim == 2:
        return True
    t1 = b.mT if b.ndim > a.ndim else a  # the larger operand, as a (..., m, k) stack; it folds when empty
    if t1.numel() == 0:
        return False
    shape, strides = t1.shape, t1.stride()  # it folds when its batch dims merge into rows without a copy
    return any(strides[i] != strides[i + 1] * shape[i + 1] for i in range(len(shape) - 2))


def _unchecked_dtypes(a: Tensor, b: Tensor, has_out: bool) -> bool:
    """torch's bmm checks no dtypes when there is nothing to multiply (an empty result or an empty contraction);
    its result then has the second operand's dtype."""
    if not _takes_bmm(a, b, has_out):
        return False
    k = a.shape[-1]
    batch = np.broadcast_shapes(tuple(a.shape[:-2]), tuple(b.shape[:-2]))
    rows = a.shape[-2] if a.ndim >= 2 else 1
    cols = b.shape[-1] if b.ndim >= 2 else 1
    return k == 0 or math.prod(batch) * rows * cols == 0


@method
@autocast_policy("lower")
def matmul(input, other, *, out=None):
    """Matrix product with NumPy/torch broadcasting rules (``@``)."""
    _check_matmul(input, other)
    if input._data.dtype != other._data.dtype:
        if not _unchecked_dtypes(input, other, out is not None):
            if _takes_bmm(input, other, out is not None):
                raise RuntimeError(f"expected scalar type {type_name(input._data.dtype)} but found "
                                   f"{type_name(other._data.dtype)}")
            _same_dtype(input, other)
        input = input.to(other.dtype)  # nothing to multiply: torch's bmm gives the second operand's dtype
    res = in_float32(MatMul.apply, input, other) if is_low_precision(input) else MatMul.apply(input, other)
    return write_out(res, out)


@method
@autocast_policy("lower")
def mm(input, mat2, *, out=None):
    """(n, m) @ (m, p) -> (n, p)."""
    if input.ndim != 2:
        raise RuntimeError(f"self must be a matrix")
    if mat2.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    return matmul(input, mat2, out=out)


@method
@autocast_policy("lower")
def bmm(input, mat2, *, out=None):
    """(b, n, m) @ (b, m, p) -> (b, n, p)."""
    if input.ndim != 3:
        raise RuntimeError(f"batch1 must be a 3D tensor")
    if mat2.ndim != 3:
        raise RuntimeError(f"batch2 must be a 3D tensor")
    if input.shape[0] != mat2.shape[0] or input.shape[2] != mat2.shape[1]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{input.shape[0]}, {input.shape[2]}] but got: [{mat2.shape[0]}, {mat2.shape[1]}].")
    return matmul(input, mat2, out=out)


@method
def mv(input, vec):
    """(n, m) @ (m,) -> (n,)."""
    if input.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {input.ndim}, {vec.ndim}")
    return matmul(input, vec)


@method
def dot(input, tensor):
    """Inner product of two 1-d tensors."""
    if input.ndim != 1 or tensor.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.ndim}D and {tensor.ndim}D tensors")
    return matmul(input, tensor)




@method
def vdot(input, other):
    return dot(input.conj(), other)


@method
def outer(input, vec2):
    """out[i, j] = a[i] b[j]."""
    return input.reshape(-1, 1) * vec2.reshape(1, -1)


ger = outer


@method
@autocast_policy("lower")
def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * (mat1 @ mat2)."""
    if mat1.ndim != 2 or mat2.ndim != 2:
        raise RuntimeError("mat1 must be a matrix, got " + f"{mat1.ndim}-D tensor")
    p = mm(mat1, mat2)
    p = p if alpha == 1 else p * alpha
    res = p + (input if beta == 1 else input * beta) if beta != 0 else p
    if res._grad_fn is not None:
        res._grad_fn.rename("AddmmBackward0")  # torch's node for the fused op
    return write_out(res, out)


@method
def addmv(input, mat, vec, *, beta=1, alpha=1):
    p = mv(mat, vec)
    return (input * beta if beta != 1 else input) + (p * alpha if alpha != 1 else p)


@method
@autocast_policy("lower")
def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    p = bmm(batch1, batch2)
    return (input * beta if beta != 1 else input) + (p * alpha if alpha != 1 else p)


@method
@autocast_policy("lower")
def addbmm(input, batch1, batch2, *, beta=1, alpha=1):
    p = bmm(batch1, batch2).sum(0)
    return (input * beta if beta != 1 else input) + (p * alpha if alpha != 1 else p)


@method
def addr(input, vec1, vec2, *, beta=1, alpha=1):
    p = outer(vec1, vec2)
    return (input * beta if beta != 1 else input) + (p * alpha if alpha != 1 else p)


# --------------------------------------------------------------------------- contractions
_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _parse_einsum(equation: str, shapes: list) -> tuple:
    """Explicit subscripts (ellipsis spelled out with spare letters) and the output subscripts."""
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(shapes):
        raise RuntimeError(f"einsum(): more operands were provided than specified in the equation"
                           if len(shapes) > len(terms) else
                           "einsum(): fewer operands were provided than specified in the equation")
    used = set(c for c in eq if c.isalpha())
    spare = [c for c in _LETTERS if c not in used]
    n_ell = 0
    for t, s in zip(terms, shapes):
        if "..." in t:
            n_ell = max(n_ell, len(s) - (len(t) - 3))
    ell = "".join(spare[:n_ell])
    subs = []
    for t, s in zip(terms, shapes):
        if "..." in t:
            k = len(s) - (len(t) - 3)
            t = t.replace("...", ell[n_ell - k:] if k else "")
        if len(t) != len(s):
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(t)}) does not match "
                               f"the number of dimensions ({len(s)}) for operand {len(subs)}"
                               + ("" if "..." in eq else " and no ellipsis was given"))
        subs.append(t)
    if arrow:
        out = rhs.replace("...", ell)
    else:  # implicit output: the ellipsis dims, then letters seen once, sorted
        letters = "".join(subs)
        out = ell + "".join(sorted(c for c in set(letters) if letters.count(c) == 1 and c not in ell))
    return subs, out


class Einsum(Op):
    """out = einsum(subs -> out, *xs); the gradient of operand k is einsum of g and the other operands
    into operand k's subscripts (dims only in operand k are broadcast back; a repeated subscript, a
    diagonal, is rebuilt with identity matrices). Operands are broadcast to a common size per letter
    first, and the engine sums each gradient back to its input's shape."""

    broadcasting = True

    @staticmethod
    def forward(ctx, subs, out_sub, *xs):
        sizes: dict = {}
        for k, (s, x) in enumerate(zip(subs, xs)):
            for c, n in zip(s, x._data.shape):
                if sizes.get(c, 1) != 1 and n != 1 and n != sizes[c]:
                    raise RuntimeError(f"einsum(): subscript {c} has size {n} for operand {k} which does not "
                                       f"broadcast with previously seen size {sizes[c]}")
                if n != 1 or c not in sizes:
                    sizes[c] = n
        arrays = [np.broadcast_to(x._data, tuple(sizes[c] for c in s)) for s, x in zip(subs, xs)]
        ctx.subs, ctx.out_sub, ctx.sizes = subs, out_sub, sizes
        ctx.save_for_backward(*xs)
        return np.asarray(np.einsum(",".join(subs) + "->" + out_sub, *arrays, optimize=len(xs) > 2))

    @staticmethod
    def backward(ctx, g):
        xs = ctx.saved_tensors
        grads = []
        for k, s in enumerate(ctx.subs):
            if not ctx.needs_input_grad[2 + k]:
                grads.append(None)
                continue
            grads.append(_einsum_grad(g, ctx, xs, k, s))
        return (None, None) + tuple(grads)


def _einsum_grad(g: Tensor, ctx, xs, k: int, s: str) -> Tensor:
    others = [(sub, x) for j, (sub, x) in enumerate(zip(ctx.subs, xs)) if j != k]
    present = set(ctx.out_sub) | set("".join(sub for sub, _ in others))
    target, eyes, seen = "", [], {}
    spare = iter(c for c in _LETTERS if c not in set("".join(ctx.subs) + ctx.out_sub))
    for c in s:  # a repeated letter becomes a new one tied to the first by an identity matrix
        if c in seen:
            new = next(spare)
            eyes.append(c + new)
            target += new
        else:
            seen[c] = True
            target += c
    kept = "".join(c for c in dict.fromkeys(s) if c in present)
    operands = [g] + [x.expand(tuple(ctx.sizes[c] for c in sub)) for sub, x in others]
    eye_ts = [wrap(np.eye(ctx.sizes[p[0]], dtype=g._data.dtype)) for p in eyes]
    eq = ",".join([ctx.out_sub] + [sub for sub, _ in others]) + "->" + kept
    part = einsum(eq, *operands)
    full = "".join(c for c in dict.fromkeys(s))
    if kept != full:  # letters summed only inside operand k: broadcast g over them
        shape = tuple(ctx.sizes[c] if c in kept else 1 for c in full)
        part = einsum(kept + "->" + "".join(c for c in full if c in kept), part)
        part = part.reshape(tuple(ctx.sizes[c] if c in kept else 1 for c in full))
        part = part.expand(tuple(ctx.sizes[c] for c in full)) if shape else part
    if eyes:
        return einsum(",".join([full] + eyes) + "->" + target, part, *eye_ts)
    return part


@autocast_policy("lower")
def einsum(equation: str, *operands) -> Tensor:
    """Sum of products over the subscripts in ``equation`` ('ij,jk->ik'); supports '...' and an implicit
    output (letters used once, sorted). Also accepts the operands as one list.

    >>> a = ember.ones(2, 3)
    >>> ember.einsum("ij,kj->ik", a, a)
    tensor([[3., 3.],
            [3., 3.]])
    """
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    dts = {x._data.dtype for x in operands}
    if len(dts) > 1:
        a, b = [type_name(x._data.dtype) for x in operands[:2]]
        raise RuntimeError(f"expected scalar type {a} but found {b}")
    subs, out_sub = _parse_einsum(equation, [x._data.shape for x in operands])
    if operands and is_low_precision(operands[0]):  # np.einsum has no bfloat16 loop and a slow float16 one
        return in_float32(lambda *ops: Einsum.apply(tuple(subs), out_sub, *ops), *operands)
    return Einsum.apply(tuple(subs), out_sub, *operands)


@autocast_policy("lower")
def tensordot(a: Tensor, b: Tensor, dims=2, out=None) -> Tensor:
    """Contract the last ``dims`` dims of a with the first of b, or the listed pairs ``dims=([..], [..])``.

    >>> ember.tensordot(ember.ones(2, 3), ember.ones(3, 4), dims=1).shape
    ember.Size([2, 4])
    """
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        da, db = list(range(a.ndim - dims, a.ndim)), list(range(dims))
    else:
        da, db = list(dims[0]), list(dims[1])
        da, db = ([da] if isinstance(da, int) else da), ([db] if isinstance(db, int) else db)
    da, db = [wrap_dim(d, a.ndim) for d in da], [wrap_dim(d, b.ndim) for d in db]
    for i, j in zip(da, db):
        if a.shape[i] != b.shape[j]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size {a.shape[i]} in dim {i} "
                               f"and second has size {b.shape[j]} in dim {j}")
    free_a = [d for d in range(a.ndim) if d not in da]
    free_b = [d for d in range(b.ndim) if d not in db]
    k = int(np.prod([a.shape[d] for d in da], dtype=np.int64))
    am = a.permute(*(free_a + da)).reshape(-1, k)
    bm = b.permute(*(db + free_b)).reshape(k, -1)
    res = (am @ bm).reshape(tuple(a.shape[d] for d in free_a) + tuple(b.shape[d] for d in free_b))
    return write_out(res, out)


@method
def kron(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """Kronecker product: block (i, j) is input[i, j] * other.

    >>> ember.kron(ember.tensor([1, 2]), ember.tensor([1, 10]))
    tensor([ 1, 10,  2, 20])
    """
    nd = max(input.ndim, other.ndim)
    a = input.reshape((1,) * (nd - input.ndim) + tuple(input.shape))
    b = other.reshape((1,) * (nd - other.ndim) + tuple(other.shape))
    a_shape, b_shape = [], []
    for i in range(nd):
        a_shape += [a.shape[i], 1]
        b_shape += [1, b.shape[i]]
    res = a.reshape(tuple(a_shape)) * b.reshape(tuple(b_shape))
    return write_out(res.reshape(tuple(a.shape[i] * b.shape[i] for i in range(nd))), out)


@method
def inner(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """Sum over the last dims: out[i.., j..] = sum_k a[i.., k] b[j.., k] (a product for 0-d inputs).

    >>> ember.inner(ember.tensor([1, 2]), ember.tensor([3, 4]))
    tensor(11)
    """
    if input.ndim == 0 or other.ndim == 0:
        return write_out(input * other, out)
    if input.shape[-1] != other.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but got shapes "
                           f"{list(input.shape)} and {list(other.shape)}")
    return tensordot(input, other, ([-1], [-1]), out=out)


# --------------------------------------------------------------------------- distances
def _pnorm(diff: Tensor, p: float, dim) -> Tensor:
    """(sum |d|^p)^(1/p) over ``dim`` with a zero-safe gradient at d = 0 (torch's)."""
    a = diff.abs()
    if p == 0:
        return (a != 0).to(diff.dtype).sum(dim)
    if p == math.inf:
        return a.amax(dim)
    if p == 1:
        return a.sum(dim)
    s = (a ** p).sum(dim)
    pos = s > 0
    return s.masked_fill(~pos, 1) ** (1.0 / p) * pos


@autocast_policy("fp32")
def cdist(x1: Tensor, x2: Tensor, p: float = 2.0, compute_mode: str = "use_mm_for_euclid_dist_if_necessary") -> Tensor:
    """Pairwise p-norm distances: out[..., i, j] = ||x1[..., i, :] - x2[..., j, :]||_p.

    >>> ember.cdist(ember.tensor([[0., 0.]]), ember.tensor([[3., 4.]]))
    tensor([[5.]])
    """
    if x1.ndim < 2 or x2.ndim < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X{1 if x1.ndim < 2 else 2} got: {min(x1.ndim, x2.ndim)}D")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {x1.shape[-1]} X2: {x2.shape[-1]}")
    if p < 0:
        raise RuntimeError(f"cdist only supports non-negative p values")
    if x1._data.dtype.kind != "f":
        raise RuntimeError(f"cdist only supports floating-point dtypes, X1 got: {type_name(x1._data.dtype)}")
    return _pnorm(x1.unsqueeze(-2) - x2.unsqueeze(-3), p, -1)


@method
def dist(input: Tensor, other: Tensor, p: float = 2) -> Tensor:
    """||input - other||_p over all elements (broadcasting).

    >>> ember.dist(ember.tensor([0., 0.]), ember.tensor([3., 4.]))
    tensor(5.)
    """
    return _pnorm((input - other).reshape(-1), p, 0)
