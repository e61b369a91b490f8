"""Instance normalization: ``InstanceNorm1d/2d/3d``.

y = (x - E[x]) / sqrt(Var[x] + eps) * gamma + beta, with the statistics of each (sample, channel) over
the spatial dims (biased variance). With track_running_stats, running estimates (batch averages of
the per-instance statistics, unbiased variance) are kept in training and used in eval.
Shape: InstanceNorm2d (N, C, H, W) or (C, H, W); 1d (N, C, L) or (C, L); 3d (N, C, D, H, W).
Parameters (affine, default off): weight (C) = 1, bias (C) = 0. Buffers as BatchNorm (tracking off by default).

>>> import ember
>>> ember.nn.InstanceNorm2d(3)(ember.randn(2, 3, 4, 4)).shape
ember.Size([2, 3, 4, 4])
"""
from __future__ import annotations

from .. import functional as F
from .batchnorm import _NormBase

__all__ = ["InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d"]


class _InstanceNorm(_NormBase):
    _nd = 2

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = False,
                 track_running_stats: bool = False, device=None, dtype=None) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype)

    def forward(self, input):
        nd = self._nd
        if input.dim() not in (nd + 1, nd + 2):
            raise ValueError(f"expected {nd + 1}D or {nd + 2}D input (got {input.dim()}D input)")
        unbatched = input.dim() == nd + 1
        x = input.unsqueeze(0) if unbatched else input
        if x.shape[1] != self.num_features and self.affine:
            raise ValueError(f"expected input's size at dim=1 to match num_features ({self.num_features}), "
                             f"but got: {x.shape[1]}.")
        y = F.instance_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                            self.training or not self.track_running_stats,
                            self.momentum if self.momentum is not None else 0.0, self.eps)
        return y.squeeze(0) if unbatched else y


class InstanceNorm1d(_InstanceNorm):
    """Instance normalization (Ulyanov et al., 2016): each (sample, channel) plane of (N, C, L) or (C, L)
    is standardised over its own spatial dims:
    y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias (biased variance).

    Args:
        num_features: C, the channel dim.
        eps: added to the variance for stability. Default: 1e-5.
        momentum: weight of the new batch in the running estimates (track_running_stats only). Default: 0.1.
        affine: if ``True``, learnable per-channel ``weight`` and ``bias``. Default: ``False`` (unlike BatchNorm).
        track_running_stats: if ``True``, keep running averages of the per-instance statistics (unbiased
            variance) in training and use them in eval. Default: ``False``.

    Shape: Input (N, C, L) or (C, L); Output the same shape.

    Attributes: weight (C,) = 1 and bias (C,) = 0 when affine; running_mean (C,) = 0, running_var (C,) = 1
    when track_running_stats.

    Gradient: that of LayerNorm over each plane: weight / sqrt(Var + eps) (g - mean(g) - x_hat mean(g x_hat)).

    Examples::

        >>> import ember
        >>> y = ember.nn.InstanceNorm1d(3)(ember.randn(2, 3, 7))
        >>> y.shape, bool(y.mean(-1).abs().max() < 1e-5)
        (ember.Size([2, 3, 7]), True)
    """
    _nd = 1


class InstanceNorm2d(_InstanceNorm):
    """Instance normalization (Ulyanov et al., 2016): each (sample, channel) plane of (N, C, H, W) or (C, H, W)
    is standardised over its own spatial dims:
    y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias (biased variance).

    Args:
        num_features: C, the channel dim.
        eps: added to the variance for stability. Default: 1e-5.
        momentum: weight of the new batch in the running estimates (track_running_stats only). Default: 0.1.
        affine: if ``True``, learnable per-channel ``weight`` and ``bias``. Default: ``False`` (unlike BatchNorm).
        track_running_stats: if ``True``, keep running averages of the per-instance statistics (unbiased
            variance) in training and use them in eval. Default: ``False``.

    Shape: Input (N, C, H, W) or (C, H, W); Output the same shape.

    Attributes: weight (C,) = 1 and bias (C,) = 0 when affine; running_mean (C,) = 0, running_var (C,) = 1
    when track_running_stats.

    Gradient: that of LayerNorm over each plane: weight / sqrt(Var + eps) (g - mean(g) - x_hat mean(g x_hat)).

    Examples::

        >>> import ember
        >>> m = ember.nn.InstanceNorm2d(3, affine=True)
        >>> y = m(ember.randn(2, 3, 4, 4))
        >>> y.shape, m.weight.shape
        (ember.Size([2, 3, 4, 4]), ember.Size([3]))
    """
    _nd = 2


class InstanceNorm3d(_InstanceNorm):
    """Instance normalization of volumes: each (sample, channel) volume of (N, C, D, H, W) or (C, D, H, W)
    is standardised over its own spatial dims:
    y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias (biased variance).

    Args:
        num_features: C, the channel dim.
        eps: added to the variance for stability. Default: 1e-5.
        momentum: weight of the new batch in the running estimates (track_running_stats only). Default: 0.1.
        affine: if ``True``, learnable per-channel ``weight`` and ``bias``. Default: ``False`` (unlike BatchNorm).
        track_running_stats: if ``True``, keep running averages of the per-instance statistics (unbiased
            variance) in training and use them in eval. Default: ``False``.

    Shape:
        - Input: (N, C, D, H, W) or (C, D, H, W).
        - Output: the same shape.

    Attributes: weight (C,) = 1 and bias (C,) = 0 when affine; running_mean (C,) = 0, running_var (C,) = 1
    when track_running_stats.

    Gradient: that of LayerNorm over each volume: weight / sqrt(Var + eps) (g - mean(g) - x_hat mean(g x_hat)).

    Examples::

        >>> import ember
        >>> m = ember.nn.InstanceNorm3d(3)
        >>> y = m(ember.randn(2, 3, 2, 4, 4))
        >>> y.shape, round(float(y[0, 0].mean()), 4) == 0.0
        (ember.Size([2, 3, 2, 4, 4]), True)
    """
    _nd = 3
