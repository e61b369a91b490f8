"""Dropout layers. In training y = x m / (1 - p), m ~ Bernoulli(1 - p) per element (Dropout) or per
channel (Dropout1d/2d/3d); in eval y = x. dy/dx = m / (1 - p). AlphaDropout keeps SELU's mean and
variance (see ``F.alpha_dropout``). No parameters. Shape: Input (*), Output (*) the same.

>>> import ember
>>> m = ember.nn.Dropout(p=0.5)
>>> _ = m.eval()
>>> m(ember.ones(3))
tensor([1., 1., 1.])
"""
from __future__ import annotations

from .. import functional as F
from .module import Module

__all__ = ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout"]


class _DropoutNd(Module):
    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p, self.inplace = p, inplace

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """Randomly zeroes elements in training (Srivastava et al., 2014) and rescales the rest.

    In training, y = x * m / (1 - p) with m ~ Bernoulli(1 - p) drawn independently per element, so that
    E[y] = x; in eval mode (``model.eval()``) y = x. The mask is drawn from ember's global generator
    (``ember.manual_seed`` makes it reproducible).

    Args:
        p: probability of zeroing an element. Default: 0.5.
        inplace: if ``True``, overwrite the input. Default: ``False``.

    Shape:
        - Input: any shape (*).
        - Output: the same shape as the input.

    Gradient: dL/dx = g * m / (1 - p), with the same mask (and g in eval mode). No parameters.

    Examples::

        >>> import ember
        >>> m = ember.nn.Dropout(p=0.5)
        >>> y = m(ember.ones(4, 1000))
        >>> sorted(set(y.unique().tolist()))
        [0.0, 2.0]
        >>> m.eval()
        Dropout(p=0.5, inplace=False)
        >>> bool((m(ember.ones(3)) == 1).all())
        True
    """

    def forward(self, input):
        return F.dropout(input, self.p, self.training, self.inplace)


class Dropout1d(_DropoutNd):
    """Randomly zeroes whole channels in training: y[n, c] = x[n, c] * m[n, c] / (1 - p), one
    m[n, c] ~ Bernoulli(1 - p) per sample and channel; identity in eval mode.

    Args:
        p: probability of zeroing a channel. Default: 0.5.
        inplace: if ``True``, overwrite the input. Default: ``False``.

    Shape: Input (N, C, L) or (C, L); Output the same shape.

    Gradient: dL/dx = g * m / (1 - p), with the same channel mask (and g in eval mode). No parameters.

    Examples::

        >>> import ember
        >>> y = ember.nn.Dropout1d(0.5)(ember.ones(2, 8, 5))
        >>> bool(((y == 0).all(-1) | (y == 2).all(-1)).all())
        True
    """

    def forward(self, input):
        return F.dropout1d(input, self.p, self.training, self.inplace)


class Dropout2d(_DropoutNd):
    """Randomly zeroes whole channels (feature maps) in training: y[n, c] = x[n, c] * m[n, c] / (1 - p),
    one m[n, c] ~ Bernoulli(1 - p) per sample and channel (Tompson et al., 2015); identity in eval mode.

    Args:
        p: probability of zeroing a channel. Default: 0.5.
        inplace: if ``True``, overwrite the input. Default: ``False``.

    Shape: Input (N, C, H, W) or (C, H, W); Output the same shape.

    Gradient: dL/dx = g * m / (1 - p), with the same channel mask (and g in eval mode). No parameters.

    Examples::

        >>> import ember
        >>> y = ember.nn.Dropout2d(0.5)(ember.ones(2, 8, 3, 3))
        >>> bool(((y == 0).all((-2, -1)) | (y == 2).all((-2, -1))).all())
        True
    """

    def forward(self, input):
        return F.dropout2d(input, self.p, self.training, self.inplace)


class Dropout3d(_DropoutNd):
    """Randomly zeroes whole channels (3-d feature maps) in training: y[n, c] = x[n, c] * m[n, c] / (1 - p),
    one m[n, c] ~ Bernoulli(1 - p) per sample and channel; identity in eval mode.

    Args:
        p: probability of zeroing a channel. Default: 0.5.
        inplace: if ``True``, overwrite the input. Default: ``False``.

    Shape:
        - Input: (N, C, D, H, W) or (C, D, H, W).
        - Output: the same shape as the input.

    Gradient: dL/dx = g * m / (1 - p), with the same channel mask (and g in eval mode). No parameters.

    Examples::

        >>> import ember
        >>> y = ember.nn.Dropout3d(0.5)(ember.ones(2, 8, 2, 3, 3))
        >>> bool(((y == 0).all((-3, -2, -1)) | (y == 2).all((-3, -2, -1))).all())
        True
    """

    def forward(self, input):
        return F.dropout3d(input, self.p, self.training, self.inplace)


class AlphaDropout(_DropoutNd):
    """Alpha dropout for self-normalizing (SELU) networks (Klambauer et al., 2017): keeps zero mean and
    unit variance of its input.

    In training, dropped elements take SELU's negative saturation alpha' = -scale alpha = -1.7581 instead of 0,
    then an affine map restores the moments: y = a (x m + alpha' (1 - m)) + b, m ~ Bernoulli(1 - p) per element,
    a = ((1 - p)(1 + p alpha'^2))^(-1/2), b = -a alpha' p. In eval mode y = x.

    Gradient: dL/dx = g a m (and g in eval mode).

    Args:
        p: probability of dropping an element. Default: 0.5.
        inplace: accepted for torch's signature. Default: ``False``.

    Shape:
        - Input: (*), any shape.
        - Output: (*), the same shape as the input.

    No parameters.

    Examples::

        >>> import ember
        >>> y = ember.nn.AlphaDropout(0.2)(ember.randn(100000))
        >>> abs(float(y.mean())) < 0.05, abs(float(y.std()) - 1) < 0.05
        (True, True)
    """

    def forward(self, input):
        return F.alpha_dropout(input, self.p, self.training)


class FeatureAlphaDropout(_DropoutNd):
    """Alpha dropout of whole channels: as AlphaDropout, y = a (x m + alpha' (1 - m)) + b with
    alpha' = -1.7581, a = ((1 - p)(1 + p alpha'^2))^(-1/2), b = -a alpha' p, but one m[n, c] ~ Bernoulli(1 - p)
    per sample and channel (dim 1), shared by all positions of the channel. Identity in eval mode.

    Gradient: dL/dx = g a m (and g in eval mode).

    Args:
        p: probability of dropping a channel. Default: 0.5.
        inplace: accepted for torch's signature. Default: ``False``.

    Shape:
        - Input: (N, C, *) or (C, *).
        - Output: the same shape as the input.

    No parameters.

    Examples::

        >>> import ember
        >>> y = ember.nn.FeatureAlphaDropout(0.5)(ember.ones(2, 8, 3, 3))
        >>> bool((y == y[..., :1, :1]).all())
        True
    """

    def forward(self, input):
        return F.feature_alpha_dropout(input, self.p, self.training)
