"""``DataParallel``: torch's single-process multi-GPU wrapper. ember runs the wrapped module on its one
device (what torch does when no GPUs are visible), so d2l's ``nn.DataParallel(net, device_ids=devices)``
runs unchanged; ``state_dict`` keys get torch's ``module.`` prefix. Multi-process training is
``ember.distributed``'s job.

>>> import ember
>>> net = ember.nn.DataParallel(ember.nn.Linear(2, 1))
>>> list(net.state_dict())
['module.weight', 'module.bias']
"""
from __future__ import annotations

from .module import Module

__all__ = ["DataParallel"]


class DataParallel(Module):
    """Wrap ``module``; ``forward`` calls it on the inputs as they are."""

    def __init__(self, module: Module, device_ids=None, output_device=None, dim: int = 0) -> None:
        super().__init__()
        self.module = module
        self.device_ids = list(device_ids) if device_ids is not None else []
        self.output_device = output_device
        self.dim = dim

    def forward(self, *inputs, **kwargs):
        return self.module(*inputs, **kwargs)
