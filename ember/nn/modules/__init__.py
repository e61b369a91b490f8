"""Layers. Each topic module defines ``__all__``; this package re-exports them."""
from .module import Module  # noqa: F401
from .container import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential  # noqa: F401
from .flatten import Flatten, Unflatten  # noqa: F401
from .linear import Bilinear, Identity, LazyLinear, Linear  # noqa: F401
from ._registry import load_all as _load_all

globals().update(_load_all())
