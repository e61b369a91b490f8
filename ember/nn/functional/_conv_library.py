"""``ConvReLU2d``'s forward: which module pairs may run relu(conv(x)) as one fused kernel (``conv._conv2d_relu``:
with oneDNN, one convolution whose ReLU is a post-op).

It reads the layers' types and hooks, so it imports ``nn.modules``; nothing in ``nn.modules`` or
``nn.functional`` imports it (``ember.ao.nn.intrinsic`` does), so there is no circle.
"""
from __future__ import annotations

from ..modules import Conv2d, ReLU
from ..modules.hooks import _GLOBAL_HOOKS
from .conv import _conv2d_relu


def conv2d_relu(conv, relu, input):
    """relu(conv(input)) fused for a plain ``nn.Conv2d`` (zero padding) followed by ``nn.ReLU``, neither with
    hooks (``conv._conv2d_relu`` then fuses only in inference and on finite input); None for any other pair:
    the caller runs the two layers."""
    if type(conv) is not Conv2d or type(relu) is not ReLU or conv.padding_mode != "zeros" or _GLOBAL_HOOKS or any(
            m._forward_pre_hooks or m._forward_hooks or m._backward_hooks or m._backward_pre_hooks
            for m in (conv, relu)):
        return None
    return _conv2d_relu(input, conv.weight, conv.bias, conv.stride, conv.padding, conv.dilation, conv.groups)
