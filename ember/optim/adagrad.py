"""Adagrad: per-coordinate steps scaled by the root of the summed squared gradients."""
from __future__ import annotations

import numpy as np

from .optimizer import Optimizer, ParamsT, _arrays, _check_lr, _check_nonneg, _scalar, _signed_grad, _step_tensor
from ..tensor import wrap


def adagrad(params: list, grads: list, state_sums: list, steps: list, *, lr: float, weight_decay: float,
            lr_decay: float, eps: float, maximize: bool) -> None:
    """One Adagrad step over a group of raw arrays, in place."""
    for i, p in enumerate(params):
        step = steps[i]
        np.add(step, 1, out=step)
        g = _signed_grad(grads[i], p, weight_decay, maximize)
        clr = lr / (1 + (float(step) - 1) * lr_decay)
        state_sums[i] += g * g
        std = np.sqrt(state_sums[i])
        std += eps
        np.divide(g, std, out=std)
        std *= clr
        p -= std


class Adagrad(Optimizer):
    r"""Adagrad (Duchi et al.), as ``torch.optim.Adagrad``.

    .. code-block:: text

        input: lr (gamma), params theta_0, objective f, weight decay lambda,
               initial accumulator value tau, lr decay eta, eps, maximize
        init:  state_sum_0 <- tau
        for t = 1, 2, ...
            g_t <- grad f_t(theta_{t-1})                   (negated if maximize)
            gamma_t <- gamma / (1 + (t - 1) eta)
            if lambda != 0: g_t <- g_t + lambda * theta_{t-1}
            state_sum_t <- state_sum_{t-1} + g_t^2
            theta_t <- theta_{t-1} - gamma_t * g_t / (sqrt(state_sum_t) + eps)

    State per parameter (created in ``__init__``, as torch): ``step``, ``sum``.

    Examples::

        >>> import ember
        >>> w = ember.zeros(2, requires_grad=True)
        >>> opt = ember.optim.Adagrad([w], lr=0.1)
        >>> for _ in range(2):
        ...     opt.zero_grad()
        ...     (w - 1.0).pow(2).sum().backward()
        ...     opt.step()
        >>> w
        tensor([0.1669, 0.1669], requires_grad=True)
    """

    def __init__(self, params: ParamsT, lr: float = 1e-2, lr_decay: float = 0, weight_decay: float = 0,
                 initial_accumulator_value: float = 0, eps: float = 1e-10, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False, fused: bool | None = None) -> None:
        _check_lr(lr)
        _check_nonneg(lr_decay, "lr_decay")
        _check_nonneg(weight_decay, "weight_decay")
        _check_nonneg(initial_accumulator_value, "initial_accumulator_value")
        _check_nonneg(eps, "epsilon")
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p, group, self.state[p])

    def _init_state(self, p, group, state) -> None:
        state["step"] = _step_tensor()
        state["sum"] = wrap(np.full_like(p._data, group["initial_accumulator_value"]))

    def _update_group(self, group, params, grads, states) -> None:
        adagrad([p._data for p in params], [g._data for g in grads], _arrays(states, "sum"),
                _arrays(states, "step"), lr=_scalar(group["lr"]), weight_decay=group["weight_decay"],
                lr_decay=group["lr_decay"], eps=group["eps"], maximize=group["maximize"])
