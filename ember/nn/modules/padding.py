"""Padding layers: constant / zero / reflection / replication / circular, 1-3 d. No parameters.

``padding`` is an int (all sides) or a tuple (left, right[, top, bottom[, front, back]]), last dim first.
Shape: (N, C, W) -> (N, C, W + left + right); 2d also H + top + bottom. Gradient: the adjoint of the
index map (border gradients fold back onto the elements they copied); see ``F.pad``.

>>> import ember
>>> ember.nn.ZeroPad2d((1, 1, 2, 0))(ember.ones(1, 1, 2, 2)).shape
ember.Size([1, 1, 4, 4])
"""
from __future__ import annotations

from .. import functional as F
from .module import Module

__all__ = ["ConstantPad1d", "ConstantPad2d", "ConstantPad3d", "ZeroPad1d", "ZeroPad2d", "ZeroPad3d",
           "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d", "ReplicationPad1d", "ReplicationPad2d",
           "ReplicationPad3d", "CircularPad1d", "CircularPad2d", "CircularPad3d"]


class _PadNd(Module):
    _nd = 2
    _mode = "constant"

    def __init__(self, padding, value: float = 0.0) -> None:
        super().__init__()
        n = 2 * self._nd
        self.padding = tuple(padding) if isinstance(padding, (list, tuple)) else (int(padding),) * n
        if len(self.padding) != n:
            raise ValueError(f"expected padding of length {n}, got {len(self.padding)}")
        self.value = value

    def forward(self, input):
        if self._mode == "constant":
            return F.pad(input, self.padding, "constant", self.value)
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}" if self._mode == "constant" else f"{self.padding}"


_RULE = {
    "constant": "y = value outside the input, x inside",
    "zero": "y = 0 outside the input, x inside",
    "reflect": "the border is the mirror image of the input without the edge: x[-i] = x[i]",
    "replicate": "the border repeats the edge element: x[-i] = x[0]",
    "circular": "the border wraps around: x[-i] = x[n - i]",
}
# Examples: ReflectionPad1d(2) etc. on arange(4.).reshape(1, 1, 4); values checked against torch.
_EXAMPLE_1D = {
    "constant": "tensor([[[3.5000, 3.5000, 0.0000, 1.0000, 2.0000, 3.0000, 3.5000, 3.5000]]])",
    "zero": "tensor([[[0., 0., 0., 1., 2., 3., 0., 0.]]])",
    "reflect": "tensor([[[2., 1., 0., 1., 2., 3., 2., 1.]]])",
    "replicate": "tensor([[[0., 0., 0., 1., 2., 3., 3., 3.]]])",
    "circular": "tensor([[[2., 3., 0., 1., 2., 3., 0., 1.]]])",
}
_DIMS = {1: ("(N, C, W) or (C, W)", "W_out = W + left + right", "(left, right)"),
         2: ("(N, C, H, W) or (C, H, W)", "H_out = H + top + bottom, W_out = W + left + right",
             "(left, right, top, bottom)"),
         3: ("(N, C, D, H, W) or (C, D, H, W)",
             "D_out = D + front + back, H_out = H + top + bottom, W_out = W + left + right",
             "(left, right, top, bottom, front, back)")}


def _doc(name: str, nd: int, mode: str, zero: bool) -> str:
    """The class docstring of a generated padding layer: rule, Args, Shape, gradient, example."""
    kind = "zero" if zero else mode
    shape_in, shape_out, sides = _DIMS[nd]
    value_arg = "\n        value: the fill value of the border." if kind == "constant" else ""
    value_ex = ", 3.5" if kind == "constant" else ""
    if nd == 1:
        example = (f">>> m = ember.nn.{name}(2{value_ex})\n        >>> m(ember.arange(4.0).reshape(1, 1, 4))\n"
                   f"        {_EXAMPLE_1D[kind]}")
    else:
        pad, size, out = ((1, 1, 2, 0), "1, 1, 3, 3", "1, 1, 5, 5") if nd == 2 else \
            ((1, 1, 2, 0, 1, 0), "1, 1, 2, 3, 4", "1, 1, 3, 5, 6")
        example = (f">>> m = ember.nn.{name}({pad}{value_ex})\n        >>> m(ember.ones({size})).shape\n"
                   f"        ember.Size([{out}])")
    grad = ("the gradient of the input is the gradient of the output cropped to the input" if kind in
            ("constant", "zero") else
            "the adjoint of the index map: each border gradient is added onto the element it copied")
    dims = "dim" if nd == 1 else f"{nd} dims"
    return f"""Pads the last {dims} of the input ({kind} padding): {_RULE[kind]}.

    Gradient: {grad}.

    Args:
        padding: an int (the same on every side) or a {2 * nd}-tuple {sides}, the last dim first.{value_arg}

    Shape:
        - Input: {shape_in}.
        - Output: the same leading dims, {shape_out}.

    No parameters.

    Examples::

        >>> import ember
        {example}
    """


def _make(name: str, nd: int, mode: str, zero: bool = False):
    doc = _doc(name, nd, mode, zero)
    if mode == "constant":
        if zero:
            def __init__(self, padding) -> None:
                _PadNd.__init__(self, padding, 0.0)
        else:
            def __init__(self, padding, value: float) -> None:
                _PadNd.__init__(self, padding, value)
    else:
        def __init__(self, padding) -> None:
            _PadNd.__init__(self, padding)
    attrs = {"_nd": nd, "_mode": mode, "__init__": __init__, "__doc__": doc, "__module__": __name__}
    if zero:
        attrs["extra_repr"] = lambda self: f"{self.padding}"
    return type(name, (_PadNd,), attrs)


ConstantPad1d = _make("ConstantPad1d", 1, "constant")
ConstantPad2d = _make("ConstantPad2d", 2, "constant")
ConstantPad3d = _make("ConstantPad3d", 3, "constant")
ZeroPad1d = _make("ZeroPad1d", 1, "constant", zero=True)
ZeroPad2d = _make("ZeroPad2d", 2, "constant", zero=True)
ZeroPad3d = _make("ZeroPad3d", 3, "constant", zero=True)
ReflectionPad1d = _make("ReflectionPad1d", 1, "reflect")
ReflectionPad2d = _make("ReflectionPad2d", 2, "reflect")
ReflectionPad3d = _make("ReflectionPad3d", 3, "reflect")
ReplicationPad1d = _make("ReplicationPad1d", 1, "replicate")
ReplicationPad2d = _make("ReplicationPad2d", 2, "replicate")
ReplicationPad3d = _make("ReplicationPad3d", 3, "replicate")
CircularPad1d = _make("CircularPad1d", 1, "circular")
CircularPad2d = _make("CircularPad2d", 2, "circular")
CircularPad3d = _make("CircularPad3d", 3, "circular")
