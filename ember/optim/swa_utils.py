"""Weight averaging: SWA and EMA (``torch.optim.swa_utils``), duck-typed on the model.

``AveragedModel`` keeps a deep copy of a model whose parameters are a running average of the
model's; it works with anything that has ``parameters()`` (and ``buffers()`` where present) and
is callable, so it does not need ``ember.nn``. ``EMA`` is ember's own one-line convenience.

>>> import ember
>>> class Tiny:
...     def __init__(self):
...         self.w = ember.zeros(2, requires_grad=True)
...     def parameters(self):
...         return iter([self.w])
...     def __call__(self, x):
...         return x * self.w
>>> model = Tiny()
>>> ema = ember.optim.swa_utils.EMA(model, decay=0.5)
>>> with ember.no_grad():
...     model.w += 1.0
>>> ema.update()
>>> ema.module.w
tensor([0.5000, 0.5000], requires_grad=True)
"""
from __future__ import annotations

import copy
import itertools
import math
import warnings
from typing import Any, Callable, Iterable

import numpy as np

from .scheduler import LRScheduler, _per_group
from .optimizer import Optimizer
from ..autograd import no_grad
from ..tensor import Tensor, wrap

__all__ = ["AveragedModel", "update_bn", "SWALR", "get_ema_multi_avg_fn", "get_swa_multi_avg_fn",
           "get_ema_avg_fn", "get_swa_avg_fn", "EMA"]


def get_ema_multi_avg_fn(decay: float = 0.999) -> Callable:
    """In place over lists: ``ema <- decay * ema + (1 - decay) * current`` (a lerp by ``1 - decay``)."""

    def ema_update(ema_params: list, current_params: list, _num_averaged) -> None:
        for ema, cur in zip(ema_params, current_params):
            if ema._data.dtype.kind in "fc":
                ema._data += (1 - decay) * (cur._data - ema._data)
            else:
                ema._data[...] = ema._data * decay + cur._data * (1 - decay)
            ema._bump()

    return ema_update


def get_swa_multi_avg_fn() -> Callable:
    """In place over lists: ``avg <- avg + (current - avg) / (n + 1)`` (the running mean)."""

    def swa_update(averaged_params: list, current_params: list, num_averaged) -> None:
        n = float(num_averaged._data if isinstance(num_averaged, Tensor) else num_averaged)
        for avg, cur in zip(averaged_params, current_params):
            if avg._data.dtype.kind in "fc":
                avg._data += (cur._data - avg._data) / (n + 1)
            else:
                avg._data[...] = avg._data + (cur._data - avg._data) // (n + 1)
            avg._bump()

    return swa_update


def get_ema_avg_fn(decay: float = 0.999) -> Callable:
    """One tensor: returns ``decay * ema + (1 - decay) * current``."""

    def ema_update(ema_param: Tensor, current_param: Tensor, num_averaged) -> Tensor:
        return decay * ema_param + (1 - decay) * current_param

    return ema_update


def get_swa_avg_fn() -> Callable:
    """One tensor: returns ``averaged + (current - averaged) / (num_averaged + 1)``."""

    def swa_update(averaged_param: Tensor, current_param: Tensor, num_averaged) -> Tensor:
        return averaged_param + (current_param - averaged_param) / (num_averaged + 1)

    return swa_update


def _buffers(model) -> list:
    return list(model.buffers()) if hasattr(model, "buffers") else []


