"""``ember.autograd.functional``: derivatives of a Python function of tensors, as torch.autograd.functional.

Built from vector-Jacobian products (``autograd.grad``), with the inputs detached and made to require grad
(under ``create_graph`` a view of each that keeps its history, so the results differentiate back to them):
    vjp = v^T J,  jacobian: one vjp per output element (e_r^T J is row r), stacked,
    jvp = J v = d/du (u^T J) v  (the double-vjp trick: u^T J is linear in u),
    hessian = jacobian of the gradient,  vhp = v^T H,  hvp = H v = d/du (u^T H) v.
An input an output does not depend on gets zeros (``strict=True`` raises instead, as torch). The results are
detached unless ``create_graph``. This module sits above the ops (it stacks the Jacobian's rows), so the
``ember`` package imports it, and ``ember.autograd`` does not.

>>> import ember
>>> from ember.autograd.functional import jacobian, hessian, jvp
>>> x = ember.tensor([1.0, 2.0])
>>> jacobian(lambda x: x ** 2, x)
tensor([[2., 0.],
        [0., 4.]])
>>> hessian(lambda x: (x ** 3).sum(), x)
tensor([[ 6.,  0.],
        [ 0., 12.]])
>>> jvp(lambda x: x ** 2, x, ember.tensor([1.0, 1.0]))[1]
tensor([2., 4.])
"""
from __future__ import annotations

from typing import Callable

from ..ops.creation import zeros_like
from ..ops.joining import stack
from ..tensor import Tensor
from .engine import grad

__all__ = ["vjp", "jvp", "jacobian", "hessian", "vhp", "hvp"]


def _tuple(x, what: str, fn: str) -> tuple[bool, tuple]:
    """(whether ``x`` was a tuple or list, ``x`` as a tuple), checking that each element is a Tensor."""
    is_tuple = isinstance(x, (tuple, list))
    xs = tuple(x) if is_tuple else (x,)
    for i, t in enumerate(xs):
        if not isinstance(t, Tensor):
            where = f"the value at index {i} has type {type(t)}" if is_tuple else f"the given {what} has type {type(t)}"
            raise TypeError(f"The {what} given to {fn} must be either a Tensor or a tuple of Tensors but {where}.")
    return is_tuple, xs


def _prepare(xs: tuple, create_graph: bool) -> tuple:
    """Inputs that require grad: a view keeping the history under ``create_graph``, else detached copies."""
    return tuple(x.view_as(x) if create_graph and x.requires_grad else x.detach().requires_grad_(True)
                 for x in xs)


INDEPENDENT = "The output of the user-provided function is independent of input {}. This is not allowed in strict mode."


def _grads(outputs: tuple, inputs: tuple, v, create_graph: bool, strict: bool, error: str = INDEPENDENT) -> tuple:
    """d<outputs, v>/d inputs, zeros for an input they do not depend on (under ``strict``, ``error`` naming
    the input raises instead)."""
    pairs = [(o, g) for o, g in zip(outputs, v) if o.requires_grad]
    gs = grad([o for o, _ in pairs], inputs, [g for _, g in pairs], retain_graph=True, create_graph=create_graph,
              allow_unused=True) if pairs else (None,) * len(inputs)
    out = []
    for i, (g, x) in enumerate(zip(gs, inputs)):
        if g is None:
            if strict:
                raise RuntimeError(error.format(i))
            g = zeros_like(x)
        out.append(g)
    return tuple(out)


def _post(ts: tuple, create_graph: bool) -> tuple:
    return ts if create_graph else tuple(t.detach() for t in ts)


