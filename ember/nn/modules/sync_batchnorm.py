"""``SyncBatchNorm``: batch normalization whose statistics span the batch shards of every rank.

In training, with ``M`` the values per channel over all ranks (N * spatial summed over ranks),

    mean = (1/M) sum_ranks sum x,    var = (1/M) sum_ranks sum (x - mean)^2,
    y = (x - mean) / sqrt(var + eps) * gamma + beta,

so each rank's output equals ``BatchNorm`` on the concatenated batch. The running statistics get the
unbiased ``var * M / (M - 1)``. Gradient (as torch's ``batch_norm_backward_elemt``): with the sums
``S_dy = sum dy`` and ``S_dyx = sum dy (x - mean)`` all-reduced over ranks,

    dx = gamma * inv_std * (dy - S_dy / M - (x - mean) * inv_std^2 * S_dyx / M),

while ``dgamma`` and ``dbeta`` are this rank's own sums (``DistributedDataParallel`` averages them).
Outside training, or when ember.distributed is not initialised or has one rank, it is ``BatchNorm``.
Shape: (N, C, *). Parameters and buffers as ``BatchNorm``.

>>> import ember
>>> net = ember.nn.Sequential(ember.nn.Conv2d(1, 2, 3), ember.nn.BatchNorm2d(2))
>>> type(ember.nn.SyncBatchNorm.convert_sync_batchnorm(net)[1]).__name__
'SyncBatchNorm'
"""
from __future__ import annotations

import numpy as np

from ... import distributed as dist
from ...autograd.function import Function
from ...ops.creation import from_numpy
from ...tensor import wrap
from .batchnorm import _BatchNorm

__all__ = ["SyncBatchNorm"]


def _sum_all(a: np.ndarray, group) -> np.ndarray:
    a = np.ascontiguousarray(a, dtype=np.float64)
    dist.all_reduce(from_numpy(a), group=group)
    return a