class AveragedModel:
    r"""A deep copy of ``model`` whose parameters average the model's over ``update_parameters`` calls.

    .. code-block:: text

        first call:   W_avg <- W_model                         (n_averaged 0 -> 1)
        later calls:  W_avg <- avg_fn(W_avg, W_model, n)       default SWA: W_avg + (W_model - W_avg) / (n + 1)
                      (or multi_avg_fn over all tensors at once, e.g. get_ema_multi_avg_fn(0.999))
        buffers: averaged too with use_buffers=True; otherwise copied from the model each call

    Calling it runs the averaged copy (``self.module``). ``n_averaged`` is a 0-d int64 tensor.

    Args:
        model: the model to average (deep-copied).
        device: if given, the copy is moved there. Default: ``None``.
        avg_fn: ``(averaged, current, n_averaged) -> new average`` per tensor. Default: ``None`` (SWA mean).
        multi_avg_fn: the same over lists of tensors, in place (e.g. ``get_ema_multi_avg_fn(decay)``).
        use_buffers: average the buffers too (else copy them). Default: ``False``.

    Examples::

        >>> import ember
        >>> from ember.optim.swa_utils import AveragedModel
        >>> model = ember.nn.Linear(2, 1)
        >>> swa_model = AveragedModel(model)
        >>> with ember.no_grad():
        ...     _ = model.weight.fill_(1.0)
        ...     swa_model.update_parameters(model)
        ...     _ = model.weight.fill_(3.0)
        ...     swa_model.update_parameters(model)
        >>> swa_model.module.weight.tolist(), int(swa_model.n_averaged)
        ([[2.0, 2.0]], 2)
        >>> swa_model(ember.ones(4, 2)).shape
        ember.Size([4, 1])
    """

    def __init__(self, model, device=None, avg_fn: Callable | None = None, multi_avg_fn: Callable | None = None,
                 use_buffers: bool = False) -> None:
        self.module = copy.deepcopy(model)
        if device is not None and hasattr(self.module, "to"):
            self.module = self.module.to(device)
        self.n_averaged = wrap(np.array(0, dtype=np.int64))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def __call__(self, *args, **kwargs):
        return self.module(*args, **kwargs)

    forward = __call__

    def parameters(self):
        return self.module.parameters()

    def buffers(self):
        return iter(_buffers(self.module))

    def _tensors(self, model) -> list:
        params = list(model.parameters())
        return params + _buffers(model) if self.use_buffers else params

    def update_parameters(self, model) -> None:
        """Fold the current weights of ``model`` into the average."""
        averaged, current = self._tensors(self.module), [t.detach() for t in self._tensors(model)]
        n = int(self.n_averaged._data)
        with no_grad():
            if n == 0:
                for avg, cur in zip(averaged, current):
                    avg._data[...] = cur._data
                    avg._bump()
            elif self.multi_avg_fn is not None or self.avg_fn is None:
                fn = self.multi_avg_fn or get_swa_multi_avg_fn()
                fn([a.detach() for a in averaged], current, self.n_averaged)
                for avg in averaged:
                    avg._bump()
            else:
                for avg, cur in zip(averaged, current):
                    new = self.avg_fn(avg.detach(), cur, self.n_averaged)
                    avg._data[...] = new._data if isinstance(new, Tensor) else new
                    avg._bump()
            if not self.use_buffers:
                for b_avg, b_model in zip(_buffers(self.module), _buffers(model)):
                    b_avg._data[...] = b_model._data
                    b_avg._bump()
        self.n_averaged._data += 1

    def state_dict(self, *args, **kwargs) -> dict[str, Any]:
        """The module's state dict under ``module.`` plus ``n_averaged`` (torch's keys)."""
        out = {"n_averaged": self.n_averaged}
        if hasattr(self.module, "state_dict"):
            out.update({f"module.{k}": v for k, v in self.module.state_dict(*args, **kwargs).items()})
        return out


class EMA(AveragedModel):
    """ember's own convenience: an exponential moving average of ``model`` (parameters and buffers).

    ``EMA(model, decay)`` is ``AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(decay),
    use_buffers=True)`` with ``update()`` bound to that model: call ``ema.update()`` after each
    ``optimizer.step()`` and evaluate with ``ema(x)`` (or ``ema.module``).

    W_ema <- decay * W_ema + (1 - decay) * W_model at each ``update()`` (the copy at construction is the
    first average).

    Args:
        model: the model to follow (deep-copied; ``update()`` reads this model).
        decay: the weight of the old average, in [0, 1]. Default: 0.999.
        use_buffers: average the buffers too. Default: ``True``.

    Examples::

        >>> import ember
        >>> from ember.optim.swa_utils import EMA
        >>> model = ember.nn.Linear(2, 1)
        >>> with ember.no_grad():
        ...     _ = model.weight.fill_(1.0)
        >>> ema = EMA(model, decay=0.5)
        >>> with ember.no_grad():
        ...     _ = model.weight.fill_(3.0)
        >>> ema.update()
        >>> ema.module.weight.tolist()
        [[2.0, 2.0]]
    """

    def __init__(self, model, decay: float = 0.999, use_buffers: bool = True) -> None:
        if not 0.0 <= decay <= 1.0:
            raise ValueError(f"Invalid decay value: {decay}")
        super().__init__(model, multi_avg_fn=get_ema_multi_avg_fn(decay), use_buffers=use_buffers)
        self.decay = decay
        self._source = model
        self.n_averaged._data[...] = 1  # the copy already equals the model: start averaging at once

    def update(self) -> None:
        self.update_parameters(self._source)


