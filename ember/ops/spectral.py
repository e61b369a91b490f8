"""Spectral ops: the FFT primitives behind ``ember.fft``, complex helpers (angle, view_as_real,
view_as_complex), window functions, and ``stft`` / ``istft``.

Gradients use torch's conjugate-Wirtinger convention. The adjoint of a DFT is the opposite-direction
DFT with the dual scaling (norm 'backward' <-> 'forward', 'ortho' <-> 'ortho'):

* c2c (fft/ifft):  gx = adjoint(g)                      (real part when x is real)
* r2c (rfft):      gx = real(adjoint(g zero-padded to the full length))
* c2r (irfft):     gx = rfft_adjoint(g), with bins 1 .. n - n//2 - 1 doubled (Hermitian symmetry)

Results keep torch's dtypes: float32 in, complex64 out.
"""
from __future__ import annotations

import warnings

import numpy as np

from .._autocast import autocast_policy
from .. import dtypes as _dt
from ..tensor import Tensor, wrap
from ._common import Op, method

__all__ = ["angle", "view_as_real", "view_as_complex", "hann_window", "hamming_window", "blackman_window",
           "bartlett_window", "kaiser_window", "stft", "istft"]

_DUAL = {"backward": "forward", "forward": "backward", "ortho": "ortho"}


def _complex_dtype(d: np.dtype) -> np.dtype:
    """torch's complex result dtype: complex64 for float32/complex64 (and ints: the default), else complex128."""
    if d.kind == "c":
        return d
    if d.kind == "f":
        return np.dtype(np.complex128 if d.itemsize >= 8 else np.complex64)
    return np.dtype(_dt.default_complex().np)


def _real_dtype(d: np.dtype) -> np.dtype:
    return np.dtype(np.float64 if d in (np.complex128, np.float64) else np.float32)


class Resize(Op):
    """Zero-pad or trim ``dims`` to ``sizes`` (fft's ``n``/``s``); the adjoint resizes back."""

    @staticmethod
    def forward(ctx, x, dims, sizes):
        a = x._data
        ctx.dims, ctx.sizes = dims, tuple(a.shape[d] for d in dims)
        out = a[tuple(slice(0, sizes[dims.index(i)]) if i in dims else slice(None) for i in range(a.ndim))]
        pad = [(0, max(0, sizes[dims.index(i)] - a.shape[i]) if i in dims else 0) for i in range(a.ndim)]
        return np.pad(out, pad) if any(p[1] for p in pad) else out.copy()

    @staticmethod
    def backward(ctx, g):
        return Resize.apply(g, ctx.dims, ctx.sizes)


def _resize(x: Tensor, dims: tuple, sizes: tuple) -> Tensor:
    if all(x.shape[d] == s for d, s in zip(dims, sizes)):
        return x
    return Resize.apply(x, dims, sizes)


class C2C(Op):
    """Complex DFT over ``dims`` (forward: fftn, else ifftn) with numpy's/torch's ``norm``."""

    @staticmethod
    def forward(ctx, x, dims, norm, forward):
        a = x._data
        ctx.args, ctx.real_in = (dims, norm, forward), a.dtype.kind != "c"
        f = np.fft.fftn if forward else np.fft.ifftn
        return f(a, axes=dims, norm=norm).astype(_complex_dtype(a.dtype), copy=False)

    @staticmethod
    def backward(ctx, g):
        dims, norm, forward = ctx.args
        gx = C2C.apply(g, dims, _DUAL[norm], not forward)
        return gx.real if ctx.real_in else gx


class R2C(Op):
    """One-sided real DFT (rfftn): the last of ``dims`` keeps n//2 + 1 bins."""

    @staticmethod
    def forward(ctx, x, dims, norm):
        a = x._data
        ctx.args, ctx.n = (dims, norm), a.shape[dims[-1]]
        return np.fft.rfftn(a, axes=dims, norm=norm).astype(_complex_dtype(a.dtype), copy=False)

    @staticmethod
    def backward(ctx, g):
        dims, norm = ctx.args
        full = _resize(g, (dims[-1],), (ctx.n,))
        return C2C.apply(full, dims, _DUAL[norm], False).real


