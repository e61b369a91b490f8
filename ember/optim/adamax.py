"""Adamax: Adam with the infinity norm in place of the second moment."""
from __future__ import annotations

import numpy as np

from .optimizer import (Optimizer, ParamsT, _arrays, _check_betas, _check_lr, _check_nonneg, _scalar,
                        _signed_grad, _step_tensor, _zeros_like)


def adamax(params: list, grads: list, exp_avgs: list, exp_infs: list, steps: list, *, lr: float, beta1: float,
           beta2: float, eps: float, weight_decay: float, maximize: bool) -> None:
    """One Adamax step over a group of raw arrays, in place."""
    for i, p in enumerate(params):
        np.add(steps[i], 1, out=steps[i])
        g = _signed_grad(grads[i], p, weight_decay, maximize)
        m, u = exp_avgs[i], exp_infs[i]
        m += (1 - beta1) * (g - m)                     # lerp towards g
        u *= beta2
        np.maximum(u, np.abs(g) + eps, out=u)
        clr = lr / (1 - beta1 ** float(steps[i]))
        p -= clr * (m / u)


class Adamax(Optimizer):
    r"""Adamax (Kingma & Ba, section 7), as ``torch.optim.Adamax``.

    .. code-block:: text

        input: lr (gamma), betas (beta1, beta2), params theta_0, objective f, weight decay lambda,
               eps, maximize
        init:  m_0 <- 0, u_0 <- 0
        for t = 1, 2, ...
            g_t <- grad f_t(theta_{t-1})                 (negated if maximize)
            if lambda != 0: g_t <- g_t + lambda * theta_{t-1}
            m_t <- beta1 m_{t-1} + (1 - beta1) g_t
            u_t <- max(beta2 u_{t-1}, |g_t| + eps)
            theta_t <- theta_{t-1} - gamma m_t / ((1 - beta1^t) u_t)

    State per parameter: ``step``, ``exp_avg``, ``exp_inf``.

    Examples::

        >>> import ember
        >>> w = ember.zeros(2, requires_grad=True)
        >>> opt = ember.optim.Adamax([w], lr=0.1)
        >>> for _ in range(2):
        ...     opt.zero_grad()
        ...     (w - 1.0).pow(2).sum().backward()
        ...     opt.step()
        >>> w
        tensor([0.1948, 0.1948], requires_grad=True)
    """

    def __init__(self, params: ParamsT, lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False, capturable: bool = False) -> None:
        _check_lr(lr)
        _check_nonneg(eps, "epsilon")
        _check_betas(betas)
        _check_nonneg(weight_decay, "weight_decay")
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _init_state(self, p, group, state) -> None:
        state["step"] = _step_tensor()
        state["exp_avg"] = _zeros_like(p)
        state["exp_inf"] = _zeros_like(p)

    def _update_group(self, group, params, grads, states) -> None:
        beta1, beta2 = group["betas"]
        adamax([p._data for p in params], [g._data for g in grads], _arrays(states, "exp_avg"),
               _arrays(states, "exp_inf"), _arrays(states, "step"), lr=_scalar(group["lr"]), beta1=beta1,
               beta2=beta2, eps=group["eps"], weight_decay=group["weight_decay"], maximize=group["maximize"])
