"""Batch normalization: ``BatchNorm1d/2d/3d`` and ``LazyBatchNorm1d/2d/3d``.

y = (x - E[x]) / sqrt(Var[x] + eps) * gamma + beta, per channel C, with the statistics over
(N, *spatial) of the batch in training (biased variance) and the running estimates in eval.
Running estimates (track_running_stats): r <- (1 - momentum) r + momentum * batch_stat, with the
unbiased variance; momentum=None uses the cumulative average (momentum = 1 / num_batches_tracked).
Shape: BatchNorm1d (N, C) or (N, C, L); BatchNorm2d (N, C, H, W); BatchNorm3d (N, C, D, H, W).
Parameters: weight (gamma, C) = 1 and bias (beta, C) = 0 when affine; buffers running_mean (C) = 0,
running_var (C) = 1, num_batches_tracked = 0 (int64) when track_running_stats.
Gradient (one fused op, M = values per channel): dx = gamma / std (g - mean(g) - x_hat mean(g x_hat)).

>>> import ember
>>> bn = ember.nn.BatchNorm2d(3)
>>> bn(ember.randn(4, 3, 5, 5)).shape
ember.Size([4, 3, 5, 5])
"""
from __future__ import annotations

from ...ops.creation import empty, ones, tensor, zeros
from ...dtypes import int64 as _int64
from .. import functional as F
from .. import init
from ..parameter import Parameter, UninitializedParameter
from .module import Module

__all__ = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "LazyBatchNorm1d", "LazyBatchNorm2d", "LazyBatchNorm3d"]


class _NormBase(Module):
    """Parameters and running buffers shared by batch and instance norm."""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device=None, dtype=None) -> None:
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        if affine:
            self.weight = Parameter(empty(num_features, dtype=dtype))
            self.bias = Parameter(empty(num_features, dtype=dtype))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", zeros(num_features, dtype=dtype))
            self.register_buffer("running_var", ones(num_features, dtype=dtype))
            self.register_buffer("num_batches_tracked", tensor(0, dtype=_int64))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            self.running_mean.zero_()
            self.running_var.fill_(1)
            self.num_batches_tracked.zero_()

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        if self.affine:
            init.ones_(self.weight)
            init.zeros_(self.bias)

    def _check_input_dim(self, input) -> None:
        raise NotImplementedError

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"track_running_stats={self.track_running_stats}")


