"""Activations over a whole dim rather than one element: the softmax family (Softmax, LogSoftmax, Softmin,
Softmax2d) and GLU, which gates one half of a dim with the other."""
from __future__ import annotations

from ... import functional as F
from ..module import Module
from .base import _NoArgs

__all__ = ["Softmax", "LogSoftmax", "Softmin", "Softmax2d", "GLU"]


class _DimSoftmax(Module):
    _fn = None

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def __setstate__(self, state) -> None:
        self.__dict__.update(state)
        if not hasattr(self, "dim"):
            self.dim = None

    def forward(self, input):
        return type(self)._fn(input, self.dim, _stacklevel=5)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softmax(_DimSoftmax):
    """Softmax(x)_i = e^(x_i) / sum_j e^(x_j) along ``dim``; input grad y (g - sum(g y)).

    Args:
        dim: the dim along which the outputs sum to 1 (give it; ``None`` picks torch's legacy default).

    Shape: Input (*), Output (*), values in [0, 1] summing to 1 along dim. No parameters.

    Examples::

        >>> import ember
        >>> ember.nn.Softmax(dim=1)(ember.tensor([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]))
        tensor([[0.0900, 0.2447, 0.6652],
                [0.3333, 0.3333, 0.3333]])
    """

    _fn = staticmethod(F.softmax)


class LogSoftmax(_DimSoftmax):
    """LogSoftmax(x)_i = x_i - log sum_j e^(x_j) along ``dim`` (stable: shifted by the max); input grad
    g - softmax(x) sum(g).

    Args:
        dim: the dim of the classes.

    Shape: Input (*), Output (*), values in (-inf, 0]. No parameters.

    Examples::

        >>> import ember
        >>> ember.nn.LogSoftmax(dim=-1)(ember.tensor([1.0, 2.0, 3.0]))
        tensor([-2.4076, -1.4076, -0.4076])
    """

    _fn = staticmethod(F.log_softmax)


class Softmin(_DimSoftmax):
    """Softmin(x)_i = e^(-x_i) / sum_j e^(-x_j) along ``dim`` (= softmax(-x)).

    Gradient: with y = softmin(x), dL/dx = -y (g - sum(g y)).

    Args:
        dim: the dim along which the outputs sum to 1 (give it; ``None`` picks torch's legacy default).

    Shape:
        - Input: (*), any shape.
        - Output: (*), the same shape, values in [0, 1] summing to 1 along ``dim``.

    No parameters.

    Examples::

        >>> import ember
        >>> ember.nn.Softmin(dim=-1)(ember.tensor([1.0, 2.0, 3.0]))
        tensor([0.6652, 0.2447, 0.0900])
    """

    _fn = staticmethod(F.softmin)


class Softmax2d(_NoArgs):
    """Softmax over the channels at every spatial location: y[n, c, h, w] = e^x[n, c, h, w] /
    sum_c' e^x[n, c', h, w] (``softmax`` along dim -3).

    Gradient: as Softmax along the channel dim, dL/dx = y (g - sum_c(g y)).

    Shape:
        - Input: (N, C, H, W) or (C, H, W).
        - Output: the same shape as the input, values in [0, 1] summing to 1 over C.

    No parameters. Raises ``ValueError`` for input that is not 3-D or 4-D.

    Examples::

        >>> import ember
        >>> m = ember.nn.Softmax2d()
        >>> y = m(ember.randn(2, 3, 4, 5))
        >>> y.shape, bool(y.sum(1).allclose(ember.ones(2, 4, 5)))
        (ember.Size([2, 3, 4, 5]), True)
    """

    def forward(self, input):
        if input.ndim not in (3, 4):
            raise ValueError(f"Softmax2d: expected input to be 3D or 4D, got {input.ndim}D instead")
        return F.softmax(input, -3, _stacklevel=5)


class GLU(Module):
    """Gated linear unit (Dauphin et al., 2017): GLU(a, b) = a sigmoid(b), where a and b are the first
    and second halves of the input along ``dim``.

    Gradient: dL/da = g sigmoid(b), dL/db = g a sigmoid(b) (1 - sigmoid(b)).

    Args:
        dim: the dim to split in half (its size must be even). Default: -1.

    Shape:
        - Input: (*1, N, *2), N even.
        - Output: (*1, N / 2, *2).

    No parameters.

    Examples::

        >>> import ember
        >>> m = ember.nn.GLU()
        >>> m(ember.tensor([[1.0, 2.0, 0.0, 1.0]]))
        tensor([[0.5000, 1.4621]])
        >>> m(ember.randn(4, 2, 6)).shape
        ember.Size([4, 2, 3])
    """

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.glu(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"
