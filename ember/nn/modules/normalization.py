"""Normalization layers: ``LayerNorm``, ``GroupNorm``, ``RMSNorm``, ``LocalResponseNorm`` and ember's
own ``SwitchableNorm2d`` (the batch and instance norms live in batchnorm.py / instancenorm.py).

LayerNorm: y = (x - E[x]) / sqrt(Var[x] + eps) * gamma + beta over the trailing normalized_shape dims
(biased variance); gamma = 1, beta = 0 of that shape (elementwise_affine; bias=False drops beta).
GroupNorm: the same over (C/G, *spatial) per sample and group; gamma (C) = 1, beta (C) = 0.
RMSNorm: y = x / sqrt(mean(x^2) + eps) * gamma over normalized_shape; eps None = finfo(dtype).eps.
LocalResponseNorm: y_c = x_c (k + alpha/n sum_{c'} x_{c'}^2)^(-beta) over n = size neighbouring channels.

>>> import ember
>>> ember.nn.LayerNorm(10)(ember.randn(4, 10)).shape
ember.Size([4, 10])
"""
from __future__ import annotations

from ...ops.creation import empty, ones, zeros
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module

__all__ = ["LayerNorm", "GroupNorm", "RMSNorm", "LocalResponseNorm", "SwitchableNorm2d"]