class _BatchNorm(_NormBase):
    def forward(self, input):
        self._check_input_dim(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked._data += 1
            self.num_batches_tracked._bump()
            factor = 1.0 / float(self.num_batches_tracked._data) if self.momentum is None else self.momentum
        use_batch = self.training or (self.running_mean is None and self.running_var is None)
        keep = not self.training or self.track_running_stats
        return F.batch_norm(input, self.running_mean if keep else None, self.running_var if keep else None,
                            self.weight, self.bias, use_batch, factor, self.eps)


class BatchNorm1d(_BatchNorm):
    """Batch normalization over (N, C) or (N, C, L): each channel is standardised with the statistics of the batch.

    y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias, per channel C. In training E and Var are taken over
    the batch and the other non-channel dims (biased variance) and the running estimates are updated:
    running = (1 - momentum) * running + momentum * batch_statistic (with the unbiased variance). In eval
    mode the running estimates are used instead (unless ``track_running_stats=False``).

    Args:
        num_features: C, the channel dim (dim 1) of the input.
        eps: added to the variance for stability. Default: 1e-5.
        momentum: weight of the new batch in the running estimates; ``None`` for the cumulative average
            (momentum = 1 / num_batches_tracked). Default: 0.1.
        affine: if ``True``, learnable per-channel ``weight`` and ``bias``. Default: ``True``.
        track_running_stats: if ``True``, keep ``running_mean``/``running_var`` buffers and use them in eval;
            if ``False``, batch statistics are used in both modes. Default: ``True``.

    Shape:
        - Input: (N, C) or (N, C, L).
        - Output: the same shape as the input.

    Attributes:
        weight: (C,), initialised to 1 (gamma). bias: (C,), initialised to 0 (beta).
        running_mean: buffer (C,) = 0; running_var: buffer (C,) = 1; num_batches_tracked: int64 buffer = 0.

    Gradient (training mode, one fused op; x_hat the standardised input, M the values per channel):
    dL/dx = weight / sqrt(Var + eps) * (g - mean(g) - x_hat * mean(g * x_hat)), means over the M values.

    Examples::

        >>> import ember
        >>> m = ember.nn.BatchNorm1d(100)
        >>> y = m(ember.randn(20, 100))
        >>> y.shape
        ember.Size([20, 100])
        >>> bool(y.mean(0).abs().max() < 1e-5)
        True
    """

    def _check_input_dim(self, input) -> None:
        if input.dim() not in (2, 3):
            raise ValueError(f"expected 2D or 3D input (got {input.dim()}D input)")


class BatchNorm2d(_BatchNorm):
    """Batch normalization over (N, C, H, W): each channel is standardised with the statistics of the batch.

    y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias, per channel C. In training E and Var are taken over
    the batch and the other non-channel dims (biased variance) and the running estimates are updated:
    running = (1 - momentum) * running + momentum * batch_statistic (with the unbiased variance). In eval
    mode the running estimates are used instead (unless ``track_running_stats=False``).

    Args:
        num_features: C, the channel dim (dim 1) of the input.
        eps: added to the variance for stability. Default: 1e-5.
        momentum: weight of the new batch in the running estimates; ``None`` for the cumulative average
            (momentum = 1 / num_batches_tracked). Default: 0.1.
        affine: if ``True``, learnable per-channel ``weight`` and ``bias``. Default: ``True``.
        track_running_stats: if ``True``, keep ``running_mean``/``running_var`` buffers and use them in eval;
            if ``False``, batch statistics are used in both modes. Default: ``True``.

    Shape:
        - Input: (N, C, H, W).
        - Output: the same shape as the input.

    Attributes:
        weight: (C,), initialised to 1 (gamma). bias: (C,), initialised to 0 (beta).
        running_mean: buffer (C,) = 0; running_var: buffer (C,) = 1; num_batches_tracked: int64 buffer = 0.

    Gradient (training mode, one fused op; x_hat the standardised input, M the values per channel):
    dL/dx = weight / sqrt(Var + eps) * (g - mean(g) - x_hat * mean(g * x_hat)), means over the M values.

    Examples::

        >>> import ember
        >>> m = ember.nn.BatchNorm2d(3, affine=False)
        >>> y = m(ember.randn(4, 3, 5, 5))
        >>> y.shape
        ember.Size([4, 3, 5, 5])
        >>> m.num_batches_tracked
        tensor(1)
    """

    def _check_input_dim(self, input) -> None:
        if input.dim() != 4:
            raise ValueError(f"expected 4D input (got {input.dim()}D input)")


class BatchNorm3d(_BatchNorm):
    """Batch normalization over (N, C, D, H, W): each channel is standardised with the statistics of the batch.

    y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias, per channel C. In training E and Var are taken over
    the batch and the other non-channel dims (biased variance) and the running estimates are updated:
    running = (1 - momentum) * running + momentum * batch_statistic (with the unbiased variance). In eval
    mode the running estimates are used instead (unless ``track_running_stats=False``).

    Args:
        num_features: C, the channel dim (dim 1) of the input.
        eps: added to the variance for stability. Default: 1e-5.
        momentum: weight of the new batch in the running estimates; ``None`` for the cumulative average
            (momentum = 1 / num_batches_tracked). Default: 0.1.
        affine: if ``True``, learnable per-channel ``weight`` and ``bias``. Default: ``True``.
        track_running_stats: if ``True``, keep ``running_mean``/``running_var`` buffers and use them in eval;
            if ``False``, batch statistics are used in both modes. Default: ``True``.

    Shape:
        - Input: (N, C, D, H, W).
        - Output: the same shape as the input.

    Attributes:
        weight: (C,), initialised to 1 (gamma). bias: (C,), initialised to 0 (beta).
        running_mean: buffer (C,) = 0; running_var: buffer (C,) = 1; num_batches_tracked: int64 buffer = 0.

    Gradient (training mode, one fused op; x_hat the standardised input, M the values per channel):
    dL/dx = weight / sqrt(Var + eps) * (g - mean(g) - x_hat * mean(g * x_hat)), means over the M values.

    Examples::

        >>> import ember
        >>> ember.nn.BatchNorm3d(2)(ember.randn(2, 2, 3, 3, 3)).shape
        ember.Size([2, 2, 3, 3, 3])
    """

    def _check_input_dim(self, input) -> None:
        if input.dim() != 5:
            raise ValueError(f"expected 5D input (got {input.dim()}D input)")


class _LazyBatchNorm(_BatchNorm):
    """num_features is read from dim 1 of the first input; then the module becomes its eager class."""

    cls_to_become = None

    def __init__(self, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device=None, dtype=None) -> None:
        super().__init__(0, eps, momentum, affine, track_running_stats, device, dtype)
        if affine:
            self.weight = UninitializedParameter()
            self.bias = UninitializedParameter()

    def reset_parameters(self) -> None:
        if self.num_features:
            super().reset_parameters()

    def __call__(self, input, *args, **kwargs):
        if self.num_features == 0:
            c = input.shape[1]
            self.num_features = c
            if self.affine:
                self.weight.materialize((c,), dtype=input.dtype)
                self.bias.materialize((c,), dtype=input.dtype)
            if self.track_running_stats:
                self.running_mean = zeros(c, dtype=input.dtype)
                self.running_var = ones(c, dtype=input.dtype)
            self.__class__ = self.cls_to_become
            self.reset_parameters()
        return Module.__call__(self, input, *args, **kwargs)


class LazyBatchNorm1d(_LazyBatchNorm, BatchNorm1d):
    """A ``BatchNorm1d`` whose ``num_features`` is inferred from the first input: C = input.shape[1].
    Until then ``weight`` and ``bias`` are ``UninitializedParameter`` (and the running buffers empty); the
    first call materializes them, initialises them as ``BatchNorm1d`` does, and the module becomes a
    ``BatchNorm1d`` (``cls_to_become``). Formula and gradient: those of ``BatchNorm1d``,
    y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias per channel.

    Args:
        eps, momentum, affine, track_running_stats: as in ``BatchNorm1d`` (every argument but num_features).

    Shape:
        - Input and Output: as in ``BatchNorm1d``.

    Attributes:
        weight: (C,), initialised to 1 once materialized. bias: (C,), initialised to 0.
        running_mean (C,) = 0, running_var (C,) = 1, num_batches_tracked = 0: buffers.

    Examples::

        >>> import ember
        >>> m = ember.nn.LazyBatchNorm1d()
        >>> m(ember.randn(4, 3, 5)).shape
        ember.Size([4, 3, 5])
        >>> type(m).__name__, m.num_features, m.weight.shape
        ('BatchNorm1d', 3, ember.Size([3]))
    """
    cls_to_become = BatchNorm1d


class LazyBatchNorm2d(_LazyBatchNorm, BatchNorm2d):
    """A ``BatchNorm2d`` whose ``num_features`` is inferred from the first input: C = input.shape[1].
    Until then ``weight`` and ``bias`` are ``UninitializedParameter`` (and the running buffers empty); the
    first call materializes them, initialises them as ``BatchNorm2d`` does, and the module becomes a
    ``BatchNorm2d`` (``cls_to_become``). Formula and gradient: those of ``BatchNorm2d``,
    y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias per channel.

    Args:
        eps, momentum, affine, track_running_stats: as in ``BatchNorm2d`` (every argument but num_features).

    Shape:
        - Input and Output: as in ``BatchNorm2d``.

    Attributes:
        weight: (C,), initialised to 1 once materialized. bias: (C,), initialised to 0.
        running_mean (C,) = 0, running_var (C,) = 1, num_batches_tracked = 0: buffers.

    Examples::

        >>> import ember
        >>> m = ember.nn.LazyBatchNorm2d()
        >>> m(ember.randn(4, 3, 5, 5)).shape
        ember.Size([4, 3, 5, 5])
        >>> type(m).__name__, m.num_features, m.weight.shape
        ('BatchNorm2d', 3, ember.Size([3]))
    """
    cls_to_become = BatchNorm2d


class LazyBatchNorm3d(_LazyBatchNorm, BatchNorm3d):
    """A ``BatchNorm3d`` whose ``num_features`` is inferred from the first input: C = input.shape[1].
    Until then ``weight`` and ``bias`` are ``UninitializedParameter`` (and the running buffers empty); the
    first call materializes them, initialises them as ``BatchNorm3d`` does, and the module becomes a
    ``BatchNorm3d`` (``cls_to_become``). Formula and gradient: those of ``BatchNorm3d``,
    y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias per channel.

    Args:
        eps, momentum, affine, track_running_stats: as in ``BatchNorm3d`` (every argument but num_features).

    Shape:
        - Input and Output: as in ``BatchNorm3d``.

    Attributes:
        weight: (C,), initialised to 1 once materialized. bias: (C,), initialised to 0.
        running_mean (C,) = 0, running_var (C,) = 1, num_batches_tracked = 0: buffers.

    Examples::

        >>> import ember
        >>> m = ember.nn.LazyBatchNorm3d()
        >>> m(ember.randn(2, 3, 2, 4, 4)).shape
        ember.Size([2, 3, 2, 4, 4])
        >>> type(m).__name__, m.num_features, m.weight.shape
        ('BatchNorm3d', 3, ember.Size([3]))
    """
    cls_to_become = BatchNorm3d
