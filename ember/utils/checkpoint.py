"""Activation checkpointing (``torch.utils.checkpoint``): trade compute for memory.

``checkpoint(fn, *args)`` runs ``fn`` and keeps only its inputs, not the activations inside it; backward runs
``fn`` again, with gradients on and the random state it had the first time (so dropout draws the same masks),
and back-propagates through that second graph:

    forward:   y = fn(x)                      (the graph inside fn is dropped, x is saved)
    backward:  y' = fn(x) again;  dL/dx, dL/dw = grad(y', (x, w), dL/dy)

The parameters ``w`` that ``fn`` uses get their gradients as without checkpointing (they are found by walking
the first graph before it is dropped), so ``loss.backward()`` and ``autograd.grad`` see the same values.
``checkpoint_sequential(layers, segments, x)`` checkpoints all but the last of ``segments`` runs of layers.

``use_reentrant`` as in torch: not given, torch's warning and ``True``. With ``True``, keyword arguments to
``fn`` raise ``ValueError`` and, when no input requires grad, the output does not either (torch's warning
"None of the inputs have requires_grad=True"). With ``False`` the parameters inside still get gradients.
Both variants recompute in backward here (torch's non-reentrant one does so through saved-tensor hooks; the
gradients are the same).

Example:
    >>> import ember
    >>> from ember.utils.checkpoint import checkpoint
    >>> _ = ember.manual_seed(0)
    >>> lin = ember.nn.Linear(3, 2)
    >>> x = ember.randn(4, 3, requires_grad=True)
    >>> checkpoint(lin, x, use_reentrant=False).relu().sum().backward()
    >>> g = lin.weight.grad.clone(); lin.weight.grad = None
    >>> lin(x).relu().sum().backward()
    >>> bool((g == lin.weight.grad).all())
    True
"""
from __future__ import annotations

import warnings
from typing import Any, Callable

from ..autograd import Function, grad as _grad
from ..autograd.grad_mode import STATE, enable_grad, no_grad
from ..nn.modules.container import Sequential
from ..random import get_rng_state, set_rng_state
from ..tensor import Tensor

__all__ = ["checkpoint", "checkpoint_sequential", "noop_context_fn", "detach_variable"]

_WARN_NO_REENTRANT = (
    "torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. Starting in PyTorch "
    "2.9, calling checkpoint without use_reentrant will raise an exception. use_reentrant=False is "
    "recommended, but if you need to preserve the current default behavior, you can pass "
    "use_reentrant=True. Refer to docs for more details on the differences between the two variants.")
_WARN_SEQ_NO_REENTRANT = (
    "torch.utils.checkpoint.checkpoint_sequential: the use_reentrant parameter should be passed explicitly. "
    "In version 2.9 we will raise an exception if use_reentrant is not passed. use_reentrant=False is "
    "recommended, but if you need to preserve the current default behavior, you can pass "
    "use_reentrant=True. Refer to docs for more details on the differences between the two variants.")


def noop_context_fn():
    """The default ``context_fn``: two context managers that do nothing."""
    import contextlib

    return contextlib.nullcontext(), contextlib.nullcontext()


def detach_variable(inputs: tuple) -> tuple:
    """Each tensor of ``inputs`` detached, keeping its ``requires_grad`` (torch's helper of the same name)."""
    if not isinstance(inputs, tuple):
        raise RuntimeError(f"Only tuple of tensors is supported. Got Unsupported input type: {type(inputs).__name__}")
    return tuple(x.detach().requires_grad_(x.requires_grad) if isinstance(x, Tensor) else x for x in inputs)


def _leaves(outputs: list, stop: set) -> list:
    """The leaf tensors requiring grad that ``outputs`` were computed from (not walking past ``stop``)."""
    # ``seen`` keeps the nodes alive: next_functions may build its AccumulateGrad wrappers on the fly, and a
    # freed wrapper's id can come back for another one
    found, seen, stack = {}, {}, [o.grad_fn for o in outputs if o.grad_fn is not None]
    for o in outputs:
        if o.grad_fn is None and o.requires_grad and id(o) not in stop:
            found[id(o)] = o
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen[id(node)] = node
        variable = getattr(node, "variable", None)
        if variable is not None:
            if id(variable) not in stop:
                found[id(variable)] = variable
            continue
        stack.extend(n for n, _ in node.next_functions)
    return list(found.values())


def _tensors(out) -> list:
    return [out] if isinstance(out, Tensor) else [o for o in out if isinstance(o, Tensor)]


