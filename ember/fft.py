"""``ember.fft``: torch.fft's discrete Fourier transforms over the Ops of ember/ops/spectral.py.

``norm`` is 'backward' (default: no scaling forward, 1/n inverse), 'ortho' (1/sqrt(n) both ways) or
'forward' (1/n forward). float32 input gives complex64, as torch. All are differentiable.

>>> import ember
>>> x = ember.tensor([1., 2., 3., 4.])
>>> ember.fft.fft(x)
tensor([10.+0.j, -2.+2.j, -2.+0.j, -2.-2.j])
>>> ember.fft.irfft(ember.fft.rfft(x), n=4)
tensor([1., 2., 3., 4.])
"""
from __future__ import annotations

import numpy as np

from . import dtypes as _dt
from .ops._common import norm_dims
from .ops.spectral import C2C, C2R, R2C, _resize
from .tensor import Tensor, wrap

__all__ = ["fft", "ifft", "rfft", "irfft", "fft2", "ifft2", "rfft2", "irfft2", "fftn", "ifftn", "rfftn",
           "irfftn", "fftfreq", "rfftfreq", "fftshift", "ifftshift", "dct", "idct"]


def _norm(norm) -> str:
    if norm is None:
        return "backward"
    if norm not in ("backward", "forward", "ortho"):
        raise RuntimeError(f'Invalid normalization mode: "{norm}"')
    return norm


def _float(x: Tensor) -> Tensor:
    return x if x._data.dtype.kind in "fc" else x.to(_dt.get_default_dtype())


def _plan(x: Tensor, s, dim, name: str):
    """(dims, sizes) of an n-d transform: ``dim`` defaults to the last len(s) dims (all when s is None)."""
    if dim is None:
        dims = tuple(range(x.ndim - len(s), x.ndim)) if s is not None else tuple(range(x.ndim))
    else:
        dim = (dim,) if isinstance(dim, int) else tuple(dim)
        dims = tuple(norm_dims(d, x.ndim)[0] for d in dim)
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"{name}: dims must be unique")
    if s is not None:
        s = tuple(s)
        if len(s) != len(dims):
            raise RuntimeError(f"When given, dim and shape arguments must have the same length")
    sizes = s if s is not None else tuple(x.shape[d] for d in dims)
    sizes = tuple(x.shape[d] if n == -1 else n for d, n in zip(dims, sizes))
    for n in sizes:
        if n < 1:
            raise RuntimeError(f"Invalid number of data points ({n}) specified")
    return dims, sizes


def _c2c(x, s, dim, norm, forward, name):
    x = _float(x)
    dims, sizes = _plan(x, s, dim, name)
    return C2C.apply(_resize(x, dims, sizes), dims, _norm(norm), forward)


def _r2c(x, s, dim, norm, name):
    if x.is_complex():
        raise RuntimeError(f"{name} expects a real input tensor, but got {_dt.scalar_type_name(x.dtype)}")
    x = _float(x)
    dims, sizes = _plan(x, s, dim, name)
    return R2C.apply(_resize(x, dims, sizes), dims, _norm(norm))


