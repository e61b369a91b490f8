"""RAdam: Adam whose adaptive term is switched on only once its variance is tractable."""
from __future__ import annotations

import numpy as np

from .optimizer import (Optimizer, ParamsT, _arrays, _check_betas, _check_lr, _check_nonneg, _scalar,
                        _step_tensor, _zeros_like)


def radam(params: list, grads: list, exp_avgs: list, exp_avg_sqs: list, steps: list, *, lr: float, beta1: float,
          beta2: float, eps: float, weight_decay: float, decoupled_weight_decay: bool, maximize: bool) -> None:
    """One RAdam step over a group of raw arrays, in place."""
    rho_inf = 2 / (1 - beta2) - 1
    for i, p in enumerate(params):
        g, m, v = grads[i], exp_avgs[i], exp_avg_sqs[i]
        if maximize:
            g = np.negative(g)
        np.add(steps[i], 1, out=steps[i])
        step = float(steps[i])
        if weight_decay != 0:
            if decoupled_weight_decay:
                p *= 1 - lr * weight_decay
            else:
                g = g + weight_decay * p
        m += (1 - beta1) * (g - m)
        v *= beta2
        v += (1 - beta2) * (g * g)
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        update = m / bias_correction1
        update *= lr
        rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
        if rho_t > 5.0:
            rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
            adaptive = np.sqrt(v)
            adaptive += eps
            np.divide(bias_correction2 ** 0.5, adaptive, out=adaptive)
            update *= adaptive
            update *= rect
        p -= update


class RAdam(Optimizer):
    r"""RAdam (Liu et al.), as ``torch.optim.RAdam``.

    .. code-block:: text

        input: lr (gamma), betas (beta1, beta2), params theta_0, objective f, weight decay lambda,
               eps, decoupled_weight_decay, maximize
        init:  m_0 <- 0, v_0 <- 0, rho_inf <- 2 / (1 - beta2) - 1
        for t = 1, 2, ...
            g_t <- grad f_t(theta_{t-1})                 (negated if maximize)
            if lambda != 0:
                if decoupled: theta_{t-1} <- theta_{t-1} - gamma lambda theta_{t-1}
                else:         g_t <- g_t + lambda theta_{t-1}
            m_t <- beta1 m_{t-1} + (1 - beta1) g_t
            v_t <- beta2 v_{t-1} + (1 - beta2) g_t^2
            m^_t <- m_t / (1 - beta1^t)
            rho_t <- rho_inf - 2 t beta2^t / (1 - beta2^t)
            if rho_t > 5:
                l_t <- sqrt(1 - beta2^t) / (sqrt(v_t) + eps)
                r_t <- sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
                theta_t <- theta_{t-1} - gamma m^_t r_t l_t
            else:
                theta_t <- theta_{t-1} - gamma m^_t

    State per parameter: ``step``, ``exp_avg``, ``exp_avg_sq``.

    Examples::

        >>> import ember
        >>> w = ember.zeros(2, requires_grad=True)
        >>> opt = ember.optim.RAdam([w], lr=0.1)
        >>> for _ in range(2):
        ...     opt.zero_grad()
        ...     (w - 1.0).pow(2).sum().backward()
        ...     opt.step()
        >>> w
        tensor([0.3789, 0.3789], requires_grad=True)
    """

    def __init__(self, params: ParamsT, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, decoupled_weight_decay: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        _check_lr(lr)
        _check_nonneg(eps, "epsilon")
        _check_betas(betas)
        _check_nonneg(weight_decay, "weight_decay")
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, maximize=maximize,
                        foreach=foreach, capturable=capturable, decoupled_weight_decay=decoupled_weight_decay,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    def _init_state(self, p, group, state) -> None:
        state["step"] = _step_tensor()
        state["exp_avg"] = _zeros_like(p)
        state["exp_avg_sq"] = _zeros_like(p)

    def _update_group(self, group, params, grads, states) -> None:
        beta1, beta2 = group["betas"]
        radam([p._data for p in params], [g._data for g in grads], _arrays(states, "exp_avg"),
              _arrays(states, "exp_avg_sq"), _arrays(states, "step"), lr=_scalar(group["lr"]), beta1=beta1,
              beta2=beta2, eps=group["eps"], weight_decay=group["weight_decay"],
              decoupled_weight_decay=group["decoupled_weight_decay"], maximize=group["maximize"])
