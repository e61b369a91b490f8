"""``ember.onnx.export``: write a model as an ONNX graph that ONNX Runtime runs (needs the ``onnx`` extra).

The graph is traced: one forward runs with the op tape on (see ``_trace``), and every recorded op becomes
its ONNX nodes (see ``_ops``; the recurrent layers are exported whole as ONNX's LSTM, GRU and RNN, see
``_recurrent``). As with ``torch.onnx.export``'s tracer, Python control flow is frozen at the traced
path, and the model is exported in eval mode.

>>> import io, ember
>>> model = ember.nn.Sequential(ember.nn.Linear(3, 2), ember.nn.ReLU())
>>> buf = io.BytesIO()
>>> ember.onnx.export(model, ember.randn(4, 3), buf, input_names=["x"], output_names=["y"],
...                   dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}})
>>> import onnx
>>> [n.op_type for n in onnx.load_from_string(buf.getvalue()).graph.node]
['Transpose', 'MatMul', 'Add', 'Relu', 'Identity']
"""
from __future__ import annotations

from typing import Any

from ._build import build_model
from ._graph import UnsupportedOperatorError

__all__ = ["export", "UnsupportedOperatorError"]

DEFAULT_OPSET = 17


def export(model: Any, args: Any, f: Any, export_params: bool = True, verbose: bool = False,
           input_names: list | None = None, output_names: list | None = None, opset_version: int | None = None,
           do_constant_folding: bool = True, dynamic_axes: dict | None = None, **kwargs: Any) -> None:
    """Trace ``model(*args)`` once and write the ONNX graph to ``f`` (a path or a binary file object).

    ``dynamic_axes`` maps an input or output name to ``{axis: "name"}`` (or a list of axes), as torch's.
    ``do_constant_folding`` is accepted for torch's signature; ONNX Runtime folds constants when it loads.
    Ops without a conversion raise :class:`UnsupportedOperatorError` naming the op and the opset.
    """
    opset = DEFAULT_OPSET if opset_version is None else int(opset_version)
    if opset < 17:
        raise ValueError(f"ember.onnx.export: opset_version={opset} is not supported; use 17 or newer "
                         "(LayerNormalization needs opset 17)")
    proto = build_model(model, args, opset, input_names, output_names, dynamic_axes or {}, export_params)
    onnx = _onnx()
    if isinstance(f, (str, bytes)) or hasattr(f, "__fspath__"):
        onnx.save(proto, f)
    else:
        f.write(proto.SerializeToString())
    if verbose:
        print(onnx.helper.printable_graph(proto.graph))


def _onnx():
    try:
        import onnx
    except ImportError as e:  # pragma: no cover - the extra is missing
        raise ImportError("ember.onnx.export needs the onnx package: pip install 'ember[onnx]'") from e
    return onnx
