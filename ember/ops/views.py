"""Views: ops whose output shares the input's memory (``is_view = True``), with torch's rules: the views
that keep every element (view/reshape, permute/transpose, expand, squeeze/unsqueeze, flatten), the complex
parts (real, imag, conj) and the copies that go with them (clone, contiguous). The views that pick a part of the storage
(slices, narrow, select, as_strided, diagonal, unfold) are in ``strided.py``.

The backward of a view is the inverse view: reshape goes with reshape, permute with the inverse
permute, expand with a sum.

>>> import ember
>>> a = ember.arange(6.)
>>> b = a.view(2, 3)
>>> b[0, 1] = 10.
>>> a
tensor([ 0., 10.,  2.,  3.,  4.,  5.])
>>> b.t().untyped_storage().data_ptr() == a.untyped_storage().data_ptr()
True
"""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor
from ..layout import contiguous_format
from ._common import method, Op, shape_arg, wrap_dim
from .convert import to_channels_last
from .creation import empty_preserving

__all__ = ["reshape", "permute", "transpose", "swapaxes", "swapdims", "t", "adjoint", "movedim", "moveaxis",
           "broadcast_to", "squeeze", "unsqueeze", "flatten", "ravel", "unflatten", "clone", "conj", "real", "imag"]

def infer_shape(shape: tuple, numel: int) -> tuple:
    """Resolve one -1 in ``shape`` and check the element count, with torch's messages."""
    neg = [i for i, s in enumerate(shape) if s == -1]
    if len(neg) > 1:
        raise RuntimeError("only one dimension can be inferred")
    for s in shape:
        if s < -1:
            raise RuntimeError(f"invalid shape dimension {s}")
    known = 1
    for s in shape:
        if s != -1:
            known *= s
    if neg:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape = tuple(numel // known if s == -1 else s for s in shape)
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


_RESHAPE_NOCOPY = np.lib.NumpyVersion(np.__version__) >= "2.1.0"  # ndarray.reshape(copy=False)


def _view_array(d, shape):
    """Reshape without copying, or None when the strides cannot express the new shape. (NumPy 2's
    ``v.shape = shape`` copies the data before it raises: 50 us for a 1 MB array that ``reshape`` must copy
    anyway, against 0.6 us for ``reshape(copy=False)``.)"""
    if d.flags.c_contiguous:
        return d.reshape(shape)
    if _RESHAPE_NOCOPY:
        try:
            return d.reshape(shape, copy=False)
        except ValueError:
            return None
    try:
        v = d.view()
        v.shape = shape  # NumPy < 2.1 raises when a copy would be needed
        return v
    except (AttributeError, ValueError):
        return None


class View(Op):
    is_view = True

    @staticmethod
    def forward(ctx, x, shape):
        d = x._data
        shape = infer_shape(shape, d.size)
        out = _view_array(d, shape)
        if out is None:
            raise RuntimeError("view size is not compatible with input tensor's size and stride (at least "
                               "one dimension spans across two contiguous subspaces). Use .reshape(...) "
                               "instead.")
        ctx.shape = d.shape
        return out

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.shape)


class UnsafeView(Op):
    """reshape that had to copy (the strides could not express the new shape)."""

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x._data.shape
        return np.ascontiguousarray(x._data).reshape(shape)

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.shape)


@method
def view(input, *size):
    """The same memory seen with another shape; raises when the strides cannot express it."""
    if len(size) == 1 and not isinstance(size[0], (int, tuple, list, np.integer, Tensor)):
        return input.view_as_dtype(size[0])
    return View.apply(input, shape_arg(size))


@method
def reshape(input, *shape):
    """A view when the strides allow it, otherwise a copy."""
    shape = infer_shape(shape_arg(shape), input._data.size)
    if tuple(input._data.shape) == shape and input._grad_fn is None and not input._requires_grad:
        return View.apply(input, shape)
    if _view_array(input._data, shape) is not None:
        return View.apply(input, shape)
    return UnsafeView.apply(input, shape)


@method
def view_as(input, other):
    return view(input, tuple(other.shape))


@method
def reshape_as(input, other):
    return reshape(input, tuple(other.shape))


class Permute(Op):
    is_view = True

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return x._data.transpose(dims)

    @staticmethod
    def backward(ctx, g):
        return g.permute(tuple(np.argsort(ctx.dims)))


