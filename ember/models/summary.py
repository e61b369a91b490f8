"""``summary(model, input_size)``: a layer table like torchinfo / Keras, built with forward hooks.

Each call of a submodule during one forward pass becomes a row: its name and type (indented by
depth), its
output shape and its parameter count (counted once, at the module's first call, and including
the parameters of its children). The table ends with the total, trainable and non-trainable
parameter counts. The text is returned (and printed unless ``verbose=False``).

>>> import ember
>>> from ember.models import LeNet
>>> text = LeNet().summary((1, 1, 28, 28), verbose=False)
>>> print(text.splitlines()[-3])
Total params: 61,706
"""
from __future__ import annotations

from typing import Sequence

from .. import nn
from .._grad_mode import no_grad
from ..dtypes import float32
from ..ops.random import randn

Shape = tuple[int, ...]
_RULE = "=" * 78


def _shape_of(out) -> str:
    """The output shape as text: ``[2, 64, 8, 8]``, or a list of them for tuple outputs."""
    if hasattr(out, "shape"):
        return str(list(out.shape))
    if isinstance(out, (tuple, list)):
        return ", ".join(_shape_of(o) for o in out if o is not None)
    return "--"


def _count(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def _random_inputs(input_size, dtype) -> list:
    sizes = [input_size] if isinstance(input_size[0], int) else list(input_size)
    return [randn(*size, dtype=dtype) for size in sizes]


def summary(model: nn.Module, input_size: Shape | Sequence[Shape], *, dtype=None, depth: int = 3,
            verbose: bool = True) -> str:
    """Run ``model`` once (eval mode, no grad) on random input of ``input_size`` (batch dim
    included, e.g. ``(1, 1, 28, 28)``; a list of shapes for several inputs) and tabulate every
    submodule call down to ``depth`` levels: type, output shape and parameter count."""
    dtype = float32 if dtype is None else dtype
    rows: list[list] = []
    seen: set[int] = set()
    names = {id(m): name for name, m in model.named_modules() if name}
    handles = []

    def pre_hook(module, args):
        name = names[id(module)]
        if name.count(".") < depth:
            first = id(module) not in seen
            seen.add(id(module))
            rows.append([module, name, "--", f"{_count(module):,}" if first else "(shared)"])
            module._summary_rows.append(rows[-1])

    def post_hook(module, args, out):
        if module._summary_rows:
            module._summary_rows.pop()[2] = _shape_of(out)

    for name, m in model.named_modules():
        if name:
            m.__dict__["_summary_rows"] = []
            handles.append(m.register_forward_pre_hook(pre_hook))
            handles.append(m.register_forward_hook(post_hook))
    was_training = model.training
    try:
        model.eval()
        with no_grad():
            out = model(*_random_inputs(input_size, dtype))
    finally:
        model.train(was_training)
        for h in handles:
            h.remove()
        for name, m in model.named_modules():
            m.__dict__.pop("_summary_rows", None)
    text = _format(model, rows, out)
    if verbose:
        print(text)
    return text


def _format(model: nn.Module, rows: list, out) -> str:
    lines = [_RULE, f"{'Layer (type)':<42}{'Output Shape':<24}{'Param #':>12}", _RULE]
    for module, name, shape, params in rows:
        label = "  " * name.count(".") + f"{name.rsplit('.', 1)[-1]} ({type(module).__name__})"
        lines.append(f"{label:<42}{shape:<24}{params:>12}")
    total = _count(model)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    lines += [_RULE, f"{type(model).__name__} output: {_shape_of(out)}",
              f"Total params: {total:,}", f"Trainable params: {trainable:,}",
              f"Non-trainable params: {total - trainable:,}"]
    return "\n".join(lines)


class SummaryMixin:
    """Gives a model ``model.summary(input_size)``; see :func:`summary`."""

    def summary(self, input_size: Shape | Sequence[Shape], **kwargs) -> str:
        return summary(self, input_size, **kwargs)
