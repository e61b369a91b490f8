"""3x3 stride-1 convolution by Winograd F(2x2, 3x3) on NCHW-indexed arrays (contiguous or channels-last); the
transforms are the kernel set's (``winograd_numpy`` has the math). Same contract as ``conv_reference.forward``.

forward:  U = wino_weight(W), V = wino_input(x), M[k] = U[k] @ V[k] (16 GEMMs), y = wino_output(M) + b
backward: dM = wino_output_grad(g); dW = wino_weight_grad(dM V^T); dx = wino_input_grad(U^T dM);
          db = sum of g over batch and space.
The GEMMs do 16 / 36 of im2col's multiplications; V is 4/9 the size of im2col's columns.
"""
from __future__ import annotations

import numpy as np

from .conv_reference import empty_nchw, is_channels_last
from .winograd_numpy import tiles

_SAVE_V_BYTES = 96 << 20  # a larger transformed input is recomputed in backward rather than kept


def usable(x: np.ndarray, w: np.ndarray, stride: tuple, dilation: tuple, out: tuple) -> bool:
    """Winograd pays off for 3x3 stride-1 kernels once each of the 16 GEMMs is big enough to dominate the
    transforms (and to thread well: small ones run slower on two threads than on one). Measured on
    ResNet shapes: batch 64 takes it at every stage, batch 1 keeps im2col."""
    if w.shape[2:] != (3, 3) or stride != (1, 1) or dilation != (1, 1):
        return False
    th, tw = tiles(*out)
    n, cin = x.shape[:2]
    p = n * th * tw
    return p >= 64 and cin >= 16 and w.shape[0] >= 16 and p * cin * w.shape[0] >= (8 << 20)


def forward(ks, x, w, b, pads, out, keep):
    n, cin = x.shape[:2]
    cout = w.shape[0]
    th, tw = tiles(*out)
    u = ks.wino_weight(np.ascontiguousarray(w))
    v = ks.wino_input(x, pads, th, tw, np.empty((16, cin, n * th * tw), dtype=x.dtype))
    cl = is_channels_last(x)
    y = empty_nchw((n, cout) + tuple(out), x.dtype, cl)
    ks.wino_output(np.matmul(u, v), b, y)
    state = None
    if keep is not None:
        kept = keep[1] and v.nbytes <= _SAVE_V_BYTES
        state = WinogradState(ks, u if keep[0] else None, v if kept else None, x if keep[1] and not kept else None,
                              (x.shape, out, pads, cl, x.dtype))
    return y, state


class WinogradState:
    """The transformed weight U (for dx) and the transformed input V, or the input to recompute it (for dW)."""

    __slots__ = ("ks", "u", "v", "x", "geom")

    def __init__(self, ks, u, v, x, geom):
        self.ks, self.u, self.v, self.x, self.geom = ks, u, v, x, geom

    def backward(self, g: np.ndarray, need: tuple) -> tuple:
        ks = self.ks
        xshape, out, pads, cl, dtype = self.geom
        th, tw = tiles(*out)
        cout = g.shape[1]
        dm = ks.wino_output_grad(g, th, tw, np.empty((16, cout, xshape[0] * th * tw), dtype=g.dtype))
        dx = dw = db = None
        if need[1]:
            v = self.v
            if v is None:
                v = ks.wino_input(self.x, pads, th, tw, np.empty((16, xshape[1], dm.shape[2]), dtype=dtype))
            dw = ks.wino_weight_grad(np.matmul(dm, v.transpose(0, 2, 1)))
        if need[0]:
            dv = np.matmul(self.u.transpose(0, 2, 1), dm)
            dx = ks.wino_input_grad(dv, pads, th, tw, empty_nchw(xshape, dtype, cl))
        if need[2]:
            db = g.sum((0, 2, 3))
        return dx, dw, db