class C2R(Op):
    """Inverse of the one-sided DFT (irfftn) to a real signal of length ``n`` in the last of ``dims``;
    the input's last dim is already n//2 + 1."""

    @staticmethod
    def forward(ctx, x, dims, norm, n):
        a = x._data
        ctx.args = (dims, norm)
        s = tuple(a.shape[d] for d in dims[:-1]) + (n,)
        return np.fft.irfftn(a, s=s, axes=dims, norm=norm).astype(_real_dtype(a.dtype), copy=False)

    @staticmethod
    def backward(ctx, g):
        dims, norm = ctx.args
        gx = R2C.apply(g, dims, _DUAL[norm])
        n, half = g.shape[dims[-1]], gx.shape[dims[-1]]
        double = n - half  # bins whose mirror image falls outside the one-sided range
        if double > 0:
            scale = np.ones(half, dtype=_real_dtype(gx._data.dtype))
            scale[1:1 + double] = 2
            shape = [1] * gx.ndim
            shape[dims[-1]] = half
            gx = gx * wrap(scale.reshape(shape))
        return gx


# ---------------------------------------------------------------- complex helpers
class Angle(Op):
    """arg(z) = atan2(imag, real) (0 or pi for real x); gz = g z / |z|^2 i (0 at z = 0), 0 for real x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        a = x._data
        if a.dtype.kind != "c":
            a = a if a.dtype.kind == "f" else a.astype(_dt.get_default_dtype().np)
            return np.where(np.isnan(a), a, np.where(a < 0, np.pi, 0)).astype(a.dtype)
        return np.angle(a)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        if not x.is_complex():
            return g * 0
        a2 = (x * x.conj()).real
        zero = a2 == 0
        return (g * x / a2.masked_fill(zero, 1) * 1j).masked_fill(zero, 0)


@method
def angle(input: Tensor) -> Tensor:
    """The argument of each element in radians (torch.angle)."""
    return Angle.apply(input)


class _Interface:
    """An object exposing ``__array_interface__``: a view with another dtype on the same memory."""

    def __init__(self, iface: dict, base: np.ndarray) -> None:
        self.__array_interface__ = iface
        self.base = base


class ViewAsReal(Op):
    is_view = True

    @staticmethod
    def forward(ctx, x):
        a = x._data
        return np.lib.stride_tricks.as_strided(a.real, a.shape + (2,), a.strides + (a.itemsize // 2,))

    @staticmethod
    def backward(ctx, g):
        return view_as_complex(g.contiguous())


class ViewAsComplex(Op):
    is_view = True

    @staticmethod
    def forward(ctx, x):
        a = x._data
        cdt = np.dtype(np.complex128 if a.dtype == np.float64 else np.complex64)
        iface = dict(a.__array_interface__)
        iface.update(typestr=cdt.str, descr=[("", cdt.str)], shape=a.shape[:-1], strides=a.strides[:-1])
        return np.asarray(_Interface(iface, a))

    @staticmethod
    def backward(ctx, g):
        return view_as_real(g)


def view_as_real(input: Tensor) -> Tensor:
    """A complex tensor's memory seen as real (..., 2) pairs (real, imag)."""
    if not input.is_complex():
        raise RuntimeError("view_as_real is only supported for complex tensors")
    return ViewAsReal.apply(input)


