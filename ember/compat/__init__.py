"""Compatibility layers for code written against PyTorch's names.

``ember.compat.torch_alias`` binds ``torch`` and ``torchvision`` (and their submodules) to ember, so that an
unmodified PyTorch script runs on ember. ``ember run script.py`` installs it before the script starts; in a
notebook, ``import ember.compat.torch_alias`` does the same. Nothing is installed under the name ``torch``.
"""
