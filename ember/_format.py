"""torch-style ``repr``: ``tensor([[1., 2.]], requires_grad=True)``, 4 decimals, aligned columns."""
from __future__ import annotations

import numpy as np

from . import dtypes as _dt
from .backends.device import to_host as _to_host

PRINT_OPTS = {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80, "sci_mode": None}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None,
                     sci_mode=None) -> None:
    if profile == "default":
        PRINT_OPTS.update(precision=4, threshold=1000, edgeitems=3, linewidth=80)
    elif profile == "short":
        PRINT_OPTS.update(precision=2, threshold=1000, edgeitems=2, linewidth=80)
    elif profile == "full":
        PRINT_OPTS.update(precision=4, threshold=2 ** 63 - 1, edgeitems=3, linewidth=80)
    for k, v in dict(precision=precision, threshold=threshold, edgeitems=edgeitems, linewidth=linewidth).items():
        if v is not None:
            PRINT_OPTS[k] = v
    PRINT_OPTS["sci_mode"] = sci_mode


def _float_formatter(a: np.ndarray):
    p = PRINT_OPTS["precision"]
    finite = a[np.isfinite(a)] if a.size else a
    nz = np.abs(finite[finite != 0]) if finite.size else finite
    int_mode = finite.size == 0 or bool(np.all(finite == np.round(finite)))
    sci = PRINT_OPTS["sci_mode"]
    if sci is None:
        sci = bool(nz.size) and (nz.max() / nz.min() > 1000.0 or nz.max() > 1e8 or nz.min() < 1e-4)
    if int_mode and not sci:
        return lambda v: (f"{v:.0f}." if np.isfinite(v) else _nonfinite(v))
    if sci:
        return lambda v: f"{v:.{p}e}" if np.isfinite(v) else _nonfinite(v)
    return lambda v: f"{v:.{p}f}" if np.isfinite(v) else _nonfinite(v)


def _nonfinite(v) -> str:
    return "nan" if np.isnan(v) else ("inf" if v > 0 else "-inf")


def _body(a: np.ndarray, indent: int) -> str:
    kind = a.dtype.kind
    if kind == "f" or a.dtype.name == "bfloat16":
        a = a.astype(np.float64)
        fmt = _float_formatter(a)
    elif kind == "c":
        fr, fi = _float_formatter(a.real.astype(np.float64)), _float_formatter(a.imag.astype(np.float64))
        fmt = lambda v: f"{fr(v.real)}{'+' if v.imag >= 0 else '-'}{fi(abs(v.imag))}j"  # noqa: E731
    elif kind == "b":
        fmt = str
    else:
        fmt = str
    summarize = a.size > PRINT_OPTS["threshold"]
    edge = PRINT_OPTS["edgeitems"]
    strs = np.vectorize(fmt, otypes=[object])(a) if a.size else a.astype(object)
    finite = strs[np.isfinite(a)] if kind in "fc" or a.dtype.name == "float64" else strs
    width = max((len(s) for s in finite.reshape(-1)), default=0)  # torch pads to the finite values' width
    return _nest(strs, width, indent, summarize, edge)


def _nest(strs, width: int, indent: int, summarize: bool, edge: int) -> str:
    if strs.ndim == 0:
        return strs.item()
    if strs.ndim == 1:
        items = [s.rjust(width) for s in strs]
        if summarize and len(items) > 2 * edge:
            items = items[:edge] + ["..."] + items[-edge:]
        per_line = max(1, (PRINT_OPTS["linewidth"] - indent) // (width + 2))
        lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    rows = list(strs)
    if summarize and len(rows) > 2 * edge:
        parts = [_nest(r, width, indent + 1, summarize, edge) for r in rows[:edge]] + ["..."] + \
                [_nest(r, width, indent + 1, summarize, edge) for r in rows[-edge:]]
    else:
        parts = [_nest(r, width, indent + 1, summarize, edge) for r in rows]
    sep = "," + "\n" * (strs.ndim - 1) + " " * (indent + 1)
    return "[" + sep.join(parts) + "]"


def tensor_repr(t) -> str:
    a = _to_host(t._data)
    prefix = "tensor("
    d = _dt.from_numpy_dtype(a.dtype)
    suffix = []
    if a.size == 0:
        body = "[]"
        if a.shape != (0,):
            suffix.append(f"size={tuple(a.shape)}")
    else:
        body = _body(a, len(prefix))
    if t.device.type != "cpu":
        suffix.append(f"device='{t.device}'")
    show_dtype = d not in (_dt.get_default_dtype(), _dt.int64, _dt.bool)
    if d is _dt.default_complex():
        show_dtype = False
    if show_dtype or (a.size == 0 and d is not _dt.get_default_dtype()):
        suffix.append(f"dtype={d!r}")
    if t._grad_fn is not None:
        suffix.append(f"grad_fn=<{t._grad_fn.name()}>")
    elif t._requires_grad:
        suffix.append("requires_grad=True")
    return prefix + body + "".join(", " + s for s in suffix) + ")"