def view_as_complex(input: Tensor) -> Tensor:
    """A float (..., 2) tensor's memory seen as complex numbers."""
    a = input._data
    if a.dtype not in (np.float32, np.float64):
        raise RuntimeError(f"view_as_complex is only supported for float and double tensors, but got a tensor "
                           f"of scalar type: {_dt.scalar_type_name(input.dtype)}")
    if a.ndim == 0 or a.shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    if a.strides[-1] != a.itemsize:
        raise RuntimeError("Tensor must have a last dimension with stride 1")
    if any(s % (2 * a.itemsize) for s, n in zip(a.strides[:-1], a.shape[:-1]) if n > 1):
        raise RuntimeError("Tensor must have a stride divisible by 2 for all but last dimension")
    return ViewAsComplex.apply(input)


# ---------------------------------------------------------------- windows
def _window(name, n: int, periodic: bool, dtype, requires_grad: bool, fn) -> Tensor:
    if n < 0:
        raise RuntimeError(f"{name} requires non-negative window length, got window_length={n}")
    d = _dt.to_dtype(dtype).np if dtype is not None else _dt.get_default_dtype().np
    if np.dtype(d).kind != "f":
        raise RuntimeError(f"{name} expects floating point dtypes, got: {_dt.scalar_type_name(dtype)}")
    if n <= 1:
        w = np.ones(n)
    else:
        m = n + 1 if periodic else n
        w = fn(np.arange(m, dtype=np.float64), m)[:n]
    t = wrap(np.asarray(w, dtype=d))
    return t.requires_grad_(True) if requires_grad else t


def hann_window(window_length: int, periodic: bool = True, *, dtype=None, layout=None, device=None,
                requires_grad: bool = False) -> Tensor:
    """w[k] = 0.5 - 0.5 cos(2 pi k / (N - 1)); periodic computes N + 1 points and drops the last."""
    return _window("hann_window", window_length, periodic, dtype, requires_grad,
                   lambda k, m: 0.5 - 0.5 * np.cos(2 * np.pi * k / (m - 1)))


def hamming_window(window_length: int, periodic: bool = True, alpha: float = 0.54, beta: float = 0.46, *,
                   dtype=None, layout=None, device=None, requires_grad: bool = False) -> Tensor:
    """w[k] = alpha - beta cos(2 pi k / (N - 1))."""
    return _window("hamming_window", window_length, periodic, dtype, requires_grad,
                   lambda k, m: alpha - beta * np.cos(2 * np.pi * k / (m - 1)))


def blackman_window(window_length: int, periodic: bool = True, *, dtype=None, layout=None, device=None,
                    requires_grad: bool = False) -> Tensor:
    """w[k] = 0.42 - 0.5 cos(2 pi k / (N - 1)) + 0.08 cos(4 pi k / (N - 1))."""
    return _window("blackman_window", window_length, periodic, dtype, requires_grad,
                   lambda k, m: 0.42 - 0.5 * np.cos(2 * np.pi * k / (m - 1)) + 0.08 * np.cos(4 * np.pi * k / (m - 1)))


def bartlett_window(window_length: int, periodic: bool = True, *, dtype=None, layout=None, device=None,
                    requires_grad: bool = False) -> Tensor:
    """The triangle w[k] = 1 - |2k / (N - 1) - 1|."""
    return _window("bartlett_window", window_length, periodic, dtype, requires_grad,
                   lambda k, m: 1 - np.abs(2 * k / (m - 1) - 1))


def kaiser_window(window_length: int, periodic: bool = True, beta: float = 12.0, *, dtype=None, layout=None,
                  device=None, requires_grad: bool = False) -> Tensor:
    """w[k] = I0(beta sqrt(1 - (2k / (N - 1) - 1)^2)) / I0(beta)."""
    return _window("kaiser_window", window_length, periodic, dtype, requires_grad,
                   lambda k, m: np.i0(beta * np.sqrt(np.clip(1 - (2 * k / (m - 1) - 1) ** 2, 0, None))) / np.i0(beta))


