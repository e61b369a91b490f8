"""The ONNX graph under construction: values named by the arrays they hold, nodes, initializers."""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor


class UnsupportedOperatorError(RuntimeError):
    """An op with no ONNX conversion at the requested opset (torch's ``UnsupportedOperatorError``)."""


class Graph:
    """Values are found by the identity of the array a tensor holds: a tensor the tape never produced is a
    parameter, a buffer or a constant, and becomes an initializer (named by its ``state_dict`` key when it
    is one)."""

    def __init__(self, opset: int, param_names: dict, export_params: bool = True) -> None:
        self.opset = opset
        self.param_names = param_names  # id(array) -> state_dict key
        self.export_params = export_params
        self.names: dict = {}  # id(array) -> value name
        self.by_node: dict = {}  # the node that made a value -> its name
        self.nodes: list = []
        self.initializers: dict = {}  # name -> ndarray
        self.params_as_inputs: list = []
        self.batch = None  # the traced size of the dynamic batch axis, if any
        self._n = 0

    def fresh(self, hint: str) -> str:
        self._n += 1
        return f"/{hint}_{self._n}"

    def value(self, t) -> str:
        """The value name of tensor (or array) ``t``; an unknown one becomes an initializer."""
        arr = t._data if isinstance(t, Tensor) else t
        name = self.names.get(id(arr))
        if name is None and isinstance(t, Tensor) and t._grad_fn is not None:
            # the copy an in-place op makes of its target's old value carries the target's history
            name = self.by_node.get(_node_key(t._grad_fn))
        if name is None:
            name = self.param_names.get(id(arr))
            if name is None:
                name = self.fresh("Constant")
            self.initializers[name] = np.ascontiguousarray(arr)
            self.names[id(arr)] = name
        return name

    def const(self, value, dtype=None) -> str:
        arr = np.asarray(value, dtype=dtype)
        name = self.fresh("const")
        self.initializers[name] = arr
        return name

    def ints(self, values) -> str:
        return self.const(np.asarray(list(values), dtype=np.int64))

    def scalar_like(self, value, t) -> str:
        """A Python number as a 0-d constant of tensor ``t``'s dtype (torch's weak scalar)."""
        return self.const(np.asarray(value, dtype=t._data.dtype))

    def node(self, op_type: str, inputs: list, n_out: int = 1, **attrs) -> list:
        outs = [self.fresh(op_type) for _ in range(n_out)]
        self.nodes.append((op_type, list(inputs), outs, attrs))
        return outs

    def one(self, op_type: str, inputs: list, **attrs) -> str:
        return self.node(op_type, inputs, **attrs)[0]

    def bind(self, t, name: str, node=None) -> None:
        arr = t._data if isinstance(t, Tensor) else t
        self.names[id(arr)] = name
        if node is not None:
            self.by_node[_node_key(node)] = name

    def reduce(self, op_type: str, x: str, axes, keepdims: bool) -> str:
        """A ReduceX node: axes an attribute before opset 18 (13 for ReduceSum), an input from then on."""
        axes = [int(a) for a in axes]
        new_style = self.opset >= (13 if op_type == "ReduceSum" else 18)
        if new_style:
            return self.one(op_type, [x, self.ints(axes)], keepdims=int(keepdims))
        return self.one(op_type, [x], axes=axes, keepdims=int(keepdims))

    def unsupported(self, what: str) -> UnsupportedOperatorError:
        return UnsupportedOperatorError(
            f"Exporting the operator '{what}' to ONNX opset version {self.opset} is not supported. "
            "Please open a bug to request ONNX export support for the missing operator, or rewrite the "
            "forward with supported ops (see docs/deployment.md).")


def _node_key(fn):
    return (id(fn[0]), fn[1]) if type(fn) is tuple else (id(fn), 0)