class _Recompute(Function):
    """One node for the whole checkpointed call: forward hands back the outputs computed outside (their graph
    already dropped); backward recomputes ``fn`` and returns the gradients of its inputs and parameters."""

    @staticmethod
    def forward(ctx, call, *inputs):
        ctx.call = call
        ctx.save_for_backward(*inputs)
        outs = call.outputs
        call.outputs = None
        return outs[0] if len(outs) == 1 else tuple(outs)

    @staticmethod
    def backward(ctx, *grad_outputs):
        call, inputs = ctx.call, ctx.saved_tensors
        n = len(call.args_at)
        args = list(call.args)
        fresh = [x.detach().requires_grad_(x.requires_grad) for x in inputs[:n]]
        for slot, x in zip(call.args_at, fresh):
            args[slot] = x
        state = get_rng_state() if call.rng_state is not None else None
        if state is not None:
            set_rng_state(call.rng_state)
        try:
            with enable_grad():
                outs = _tensors(call.fn(*args, **call.kwargs))
        finally:
            if state is not None:
                set_rng_state(state)
        targets = [x for x in fresh + list(inputs[n:]) if x.requires_grad]
        pairs = [(o, g) for o, g in zip(outs, grad_outputs) if o.requires_grad and g is not None]
        grads = iter(_grad([o for o, _ in pairs], targets, [g for _, g in pairs], allow_unused=True)
                     if pairs and targets else [None] * len(targets))
        return (None, *[next(grads) if x.requires_grad else None for x in fresh + list(inputs[n:])])


class _Call:
    __slots__ = ("fn", "args", "kwargs", "args_at", "rng_state", "outputs")


def checkpoint(function: Callable, *args: Any, use_reentrant: bool | None = None,
               context_fn: Callable = noop_context_fn, determinism_check: str = "default", debug: bool = False,
               early_stop: bool = True, **kwargs: Any) -> Any:
    """``function(*args, **kwargs)``, its activations recomputed in backward instead of kept (module docstring).

    ``preserve_rng_state`` (a keyword, default True) restores the random state for the recomputation.
    """
    if use_reentrant is None:
        warnings.warn(_WARN_NO_REENTRANT, stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs and use_reentrant:
        raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))
    if use_reentrant and (context_fn is not noop_context_fn or debug is not False):
        raise ValueError("Passing `context_fn` or `debug` is only supported when use_reentrant=False.")
    at = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
    if not STATE.enabled:
        return function(*args, **kwargs)
    if use_reentrant and not any(args[i].requires_grad for i in at):
        warnings.warn("None of the inputs have requires_grad=True. Gradients will be None", stacklevel=2)
        with no_grad():
            return function(*args, **kwargs)
    call = _Call()
    call.fn, call.args, call.kwargs, call.args_at = function, args, kwargs, at
    call.rng_state = get_rng_state() if preserve else None
    detached = list(args)
    for i in at:
        detached[i] = args[i].detach().requires_grad_(args[i].requires_grad)
    out = function(*detached, **kwargs)      # the graph inside is walked for parameters, then dropped
    outs = _tensors(out)
    params = _leaves(outs, {id(detached[i]) for i in at})
    call.outputs = [o.detach() for o in outs]
    result = _Recompute.apply(call, *[args[i] for i in at], *params)
    if isinstance(out, Tensor):
        return result
    result = iter(result if isinstance(result, tuple) else (result,))
    return type(out)(next(result) if isinstance(o, Tensor) else o for o in out)


def checkpoint_sequential(functions, segments: int, input: Tensor, use_reentrant: bool | None = None,
                          **kwargs: Any) -> Tensor:
    """Run ``functions`` (a list or ``nn.Sequential``) in ``segments`` runs; all but the last are checkpointed."""
    if use_reentrant is None:
        warnings.warn(_WARN_SEQ_NO_REENTRANT, stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))
    if isinstance(functions, Sequential):
        functions = list(functions.children())

    def run(start: int, end: int) -> Callable:
        def forward(x):
            for j in range(start, end + 1):
                x = functions[j](x)
            return x
        return forward

    size, end = len(functions) // segments, -1
    for start in range(0, size * (segments - 1), size):
        end = start + size - 1
        input = checkpoint(run(start, end), input, use_reentrant=use_reentrant, preserve_rng_state=preserve)
    return run(end + 1, len(functions) - 1)(input)
