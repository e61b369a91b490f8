"""NAdam: Adam with Nesterov momentum and Dozat's momentum-decay schedule."""
from __future__ import annotations

import numpy as np

from .optimizer import (Optimizer, ParamsT, _arrays, _check_betas, _check_lr, _check_nonneg, _scalar,
                        _step_tensor, _zeros_like)
from ..tensor import wrap


def nadam(params: list, grads: list, exp_avgs: list, exp_avg_sqs: list, mu_products: list, steps: list, *,
          lr: float, beta1: float, beta2: float, eps: float, weight_decay: float, momentum_decay: float,
          decoupled_weight_decay: bool, maximize: bool) -> None:
    """One NAdam step over a group of raw arrays, in place.

    ``mu_products`` are 0-d float32 arrays, multiplied in float32 as torch keeps them.
    """
    for i, p in enumerate(params):
        g, m, v, mu_product = grads[i], exp_avgs[i], exp_avg_sqs[i], mu_products[i]
        np.add(steps[i], 1, out=steps[i])
        step = float(steps[i])
        if maximize:
            g = np.negative(g)
        bias_correction2 = 1 - beta2 ** step
        if weight_decay != 0:
            if decoupled_weight_decay:
                p *= 1 - lr * weight_decay
            else:
                g = g + weight_decay * p
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * momentum_decay))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * momentum_decay))
        np.multiply(mu_product, mu, out=mu_product)
        m += (1 - beta1) * (g - m)
        v *= beta2
        v += (1 - beta2) * (g * g)
        denom = np.sqrt(v / bias_correction2)
        denom += eps
        mu_product_next = float(mu_product) * mu_next
        p += (-lr * (1.0 - mu) / (1.0 - float(mu_product))) * (g / denom)
        p += (-lr * mu_next / (1.0 - mu_product_next)) * (m / denom)


class NAdam(Optimizer):
    r"""NAdam (Dozat), as ``torch.optim.NAdam``.

    .. code-block:: text

        input: lr (gamma), betas (beta1, beta2), params theta_0, objective f, weight decay lambda,
               momentum decay psi, eps, decoupled_weight_decay, maximize
        init:  m_0 <- 0, v_0 <- 0, mu_prod_0 <- 1
        for t = 1, 2, ...
            g_t <- grad f_t(theta_{t-1})                 (negated if maximize)
            if lambda != 0:
                if decoupled: theta_{t-1} <- theta_{t-1} - gamma lambda theta_{t-1}
                else:         g_t <- g_t + lambda theta_{t-1}
            mu_t <- beta1 (1 - 0.5 * 0.96^(t psi));  mu_{t+1} <- beta1 (1 - 0.5 * 0.96^((t+1) psi))
            mu_prod_t <- mu_prod_{t-1} mu_t
            m_t <- beta1 m_{t-1} + (1 - beta1) g_t
            v_t <- beta2 v_{t-1} + (1 - beta2) g_t^2
            denom <- sqrt(v_t / (1 - beta2^t)) + eps
            theta_t <- theta_{t-1} - gamma (1 - mu_t) / (1 - mu_prod_t) * g_t / denom
                                   - gamma mu_{t+1} / (1 - mu_prod_t mu_{t+1}) * m_t / denom

    State per parameter: ``step``, ``mu_product`` (0-d float32), ``exp_avg``, ``exp_avg_sq``.

    Examples::

        >>> import ember
        >>> w = ember.zeros(2, requires_grad=True)
        >>> opt = ember.optim.NAdam([w], lr=0.1)
        >>> for _ in range(2):
        ...     opt.zero_grad()
        ...     (w - 1.0).pow(2).sum().backward()
        ...     opt.step()
        >>> w
        tensor([0.1800, 0.1800], requires_grad=True)
    """

    def __init__(self, params: ParamsT, lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, foreach: bool | None = None, maximize: bool = False,
                 capturable: bool = False, differentiable: bool = False) -> None:
        _check_lr(lr)
        _check_nonneg(eps, "epsilon")
        _check_betas(betas)
        _check_nonneg(weight_decay, "weight_decay")
        _check_nonneg(momentum_decay, "momentum_decay")
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                        momentum_decay=momentum_decay, decoupled_weight_decay=decoupled_weight_decay,
                        maximize=maximize, foreach=foreach, capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    def _init_state(self, p, group, state) -> None:
        state["step"] = _step_tensor()
        state["mu_product"] = wrap(np.array(1.0, dtype=np.float32))
        state["exp_avg"] = _zeros_like(p)
        state["exp_avg_sq"] = _zeros_like(p)

    def _update_group(self, group, params, grads, states) -> None:
        beta1, beta2 = group["betas"]
        nadam([p._data for p in params], [g._data for g in grads], _arrays(states, "exp_avg"),
              _arrays(states, "exp_avg_sq"), _arrays(states, "mu_product"), _arrays(states, "step"),
              lr=_scalar(group["lr"]), beta1=beta1, beta2=beta2, eps=group["eps"],
              weight_decay=group["weight_decay"], momentum_decay=group["momentum_decay"],
              decoupled_weight_decay=group["decoupled_weight_decay"], maximize=group["maximize"])