def _check_v(v, others: tuple) -> tuple:
    """``v`` as a tuple matching ``others`` (the outputs or inputs) in number and shapes."""
    is_tuple = isinstance(v, (tuple, list))
    vs = tuple(v) if is_tuple else (v,)
    if len(vs) != len(others):
        if len(others) == 1:
            raise RuntimeError("The given v should contain a single Tensor.")
        raise RuntimeError(f"v is a tuple of invalid length: should be {len(others)} but got {len(vs)}.")
    for i, (a, b) in enumerate(zip(vs, others)):
        if a.shape != b.shape:
            entry = f"Entry {i} in v" if is_tuple else "v"
            raise RuntimeError(f"{entry} has invalid size: should be {b.shape} but got {a.shape}.")
    return vs


def _one(ts: tuple, is_tuple: bool):
    return ts if is_tuple else ts[0]


def vjp(func: Callable, inputs, v=None, create_graph: bool = False, strict: bool = False) -> tuple:
    """(func(inputs), v^T J): the vector-Jacobian product at ``inputs``. ``v`` may be None only when ``func``
    returns a single one-element Tensor."""
    in_tuple, xs = _tuple(inputs, "inputs", "vjp")
    xs = _prepare(xs, create_graph)
    out_tuple, ys = _tuple(func(*xs), "outputs of the user-provided function", "vjp")
    if v is None:
        if len(ys) != 1 or ys[0].numel() != 1:
            raise RuntimeError("The vector v can only be None if the user-provided function returns a single "
                               "Tensor with a single element.")
        vs = (ys[0].new_ones(ys[0].shape),)
    else:
        vs = _check_v(v, ys)
    res = _grads(ys, xs, vs, create_graph, strict)
    return _one(_post(ys, create_graph), out_tuple), _one(_post(res, create_graph), in_tuple)


def jvp(func: Callable, inputs, v=None, create_graph: bool = False, strict: bool = False) -> tuple:
    """(func(inputs), J v): the Jacobian-vector product at ``inputs``, by two vector-Jacobian products. ``v``
    may be None only when ``inputs`` is a single one-element Tensor."""
    in_tuple, xs = _tuple(inputs, "inputs", "jvp")
    vs = _vector(v, xs)
    xs = _prepare(xs, create_graph)
    out_tuple, ys = _tuple(func(*xs), "outputs of the user-provided function", "jvp")
    us = tuple(zeros_like(y).requires_grad_(True) for y in ys)  # u: u^T J is linear in u
    g_in = _grads(ys, xs, us, True, strict)
    res = _grads(g_in, us, vs, create_graph, strict)
    return _one(_post(ys, create_graph), out_tuple), _one(_post(res, create_graph), out_tuple)


def jacobian(func: Callable, inputs, create_graph: bool = False, strict: bool = False, vectorize: bool = False,
             strategy: str = "reverse-mode"):
    """d func(inputs) / d inputs, each block shaped ``output.shape + input.shape``: a Tensor for one input and
    one output, a tuple over the inputs (or outputs), or a tuple (over outputs) of tuples (over inputs).
    ``vectorize`` and ``strategy="forward-mode"`` (which torch allows only with ``vectorize``) give the same
    values, computed row by row."""
    if strategy not in ("reverse-mode", "forward-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your '
                             'function has more outputs than inputs, "forward-mode" tends to be more performant. '
                             'Otherwise, prefer to use "reverse-mode".')
    if strategy == "forward-mode" and not vectorize:
        raise NotImplementedError("Computing Jacobian using forward-AD or forward-over-reverse Hessian is only "
                                  "implemented for `vectorize=True`.")
    in_tuple, xs = _tuple(inputs, "inputs", "jacobian")
    xs = _prepare(xs, create_graph)
    out_tuple, ys = _tuple(func(*xs), "outputs of the user-provided function", "jacobian")
    blocks = []
    for i, y in enumerate(ys):
        rows = [[] for _ in xs]
        flat = y.reshape(-1)
        for r in range(flat.numel()):
            e = zeros_like(flat)
            e[r] = 1
            error = f"Output {i} of the user-provided function is independent of input {{}}. This is not allowed " \
                "in strict mode."
            for j, g in enumerate(_grads((y,), xs, (e.view_as(y),), create_graph, strict, error)):
                rows[j].append(g)
        blocks.append(tuple(stack(rj).reshape(tuple(y.shape) + tuple(x.shape)) if rj else
                            x.new_zeros(tuple(y.shape) + tuple(x.shape)) for rj, x in zip(rows, xs)))
    blocks = [_one(_post(b, create_graph), in_tuple) for b in blocks]
    return tuple(blocks) if out_tuple else blocks[0]