# ---------------------------------------------------------------- stft / istft
class OverlapAdd(Op):
    """Sum frames (..., n_frames, n_fft) into a signal of length n_fft + hop (n_frames - 1); the adjoint
    cuts the gradient back into frames."""

    @staticmethod
    def forward(ctx, frames, hop):
        f = frames._data
        t, n = f.shape[-2:]
        ctx.hop, ctx.n = hop, n
        out = np.zeros(f.shape[:-2] + (n + hop * (t - 1),), f.dtype)
        for k in range(n):
            out[..., k:k + hop * (t - 1) + 1:hop] += f[..., :, k]
        return out

    @staticmethod
    def backward(ctx, g):
        return g.unfold(-1, ctx.n, ctx.hop)


def _pad_signal(x: Tensor, pad: int, mode: str) -> Tensor:
    """Pad the last dim by ``pad`` on both sides ('reflect', 'constant', 'replicate', 'circular')."""
    n = x.shape[-1]
    if mode == "constant":
        return _resize(_resize(x.flip(-1), (x.ndim - 1,), (n + pad,)).flip(-1), (x.ndim - 1,), (n + 2 * pad,))
    if mode == "reflect":
        if pad >= n:
            raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding input dimension, "
                               f"but got: padding ({pad}, {pad}) at dimension {x.ndim - 1} of input {list(x.shape)}")
        idx = np.concatenate([np.arange(pad, 0, -1), np.arange(n), np.arange(n - 2, n - 2 - pad, -1)])
    elif mode == "replicate":
        idx = np.clip(np.arange(-pad, n + pad), 0, n - 1)
    elif mode == "circular":
        idx = np.arange(-pad, n + pad) % n
    else:
        raise RuntimeError(f"Unrecognised padding mode {mode}")
    return x[..., wrap(idx.astype(np.int64))]


def _full_window(window, win_length: int, n_fft: int, like: Tensor) -> Tensor:
    if window is None:
        window = wrap(np.ones(win_length, dtype=_real_dtype(like._data.dtype)))
    if window.ndim != 1 or window.shape[0] != win_length:
        raise RuntimeError(f"stft: expected a 1D window tensor of size equal to win_length={win_length}, but got "
                           f"window with size {list(window.shape)}")
    left = (n_fft - win_length) // 2
    if win_length < n_fft:
        window = _resize(_resize(window.flip(0), (0,), (win_length + left,)).flip(0), (0,), (n_fft,))
    return window