class _SyncBatchNormFn(Function):
    @staticmethod
    def forward(ctx, x, weight, bias, running_mean, running_var, eps: float, momentum: float, group):
        d = x._data
        c = d.shape[1]
        axes = (0,) + tuple(range(2, d.ndim))
        shape = (1, c) + (1,) * (d.ndim - 2)
        count_sum = _sum_all(np.concatenate([[d.size // c], d.sum(axis=axes, dtype=np.float64)]), group)
        m = count_sum[0]
        if m <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size {list(d.shape)}")
        mean = count_sum[1:] / m
        xc = d - mean.reshape(shape).astype(d.dtype)
        var = _sum_all(np.square(xc, dtype=np.float64).sum(axis=axes), group) / m
        inv_std = (1.0 / np.sqrt(var + eps)).astype(d.dtype)
        if running_mean is not None:
            _ema(running_mean, mean, momentum)
        if running_var is not None:
            _ema(running_var, var * (m / (m - 1)), momentum)
        x_hat = xc * inv_std.reshape(shape)
        y = x_hat * weight._data.reshape(shape) + bias._data.reshape(shape) if weight is not None else x_hat
        ctx.x_hat, ctx.inv_std, ctx.m, ctx.group = x_hat, inv_std, m, group
        ctx.axes, ctx.shape, ctx.has_weight = axes, shape, weight is not None
        ctx.w = weight._data if weight is not None else None
        return wrap(np.ascontiguousarray(y))

    @staticmethod
    def backward(ctx, g):
        dy, x_hat, axes, shape = g._data, ctx.x_hat, ctx.axes, ctx.shape
        local_dy = dy.sum(axis=axes, dtype=np.float64)
        local_dyx = (dy * x_hat).sum(axis=axes, dtype=np.float64)  # = S_dyx * inv_std
        sums = _sum_all(np.concatenate([local_dy, local_dyx]), ctx.group)
        c = shape[1]
        mean_dy = (sums[:c] / ctx.m).astype(dy.dtype).reshape(shape)
        mean_dyx = (sums[c:] / ctx.m).astype(dy.dtype).reshape(shape)
        scale = ctx.inv_std if ctx.w is None else ctx.inv_std * ctx.w
        dx = (dy - mean_dy - x_hat * mean_dyx) * scale.reshape(shape)
        dw = wrap(local_dyx.astype(dy.dtype)) if ctx.has_weight else None
        db = wrap(local_dy.astype(dy.dtype)) if ctx.has_weight else None
        return wrap(dx), dw, db, None, None, None, None, None


def _ema(buf, stat: np.ndarray, momentum: float) -> None:
    d = buf._data
    d *= 1.0 - momentum
    d += (momentum * stat).astype(d.dtype)
    buf._bump()


class SyncBatchNorm(_BatchNorm):
    """Batch normalization whose statistics span the batch shards of every rank in ``process_group``:
    with M the values per channel over all ranks, mean = (1/M) sum_ranks sum x,
    var = (1/M) sum_ranks sum (x - mean)^2, y = (x - mean) / sqrt(var + eps) * weight + bias, so each rank's
    output equals ``BatchNorm`` on the concatenated global batch. Outside training, or when
    ``ember.distributed`` is not initialised or has one rank, it is ``BatchNorm``.

    Gradient: with S_dy = sum g and S_dyx = sum g (x - mean) all-reduced over the ranks,
    dL/dx = weight inv_std (g - S_dy / M - (x - mean) inv_std^2 S_dyx / M); dL/dweight and dL/dbias are this
    rank's own sums (``DistributedDataParallel`` averages them).

    Args:
        num_features: C, the channel dim.
        eps: added to the variance for stability. Default: 1e-5.
        momentum: weight of the new batch in the running estimates (``None``: cumulative average). Default: 0.1.
        affine: if ``True``, learnable per-channel ``weight`` and ``bias``. Default: ``True``.
        track_running_stats: keep running estimates (unbiased variance var M / (M - 1)). Default: ``True``.
        process_group: the ranks to synchronise over. Default: ``None`` (the whole world).

    Shape:
        - Input: (N, C, *).
        - Output: (N, C, *), the same shape.

    Attributes:
        weight: (C,), initialised to 1; bias: (C,), initialised to 0 (affine only).
        running_mean (C,) = 0, running_var (C,) = 1, num_batches_tracked = 0: buffers.

    Examples::

        >>> import ember
        >>> m = ember.nn.SyncBatchNorm(3)
        >>> m(ember.randn(4, 3, 5, 5)).shape
        ember.Size([4, 3, 5, 5])
        >>> net = ember.nn.Sequential(ember.nn.Conv2d(1, 2, 3), ember.nn.BatchNorm2d(2))
        >>> type(ember.nn.SyncBatchNorm.convert_sync_batchnorm(net)[1]).__name__
        'SyncBatchNorm'
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, process_group=None, device=None, dtype=None) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype)
        self.process_group = process_group

    def _check_input_dim(self, input) -> None:
        if input.dim() < 2:
            raise ValueError(f"expected at least 2D input (got {input.dim()}D input)")

    def forward(self, input):
        self._check_input_dim(input)
        world = dist.get_world_size(self.process_group) if dist.is_initialized() else 1
        if not self.training or world <= 1:
            return super().forward(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked._data += 1
            self.num_batches_tracked._bump()
            factor = 1.0 / float(self.num_batches_tracked._data) if self.momentum is None else self.momentum
        return _SyncBatchNormFn.apply(input, self.weight, self.bias, self.running_mean, self.running_var,
                                      self.eps, factor, self.process_group)

    @classmethod
    def convert_sync_batchnorm(cls, module, process_group=None):
        """``module`` with every ``BatchNorm*d`` inside replaced by a ``SyncBatchNorm`` holding the same
        parameters and buffers (the module itself when it is one)."""
        out = module
        if isinstance(module, _BatchNorm) and not isinstance(module, SyncBatchNorm):
            out = cls(module.num_features, module.eps, module.momentum, module.affine, module.track_running_stats,
                      process_group)
            if module.affine:
                out.weight, out.bias = module.weight, module.bias
            out.running_mean, out.running_var = module.running_mean, module.running_var
            out.num_batches_tracked = module.num_batches_tracked
            out.training = module.training
        for name, child in list(module.named_children()):
            setattr(out, name, cls.convert_sync_batchnorm(child, process_group))
        return out