def _modules(model) -> Iterable:
    return model.modules() if hasattr(model, "modules") else [model]


def update_bn(loader: Iterable, model, device=None) -> None:
    """Recompute BatchNorm running statistics with one pass over ``loader`` (after SWA).

    Every module that has ``reset_running_stats`` and ``momentum`` is reset and switched to a
    cumulative average (``momentum = None``) for the pass; ``loader`` yields inputs or
    ``(input, ...)`` tuples. The momenta and the training mode are restored afterwards.
    """
    momenta = {}
    for module in _modules(model):
        if hasattr(module, "reset_running_stats") and hasattr(module, "momentum"):
            module.reset_running_stats()
            momenta[module] = module.momentum
    if not momenta:
        return
    was_training = getattr(model, "training", True)
    if hasattr(model, "train"):
        model.train()
    for module in momenta:
        module.momentum = None
    with no_grad():
        for batch in loader:
            if isinstance(batch, (list, tuple)):
                batch = batch[0]
            if device is not None and hasattr(batch, "to"):
                batch = batch.to(device)
            model(batch)
    for module, momentum in momenta.items():
        module.momentum = momentum
    if hasattr(model, "train"):
        model.train(was_training)


class SWALR(LRScheduler):
    r"""Anneal each group's lr to a fixed ``swa_lr`` over ``anneal_epochs``, then hold it.

    .. code-block:: text

        t = clamp(step / anneal_epochs, 0, 1);  alpha = (1 - cos(pi t)) / 2 ("cos") or t ("linear")
        lr = swa_lr * alpha + lr_start * (1 - alpha)

    Args:
        optimizer: the wrapped optimizer.
        swa_lr: the lr to anneal to (one float, or one per group).
        anneal_epochs: the number of epochs of the annealing. Default: 10.
        anneal_strategy: ``'cos'`` or ``'linear'``. Default: ``'cos'``.
        last_epoch: Default: -1.

    Examples::

        >>> import ember
        >>> from ember.optim.swa_utils import SWALR
        >>> opt = ember.optim.SGD([ember.zeros(1, requires_grad=True)], lr=0.1)
        >>> sched = SWALR(opt, swa_lr=0.05, anneal_epochs=3)
        >>> lrs = []
        >>> for epoch in range(5):
        ...     lrs.append(round(sched.get_last_lr()[0], 6))
        ...     opt.step()
        ...     sched.step()
        >>> lrs
        [0.1, 0.0875, 0.0625, 0.05, 0.05]
    """

    def __init__(self, optimizer: Optimizer, swa_lr: float | list[float], anneal_epochs: int = 10,
                 anneal_strategy: str = "cos", last_epoch: int = -1) -> None:
        for lr, group in zip(_per_group("swa_lr", optimizer, swa_lr), optimizer.param_groups):
            group["swa_lr"] = lr
        if anneal_strategy not in ["cos", "linear"]:
            raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}")
        self._anneal_strategy = anneal_strategy
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    def anneal_func(self, t: float) -> float:
        return (1 - math.cos(math.pi * t)) / 2 if self._anneal_strategy == "cos" else t

    @staticmethod
    def _get_initial_lr(lr: float, swa_lr: float, alpha: float) -> float:
        return swa_lr if alpha == 1 else (lr - alpha * swa_lr) / (1 - alpha)

    def get_lr(self) -> list[float]:
        self._warn_if_outside_step()
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        prev_alpha = self.anneal_func(max(0, min(1, (step - 1) / max(1, self.anneal_epochs))))
        prev_lrs = [self._get_initial_lr(g["lr"], g["swa_lr"], prev_alpha) for g in self.optimizer.param_groups]
        alpha = self.anneal_func(max(0, min(1, step / max(1, self.anneal_epochs))))
        return [g["swa_lr"] * alpha + lr * (1 - alpha) for g, lr in zip(self.optimizer.param_groups, prev_lrs)]