class LayerNorm(Module):
    """Layer normalization: each sample is standardised over its trailing ``normalized_shape`` dims.

    y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias, with E and Var (biased) over the last
    ``len(normalized_shape)`` dims of each sample; the same in training and eval (no running statistics).

    Args:
        normalized_shape: an int or the trailing shape to normalise over, e.g. ``(C,)`` or ``(H, W)``.
        eps: added to the variance for stability. Default: 1e-5.
        elementwise_affine: if ``True``, learnable ``weight`` (and ``bias``) of shape normalized_shape.
            Default: ``True``.
        bias: if ``False`` (with elementwise_affine), no ``bias``. Default: ``True``.

    Shape:
        - Input: (*, *normalized_shape).
        - Output: the same shape as the input.

    Attributes:
        weight: shape normalized_shape, initialised to 1. bias: shape normalized_shape, initialised to 0.

    Gradient (one fused op; x_hat the standardised input, means over the normalised elements of a sample):
    dL/dx = weight / sqrt(Var + eps) * (g - mean(g) - x_hat * mean(g * x_hat)).

    Examples::

        >>> import ember
        >>> x = ember.randn(20, 5, 10)
        >>> m = ember.nn.LayerNorm(10)
        >>> y = m(x)
        >>> y.shape
        ember.Size([20, 5, 10])
        >>> bool(y.mean(-1).abs().max() < 1e-5)
        True
        >>> ember.nn.LayerNorm([5, 10], elementwise_affine=False)(x).shape
        ember.Size([20, 5, 10])
    """

    def __init__(self, normalized_shape, eps: float = 1e-5, elementwise_affine: bool = True, bias: bool = True,
                 device=None, dtype=None) -> None:
        super().__init__()
        self.normalized_shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
        self.eps, self.elementwise_affine = eps, elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(empty(self.normalized_shape, dtype=dtype))
            if bias:
                self.bias = Parameter(empty(self.normalized_shape, dtype=dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        if self.elementwise_affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def forward(self, input):
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"


class GroupNorm(Module):
    """Group normalization (Wu & He, 2018): the C channels are split into G = ``num_groups`` groups of C/G
    channels, and each (sample, group) is standardised over its channels and spatial dims:
    y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias (biased variance; weight and bias per channel).
    Independent of the batch size: the same in training and eval.

    Gradient: per (sample, group) with M values and x_hat the standardised input,
    dL/dx = (1 / sqrt(Var + eps)) (g w - mean(g w) - x_hat mean(g w x_hat)), means over the group;
    dL/dweight = sum g x_hat, dL/dbias = sum g (over the batch and spatial dims).

    Args:
        num_groups: G, the number of groups (must divide num_channels).
        num_channels: C, the channel dim of the input.
        eps: added to the variance for stability. Default: 1e-5.
        affine: if ``True``, learnable per-channel ``weight`` and ``bias``. Default: ``True``.

    Shape:
        - Input: (N, C, *).
        - Output: (N, C, *), the same shape.

    Attributes:
        weight: (C,), initialised to 1 (affine only).
        bias: (C,), initialised to 0 (affine only).

    Examples::

        >>> import ember
        >>> m = ember.nn.GroupNorm(2, 4)
        >>> m(ember.arange(8.0).reshape(1, 4, 2)).detach()
        tensor([[[-1.3416, -0.4472],
                 [ 0.4472,  1.3416],
                 [-1.3416, -0.4472],
                 [ 0.4472,  1.3416]]])
        >>> ember.nn.GroupNorm(3, 6)(ember.randn(20, 6, 10, 10)).shape
        ember.Size([20, 6, 10, 10])
    """

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5, affine: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__()
        if num_channels % num_groups != 0:
            raise ValueError("num_channels must be divisible by num_groups")
        self.num_groups, self.num_channels, self.eps, self.affine = num_groups, num_channels, eps, affine
        if affine:
            self.weight = Parameter(empty(num_channels, dtype=dtype))
            self.bias = Parameter(empty(num_channels, dtype=dtype))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        if self.affine:
            init.ones_(self.weight)
            init.zeros_(self.bias)

    def forward(self, input):
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}"


class RMSNorm(Module):
    """Root mean square layer normalization (Zhang & Sennrich, 2019): over the trailing
    ``normalized_shape`` dims, y = x / sqrt(mean(x^2) + eps) * weight (no mean subtraction, no bias).

    Gradient: with r = 1 / sqrt(mean(x^2) + eps) and x_hat = x r, dL/dx = r (g w - x_hat mean(g w x_hat)),
    means over the normalized dims; dL/dweight = sum g x_hat over the leading dims.

    Args:
        normalized_shape: the trailing shape to normalize over (int or tuple).
        eps: added to the mean square. Default: ``None``, i.e. ``ember.finfo(x.dtype).eps``.
        elementwise_affine: if ``True``, a learnable ``weight`` of shape normalized_shape. Default: ``True``.

    Shape:
        - Input: (*, *normalized_shape).
        - Output: the same shape.

    Attributes:
        weight: normalized_shape, initialised to 1 (elementwise_affine only).

    Examples::

        >>> import ember
        >>> m = ember.nn.RMSNorm(3)
        >>> m(ember.tensor([[1.0, 2.0, 3.0], [0.0, 0.0, 4.0]])).detach()
        tensor([[0.4629, 0.9258, 1.3887],
                [0.0000, 0.0000, 1.7321]])
    """

    def __init__(self, normalized_shape, eps: float | None = None, elementwise_affine: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__()
        self.normalized_shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
        self.eps, self.elementwise_affine = eps, elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(empty(self.normalized_shape, dtype=dtype))
        else:
            self.register_parameter("weight", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        if self.elementwise_affine:
            init.ones_(self.weight)

    def forward(self, input):
        return F.rms_norm(input, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self) -> str:
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"


class LocalResponseNorm(Module):
    """Local response normalization across channels (Krizhevsky et al., 2012, AlexNet):
    y_c = x_c (k + (alpha / n) sum_{c'} x_{c'}^2)^(-beta), the sum over the n = ``size`` neighbouring channels
    c' in [c - floor(n/2), c + floor((n - 1)/2)] (zero-padded at the edges).

    Gradient: composed of ember ops (a padded channel-window average of x^2): dL/dx_c = g_c d_c^(-beta)
    - (2 alpha beta / n) x_c sum_{c': c in window(c')} g_c' x_c' d_c'^(-beta-1), d = k + (alpha / n) sum x^2.

    Args:
        size: n, the number of neighbouring channels in the sum.
        alpha: the multiplicative factor. Default: 1e-4.
        beta: the exponent. Default: 0.75.
        k: the additive factor. Default: 1.

    Shape:
        - Input: (N, C, *).
        - Output: (N, C, *), the same shape.

    No parameters.

    Examples::

        >>> import ember
        >>> m = ember.nn.LocalResponseNorm(2, alpha=1.0, beta=1.0)
        >>> m(ember.tensor([[[1.0], [2.0], [3.0]]]))
        tensor([[[0.6667],
                 [0.5714],
                 [0.4000]]])
    """

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0) -> None:
        super().__init__()
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, input):
        return F.local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"


class SwitchableNorm2d(Module):
    """Switchable Normalization (Luo et al., 2019): a learned mix of instance, layer and batch statistics.

    For x (N, C, H, W), with biased variances:
        mu_in, var_in  over (H, W)     per (n, c)
        mu_ln, var_ln  over (C, H, W)  per n, from the IN statistics: var_ln = E_c[var_in + mu_in^2] - mu_ln^2
        mu_bn, var_bn  over (N, H, W)  per c, likewise over n; the running estimates in eval
        mu  = sum_k softmax(mean_weight)_k mu_k,   var = sum_k softmax(var_weight)_k var_k,  k in (in, ln, bn)
        y   = (x - mu) / sqrt(var + eps) * gamma + beta
    Running estimates of the BN branch follow BatchNorm: r <- (1 - momentum) r + momentum * stat (unbiased var).
    Not in torch; ember's own.

    Gradient: flows through all three statistics and the softmax mixing weights (composed of ember ops).

    Args:
        num_features: C, the channel dim.
        eps: added to the variance for stability. Default: 1e-5.
        momentum: weight of the new batch in the BN running estimates. Default: 0.1.
        affine: if ``True``, learnable per-channel ``weight`` (gamma) and ``bias`` (beta). Default: ``True``.

    Shape:
        - Input: (N, C, H, W).
        - Output: (N, C, H, W), the same shape.

    Attributes:
        weight: (C,), initialised to 1; bias: (C,), initialised to 0 (affine only).
        mean_weight, var_weight: (3,), initialised to 1 (an equal mix at init).
        running_mean (C,) = 0 and running_var (C,) = 1: buffers.

    Examples::

        >>> import ember
        >>> m = ember.nn.SwitchableNorm2d(3)
        >>> m(ember.randn(2, 3, 4, 4)).shape
        ember.Size([2, 3, 4, 4])
        >>> [tuple(p.shape) for p in m.parameters()]
        [(3,), (3,), (3,), (3,)]
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1, affine: bool = True,
                 device=None, dtype=None) -> None:
        super().__init__()
        self.num_features, self.eps, self.momentum, self.affine = num_features, eps, momentum, affine
        if affine:
            self.weight = Parameter(ones(num_features, dtype=dtype))
            self.bias = Parameter(zeros(num_features, dtype=dtype))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        self.mean_weight = Parameter(ones(3, dtype=dtype))
        self.var_weight = Parameter(ones(3, dtype=dtype))
        self.register_buffer("running_mean", zeros(num_features, dtype=dtype))
        self.register_buffer("running_var", ones(num_features, dtype=dtype))

    def reset_parameters(self) -> None:
        if self.affine:
            init.ones_(self.weight)
            init.zeros_(self.bias)
        init.ones_(self.mean_weight)
        init.ones_(self.var_weight)
        self.running_mean.zero_()
        self.running_var.fill_(1)

    def forward(self, input):
        if input.dim() != 4:
            raise ValueError(f"expected 4D input (got {input.dim()}D input)")
        n, c, h, w = input.shape
        x = input.reshape(n, c, -1)
        mean_in = x.mean(-1, keepdim=True)                       # (N, C, 1)
        var_in = x.var(-1, keepdim=True, unbiased=False)
        second = var_in + mean_in * mean_in                      # E[x^2] per (n, c)
        mean_ln = mean_in.mean(1, keepdim=True)                  # (N, 1, 1)
        var_ln = second.mean(1, keepdim=True) - mean_ln * mean_ln
        if self.training:
            mean_bn = mean_in.mean(0, keepdim=True)              # (1, C, 1)
            var_bn = second.mean(0, keepdim=True) - mean_bn * mean_bn
            m = n * h * w
            rm, rv, mom = self.running_mean._data, self.running_var._data, self.momentum
            rm *= 1 - mom
            rm += mom * mean_bn._data.reshape(c)
            rv *= 1 - mom
            rv += mom * var_bn._data.reshape(c) * (m / max(m - 1, 1))
            self.running_mean._bump()
            self.running_var._bump()
        else:
            mean_bn = self.running_mean.reshape(1, c, 1)
            var_bn = self.running_var.reshape(1, c, 1)
        mw = self.mean_weight.exp() / self.mean_weight.exp().sum()
        vw = self.var_weight.exp() / self.var_weight.exp().sum()
        mean = mw[0] * mean_in + mw[1] * mean_ln + mw[2] * mean_bn
        var = vw[0] * var_in + vw[1] * var_ln + vw[2] * var_bn
        y = ((x - mean) * (var + self.eps).rsqrt()).reshape(n, c, h, w)
        if self.affine:
            y = y * self.weight.reshape(1, c, 1, 1) + self.bias.reshape(1, c, 1, 1)
        return y

    def extra_repr(self) -> str:
        return f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}"