def _scalar(out, fn: str) -> Tensor:
    """The one-element output of the function given to ``fn`` (hessian, vhp, hvp), as a 0-d Tensor."""
    if isinstance(out, (tuple, list)) and len(out) == 1:
        out = out[0]
    if not isinstance(out, Tensor):
        raise RuntimeError(f"The function given to {fn} should return a single Tensor")
    if out.numel() != 1:
        raise RuntimeError(f"The Tensor returned by the function given to {fn} should contain a single element")
    return out.reshape(())


def _gradient(out: Tensor, xs: tuple, strict: bool) -> tuple:
    """d out / d xs for a 0-d ``out``, recorded (so it can be differentiated again)."""
    return _grads((out,), xs, (out.new_ones(()),), True, strict)


def hessian(func: Callable, inputs, create_graph: bool = False, strict: bool = False, vectorize: bool = False,
            outer_jacobian_strategy: str = "reverse-mode"):
    """The second derivatives of the scalar ``func``: a Tensor ``input.shape * 2`` for one input, else a tuple
    of tuples, block [i][j] = d^2 f / d x_i d x_j."""
    in_tuple, xs = _tuple(inputs, "inputs", "hessian")

    def gradient(*xs):
        gs = _gradient(_scalar(func(*xs), "hessian"), xs, strict)
        return gs if in_tuple else gs[0]

    return jacobian(gradient, inputs, create_graph, strict, vectorize, outer_jacobian_strategy)


def vhp(func: Callable, inputs, v=None, create_graph: bool = False, strict: bool = False) -> tuple:
    """(func(inputs), v^T H) for the scalar ``func``; ``v`` may be None only for a one-element input."""
    return _hessian_product(func, inputs, v, create_graph, strict, "vhp")


def hvp(func: Callable, inputs, v=None, create_graph: bool = False, strict: bool = False) -> tuple:
    """(func(inputs), H v) for the scalar ``func`` (the same as ``vhp`` for a symmetric Hessian)."""
    return _hessian_product(func, inputs, v, create_graph, strict, "hvp")


def _vector(v, xs: tuple) -> tuple:
    """The vector ``v`` as a tuple matching ``xs``; None only for one one-element input (then 1), as torch."""
    if v is not None:
        return _check_v(v, xs)
    if len(xs) != 1 or xs[0].numel() != 1:
        raise RuntimeError("The vector v can only be None if the input to the user-provided function is a "
                           "single Tensor with a single element.")
    return (xs[0].new_ones(xs[0].shape),)


def _hessian_product(func, inputs, v, create_graph: bool, strict: bool, fn: str) -> tuple:
    in_tuple, xs = _tuple(inputs, "inputs", fn)
    vs = _vector(v, xs)
    xs = _prepare(xs, create_graph)
    out = func(*xs)
    g_in = _gradient(_scalar(out, fn), xs, strict)
    if fn == "vhp":
        res = _grads(g_in, xs, vs, create_graph, strict)
    else:  # H v = d/du <u^T H, v>, u^T H being linear in u
        us = tuple(zeros_like(x).requires_grad_(True) for x in xs)
        back = _grads(g_in, xs, us, True, strict)
        res = _grads(back, us, vs, create_graph, strict)
    return _one(_post(out if isinstance(out, (tuple, list)) else (out,), create_graph), isinstance(out, (tuple, list))), \
        _one(_post(res, create_graph), in_tuple)
