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
    """torch's single-process multi-GPU wrapper: y = module(*inputs, **kwargs).

    ember runs the wrapped module on its one device (what torch does when no GPUs are visible), so code
    written for ``nn.DataParallel(net, device_ids=devices)`` runs unchanged; ``state_dict`` keys get torch's
    ``module.`` prefix. Multi-process training is ``ember.distributed``'s job
    (``nn.parallel.DistributedDataParallel``).

    Args:
        module: the module to wrap.
        device_ids: accepted for torch's signature (kept in ``device_ids``). Default: ``None``.
        output_device: accepted for torch's signature. Default: ``None``.
        dim: the batch dim torch would scatter along. Default: 0.

    Shape:
        - Input and Output: those of ``module``.

    Gradient: that of ``module``. Parameters: those of ``module``, under the ``module.`` prefix.

    Examples::

        >>> import ember
        >>> net = ember.nn.DataParallel(ember.nn.Linear(2, 1))
        >>> net(ember.randn(5, 2)).shape
        ember.Size([5, 1])
        >>> list(net.state_dict())
        ['module.weight', 'module.bias']
    """

    def __init__(self, module: Module, device_ids=None, output_device=None, dim: int = 0) -> None:
        super().__init__()
        self.module = module
        self.device_ids = list(device_ids) if device_ids is not None else []
        self.output_device = output_device
        self.dim = dim

    def forward(self, *inputs, **kwargs):
        return self.module(*inputs, **kwargs)
