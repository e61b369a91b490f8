"""Adadelta: unit-correct steps from running averages of squared gradients and squared updates."""
from __future__ import annotations

import numpy as np

from .optimizer import (Optimizer, ParamsT, _arrays, _check_lr, _check_nonneg, _scalar, _signed_grad,
                        _step_tensor, _zeros_like)


def adadelta(params: list, grads: list, square_avgs: list, acc_deltas: list, steps: list, *, lr: float, rho: float,
             eps: float, weight_decay: float, maximize: bool) -> None:
    """One Adadelta step over a group of raw arrays, in place."""
    for i, p in enumerate(params):
        np.add(steps[i], 1, out=steps[i])
        g = _signed_grad(grads[i], p, weight_decay, maximize)
        v, u = square_avgs[i], acc_deltas[i]
        v *= rho
        v += (1 - rho) * (g * g)
        std = np.sqrt(v + eps)
        delta = np.sqrt(u + eps)
        delta /= std
        delta *= g
        u *= rho
        u += (1 - rho) * (delta * delta)
        delta *= lr
        p -= delta


class Adadelta(Optimizer):
    r"""Adadelta (Zeiler), as ``torch.optim.Adadelta``.

    .. code-block:: text

        input: lr (gamma), rho, eps, params theta_0, objective f, weight decay lambda, maximize
        init:  v_0 <- 0 (square avg), u_0 <- 0 (accumulated delta)
        for t = 1, 2, ...
            g_t <- grad f_t(theta_{t-1})                 (negated if maximize)
            if lambda != 0: g_t <- g_t + lambda * theta_{t-1}
            v_t <- rho v_{t-1} + (1 - rho) g_t^2
            dx_t <- sqrt(u_{t-1} + eps) / sqrt(v_t + eps) * g_t
            u_t <- rho u_{t-1} + (1 - rho) dx_t^2
            theta_t <- theta_{t-1} - gamma dx_t

    State per parameter: ``step``, ``square_avg``, ``acc_delta``.

    Examples::

        >>> import ember
        >>> w = ember.zeros(2, requires_grad=True)
        >>> opt = ember.optim.Adadelta([w], lr=1.0)
        >>> for _ in range(2):
        ...     opt.zero_grad()
        ...     (w - 1.0).pow(2).sum().backward()
        ...     opt.step()
        >>> w
        tensor([0.0064, 0.0064], requires_grad=True)
    """

    def __init__(self, params: ParamsT, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0, foreach: bool | None = None, *, capturable: bool = False,
                 maximize: bool = False, differentiable: bool = False) -> None:
        _check_lr(lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        _check_nonneg(eps, "epsilon")
        _check_nonneg(weight_decay, "weight_decay")
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        capturable=capturable, foreach=foreach, differentiable=differentiable)
        super().__init__(params, defaults)

    def _init_state(self, p, group, state) -> None:
        state["step"] = _step_tensor()
        state["square_avg"] = _zeros_like(p)
        state["acc_delta"] = _zeros_like(p)

    def _update_group(self, group, params, grads, states) -> None:
        adadelta([p._data for p in params], [g._data for g in grads], _arrays(states, "square_avg"),
                 _arrays(states, "acc_delta"), _arrays(states, "step"), lr=_scalar(group["lr"]),
                 rho=group["rho"], eps=group["eps"], weight_decay=group["weight_decay"],
                 maximize=group["maximize"])
