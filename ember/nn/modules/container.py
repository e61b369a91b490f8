"""Containers: ``Sequential``, ``ModuleList``, ``ModuleDict``, ``ParameterList``, ``ParameterDict``.

>>> import ember
>>> net = ember.nn.Sequential(ember.nn.Linear(2, 3), ember.nn.ReLU())
>>> net[0], len(net), net[:1]
(Linear(in_features=2, out_features=3, bias=True), 2, Sequential(
  (0): Linear(in_features=2, out_features=3, bias=True)
))
"""
from __future__ import annotations

__all__ = ['Sequential', 'ModuleList', 'ModuleDict', 'ParameterList', 'ParameterDict']

import collections
import operator
from typing import Iterable, Iterator

from ..parameter import Parameter
from .module import Module


def _index(idx: int, n: int) -> int:
    idx = operator.index(idx)
    if not -n <= idx < n:
        raise IndexError(f"index {idx} is out of range")
    return idx % n


class Sequential(Module):
    """Modules applied in order: ``forward(x) = m_k(...m_2(m_1(x)))``.

    Args:
        *args: the modules, named "0", "1", ...; or one ``OrderedDict`` of name -> module.

    Indexing gives a module (``seq[0]``) or a ``Sequential`` of a slice (``seq[1:]``); ``append``,
    ``insert``, ``extend``, ``del seq[i]`` and ``len`` work as on a list. The parameters are those of the
    children, under "<name>.<param>"; the gradient is that of the composition.

    Shape: the input shape of m_1 to the output shape of m_k.

    Examples::

        >>> import ember
        >>> from collections import OrderedDict
        >>> model = ember.nn.Sequential(ember.nn.Linear(4, 8), ember.nn.ReLU(), ember.nn.Linear(8, 2))
        >>> model(ember.randn(3, 4)).shape
        ember.Size([3, 2])
        >>> [name for name, _ in model.named_parameters()]
        ['0.weight', '0.bias', '2.weight', '2.bias']
        >>> named = ember.nn.Sequential(OrderedDict([("fc", ember.nn.Linear(4, 2)), ("act", ember.nn.Tanh())]))
        >>> named.fc.weight.shape, len(named[1:])
        (ember.Size([2, 4]), 1)
    """

    def __init__(self, *args) -> None:
        super().__init__()
        if len(args) == 1 and isinstance(args[0], collections.OrderedDict):
            for key, m in args[0].items():
                self.add_module(key, m)
        else:
            for i, m in enumerate(args):
                self.add_module(str(i), m)

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return type(self)(collections.OrderedDict(list(self._modules.items())[idx]))
        return list(self._modules.values())[_index(idx, len(self))]

    def __setitem__(self, idx: int, module: Module) -> None:
        key = list(self._modules.keys())[_index(idx, len(self))]
        setattr(self, key, module)

    def __delitem__(self, idx) -> None:
        keys = list(self._modules.keys())
        if isinstance(idx, slice):
            for k in keys[idx]:
                delattr(self, k)
        else:
            delattr(self, keys[_index(idx, len(self))])
        items = list(self._modules.values())
        self._modules.clear()
        for i, m in enumerate(items):
            self._modules[str(i)] = m

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def __add__(self, other: "Sequential") -> "Sequential":
        return Sequential(*list(self), *list(other))

    def append(self, module: Module) -> "Sequential":
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules: Iterable[Module]) -> "Sequential":
        for m in modules:
            self.append(m)
        return self

    def insert(self, index: int, module: Module) -> "Sequential":
        items = list(self._modules.values())
        items.insert(index, module)
        self._modules.clear()
        for i, m in enumerate(items):
            self._modules[str(i)] = m
        return self

    def pop(self, key: int) -> Module:
        m = self[key]
        del self[key]
        return m

    def forward(self, input):
        for m in self._modules.values():
            input = m(input)
        return input


