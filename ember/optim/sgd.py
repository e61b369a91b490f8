"""Stochastic gradient descent with momentum, dampening, Nesterov, weight decay and maximize."""
from __future__ import annotations

import numpy as np

from ..backends import kernels
from .optimizer import Optimizer, ParamsT, _arrays, _check_lr, _signed_grad
from ..tensor import wrap


def sgd(params: list, grads: list, momentum_buffers: list, *, lr: float, weight_decay: float,
        momentum: float, dampening: float, nesterov: bool, maximize: bool) -> None:
    """One SGD step over a group of raw arrays, in place.

    ``momentum_buffers[i]`` is ``None`` before the first step; it is then set to a copy of the
    (decayed) gradient, as torch does.
    """
    update = kernels.sgd_update  # the switch's lookup, once per group
    for i, p in enumerate(params):
        g = _signed_grad(grads[i], p, weight_decay, maximize)
        if momentum != 0:
            buf = momentum_buffers[i]
            if buf is None:
                buf = momentum_buffers[i] = np.array(g, copy=True)
            else:
                buf *= momentum
                buf += (1 - dampening) * g
            g = g + momentum * buf if nesterov else buf
        update(p, g, lr)  # p -= lr * g


class SGD(Optimizer):
    r"""Stochastic gradient descent (optionally with momentum), as ``torch.optim.SGD``.

    .. code-block:: text

        input: lr (gamma), params theta_0, objective f, weight decay lambda,
               momentum mu, dampening tau, nesterov, maximize
        for t = 1, 2, ...
            g_t <- grad f_t(theta_{t-1})            (negated if maximize)
            if lambda != 0:  g_t <- g_t + lambda * theta_{t-1}
            if mu != 0:
                if t > 1:    b_t <- mu * b_{t-1} + (1 - tau) * g_t
                else:        b_t <- g_t
                if nesterov: g_t <- g_t + mu * b_t
                else:        g_t <- b_t
            theta_t <- theta_{t-1} - gamma * g_t

    State per parameter: ``momentum_buffer`` (only when ``momentum != 0``).

    >>> import ember
    >>> w = ember.zeros(3, requires_grad=True)
    >>> opt = ember.optim.SGD([w], lr=0.1, momentum=0.9)
    >>> (w - 1.0).pow(2).sum().backward()
    >>> opt.step()
    >>> w
    tensor([0.2000, 0.2000, 0.2000], requires_grad=True)
    """

    def __init__(self, params: ParamsT, lr: float = 1e-3, momentum: float = 0, dampening: float = 0,
                 weight_decay: float = 0, nesterov: bool = False, *, maximize: bool = False,
                 foreach: bool | None = None, differentiable: bool = False, fused: bool | None = None) -> None:
        _check_lr(lr)
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize, foreach=foreach, differentiable=differentiable,
                        fused=fused)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    def _update_group(self, group, params, grads, states) -> None:
        bufs = _arrays(states, "momentum_buffer")
        sgd([p._data for p in params], [g._data for g in grads], bufs, lr=float(group["lr"]),
            weight_decay=group["weight_decay"], momentum=group["momentum"], dampening=group["dampening"],
            nesterov=group["nesterov"], maximize=group["maximize"])
        if group["momentum"] != 0:
            for p, state, buf in zip(params, states, bufs):
                if "momentum_buffer" not in state:
                    self.state[p]["momentum_buffer"] = wrap(buf)
