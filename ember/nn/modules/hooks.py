"""Module hooks: registering them (one handle per hook, ``_add_hook``) and calling a module with them:
forward pre-hooks, forward hooks, and full backward (pre-)hooks.

Full backward hooks wrap the module's tensor inputs and outputs in identity Functions: the output
identity sees ``grad_output`` (and runs backward pre-hooks), the input identity sees ``grad_input``
and calls ``hook(module, grad_input, grad_output)``.
"""
from __future__ import annotations

from ...autograd.function import Function
from ...tensor import RemovableHandle, Tensor

# register_module_forward_hook's hooks: they run after every module's forward hooks
_GLOBAL_HOOKS: dict = {}


class _HookHandle(RemovableHandle):
    _next_id = 0

    def __init__(self, container: dict) -> None:
        _HookHandle._next_id += 1
        self.id = _HookHandle._next_id
        super().__init__(container, self.id)


def _add_hook(container: dict, hook, prepend: bool = False) -> RemovableHandle:
    h = _HookHandle(container)
    container[h.id] = hook
    if prepend:
        container.move_to_end(h.id, last=False)
    return h


class _BackwardState:
    def __init__(self, module) -> None:
        self.module = module
        self.grad_output = None
        self.n_inputs_grad = 0


def _make_identity(state: _BackwardState, side: str):
    class BackwardHookFunction(Function):
        @staticmethod
        def forward(ctx, *tensors):
            return tensors if len(tensors) > 1 else tensors[0]

        @staticmethod
        def backward(ctx, *grads):
            m = state.module
            if side == "out":
                for hook in m._backward_pre_hooks.values():
                    r = hook(m, grads)
                    if r is not None:
                        grads = tuple(r) if isinstance(r, (tuple, list)) else (r,)
                state.grad_output = grads
                if state.n_inputs_grad == 0:  # no input needs grad: hooks see grad_input = (None,)
                    _call_full(m, (None,), grads)
                return grads if len(grads) > 1 else grads[0]
            res = _call_full(m, grads, state.grad_output)
            if res is not None:
                grads = tuple(res)
            return grads if len(grads) > 1 else grads[0]

    return BackwardHookFunction


def _call_full(m, grad_input, grad_output):
    out = None
    for hook in m._backward_hooks.values():
        r = hook(m, grad_input, grad_output)
        if r is not None:
            out = grad_input = tuple(r) if isinstance(r, (tuple, list)) else (r,)
    return out


def _wrap(fn_cls, values):
    """Pass the Tensors among ``values`` through the identity Function; keep the structure."""
    single = isinstance(values, Tensor)
    items = (values,) if single else values
    idx = [i for i, v in enumerate(items) if isinstance(v, Tensor)]
    if not idx or not isinstance(items, tuple):
        return values
    res = fn_cls.apply(*[items[i] for i in idx])
    res = (res,) if isinstance(res, Tensor) else res
    out = list(items)
    for i, r in zip(idx, res):
        out[i] = r
    return out[0] if single else tuple(out)


def call_with_hooks(module, args: tuple, kwargs: dict):
    for hook_id, hook in list(module._forward_pre_hooks.items()):
        if hook_id in module._forward_pre_hooks_with_kwargs:
            r = hook(module, args, kwargs)
            if r is not None:
                args, kwargs = r
        else:
            r = hook(module, args)
            if r is not None:
                args = r if isinstance(r, tuple) else (r,)
    state = None
    if module._backward_hooks or module._backward_pre_hooks:
        state = _BackwardState(module)
        state.n_inputs_grad = sum(1 for a in args if isinstance(a, Tensor) and a.requires_grad)
        if state.n_inputs_grad:
            args = _wrap(_make_identity(state, "in"), tuple(args))
    out = module.forward(*args, **kwargs)
    for hook_id, hook in list(module._forward_hooks.items()):
        if hook_id in module._forward_hooks_with_kwargs:
            r = hook(module, args, kwargs, out)
        else:
            r = hook(module, args, out)
        if r is not None:
            out = r
    for hook in list(_GLOBAL_HOOKS.values()):
        r = hook(module, args, out)
        if r is not None:
            out = r
    if state is not None:
        out = _wrap(_make_identity(state, "out"), out)
    return out