class ModuleList(Module):
    """A list of modules, registered as children (named "0", "1", ...) so that ``parameters()``,
    ``state_dict()``, ``to()``, ``train()``/``eval()`` reach them. It has no ``forward``: the owner decides
    how to call the modules (so it has no Shape; the gradient is that of the owner's forward).

    Args:
        modules: an iterable of modules to add. Default: ``None`` (empty).

    Indexing (``l[i]``, ``l[i:j]`` gives a ``ModuleList``), ``len``, iteration, ``append``, ``extend``,
    ``insert``, ``pop``, ``del l[i]`` and ``+=`` work as on a list.

    Examples::

        >>> import ember
        >>> class Net(ember.nn.Module):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.blocks = ember.nn.ModuleList([ember.nn.Linear(4, 4) for _ in range(3)])
        ...     def forward(self, x):
        ...         for block in self.blocks:
        ...             x = block(x).relu()
        ...         return x
        >>> net = Net()
        >>> net(ember.randn(2, 4)).shape, len(list(net.parameters()))
        (ember.Size([2, 4]), 6)
    """

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return type(self)(list(self._modules.values())[idx])
        return self._modules[str(_index(idx, len(self)))]

    def __setitem__(self, idx: int, module: Module) -> None:
        setattr(self, str(_index(idx, len(self))), module)

    def __delitem__(self, idx) -> None:
        keys = list(self._modules.keys())
        for k in (keys[idx] if isinstance(idx, slice) else [keys[_index(idx, len(self))]]):
            del self._modules[k]
        items = list(self._modules.values())
        self._modules.clear()
        for i, m in enumerate(items):
            self._modules[str(i)] = m

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def __iadd__(self, modules):
        return self.extend(modules)

    def __add__(self, other) -> "ModuleList":
        return ModuleList(list(self) + list(other))

    def append(self, module: Module) -> "ModuleList":
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules: Iterable[Module]) -> "ModuleList":
        for m in modules:
            self.append(m)
        return self

    def insert(self, index: int, module: Module) -> None:
        items = list(self._modules.values())
        items.insert(index, module)
        self._modules.clear()
        for i, m in enumerate(items):
            self._modules[str(i)] = m

    def pop(self, key: int) -> Module:
        m = self[key]
        del self[key]
        return m


class ModuleDict(Module):
    """A dict of modules, registered as children under their keys (insertion order kept), so that
    ``parameters()`` and ``state_dict()`` reach them as "<key>.<param>". It has no ``forward`` (so it has no
    Shape; the gradient is that of the owner's forward).

    Args:
        modules: a mapping or an iterable of (key, module) pairs. Default: ``None`` (empty).

    ``d[key]``, ``d[key] = module``, ``del d[key]``, ``in``, ``len``, iteration over keys, ``keys``,
    ``values``, ``items``, ``update``, ``pop`` and ``clear`` work as on a dict.

    Examples::

        >>> import ember
        >>> d = ember.nn.ModuleDict({"conv": ember.nn.Conv2d(1, 4, 3), "pool": ember.nn.MaxPool2d(2)})
        >>> d["pool"](d["conv"](ember.randn(1, 1, 8, 8))).shape
        ember.Size([1, 4, 3, 3])
        >>> [name for name, _ in d.named_parameters()]
        ['conv.weight', 'conv.bias']
    """

    def __init__(self, modules=None) -> None:
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Module:
        return self._modules[key]

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(key, module)

    def __delitem__(self, key: str) -> None:
        del self._modules[key]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules)

    def __contains__(self, key) -> bool:
        return key in self._modules

    def keys(self):
        return self._modules.keys()

    def values(self):
        return self._modules.values()

    def items(self):
        return self._modules.items()

    def clear(self) -> None:
        self._modules.clear()

    def pop(self, key: str) -> Module:
        return self._modules.pop(key)

    def update(self, modules) -> None:
        items = modules.items() if hasattr(modules, "items") else modules
        for k, m in items:
            self[k] = m


