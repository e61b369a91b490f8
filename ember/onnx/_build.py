"""Turn one traced forward into an ONNX ModelProto."""
from __future__ import annotations

import numpy as np

from .._grad_mode import enable_grad
from ..tensor import Tensor
from ._graph import Graph
from ._indexing import recorded_functions
from ._ops import CONVERTERS
from ._recurrent import LEAVES, convert_leaf
from ._trace import OpTape


def _as_tuple(args) -> tuple:
    if isinstance(args, Tensor):
        return (args,)
    if isinstance(args, list):
        return tuple(args)
    return tuple(args)


def _flat(out) -> list:
    if isinstance(out, Tensor):
        return [out]
    res = []
    for o in out:
        res += _flat(o)
    return res


def _axes(spec) -> dict:
    if isinstance(spec, dict):
        return {int(k): str(v) for k, v in spec.items()}
    return {int(a): f"dim_{a}" for a in spec}


def _traced_input(a):
    if isinstance(a, Tensor) and a.is_floating_point():
        return a.detach().requires_grad_(True)  # the same array: its value name is kept
    return a


def trace_graph(model, args: tuple, opset: int, input_names, dynamic_axes: dict, export_params: bool):
    """Run the model once with the op tape on and convert each entry; returns (graph, inputs, outputs)."""
    params = {}
    if hasattr(model, "state_dict"):
        for k, v in model.state_dict(keep_vars=True).items():
            params.setdefault(id(v._data), k)
    g = Graph(opset, params, export_params)
    tensors = [a for a in args if isinstance(a, Tensor)]
    names = list(input_names or [])
    names += [f"input_{i}" if i else "input" for i in range(len(names), len(tensors))]
    for t, n in zip(tensors, names):
        g.bind(t, n)
    for n, t in zip(names, tensors):  # the traced size of the (first) dynamic input axis
        axes = list(_axes(dynamic_axes.get(n, {})))
        if axes and g.batch is None:
            g.batch = int(t.shape[axes[0]])
    was_training = getattr(model, "training", False)
    if hasattr(model, "eval"):
        model.eval()
    try:
        # traced with grad on and float inputs requiring grad: ember's inference fast paths (a fused kernel
        # called on raw arrays, never an op) run only when nothing is recorded, so the tape sees the ops
        with enable_grad(), OpTape(leaves=LEAVES, functions=recorded_functions()) as tape:
            out = model(*[_traced_input(a) for a in args])
    finally:
        if was_training:
            model.train()
    for e in tape.entries:
        if e.op == "inplace":
            dst, data = e.args
            if id(data) in g.names:
                g.names[id(dst)] = g.names[id(data)]
            continue
        if e.module is not None:
            results = convert_leaf(g, e.module, e.args, e.kwargs, e.outputs)
        else:
            name = e.op.__name__
            fn = CONVERTERS.get(name)
            if fn is None:
                raise g.unsupported(f"ember::{name}")
            results = fn(g, name, e.args, e.outputs)
        for t, node, r in zip(e.outputs, e.nodes, results):
            if r is not None:
                g.bind(t, r, node)
    return g, list(zip(names, tensors)), _flat(out)


def build_model(model, args, opset: int, input_names, output_names, dynamic_axes: dict, export_params: bool):
    import onnx
    from onnx import helper, numpy_helper

    args = _as_tuple(args)
    g, inputs, outputs = trace_graph(model, args, opset, input_names, dynamic_axes, export_params)
    out_names = list(output_names or [])
    out_names += [f"output_{i}" if i else "output" for i in range(len(out_names), len(outputs))]

    def info(name, t):
        dims = list(t.shape)
        for ax, label in _axes(dynamic_axes.get(name, {})).items():
            dims[ax] = label
        return helper.make_tensor_value_info(name, helper.np_dtype_to_tensor_dtype(t._data.dtype), dims)

    nodes = [helper.make_node(op, ins, outs, **attrs) for op, ins, outs, attrs in g.nodes]
    for t, n in zip(outputs, out_names):
        nodes.append(helper.make_node("Identity", [g.value(t)], [n]))
    graph_inputs = [info(n, t) for n, t in inputs]
    inits = []
    params = set(g.param_names.values())
    for name, a in g.initializers.items():
        if export_params or name not in params:
            inits.append(numpy_helper.from_array(np.asarray(a), name))
        else:  # export_params=False: the parameters are graph inputs, fed at run time
            graph_inputs.append(helper.make_tensor_value_info(
                name, helper.np_dtype_to_tensor_dtype(a.dtype), list(a.shape)))
    graph = helper.make_graph(nodes, "ember", graph_inputs, [info(n, t) for t, n in zip(outputs, out_names)],
                              initializer=inits)
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="ember")
    proto.ir_version = min(proto.ir_version, 8)
    onnx.checker.check_model(proto)
    return proto