@method
def permute(input, *dims):
    nd = input._data.ndim
    dims = shape_arg(dims)
    if len(dims) != nd:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not match "
                           f"the length of the desired ordering of dimensions i.e. input.dim() = {nd} is "
                           f"not equal to len(dims) = {len(dims)}")
    dims = tuple(wrap_dim(d, nd) for d in dims)
    if len(set(dims)) != nd:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return Permute.apply(input, dims)


class Transpose(Op):
    is_view = True

    @staticmethod
    def forward(ctx, x, d0, d1):
        ctx.d = (d0, d1)
        return np.swapaxes(x._data, d0, d1)

    @staticmethod
    def backward(ctx, g):
        return g.transpose(*ctx.d)


@method(names=("swapdims",))
def transpose(input, dim0: int, dim1: int):
    nd = input._data.ndim
    if nd == 0:
        return View.apply(input, ())
    return Transpose.apply(input, wrap_dim(dim0, nd), wrap_dim(dim1, nd))


swapdims = transpose


@method
def swapaxes(input, axis0: int, axis1: int):
    """NumPy's name for :func:`transpose`, with NumPy's parameter names as in torch."""
    return transpose(input, axis0, axis1)


class T(Op):
    is_view = True

    @staticmethod
    def forward(ctx, x):
        return x._data.T

    @staticmethod
    def backward(ctx, g):
        return g.t()


@method
def t(input):
    """Transpose a tensor of at most 2 dimensions."""
    if input._data.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {input._data.ndim}D")
    return T.apply(input)


@method
def adjoint(input):
    return transpose(input, -2, -1).conj()


def _mT(self):
    if self._data.ndim == 0:  # torch: a 0-d tensor is its own transpose (a view)
        return self.view(())
    if self._data.ndim < 2:
        raise RuntimeError("tensor.mT is only supported on matrices or batches of matrices. Got 1-D tensor.")
    return transpose(self, -2, -1)


def _T(self):
    return permute(self, *reversed(range(self._data.ndim))) if self._data.ndim > 1 else self


@method
def movedim(input, source, destination):
    nd = input._data.ndim
    src = [wrap_dim(s, nd) for s in ((source,) if isinstance(source, int) else source)]
    dst = [wrap_dim(s, nd) for s in ((destination,) if isinstance(destination, int) else destination)]
    order = [d for d in range(nd) if d not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return permute(input, *order)


moveaxis = movedim
METHODS_ALIAS = {"moveaxis": movedim}


class Expand(Op):
    is_view = True

    @staticmethod
    def forward(ctx, x, shape):
        d = x._data
        ctx.shape = d.shape
        return np.broadcast_to(d, shape)

    @staticmethod
    def backward(ctx, g):
        return g.sum_to_size(ctx.shape)


@method
def expand(input, *size):
    """A zero-stride view that repeats size-1 dims; -1 keeps a size. No memory is copied."""
    sizes = shape_arg(size)
    d = input._data
    if len(sizes) < d.ndim:
        raise RuntimeError(f"expand(torch.FloatTensor{{{list(d.shape)}}}, size={list(sizes)}): the number of "
                           "sizes provided ({}) must be greater or equal to the number of dimensions in the "
                           "tensor ({})".format(len(sizes), d.ndim))
    lead = len(sizes) - d.ndim
    shape = []
    for i, s in enumerate(sizes):
        if i < lead:
            if s < 0:
                raise RuntimeError(f"The expanded size of the tensor ({s}) isn't allowed in a leading, "
                                   "non-existing dimension 0")
            shape.append(s)
            continue
        cur = d.shape[i - lead]
        if s == -1:
            s = cur
        elif cur != 1 and s != cur:
            raise RuntimeError(f"The expanded size of the tensor ({s}) must match the existing size ({cur}) at "
                               f"non-singleton dimension {i}.  Target sizes: {list(sizes)}.  Tensor sizes: "
                               f"{list(d.shape)}")
        shape.append(s)
    shape = tuple(shape)
    if shape == d.shape:
        return View.apply(input, shape)
    return Expand.apply(input, shape)


@method
def expand_as(input, other):
    return expand(input, tuple(other.shape))


def broadcast_to(input, size):
    return expand(input, tuple(size))


class Squeeze(Op):
    is_view = True

    @staticmethod
    def forward(ctx, x, dims):
        ctx.shape = x._data.shape
        return x._data.squeeze(dims) if dims else x._data.reshape(x._data.shape)

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.shape)


