"""``import ember.compat.torch_alias``: from here on, ``import torch`` and ``import torchvision`` give ember.

For a notebook or an interactive session; ``ember run script.py`` does the same for a script. Import it before
anything imports the real torch (it raises ImportError otherwise). :func:`uninstall` undoes it. The hook
itself lives in :mod:`ember.compat.alias_hook`, which says how names map.
"""
from .alias_hook import TORCH_VERSION, TORCHVISION_VERSION, install, is_installed, target_name, uninstall

__all__ = ["TORCH_VERSION", "TORCHVISION_VERSION", "install", "is_installed", "target_name", "uninstall"]

install()
