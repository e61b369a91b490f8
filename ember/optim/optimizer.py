"""The ``Optimizer`` base: param groups, per-parameter state, hooks and torch-layout state dicts.

An algorithm is a thin subclass. It names its defaults, validates them, creates the state of a
parameter on first use (``_init_state``) and hands a whole group to one pure update function that
works on raw NumPy arrays in place (``_update_group``). The base class does the rest: it collects
the parameters that have a gradient, runs the update under ``no_grad``, bumps every updated
parameter's version counter and calls the step hooks.

``state_dict()`` has torch's exact layout::

    {'state': {0: {'step': tensor(3.), 'exp_avg': tensor([...]), ...}, ...},
     'param_groups': [{'lr': 0.001, ..., 'params': [0, 1]}, ...]}

so a torch optimizer's state dict (its tensors converted to ember tensors) loads into the ember
optimizer of the same class and continues identically, and the other way round.
"""
from __future__ import annotations

import functools
from collections import OrderedDict, defaultdict
from copy import deepcopy
from itertools import chain
from typing import Any, Callable, Iterable

import numpy as np

from ..autograd import enable_grad, no_grad
from ..tensor import RemovableHandle, Tensor, wrap

ParamsT = Iterable  # an iterable of Tensors, of (name, Tensor) pairs, or of dicts (param groups)


class _RequiredParameter:
    """Singleton marking a default that every param group must give (torch's ``required``)."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()


def _step_tensor(value: float = 0.0) -> Tensor:
    """A 0-d float32 step counter, as torch 2.x keeps ``state['step']``."""
    return wrap(np.array(value, dtype=np.float32))


def _hooked(step: Callable) -> Callable:
    """Wrap a subclass's ``step``: pre hooks, the step under ``no_grad``, post hooks."""

    @functools.wraps(step)
    def wrapper(self, *args, **kwargs):
        for hook in list(self._optimizer_step_pre_hooks.values()):
            result = hook(self, args, kwargs)
            if result is not None:
                if not (isinstance(result, tuple) and len(result) == 2):
                    raise RuntimeError(f"{step} must return None or a tuple of (new_args, new_kwargs), "
                                       f"but got {result}.")
                args, kwargs = result
        with no_grad():
            out = step(self, *args, **kwargs)
        for hook in list(self._optimizer_step_post_hooks.values()):
            hook(self, args, kwargs)
        return out

    wrapper._ember_hooked = True
    return wrapper


