"""Finite-difference checks of backward: ``gradcheck`` (first order) and ``gradgradcheck``.

Central differences in float64: d f_i / d x_j ~ (f(x + eps e_j) - f(x - eps e_j)) / (2 eps), compared
with the vector-Jacobian products the engine computes for each one-hot output gradient.

>>> import ember
>>> x = ember.randn(3, dtype=ember.float64, requires_grad=True)
>>> ember.autograd.gradcheck(lambda t: (t * t).sin(), (x,))
True
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from ..tensor import Tensor, wrap
from .engine import grad as _grad
from .grad_mode import enable_grad, no_grad


class GradcheckError(RuntimeError):
    pass


def _outputs(fn, inputs) -> tuple:
    out = fn(*inputs)
    return (out,) if isinstance(out, Tensor) else tuple(o for o in out if isinstance(o, Tensor))


def _numerical(fn, inputs, eps) -> list:
    """Jacobian columns by central differences: J[k][i] has shape (out_k.numel, in_i.numel)."""
    with no_grad():
        outs = _outputs(fn, inputs)
    jac = [[np.zeros((o.numel(), t.numel())) for t in inputs] for o in outs]
    for i, t in enumerate(inputs):
        if not (isinstance(t, Tensor) and t.requires_grad):
            continue
        flat = t._data.reshape(-1) if t._data.flags.c_contiguous else None
        if flat is None:
            raise GradcheckError("gradcheck needs contiguous inputs")
        for j in range(flat.size):
            orig = flat[j].copy()
            flat[j] = orig + eps
            with no_grad():
                plus = [o._data.astype(np.complex128 if o.is_complex() else np.float64).reshape(-1).copy()
                        for o in _outputs(fn, inputs)]
            flat[j] = orig - eps
            with no_grad():
                minus = [o._data.astype(np.complex128 if o.is_complex() else np.float64).reshape(-1).copy()
                         for o in _outputs(fn, inputs)]
            flat[j] = orig
            for k in range(len(outs)):
                jac[k][i][:, j] = ((plus[k] - minus[k]) / (2 * eps)).real
    return jac


def _analytical(fn, inputs) -> list:
    outs = _outputs(fn, inputs)
    diff = [t for t in inputs if isinstance(t, Tensor) and t.requires_grad]
    jac = [[np.zeros((o.numel(), t.numel())) for t in inputs] for o in outs]
    for k, o in enumerate(outs):
        if not o.requires_grad:
            continue
        for r in range(o.numel()):
            g = np.zeros(o._data.size, dtype=o._data.dtype)
            g[r] = 1
            grads = _grad(o, diff, wrap(g.reshape(o._data.shape)), retain_graph=True, allow_unused=True)
            it = iter(grads)
            for i, t in enumerate(inputs):
                if isinstance(t, Tensor) and t.requires_grad:
                    gi = next(it)
                    if gi is not None:
                        jac[k][i][r, :] = np.asarray(gi._data, dtype=np.float64).reshape(-1)
    return jac


def gradcheck(func: Callable, inputs, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True, **kwargs) -> bool:
    """Compare analytical and numerical Jacobians of ``func`` at ``inputs`` (float64 expected)."""
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    for t in inputs:
        if isinstance(t, Tensor) and t.requires_grad and t.dtype.name not in ("float64", "complex128"):
            import warnings

            warnings.warn("Input #0 requires gradient and is not a double precision floating point. "
                          "This check will likely fail if all the inputs are not of double precision "
                          "floating point. ", UserWarning)
    num = _numerical(func, inputs, eps)
    ana = _analytical(func, inputs)
    for k in range(len(num)):
        for i in range(len(inputs)):
            a, n = ana[k][i], num[k][i]
            if not np.allclose(a, n, rtol=rtol, atol=atol):
                if raise_exception:
                    raise GradcheckError(
                        f"Jacobian mismatch for output {k} with respect to input {i},\n"
                        f"numerical:{n}\nanalytical:{a}\n")
                return False
    return True


def gradgradcheck(func: Callable, inputs, grad_outputs=None, *, eps: float = 1e-6, atol: float = 1e-5,
                  rtol: float = 1e-3, raise_exception: bool = True, **kwargs) -> bool:
    """gradcheck of the function ``inputs, v -> vjp(func, inputs, v)`` (second derivatives)."""
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    outs = _outputs(func, inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = tuple(wrap(rng.standard_normal(o._data.shape).astype(o._data.dtype), True)
                             for o in outs)
    n_in = len(inputs)
    diff_idx = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]

    def vjp(*args):
        xs, vs = args[:n_in], args[n_in:]
        # The first derivative needs a graph even where gradcheck's finite differences turn grad mode off;
        # without it every vjp is empty and the check compares nothing.
        with enable_grad():
            return _vjp(xs, vs)

    def _vjp(xs, vs):
        ys = _outputs(func, xs)
        pairs = [(y, v) for y, v in zip(ys, vs) if y.requires_grad]
        gs = _grad([p[0] for p in pairs], [xs[i] for i in diff_idx], [p[1] for p in pairs],
                   create_graph=True, allow_unused=True)
        return tuple(g for g in gs if g is not None)

    return gradcheck(vjp, inputs + tuple(grad_outputs), eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