def _c2r(x, s, dim, norm, name):
    x = _float(x)
    dims, sizes = _plan(x, s, dim, name)
    if s is None or s[-1] == -1:
        sizes = sizes[:-1] + (2 * (x.shape[dims[-1]] - 1),)
    if sizes[-1] < 1:
        raise RuntimeError(f"Invalid number of data points ({sizes[-1]}) specified")
    if not x.is_complex():
        x = x.to(_dt.from_numpy_dtype(np.dtype(np.complex128 if x._data.dtype == np.float64 else np.complex64)))
    half = sizes[:-1] + (sizes[-1] // 2 + 1,)
    return C2R.apply(_resize(x, dims, half), dims, _norm(norm), sizes[-1])


def fft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:
    """1-d DFT X[k] = sum_j x[j] e^{-2 pi i jk/n}, zero-padded or trimmed to ``n``."""
    return _c2c(input, None if n is None else (n,), dim, norm, True, "fft")


def ifft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:
    """1-d inverse DFT (1/n scaling with the default norm)."""
    return _c2c(input, None if n is None else (n,), dim, norm, False, "ifft")


def rfft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:
    """DFT of a real signal: the n//2 + 1 non-negative frequencies."""
    return _r2c(input, None if n is None else (n,), dim, norm, "rfft")


def irfft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:
    """Inverse of rfft: a real signal of length ``n`` (default 2 (m - 1) for m input bins)."""
    return _c2r(input, None if n is None else (n,), dim, norm, "irfft")


def fft2(input: Tensor, s=None, dim=(-2, -1), norm: str | None = None) -> Tensor:
    return _c2c(input, s, dim, norm, True, "fft2")


def ifft2(input: Tensor, s=None, dim=(-2, -1), norm: str | None = None) -> Tensor:
    return _c2c(input, s, dim, norm, False, "ifft2")


def rfft2(input: Tensor, s=None, dim=(-2, -1), norm: str | None = None) -> Tensor:
    return _r2c(input, s, dim, norm, "rfft2")


def irfft2(input: Tensor, s=None, dim=(-2, -1), norm: str | None = None) -> Tensor:
    return _c2r(input, s, dim, norm, "irfft2")


def fftn(input: Tensor, s=None, dim=None, norm: str | None = None) -> Tensor:
    """n-d DFT over ``dim`` (default: the last len(s) dims, or all)."""
    return _c2c(input, s, dim, norm, True, "fftn")


def ifftn(input: Tensor, s=None, dim=None, norm: str | None = None) -> Tensor:
    return _c2c(input, s, dim, norm, False, "ifftn")


def rfftn(input: Tensor, s=None, dim=None, norm: str | None = None) -> Tensor:
    return _r2c(input, s, dim, norm, "rfftn")


def irfftn(input: Tensor, s=None, dim=None, norm: str | None = None) -> Tensor:
    return _c2r(input, s, dim, norm, "irfftn")


def _freq_tensor(values: np.ndarray, dtype, requires_grad: bool) -> Tensor:
    d = _dt.to_dtype(dtype).np if dtype is not None else _dt.get_default_dtype().np
    t = wrap(values.astype(d))
    return t.requires_grad_(True) if requires_grad else t


def fftfreq(n: int, d: float = 1.0, *, dtype=None, layout=None, device=None, requires_grad: bool = False) -> Tensor:
    """The sample frequencies [0, 1, ..., n/2 - 1, -n/2, ..., -1] / (d n) of fft's bins."""
    return _freq_tensor(np.fft.fftfreq(n, d), dtype, requires_grad)


def rfftfreq(n: int, d: float = 1.0, *, dtype=None, layout=None, device=None, requires_grad: bool = False) -> Tensor:
    """The sample frequencies [0, 1, ..., n/2] / (d n) of rfft's bins."""
    return _freq_tensor(np.fft.rfftfreq(n, d), dtype, requires_grad)


def _shift(x: Tensor, dim, sign: int) -> Tensor:
    dims = tuple(range(x.ndim)) if dim is None else ((dim,) if isinstance(dim, int) else tuple(dim))
    dims = tuple(norm_dims(d, x.ndim)[0] for d in dims)
    shifts = tuple(sign * (x.shape[d] // 2) if sign > 0 else -(x.shape[d] // 2) for d in dims)
    return x.roll(shifts, dims)


def fftshift(input: Tensor, dim=None) -> Tensor:
    """Move the zero frequency to the centre (roll by n // 2)."""
    return _shift(input, dim, 1)


def ifftshift(input: Tensor, dim=None) -> Tensor:
    """Undo fftshift (roll by -(n // 2))."""
    return _shift(input, dim, -1)


def _dct_matrix(n: int, type: int, ortho: bool, np_dtype) -> np.ndarray:
    """M with y = M @ x for the DCT of ``type`` (2 or 3) on n points (scipy's scaling)."""
    k = np.arange(n)[:, None]
    j = np.arange(n)[None, :]
    m2 = 2.0 * np.cos(np.pi * k * (2 * j + 1) / (2 * n))  # DCT-II: y_k = 2 sum_j x_j cos(pi k (2j+1) / 2n)
    if ortho:
        m2 = m2 * np.where(k == 0, np.sqrt(1.0 / (4 * n)), np.sqrt(1.0 / (2 * n)))
        return (m2 if type == 2 else m2.T).astype(np_dtype)
    if type == 2:
        return m2.astype(np_dtype)
    m3 = m2.T.copy()  # DCT-III: y_k = x_0 + 2 sum_{j>0} x_j cos(pi j (2k+1) / 2n)
    m3[:, 0] = 1.0
    return m3.astype(np_dtype)


def _dct(x: Tensor, type: int, n, dim: int, norm, inverse: bool, name: str) -> Tensor:
    if type not in (2, 3):
        raise NotImplementedError(f"{name}: type {type} is not implemented; ember has types 2 and 3")
    norm = _norm(norm)
    x = _float(x)
    if x.is_complex():
        raise RuntimeError(f"{name}: expected a real input, got {x.dtype}")
    d = norm_dims(dim, x.ndim)[0]
    size = x.shape[d] if n is None else n
    if size < 1:
        raise RuntimeError(f"{name}: invalid number of data points ({size}) specified")
    x = x.movedim(d, -1)
    x = _resize(x, (x.ndim - 1,), (size,))  # trim or zero-pad to n
    kind = 5 - type if inverse else type  # the inverse of a DCT-II is a scaled DCT-III and back
    m = _dct_matrix(size, kind, norm == "ortho", x._data.dtype)
    y = x @ wrap(m).mT
    scaled = (norm == "backward") if inverse else (norm == "forward")
    if scaled:
        y = y / (2 * size)
    return y.movedim(-1, d)


def dct(input: Tensor, type: int = 2, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:
    r"""Discrete cosine transform of ``type`` 2 or 3 along ``dim``, with scipy.fft.dct's scaling.

    DCT-II: :math:`y_k = 2 \sum_j x_j \cos(\pi k (2j + 1) / 2N)`; DCT-III:
    :math:`y_k = x_0 + 2 \sum_{j>0} x_j \cos(\pi j (2k + 1) / 2N)`. ``norm='ortho'`` makes the
    transform orthonormal; ``'forward'`` divides by :math:`2N`. ``n`` crops or zero-pads the input.
    Computed as a product with the cosine matrix, so it is differentiable and keeps the dtype.

    >>> import ember
    >>> ember.fft.dct(ember.tensor([1., 2., 4., 8.]))
    tensor([ 30.0000, -14.4650,   4.2426,  -1.6621])
    >>> x = ember.tensor([1., 2., 3., 4.])
    >>> bool((ember.fft.idct(ember.fft.dct(x, norm="ortho"), norm="ortho") - x).abs().max() < 1e-6)
    True
    """
    return _dct(input, type, n, dim, norm, False, "dct")


def idct(input: Tensor, type: int = 2, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:
    """Inverse of :func:`dct` (scipy.fft.idct): ``idct(dct(x, t, norm=m), t, norm=m) == x``."""
    return _dct(input, type, n, dim, norm, True, "idct")


from .ops.calling import bind_all  # noqa: E402 - after the definitions it binds

bind_all(globals(), without_out=("fftshift", "ifftshift", "dct", "idct"))  # torch.fft takes out= on all others
