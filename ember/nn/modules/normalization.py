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

from ... import empty, ones, zeros
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
    """Standardize each (sample, group of C/G channels) over its channels and spatial dims.

    Shape: (N, C, *) -> same. Parameters: weight (C) = 1, bias (C) = 0 when affine.
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
    """y = x / sqrt(mean(x^2 over normalized_shape) + eps) * weight; weight = 1 of normalized_shape."""

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
    """Normalize each channel by its neighbours' energy (AlexNet); no parameters. Shape: (N, C, *) -> same."""

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0) -> None:
        super().__init__()
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, input):
        return F.local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"


class SwitchableNorm2d(Module):
    r"""Switchable Normalization (Luo et al., 2019): a learned mix of instance, layer and batch statistics.

    For x (N, C, H, W), with biased variances:
        mu_in, var_in  over (H, W)           per (n, c)
        mu_ln, var_ln  over (C, H, W)        per n      (from the IN statistics: var_ln = E_c[var_in + mu_in^2] - mu_ln^2)
        mu_bn, var_bn  over (N, H, W)        per c      (likewise over n); the running estimates in eval
        mu  = sum_k softmax(mean_weight)_k mu_k,   var = sum_k softmax(var_weight)_k var_k,  k in (in, ln, bn)
        y   = (x - mu) / sqrt(var + eps) * gamma + beta
    Running estimates of the BN branch follow BatchNorm: r <- (1 - momentum) r + momentum * stat (unbiased var).
    Parameters: weight (gamma, C) = 1, bias (beta, C) = 0, mean_weight (3) = 1, var_weight (3) = 1
    (an equal mix at init). Buffers: running_mean (C) = 0, running_var (C) = 1.
    Gradients flow through all three statistics and the softmax mixing weights (composed of ember ops).
    Not in torch; ember's own.

    >>> import ember
    >>> ember.nn.SwitchableNorm2d(3)(ember.randn(2, 3, 4, 4)).shape
    ember.Size([2, 3, 4, 4])
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