class Optimizer:
    """Base class of all optimizers (torch's ``torch.optim.Optimizer``).

    Args:
        params: an iterable of Tensors, of ``(name, Tensor)`` pairs, or of dicts that define
            parameter groups (each with a ``"params"`` entry and optional per-group options).
        defaults: the default value of every option, used where a group gives none.

    A subclass gives its update rule (one pure function over raw arrays) and its per-parameter state;
    the base class holds ``param_groups`` and ``state``, checks the parameters, and provides ``step``
    hooks, ``zero_grad``, ``add_param_group``, ``state_dict`` and ``load_state_dict`` (torch's format).

    Examples::

        >>> import ember
        >>> backbone, head = ember.nn.Linear(4, 4), ember.nn.Linear(4, 2)
        >>> opt = ember.optim.SGD([{"params": backbone.parameters()},
        ...                        {"params": head.parameters(), "lr": 1e-2}], lr=1e-3, momentum=0.9)
        >>> [group["lr"] for group in opt.param_groups]
        [0.001, 0.01]
        >>> head(backbone(ember.randn(3, 4))).sum().backward()
        >>> opt.step()
        >>> opt.zero_grad()
        >>> head.weight.grad is None, sorted(opt.state_dict())
        (True, ['param_groups', 'state'])
    """

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        step = cls.__dict__.get("step")
        if step is not None and not getattr(step, "_ember_hooked", False):
            cls.step = _hooked(step)

    def __init__(self, params: ParamsT, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        self._optimizer_step_pre_hooks: OrderedDict = OrderedDict()
        self._optimizer_step_post_hooks: OrderedDict = OrderedDict()
        self._hook_id = 0
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors or "
                            "dicts, but got " + params.type())
        self.state: defaultdict = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    # ------------------------------------------------------------------ groups
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own options (fine-tuning: new layers, other lr)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but the "
                            "ordering of tensors in sets will change between runs. Please use a list instead.")
        params = list(params)
        names = [p[0] for p in params if isinstance(p, tuple)]
        tensors = [p[1] if isinstance(p, tuple) else p for p in params]
        param_group["params"] = tensors
        if names:
            if len(names) != len(tensors):
                raise ValueError("all optimizer params should be with/without names. Some param names are missing")
            param_group["param_names"] = names
        for p in tensors:
            if not isinstance(p, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                + type(p).__name__)
            if not self.defaults.get("differentiable", None) and not (p.is_leaf or p.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"parameter group didn't specify a value of required optimization "
                                 f"parameter {name}")
            param_group.setdefault(name, default)
        if len(tensors) != len({id(p) for p in tensors}):
            import warnings

            warnings.warn("optimizer contains a parameter group with duplicate parameters; in future, this "
                          "will cause an error; see github.com/pytorch/pytorch/issues/40967 for more "
                          "information", stacklevel=3)
        seen: set[int] = set()
        for group in self.param_groups:
            seen.update(id(p) for p in group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {which} to the optimizer")
        if any(id(p) in seen for p in tensors):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    # ------------------------------------------------------------------ gradients
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset every parameter's ``.grad``: to ``None`` (default) or to zeros in place."""
        for group in self.param_groups:
            for p in group["params"]:
                g = p.grad
                if g is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    if g.grad_fn is not None:
                        g.detach_()
                    else:
                        g._requires_grad = False
                    g._data[...] = 0
                    g._bump()

    # ------------------------------------------------------------------ the step
    def step(self, closure: Callable[[], Any] | None = None):
        """One update of every parameter that has a gradient; ``closure`` re-evaluates the loss.

        The closure runs with grad enabled (it usually calls ``backward``); its value is returned.
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            params, grads, states = [], [], []
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state.get(p)
                if not state:
                    state = {}
                    self._init_state(p, group, state)
                    if state:  # stateless algorithms (plain SGD) leave ``self.state`` empty, as torch
                        self.state[p] = state
                params.append(p)
                grads.append(p.grad)
                states.append(state)
            if params:
                self._update_group(group, params, grads, states)
                for p in params:
                    p._bump()
        return loss

    def _init_state(self, p: Tensor, group: dict, state: dict) -> None:
        """Create the per-parameter state on first use (nothing by default)."""

    def _update_group(self, group: dict, params: list, grads: list, states: list) -> None:
        raise NotImplementedError

    # ------------------------------------------------------------------ hooks
    def _add_hook(self, table: OrderedDict, hook: Callable) -> RemovableHandle:
        self._hook_id += 1
        table[self._hook_id] = hook
        return RemovableHandle(table, self._hook_id)

    def register_step_pre_hook(self, hook: Callable) -> RemovableHandle:
        """``hook(optimizer, args, kwargs)`` before each step; it may return ``(new_args, new_kwargs)``."""
        return self._add_hook(self._optimizer_step_pre_hooks, hook)

    def register_step_post_hook(self, hook: Callable) -> RemovableHandle:
        """``hook(optimizer, args, kwargs)`` after each step."""
        return self._add_hook(self._optimizer_step_post_hooks, hook)

    # ------------------------------------------------------------------ state dicts
    def state_dict(self) -> dict[str, Any]:
        """``{'state': {index: {...}}, 'param_groups': [{..., 'params': [indices]}]}`` as torch.

        Parameters are numbered in group order; state tensors are the live ones (not copies).
        """
        index: dict[int, int] = {}
        groups = []
        start = 0
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for i, p in enumerate(group["params"], start):
                index.setdefault(id(p), i)
            packed["params"] = [index[id(p)] for p in group["params"]]
            start += len(packed["params"])
            groups.append(packed)
        state = {(index[id(k)] if isinstance(k, Tensor) else k): v for k, v in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load a ``state_dict()`` (ember's or torch's with tensors converted); copies the state."""
        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match the size of "
                             "optimizer's group")
        id_map = dict(zip(chain.from_iterable(g["params"] for g in saved_groups),
                          chain.from_iterable(g["params"] for g in groups)))
        state: defaultdict = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                param = id_map[k]
                state[param] = _cast(param, v)
            else:
                state[k] = v
        for group, saved in zip(groups, saved_groups):
            saved["params"] = group["params"]
            if "param_names" in group and "param_names" not in saved:
                saved["param_names"] = group["param_names"]
        self.state = state
        self.param_groups = saved_groups

    def __getstate__(self) -> dict[str, Any]:
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.__dict__.setdefault("_optimizer_step_pre_hooks", OrderedDict())
        self.__dict__.setdefault("_optimizer_step_post_hooks", OrderedDict())
        self.__dict__.setdefault("_hook_id", 0)

    def __repr__(self) -> str:
        lines = [self.__class__.__name__ + " ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {group[k]}" for k in sorted(group) if k != "params"]
        return "\n".join(lines) + "\n)"


Optimizer.step = _hooked(Optimizer.step)  # subclasses' own ``step`` is wrapped by __init_subclass__


def _cast(param: Tensor, value: Any, key: Any = None) -> Any:
    """A deep copy of a loaded state value; tensors (except ``step``) take the parameter's dtype."""
    if isinstance(value, Tensor):
        if key == "step" or not param.is_floating_point():
            return wrap(np.array(value._data, copy=True))
        return wrap(np.array(value._data, dtype=param._data.dtype, copy=True))
    if isinstance(value, dict):
        return {k: _cast(param, v, k) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_cast(param, v) for v in value)
    return value


def _arrays(states: list, key: str) -> list:
    """The raw arrays of one state entry across a group (``None`` where absent)."""
    out = []
    for s in states:
        t = s.get(key)
        out.append(None if t is None else t._data)
    return out


def _zeros_like(p: Tensor) -> Tensor:
    return wrap(np.zeros_like(p._data))


def _check_lr(lr: float) -> None:
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")


def _check_nonneg(value: float, what: str) -> None:
    if not 0.0 <= value:
        raise ValueError(f"Invalid {what} value: {value}")


def _check_betas(betas: tuple) -> None:
    for i in (0, 1):
        if not 0.0 <= betas[i] < 1.0:
            raise ValueError(f"Invalid beta parameter at index {i}: {betas[i]}")


def _scalar(x: Any) -> float:
    return float(x.item()) if isinstance(x, Tensor) else x


def _signed_grad(grad: np.ndarray, param: np.ndarray, weight_decay: float, maximize: bool) -> np.ndarray:
    """``-grad`` when maximizing, plus L2 ``weight_decay * param``; new arrays only when needed."""
    if maximize:
        grad = np.negative(grad)
    if weight_decay != 0:
        grad = grad + weight_decay * param
    return grad