@method
@autocast_policy("fp32")
def stft(input: Tensor, n_fft: int, hop_length: int | None = None, win_length: int | None = None,
         window: Tensor | None = None, center: bool = True, pad_mode: str = "reflect", normalized: bool = False,
         onesided: bool | None = None, return_complex: bool | None = None) -> Tensor:
    """Short-time Fourier transform: X[f, t] = sum_k w[k] x[t hop + k] e^{-2 pi i f k / n_fft}.

    Shape: input (L) or (B, L) -> (n_fft // 2 + 1, n_frames) or (B, ...); n_frames = 1 + (L' - n_fft)
    // hop with L' = L + 2 (n_fft // 2) when ``center``. Differentiable in input and window.

    The magnitude ``abs()`` and phase ``angle()`` of the linear spectrum; squaring the magnitude gives
    the power spectral density:

    >>> import ember
    >>> t = ember.arange(1024) / 1024.0
    >>> x = (2 * 3.141592653589793 * 64 * t).sin()
    >>> spec = ember.stft(x, 256, window=ember.hann_window(256), return_complex=True)
    >>> psd = spec.abs() ** 2 / ember.hann_window(256).pow(2).sum()
    >>> spec.shape, int(psd.mean(-1).argmax())   # the 64 Hz tone lands in bin 64 * 256 / 1024
    (ember.Size([129, 17]), 16)
    >>> phase = spec.angle()
    """
    if not input.is_complex() and not return_complex:
        if return_complex is None:
            raise RuntimeError("stft requires the return_complex parameter be given for real inputs, and will "
                               "further require that return_complex=True in a future PyTorch release.")
        warnings.warn("stft with return_complex=False is deprecated. In a future pytorch release, stft will "
                      "return complex tensors for all inputs, and return_complex=False will raise an error.")
    if input.ndim not in (1, 2):
        raise RuntimeError(f"stft: expected a 1D or 2D tensor, but got {input.ndim}D")
    hop = n_fft // 4 if hop_length is None else hop_length
    win_length = n_fft if win_length is None else win_length
    x = input.unsqueeze(0) if input.ndim == 1 else input
    if center:
        x = _pad_signal(x, n_fft // 2, pad_mode)
    if not 0 < n_fft <= x.shape[-1]:
        raise RuntimeError(f"stft: expected 0 < n_fft < {x.shape[-1]}, but got n_fft={n_fft}")
    if hop <= 0:
        raise RuntimeError(f"stft: expected hop_length > 0, but got hop_length={hop}")
    if not 0 < win_length <= n_fft:
        raise RuntimeError(f"stft: expected 0 < win_length <= n_fft, but got win_length={win_length}")
    w = _full_window(window, win_length, n_fft, x)
    frames = x.unfold(-1, n_fft, hop) * w  # (B, n_frames, n_fft)
    norm = "ortho" if normalized else "backward"
    if onesided is None:
        onesided = not (x.is_complex() or w.is_complex())
    spec = R2C.apply(frames, (2,), norm) if onesided else C2C.apply(frames, (2,), norm, True)
    spec = spec.transpose(1, 2)
    if input.ndim == 1:
        spec = spec.squeeze(0)
    return spec if return_complex or return_complex is None else view_as_real(spec)


@method
def istft(input: Tensor, n_fft: int, hop_length: int | None = None, win_length: int | None = None,
          window: Tensor | None = None, center: bool = True, normalized: bool = False,
          onesided: bool | None = None, length: int | None = None, return_complex: bool = False) -> Tensor:
    """Inverse of stft by weighted overlap-add: y = sum_t w x_t / sum_t w^2 (the window must satisfy
    the non-zero overlap-add constraint)."""
    if not input.is_complex():
        raise RuntimeError("istft requires a complex-valued input tensor.")
    hop = n_fft // 4 if hop_length is None else hop_length
    win_length = n_fft if win_length is None else win_length
    spec = input.unsqueeze(0) if input.ndim == 2 else input
    if onesided is None:
        onesided = spec.shape[-2] != n_fft
    w = _full_window(window, win_length, n_fft, wrap(np.zeros(0, _real_dtype(input._data.dtype))))
    norm = "ortho" if normalized else "backward"
    frames = spec.transpose(1, 2)  # (B, n_frames, freq)
    if onesided:
        if frames.shape[-1] != n_fft // 2 + 1:
            raise RuntimeError(f"istft: expected the frequency dimension (3rd to the last) of the input tensor "
                               f"to match n_fft / 2 + 1 when onesided=True, but got {frames.shape[-1]}")
        frames = C2R.apply(frames, (2,), norm, n_fft)
    else:
        frames = C2C.apply(frames, (2,), norm, False)
        if not return_complex:
            frames = frames.real
    n_frames = frames.shape[-2]
    y = OverlapAdd.apply(frames * w, hop)
    env = OverlapAdd.apply((w * w).expand((1, n_frames, n_fft)), hop)
    start = n_fft // 2 if center else 0
    total = n_fft + hop * (n_frames - 1)
    end = start + length if length is not None else (total - n_fft // 2 if center else total)
    y, env = y[..., start:min(end, total)], env[..., start:min(end, total)]
    if env._data.size and np.abs(env._data).min() < 1e-11:
        raise RuntimeError("istft: window overlap add min: {:.4g} (non-zero overlap-add constraint failed)"
                           .format(float(np.abs(env._data).min())))
    y = y / env
    if end > total:
        y = _resize(y, (y.ndim - 1,), (end - start,))
    return y.squeeze(0) if input.ndim == 2 else y

