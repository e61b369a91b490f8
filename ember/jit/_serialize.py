"""``jit.save`` / ``jit.load``: a traced program as one ``.npz`` file, without pickle.

The file holds the arrays (parameters under their ``state_dict`` keys, other constants as ``const_<i>``)
and ``__program__``, a JSON list of steps: the op by its import path (only ember's own ``Op`` classes
load), each argument tagged (a slot, an array, or a plain Python value), the output slots, and the
input signature the program was traced for.
"""
from __future__ import annotations

import importlib
import json

import numpy as np

from ..autograd.function import Op
from ..dtypes import from_numpy_dtype
from ..tensor import Tensor, wrap
from ._program import _SLOT, Program


def _encode(a, arrays: dict, names: dict):
    if type(a) is tuple and a and a[0] is _SLOT:
        return {"slot": a[1]}
    if isinstance(a, Tensor) or isinstance(a, np.ndarray):
        arr = a._data if isinstance(a, Tensor) else a
        key = names.get(id(arr))
        if key is None:
            key = names[id(arr)] = f"const_{len(arrays)}"
        arrays[key] = np.ascontiguousarray(arr)
        return {"tensor" if isinstance(a, Tensor) else "array": key}
    if a is None or isinstance(a, (bool, int, float, str)):
        return {"value": a}
    if isinstance(a, np.generic):
        return {"scalar": a.item(), "dtype": a.dtype.str}
    if isinstance(a, (tuple, list)):
        return {"tuple" if isinstance(a, tuple) else "list": [_encode(x, arrays, names) for x in a]}
    if isinstance(a, slice):
        return {"slice": [a.start, a.stop, a.step]}
    if a is Ellipsis:
        return {"ellipsis": True}
    raise TypeError(f"ember.jit.save: cannot store an op argument of type {type(a).__name__}")


def _decode(d, arrays):
    if "slot" in d:
        return (_SLOT, d["slot"])
    if "tensor" in d:
        return arrays[d["tensor"]]
    if "array" in d:
        return arrays[d["array"]]._data
    if "value" in d:
        return d["value"]
    if "scalar" in d:
        return np.dtype(d["dtype"]).type(d["scalar"])
    if "tuple" in d:
        return tuple(_decode(x, arrays) for x in d["tuple"])
    if "list" in d:
        return [_decode(x, arrays) for x in d["list"]]
    if "slice" in d:
        return slice(*d["slice"])
    if "ellipsis" in d:
        return Ellipsis
    raise ValueError(f"ember.jit.load: unknown argument record {d!r}")


def _encode_signature(s) -> list:
    """One input's part of the guard key: ("py", repr) or [shape, the ember dtype's name]."""
    if s[0] == "py":
        return [s[0], s[1]]
    return [list(s[0]), str(from_numpy_dtype(s[1]))]


def save_program(traced, f) -> None:
    if not traced._programs:
        raise RuntimeError("ember.jit.save: the module has not been traced yet")
    sig, prog = next(iter(traced._programs.items()))
    names = {}
    if hasattr(traced._fn, "state_dict"):
        for k, v in traced._fn.state_dict(keep_vars=True).items():
            names.setdefault(id(v._data), k)
    arrays: dict = {}
    steps = []
    for cls, template, kwargs, outs in prog.steps:
        steps.append({"op": f"{cls.__module__}:{cls.__qualname__}",
                      "args": [_encode(a, arrays, names) for a in template],
                      "kwargs": {k: _encode(v, arrays, names) for k, v in kwargs.items()}, "outs": list(outs)})
    meta = {"steps": steps, "n_slots": prog.n_slots, "inputs": prog.input_slots,
            "out": _encode(prog.out, arrays, names), "signature": [_encode_signature(s) for s in sig[0]]}
    if isinstance(f, (str, bytes)) or hasattr(f, "__fspath__"):  # np.savez would append ".npz" to a path
        with open(f, "wb") as fh:
            np.savez(fh, __program__=np.array(json.dumps(meta)), **arrays)
    else:
        np.savez(f, __program__=np.array(json.dumps(meta)), **arrays)


def load_program(f) -> "LoadedProgram":
    with np.load(f, allow_pickle=False) as z:
        meta = json.loads(str(z["__program__"]))
        arrays = {k: wrap(z[k].copy()) for k in z.files if k != "__program__"}
    steps = []
    for s in meta["steps"]:
        steps.append((_op_class(s["op"]), tuple(_decode(a, arrays) for a in s["args"]),
                      {k: _decode(v, arrays) for k, v in s["kwargs"].items()}, tuple(s["outs"])))
    prog = Program(steps, meta["n_slots"], meta["inputs"], _decode(meta["out"], arrays), None)
    return LoadedProgram(prog, meta["signature"], {k: v for k, v in arrays.items() if not k.startswith("const_")})


def _op_class(path: str):
    """The ember ``Op`` class saved as ``module:qualname``. An op that has since moved to another ember module
    (a file split by concept) is found by its name among ember's ops when exactly one has it."""
    module, _, qualname = path.partition(":")
    if not module.startswith("ember."):
        raise ValueError(f"ember.jit.load: refusing op {path!r}: only ember's own ops load")
    try:
        obj = importlib.import_module(module)
        for part in qualname.split("."):
            obj = getattr(obj, part)
    except (ImportError, AttributeError):
        obj = _moved_op(path, qualname)
    if not (isinstance(obj, type) and issubclass(obj, Op)):
        raise ValueError(f"ember.jit.load: {path!r} is not an ember op")
    return obj


def _moved_op(path: str, qualname: str) -> type:
    found, todo = set(), [Op]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__qualname__ == qualname and cls.__module__.startswith("ember."):
            found.add(cls)
    if len(found) != 1:
        raise ValueError(f"ember.jit.load: op {path!r} is not in this version of ember"
                         + (f" (several ops are named {qualname!r})" if found else "")
                         + "; trace and save the module again with this version")
    return found.pop()


class LoadedProgram:
    """A program read by ``jit.load``: fixed to the input shapes and dtypes it was traced for."""

    def __init__(self, prog: Program, signature: list, params: dict) -> None:
        self._prog, self._signature, self._params = prog, signature, params

    def state_dict(self) -> dict:
        return dict(self._params)

    def __call__(self, *inputs):
        got = [[list(x.shape), str(x.dtype)] for x in inputs if isinstance(x, Tensor)]
        want = [[list(s[0]), s[1]] for s in self._signature if s[0] != "py"]
        if got != want:
            raise RuntimeError(f"ember.jit.load: this program was traced for inputs {want}, got {got}; "
                               "trace the module again for other shapes")
        return self._prog.run(inputs)