class ParameterList(Module):
    """A list of Parameters, registered under "0", "1", ... so that ``parameters()`` and ``state_dict()``
    find them; a plain tensor given is wrapped as a ``Parameter`` (requires_grad=True). It has no
    ``forward`` (so it has no Shape).

    Args:
        values: an iterable of tensors or Parameters. Default: ``None`` (empty).

    Indexing, ``len``, iteration, ``append`` and ``extend`` work as on a list.

    Examples::

        >>> import ember
        >>> params = ember.nn.ParameterList([ember.randn(2, 3) for _ in range(2)])
        >>> params = params.append(ember.zeros(3))  # append returns the list
        >>> len(params), type(params[2]).__name__, [name for name, _ in params.named_parameters()]
        (3, 'Parameter', ['0', '1', '2'])
    """

    def __init__(self, values=None) -> None:
        super().__init__()
        self._size = 0
        if values is not None:
            self.extend(values)

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return ParameterList([self[i] for i in range(len(self))[idx]])
        return getattr(self, str(_index(idx, len(self))))

    def __setitem__(self, idx: int, param) -> None:
        idx = _index(idx, len(self))
        if not isinstance(param, Parameter) and hasattr(param, "_data"):
            param = Parameter(param)
        setattr(self, str(idx), param)

    def __len__(self) -> int:
        return self._size

    def __iter__(self):
        return iter(self[i] for i in range(len(self)))

    def append(self, value) -> "ParameterList":
        new_idx = len(self)
        self._size += 1
        self[new_idx] = value
        return self

    def extend(self, values) -> "ParameterList":
        for v in values:
            self.append(v)
        return self

    def extra_repr(self) -> str:
        return "\n".join(f"({i}): Parameter containing: [{p.type()} of size {'x'.join(map(str, p.shape))}]"
                         for i, p in enumerate(self))


class ParameterDict(Module):
    """A dict of Parameters, registered under their keys (insertion order kept) so that ``parameters()``
    and ``state_dict()`` find them; a plain tensor given is wrapped as a ``Parameter``. It has no
    ``forward`` (so it has no Shape).

    Args:
        parameters: a mapping or an iterable of (key, tensor) pairs. Default: ``None`` (empty).

    ``d[key]``, ``d[key] = tensor``, ``del d[key]``, ``in``, ``len``, ``keys``, ``values``, ``items``,
    ``update`` and ``pop`` work as on a dict.

    Examples::

        >>> import ember
        >>> affine = ember.nn.ParameterDict({"scale": ember.ones(3), "shift": ember.zeros(3)})
        >>> (ember.randn(2, 3) * affine["scale"] + affine["shift"]).shape
        ember.Size([2, 3])
        >>> [name for name, _ in affine.named_parameters()], type(affine["scale"]).__name__
        (['scale', 'shift'], 'Parameter')
    """

    def __init__(self, parameters=None) -> None:
        super().__init__()
        self._keys: dict = {}
        if parameters is not None:
            self.update(parameters)

    def __getitem__(self, key: str):
        return getattr(self, key)

    def __setitem__(self, key: str, value) -> None:
        self._keys[key] = None
        if not isinstance(value, Parameter) and hasattr(value, "_data"):
            value = Parameter(value)
        setattr(self, key, value)

    def __delitem__(self, key: str) -> None:
        del self._keys[key]
        delattr(self, key)

    def __len__(self) -> int:
        return len(self._keys)

    def __iter__(self):
        return iter(self._keys)

    def __contains__(self, key) -> bool:
        return key in self._keys

    def keys(self):
        return self._keys.keys()

    def values(self):
        return [self[k] for k in self._keys]

    def items(self):
        return [(k, self[k]) for k in self._keys]

    def update(self, parameters) -> None:
        items = parameters.items() if hasattr(parameters, "items") else parameters
        for k, v in items:
            self[k] = v

    def pop(self, key: str):
        v = self[key]
        del self[key]
        return v