@method
def squeeze(input, dim=None):
    """Drop size-1 dimensions (all, or the given ones that have size 1)."""
    d = input._data
    if dim is None:
        dims = tuple(i for i, s in enumerate(d.shape) if s == 1)
    else:
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        dims = tuple(wrap_dim(i, d.ndim) for i in dims) if d.ndim else ()
        dims = tuple(i for i in dims if d.shape[i] == 1)
    out = Squeeze.apply(input, dims)
    if dim is not None and out._grad_fn is not None:
        out._grad_fn.rename("SqueezeBackward1" if isinstance(dim, int) else "SqueezeBackward2")
    return out


class Unsqueeze(Op):
    is_view = True

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        return np.expand_dims(x._data, dim)

    @staticmethod
    def backward(ctx, g):
        return g.squeeze(ctx.dim)


@method
def unsqueeze(input, dim: int):
    """Insert a size-1 dimension at ``dim``."""
    nd = input._data.ndim + 1
    if not -nd <= dim < nd:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-nd}, {nd - 1}], but got {dim})")
    return Unsqueeze.apply(input, dim % nd)


@method
def flatten(input, start_dim: int = 0, end_dim: int = -1):
    d = input._data
    if d.ndim == 0:
        return reshape(input, 1)
    s, e = wrap_dim(start_dim, d.ndim), wrap_dim(end_dim, d.ndim)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    n = 1
    for k in d.shape[s:e + 1]:
        n *= k
    return reshape(input, d.shape[:s] + (n,) + d.shape[e + 1:])


@method
def ravel(input):
    return reshape(input, -1)


@method
def unflatten(input, dim: int, sizes):
    d = input._data
    dim = wrap_dim(dim, d.ndim)
    sizes = infer_shape(tuple(sizes), d.shape[dim])
    return view(input, d.shape[:dim] + sizes + d.shape[dim + 1:]) if _view_array(
        d, d.shape[:dim] + sizes + d.shape[dim + 1:]) is not None else reshape(input, d.shape[:dim] + sizes + d.shape[dim + 1:])


class Clone(Op):
    @staticmethod
    def forward(ctx, x, memory_format=None):
        d = x._data
        if memory_format is None and d.flags.c_contiguous:
            return np.array(d, copy=True, order="C")

        out = empty_preserving(d, None, memory_format)
        np.copyto(out, d)
        return out

    @staticmethod
    def backward(ctx, g):
        return g


@method
def clone(input, *, memory_format=None):
    """A copy with its own memory, laid out as ``memory_format`` says (by default torch's
    ``preserve_format``: the input's strides when it is dense and non-overlapping, else C order); the
    gradient passes through."""
    if memory_format is not None and getattr(memory_format, "name", "") == "channels_last":

        return to_channels_last(Clone.apply(input))
    return Clone.apply(input, memory_format)


@method
def contiguous(input, memory_format=None):
    if memory_format is not None and getattr(memory_format, "name", "") == "channels_last":
        if input.is_contiguous(memory_format=memory_format):
            return input
        return clone(input, memory_format=memory_format)
    if input._data.flags.c_contiguous:
        return input

    return Clone.apply(input, contiguous_format)


class Real(Op):
    is_view = True

    @staticmethod
    def forward(ctx, x):
        return x._data.real

    @staticmethod
    def backward(ctx, g):
        return g


class Imag(Op):
    is_view = True

    @staticmethod
    def forward(ctx, x):
        if x._data.dtype.kind != "c":
            raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
        return x._data.imag

    @staticmethod
    def backward(ctx, g):
        return g * 1j


class Conj(Op):
    @staticmethod
    def forward(ctx, x):
        return np.conj(x._data) if x._data.dtype.kind == "c" else x._data

    @staticmethod
    def backward(ctx, g):
        return g.conj()


@method
def conj(input):
    return Conj.apply(input) if input.is_complex() else input


def real(input):
    return Real.apply(input) if input.is_complex() else input


def imag(input):
    return Imag.apply(input)


PROPERTIES = {"T": _T, "mT": _mT, "H": lambda s: _T(s).conj(), "mH": lambda s: _mT(s).conj(),
              "real": real, "imag": imag}
