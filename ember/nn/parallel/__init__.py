"""``ember.nn.parallel``: where torch keeps its data-parallel wrappers, so ``from torch.nn.parallel import
DataParallel`` ports as ``from ember.nn.parallel import DataParallel``.

``DataParallel`` runs the wrapped module on ember's one device (what torch does when no GPU is visible);
``data_parallel`` is its functional form. Multi-process training goes through ``ember.distributed``.

>>> import ember
>>> from ember.nn.parallel import DataParallel, data_parallel
>>> net = DataParallel(ember.nn.Linear(2, 1))
>>> list(net.state_dict()), data_parallel(net.module, ember.ones(3, 2)).shape
(['module.weight', 'module.bias'], ember.Size([3, 1]))
"""
from __future__ import annotations

from ..modules.parallel import DataParallel
from .distributed import DistributedDataParallel

__all__ = ["DataParallel", "DistributedDataParallel", "data_parallel"]


def data_parallel(module, inputs, device_ids=None, output_device=None, dim: int = 0, module_kwargs=None):
    """``module(*inputs, **module_kwargs)`` on ember's one device (torch's functional ``DataParallel``)."""
    if not isinstance(inputs, tuple):
        inputs = (inputs,)
    return module(*inputs, **(module_kwargs or {}))
