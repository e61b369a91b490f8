"""3x3 stride-1 convolution by Winograd F(2x2, 3x3): the transforms are in ``ember.backends``
(``winograd_numpy`` has the math); here they are wired into the conv op's forward and backward.

forward:  U = wino_weight(W), V = wino_input(x), M[k] = U[k] @ V[k] (16 GEMMs), y = wino_output(M) + b
backward: dM = wino_output_grad(g); dW = wino_weight_grad(dM V^T); dx = wino_input_grad(U^T dM);
          db = sum of g over batch and space.
The GEMMs do 16 / 36 of im2col's multiplications; V is 4/9 the size of im2col's columns.
"""
from __future__ import annotations

import numpy as np

from ...autograd.function import SECOND_BACKWARD
from ...backends import kernels

_SAVE_V_BYTES = 96 << 20  # a larger transformed input is recomputed in backward rather than kept


def usable(xd: np.ndarray, wd: np.ndarray, stride: tuple, dilation: tuple, out: tuple) -> bool:
    """Winograd pays off for 3x3 stride-1 kernels once each of the 16 GEMMs is big enough to dominate the
    transforms (and to thread well: small ones run slower on two threads than on one). Measured on
    ResNet shapes: batch 64 takes it at every stage, batch 1 keeps im2col."""
    if wd.shape[2:] != (3, 3) or stride != (1, 1) or dilation != (1, 1):
        return False
    th, tw = kernels.tiles(*out)
    n, cin = xd.shape[:2]
    p = n * th * tw
    return p >= 64 and cin >= 16 and wd.shape[0] >= 16 and p * cin * wd.shape[0] >= (8 << 20)


def forward(ctx, xd, wd, b, pads, out, cl, record, need):
    n, cin = xd.shape[:2]
    cout = wd.shape[0]
    th, tw = kernels.tiles(*out)
    u = kernels.wino_weight(np.ascontiguousarray(wd))
    v = kernels.wino_input(xd, pads, th, tw, np.empty((16, cin, n * th * tw), dtype=xd.dtype))
    m = np.matmul(u, v)
    y = np.empty((n, out[0], out[1], cout), dtype=xd.dtype).transpose(0, 3, 1, 2) if cl else \
        np.empty((n, cout) + out, dtype=xd.dtype)
    kernels.wino_output(m, b._data if b is not None else None, y)
    if record:
        keep = need[1] and v.nbytes <= _SAVE_V_BYTES
        ctx.fast = "winograd"
        ctx.v = v if keep else None
        ctx.xd = xd if need[1] and not keep else None
        ctx.u = u if need[0] else None
        ctx.geom = (xd.shape, out, pads, cl, xd.dtype)
    return y


def backward(ctx, gd, need):
    xshape, out, pads, cl, dtype = ctx.geom
    th, tw = kernels.tiles(*out)
    cout = gd.shape[1]
    dm = kernels.wino_output_grad(gd, th, tw, np.empty((16, cout, xshape[0] * th * tw), dtype=gd.dtype))
    gx = gw = gb = None
    if need[1]:
        v = ctx.v
        if v is None and ctx.xd is None:
            raise RuntimeError(SECOND_BACKWARD)
        if v is None:
            v = kernels.wino_input(ctx.xd, pads, th, tw, np.empty((16, xshape[1], dm.shape[2]), dtype=dtype))
        gw = kernels.wino_weight_grad(np.matmul(dm, v.transpose(0, 2, 1)))
        ctx.free("v", "xd")
    if need[0]:
        dv = np.matmul(ctx.u.transpose(0, 2, 1), dm)
        n, c, h, w = xshape
        dx = np.empty((n, h, w, c), dtype=dtype).transpose(0, 3, 1, 2) if cl else np.empty(xshape, dtype=dtype)
        gx = kernels.wino_input_grad(dv, pads, th, tw, dx)
    if len(need) > 2 and need[2]:
        gb = gd.sum((0, 2, 3))
    return gx, gw, gb
