"""Adam and AdamW: one update function; AdamW is Adam with ``decoupled_weight_decay=True``."""
from __future__ import annotations

import numpy as np

from .optimizer import (Optimizer, ParamsT, _arrays, _check_betas, _check_lr, _check_nonneg, _scalar,
                        _step_tensor, _zeros_like)


def adam(params: list, grads: list, exp_avgs: list, exp_avg_sqs: list, max_exp_avg_sqs: list, steps: list, *,
         amsgrad: bool, beta1: float, beta2: float, lr: float, weight_decay: float, eps: float,
         maximize: bool, decoupled_weight_decay: bool) -> None:
    """One Adam/AdamW step over a group of raw arrays, in place (``steps`` are 0-d float32 arrays).

    About ten ``out=`` passes per tensor and one scratch buffer; the common path (no maximize, no
    L2 decay) allocates only that scratch.
    """
    for i, p in enumerate(params):
        g, m, v, step = grads[i], exp_avgs[i], exp_avg_sqs[i], steps[i]
        np.add(step, 1, out=step)
        if maximize:
            g = np.negative(g)
        if weight_decay != 0:
            if decoupled_weight_decay:
                p *= 1 - lr * weight_decay
            else:
                g = g + weight_decay * p
        t = float(step)
        bias_correction1 = 1 - beta1 ** t
        bias_correction2_sqrt = (1 - beta2 ** t) ** 0.5
        scratch = np.subtract(g, m)
        scratch *= 1 - beta1
        m += scratch                                   # m <- lerp(m, g, 1 - beta1)
        np.multiply(g, g, out=scratch)
        scratch *= 1 - beta2
        v *= beta2
        v += scratch                                   # v <- beta2 v + (1 - beta2) g^2
        if amsgrad:
            np.maximum(max_exp_avg_sqs[i], v, out=max_exp_avg_sqs[i])
            v = max_exp_avg_sqs[i]
        np.sqrt(v, out=scratch)
        scratch /= bias_correction2_sqrt
        scratch += eps                                 # denom
        np.divide(m, scratch, out=scratch)
        scratch *= lr / bias_correction1
        p -= scratch


class Adam(Optimizer):
    r"""Adam (Kingma & Ba), as ``torch.optim.Adam``; ``decoupled_weight_decay=True`` makes it AdamW.

    .. code-block:: text

        input: lr (gamma), betas (beta1, beta2), params theta_0, objective f, weight decay lambda,
               eps, amsgrad, maximize, decoupled_weight_decay
        init:  m_0 <- 0, v_0 <- 0, v_max_0 <- 0
        for t = 1, 2, ...
            g_t <- grad f_t(theta_{t-1})                 (negated if maximize)
            if lambda != 0:
                if decoupled:  theta_{t-1} <- theta_{t-1} - gamma * lambda * theta_{t-1}
                else:          g_t <- g_t + lambda * theta_{t-1}
            m_t <- beta1 m_{t-1} + (1 - beta1) g_t
            v_t <- beta2 v_{t-1} + (1 - beta2) g_t^2
            if amsgrad: v_max_t <- max(v_max_{t-1}, v_t);  v <- v_max_t   else v <- v_t
            theta_t <- theta_{t-1} - gamma / (1 - beta1^t) * m_t / (sqrt(v) / sqrt(1 - beta2^t) + eps)

    State per parameter: ``step`` (0-d float32), ``exp_avg``, ``exp_avg_sq``, and
    ``max_exp_avg_sq`` with amsgrad.

    >>> import ember
    >>> w = ember.zeros(2, requires_grad=True)
    >>> opt = ember.optim.Adam([w], lr=0.1)
    >>> (w - 1.0).pow(2).sum().backward()
    >>> opt.step()
    >>> w
    tensor([0.1000, 0.1000], requires_grad=True)
    """

    def __init__(self, params: ParamsT, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, amsgrad: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None,
                 decoupled_weight_decay: bool = False) -> None:
        _check_lr(lr)
        _check_nonneg(eps, "epsilon")
        _check_betas(betas)
        _check_nonneg(weight_decay, "weight_decay")
        defaults = dict(lr=lr, betas=tuple(_scalar(b) for b in betas), eps=eps, weight_decay=weight_decay,
                        amsgrad=amsgrad, maximize=maximize, foreach=foreach, capturable=capturable,
                        differentiable=differentiable, fused=fused, decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _init_state(self, p, group, state) -> None:
        state["step"] = _step_tensor()
        state["exp_avg"] = _zeros_like(p)
        state["exp_avg_sq"] = _zeros_like(p)
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = _zeros_like(p)

    def _update_group(self, group, params, grads, states) -> None:
        beta1, beta2 = group["betas"]
        adam([p._data for p in params], [g._data for g in grads], _arrays(states, "exp_avg"),
             _arrays(states, "exp_avg_sq"), _arrays(states, "max_exp_avg_sq"), _arrays(states, "step"),
             amsgrad=group["amsgrad"], beta1=beta1, beta2=beta2, lr=_scalar(group["lr"]),
             weight_decay=group["weight_decay"], eps=group["eps"], maximize=group["maximize"],
             decoupled_weight_decay=group["decoupled_weight_decay"])


class AdamW(Adam):
    r"""Adam with decoupled weight decay (Loshchilov & Hutter), as ``torch.optim.AdamW``.

    The same algorithm as :class:`Adam` with ``decoupled_weight_decay=True``:
    ``theta <- theta - gamma * lambda * theta`` before the Adam update, instead of adding
    ``lambda * theta`` to the gradient. Default ``weight_decay=1e-2``.

    .. code-block:: text

        input: lr (gamma), betas (beta1, beta2), params theta_0, objective f, weight decay lambda,
               eps, amsgrad, maximize
        init:  m_0 <- 0, v_0 <- 0, v_max_0 <- 0
        for t = 1, 2, ...
            g_t <- grad f_t(theta_{t-1})                 (negated if maximize)
            theta_{t-1} <- theta_{t-1} - gamma * lambda * theta_{t-1}
            m_t <- beta1 m_{t-1} + (1 - beta1) g_t
            v_t <- beta2 v_{t-1} + (1 - beta2) g_t^2
            if amsgrad: v_max_t <- max(v_max_{t-1}, v_t);  v <- v_max_t   else v <- v_t
            theta_t <- theta_{t-1} - gamma / (1 - beta1^t) * m_t / (sqrt(v) / sqrt(1 - beta2^t) + eps)

    State per parameter: ``step`` (0-d float32), ``exp_avg``, ``exp_avg_sq``, and
    ``max_exp_avg_sq`` with amsgrad.

    Examples::

        >>> import ember
        >>> w = ember.ones(2, requires_grad=True)
        >>> opt = ember.optim.AdamW([w], lr=0.1, weight_decay=0.1)
        >>> for _ in range(2):
        ...     opt.zero_grad()
        ...     (w - 2.0).pow(2).sum().backward()
        ...     opt.step()
        >>> w
        tensor([1.1787, 1.1787], requires_grad=True)
    """

    def __init__(self, params: ParamsT, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False, foreach: bool | None = None, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach, maximize=maximize,
                         capturable=capturable, differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)
