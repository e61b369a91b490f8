"""``deform_conv2d`` (Deformable ConvNets v1, Dai et al. 2017; v2 with ``mask``, Zhu et al. 2019) with
torchvision's signature, composed from ember ops so that input, offset, weight, mask and bias all get
gradients.

For output position p and kernel tap k (row-major over kh x kw), the input is sampled bilinearly at
``p * stride - padding + k * dilation + (dy, dx)`` (``offset[:, 2 (g K + k)]`` is dy, the next channel dx,
for offset group g), multiplied by ``mask[:, g K + k]`` when given, and the samples form the columns of an
ordinary convolution. A sample beyond (-1, H) x (-1, W) is 0; corners outside the image count as 0.

>>> import ember
>>> from ember.vision.ops import deform_conv2d
>>> x, w = ember.randn(1, 2, 5, 5), ember.randn(3, 2, 3, 3)
>>> off = ember.zeros(1, 18, 3, 3)  # no offsets: an ordinary convolution
>>> bool(ember.allclose(deform_conv2d(x, off, w), ember.nn.functional.conv2d(x, w), atol=1e-5))
True
"""
from __future__ import annotations

import numpy as np

import ember
from ember.tensor import Tensor


def _pair(v) -> tuple:
    return (int(v), int(v)) if isinstance(v, (int, np.integer)) else (int(v[0]), int(v[1]))


def _check(input: Tensor, offset: Tensor, weight: Tensor, mask, out_hw: tuple, k: int) -> int:
    n, c = input.shape[:2]
    if input.ndim != 4 or weight.ndim != 4 or offset.ndim != 4:
        raise RuntimeError(f"deform_conv2d: input, weight and offset should be 4-d, got {list(input.shape)}, "
                           f"{list(weight.shape)}, {list(offset.shape)}")
    if offset.shape[1] % (2 * k) != 0:
        raise RuntimeError(f"deform_conv2d: offset channels should be a multiple of 2 * kh * kw = {2 * k}, got "
                           f"{offset.shape[1]}")
    groups_off = offset.shape[1] // (2 * k)
    if c % groups_off != 0:
        raise RuntimeError(f"deform_conv2d: input channels ({c}) should be divisible by the offset groups "
                           f"({groups_off})")
    if tuple(offset.shape[2:]) != out_hw or offset.shape[0] != n:
        raise RuntimeError(f"deform_conv2d: offset should have shape [{n}, {offset.shape[1]}, {out_hw[0]}, "
                           f"{out_hw[1]}] for this input and kernel, got {list(offset.shape)}")
    if mask is not None and (mask.shape[1] != groups_off * k or tuple(mask.shape[2:]) != out_hw):
        raise RuntimeError(f"deform_conv2d: mask should have shape [{n}, {groups_off * k}, {out_hw[0]}, "
                           f"{out_hw[1]}], got {list(mask.shape)}")
    return groups_off


def _sample_columns(input: Tensor, offset: Tensor, mask, kernel: tuple, stride: tuple, padding: tuple,
                    dilation: tuple, out_hw: tuple, groups_off: int) -> Tensor:
    """(N, C * kh * kw, Ho * Wo) bilinear samples at the deformed taps (times the mask)."""
    n, c, h, w = input.shape
    kh, kw = kernel
    k, (ho, wo) = kh * kw, out_hw
    ki, kj = np.divmod(np.arange(k), kw)
    oy, ox = np.divmod(np.arange(ho * wo), wo)
    base_y = (oy[None] * stride[0] - padding[0] + ki[:, None] * dilation[0]).astype(np.float64)  # (K, L)
    base_x = (ox[None] * stride[1] - padding[1] + kj[:, None] * dilation[1]).astype(np.float64)
    off = offset.reshape(n, groups_off, k, 2, ho * wo)
    y = off[:, :, :, 0] + ember.from_numpy(base_y.astype(input._data.dtype))  # (N, G, K, L)
    x = off[:, :, :, 1] + ember.from_numpy(base_x.astype(input._data.dtype))
    yd, xd = y.detach().numpy(), x.detach().numpy()
    inside = (yd > -1) & (yd < h) & (xd > -1) & (xd < w)
    y0, x0 = np.floor(yd), np.floor(xd)
    ly, lx = y - ember.from_numpy(y0.astype(yd.dtype)), x - ember.from_numpy(x0.astype(xd.dtype))
    flat = input.reshape(n, groups_off, c // groups_off, h * w)
    total = 0
    for dy, wy in ((0, 1 - ly), (1, ly)):
        for dx, wx in ((0, 1 - lx), (1, lx)):
            yi, xi = y0.astype(np.int64) + dy, x0.astype(np.int64) + dx
            ok = inside & (yi >= 0) & (yi < h) & (xi >= 0) & (xi < w)
            idx = np.where(ok, np.clip(yi, 0, h - 1) * w + np.clip(xi, 0, w - 1), 0).reshape(n, groups_off, 1, -1)
            idx = ember.from_numpy(np.ascontiguousarray(np.broadcast_to(idx, (n, groups_off, c // groups_off,
                                                                                idx.shape[-1]))))
            vals = ember.gather(flat, 3, idx).reshape(n, groups_off, c // groups_off, k, ho * wo)
            weight = (wy * wx * ember.from_numpy(ok.astype(yd.dtype))).unsqueeze(2)
            total = total + vals * weight
    if mask is not None:
        total = total * mask.reshape(n, groups_off, 1, k, ho * wo)
    return total.reshape(n, c * k, ho * wo)


def deform_conv2d(input: Tensor, offset: Tensor, weight: Tensor, bias: Tensor | None = None, stride=(1, 1),
                  padding=(0, 0), dilation=(1, 1), mask: Tensor | None = None) -> Tensor:
    """Deformable 2-d convolution: input (N, C, H, W), offset (N, 2 G kh kw, Ho, Wo), weight
    (O, C / groups, kh, kw), optional mask (N, G kh kw, Ho, Wo) -> (N, O, Ho, Wo). The weight groups
    (``groups = C / weight.shape[1]``) and offset groups G are read from the shapes, as in torchvision."""
    stride, padding, dilation = _pair(stride), _pair(padding), _pair(dilation)
    n, c, h, w = input.shape
    o, cg, kh, kw = weight.shape
    ho = (h + 2 * padding[0] - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    wo = (w + 2 * padding[1] - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    groups_off = _check(input, offset, weight, mask, (ho, wo), kh * kw)
    if c % cg != 0 or o % (c // cg) != 0:
        raise RuntimeError(f"deform_conv2d: weight {list(weight.shape)} does not fit input channels {c}: "
                           "C must be a multiple of weight.shape[1] and O of the number of groups")
    groups = c // cg
    cols = _sample_columns(input, offset, mask, (kh, kw), stride, padding, dilation, (ho, wo), groups_off)
    cols = cols.reshape(n, groups, cg * kh * kw, ho * wo)
    wmat = weight.reshape(groups, o // groups, cg * kh * kw)
    out = ember.matmul(wmat.unsqueeze(0), cols).reshape(n, o, ho, wo)
    if bias is not None:
        out = out + bias.reshape(1, o, 1, 1)
    return out
