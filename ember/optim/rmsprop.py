"""RMSprop: divide the gradient by a running root-mean-square (Hinton's "leaky Adagrad")."""
from __future__ import annotations

import numpy as np

from .optimizer import (Optimizer, ParamsT, _arrays, _check_lr, _check_nonneg, _scalar, _signed_grad,
                        _step_tensor, _zeros_like)


def rmsprop(params: list, grads: list, square_avgs: list, grad_avgs: list, momentum_buffers: list, steps: list, *,
            lr: float, alpha: float, eps: float, weight_decay: float, momentum: float, centered: bool,
            maximize: bool) -> None:
    """One RMSprop step over a group of raw arrays, in place."""
    for i, p in enumerate(params):
        np.add(steps[i], 1, out=steps[i])
        g = _signed_grad(grads[i], p, weight_decay, maximize)
        v = square_avgs[i]
        v *= alpha
        v += (1 - alpha) * (g * g)
        if centered:
            ga = grad_avgs[i]
            ga += (1 - alpha) * (g - ga)               # lerp towards g
            avg = v - ga * ga
            np.sqrt(avg, out=avg)
        else:
            avg = np.sqrt(v)
        avg += eps
        if momentum > 0:
            buf = momentum_buffers[i]
            buf *= momentum
            buf += g / avg
            p -= lr * buf
        else:
            np.divide(g, avg, out=avg)
            avg *= lr
            p -= avg


class RMSprop(Optimizer):
    r"""RMSprop, as ``torch.optim.RMSprop``.

    .. code-block:: text

        input: lr (gamma), alpha, eps, params theta_0, objective f, weight decay lambda,
               momentum mu, centered, maximize
        init:  v_0 <- 0, b_0 <- 0, g_ave_0 <- 0
        for t = 1, 2, ...
            g_t <- grad f_t(theta_{t-1})                 (negated if maximize)
            if lambda != 0: g_t <- g_t + lambda * theta_{t-1}
            v_t <- alpha v_{t-1} + (1 - alpha) g_t^2
            v~  <- v_t
            if centered:
                g_ave_t <- alpha g_ave_{t-1} + (1 - alpha) g_t
                v~ <- v~ - g_ave_t^2
            if mu > 0:
                b_t <- mu b_{t-1} + g_t / (sqrt(v~) + eps)
                theta_t <- theta_{t-1} - gamma b_t
            else:
                theta_t <- theta_{t-1} - gamma g_t / (sqrt(v~) + eps)

    State per parameter: ``step``, ``square_avg``, ``momentum_buffer`` (momentum > 0),
    ``grad_avg`` (centered).

    Examples::

        >>> import ember
        >>> w = ember.zeros(2, requires_grad=True)
        >>> opt = ember.optim.RMSprop([w], lr=0.01)
        >>> for _ in range(2):
        ...     opt.zero_grad()
        ...     (w - 1.0).pow(2).sum().backward()
        ...     opt.step()
        >>> w
        tensor([0.1671, 0.1671], requires_grad=True)
    """

    def __init__(self, params: ParamsT, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0, momentum: float = 0, centered: bool = False, capturable: bool = False,
                 foreach: bool | None = None, maximize: bool = False, differentiable: bool = False) -> None:
        _check_lr(lr)
        _check_nonneg(eps, "epsilon")
        _check_nonneg(momentum, "momentum")
        _check_nonneg(weight_decay, "weight_decay")
        _check_nonneg(alpha, "alpha")
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach, maximize=maximize,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    def _init_state(self, p, group, state) -> None:
        state["step"] = _step_tensor()
        state["square_avg"] = _zeros_like(p)
        if group["momentum"] > 0:
            state["momentum_buffer"] = _zeros_like(p)
        if group["centered"]:
            state["grad_avg"] = _zeros_like(p)

    def _update_group(self, group, params, grads, states) -> None:
        rmsprop([p._data for p in params], [g._data for g in grads], _arrays(states, "square_avg"),
                _arrays(states, "grad_avg"), _arrays(states, "momentum_buffer"), _arrays(states, "step"),
                lr=_scalar(group["lr"]), alpha=group["alpha"], eps=group["eps"],
                weight_decay=group["weight_decay"], momentum=group["momentum"], centered=group["centered"],
                maximize=group["maximize"])
