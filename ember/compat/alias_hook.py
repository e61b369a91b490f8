"""The import hook behind ``ember.compat.torch_alias`` and ``ember run``: ``torch`` and ``torchvision`` bound
to ember, for unmodified PyTorch code.

:func:`install` puts an import hook (a ``sys.meta_path`` finder) in place: from then on ``import torch.X``
gives a thin alias module in front of ``ember.X``, and ``import torchvision.X`` one in front of
``ember.vision.X`` (``torchvision.models`` is ``ember.models``). An alias forwards every attribute read and
write to its ember module, so ``torch.Tensor is ember.Tensor`` and ``torch.backends.cudnn.benchmark = True``
sets ember's flag. A part that ember lacks raises ``ModuleNotFoundError`` naming it and saying it is not in
ember yet. ``torch.__version__`` is the PyTorch version ember follows (:data:`TORCH_VERSION`).

Nothing is written to disk and nothing is installed under the name ``torch``: the hook lives in this process
only, and :func:`uninstall` removes it (and the aliases) again. If the real ``torch`` is already imported,
:func:`install` refuses (the two would mix); ``install(replace=True)`` sets it aside until :func:`uninstall`.

Example:
    >>> import ember.compat.alias_hook as alias
    >>> alias.install(replace=True)   # replace: a real torch may be imported already (as in the tests)
    >>> import torch, torch.nn as nn
    >>> import ember
    >>> torch.Tensor is ember.Tensor and nn.Linear is ember.nn.Linear
    True
    >>> torch.__version__ == alias.TORCH_VERSION
    True
    >>> alias.uninstall()
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import types
from typing import Optional

from .. import dtypes as _dtypes

# The PyTorch release whose names, signatures and defaults ember follows (its tests compare with this torch).
TORCH_VERSION = "2.13.0"
# torchvision's release paired with that torch (what ``torchvision.__version__`` reads under the alias).
TORCHVISION_VERSION = "0.28.0"

_ROOTS = ("torch", "torchvision")

# Where a name missing from an ember module is looked up next: torch's nn.modules.<file> split differs from
# ember's (``torch.nn.modules.activation.MultiheadAttention`` is ``ember.nn.MultiheadAttention``).
_FALLBACK = {"ember.nn.modules.": "ember.nn", "ember.nn.functional.": "ember.nn.functional"}

# Names that do not live at ember.<same path>: the alias name (or its prefix) -> the ember module.
_TABLE = {
    "torch": "ember",
    "torchvision": "ember.vision",
    "torchvision.models": "ember.models",
}


def target_name(fullname: str) -> str:
    """The ember module behind the alias ``fullname`` (``torch.utils.data`` -> ``ember.utils.data``).

    >>> target_name("torch.nn.functional"), target_name("torchvision.models.resnet")
    ('ember.nn.functional', 'ember.models.resnet')
    """
    head, rest = fullname, ""
    while head not in _TABLE:
        head, _, last = head.rpartition(".")
        rest = f"{last}.{rest}" if rest else last
    return f"{_TABLE[head]}.{rest}" if rest else _TABLE[head]


def _missing(fullname: str, target: str) -> ModuleNotFoundError:
    return ModuleNotFoundError(
        f"No module named '{fullname}': {fullname} is not in ember yet (ember has no {target}); "
        f"ember follows torch {TORCH_VERSION}, see docs/dropin.md for what runs", name=fullname)


class AliasModule(types.ModuleType):
    """A module named ``torch...`` that reads and writes its attributes on the ember module behind it."""

    def __init__(self, name: str, target: types.ModuleType) -> None:
        super().__init__(name)
        object.__setattr__(self, "_ember_module", target)
        if name in ("torch", "torchvision"):
            object.__setattr__(self, "__version__", TORCH_VERSION if name == "torch" else TORCHVISION_VERSION)
        object.__setattr__(self, "__path__", [])   # every alias is a package: ``torch.cuda.amp`` imports too

    def __getattr__(self, name: str):
        target = object.__getattribute__(self, "_ember_module")
        child = f"{self.__name__}.{name}"
        if name.startswith("__") and name.endswith("__"):
            return getattr(target, name)
        if child in _TABLE:
            return importlib.import_module(child)
        value = getattr(target, name, _MISSING)
        if value is _MISSING:
            value = _fallback(target.__name__, name)
        if value is _MISSING or isinstance(value, types.ModuleType):
            try:   # a submodule: hand out its alias, so torch.cuda.amp stays in the torch namespace
                return importlib.import_module(child)
            except ModuleNotFoundError:
                if value is not _MISSING:
                    return value
                raise AttributeError(f"module '{self.__name__}' has no attribute '{name}' "
                                     f"({target.__name__}.{name} is not in ember yet)") from None
        return value

    def __setattr__(self, name: str, value) -> None:
        # module bookkeeping (the import system's __spec__, child aliases) stays on the alias
        if (name.startswith("__") and name.endswith("__")) or isinstance(value, AliasModule):
            object.__setattr__(self, name, value)
        else:
            setattr(object.__getattribute__(self, "_ember_module"), name, value)

    def __delattr__(self, name: str) -> None:
        if name in self.__dict__:
            object.__delattr__(self, name)
        else:
            delattr(object.__getattribute__(self, "_ember_module"), name)

    def __dir__(self) -> list:
        return sorted(set(dir(object.__getattribute__(self, "_ember_module"))) | set(self.__dict__))

    def __repr__(self) -> str:
        target = object.__getattribute__(self, "_ember_module")
        return f"<module '{self.__name__}' (ember alias of '{target.__name__}')>"


_MISSING = object()


def _fallback(module_name: str, name: str):
    for prefix, other in _FALLBACK.items():
        if module_name.startswith(prefix):
            return getattr(importlib.import_module(other), name, _MISSING)
    return _MISSING


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, target: types.ModuleType) -> None:
        self.target = target

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> AliasModule:
        return AliasModule(spec.name, self.target)

    def exec_module(self, module: types.ModuleType) -> None:
        pass


class TorchAliasFinder(importlib.abc.MetaPathFinder):
    """Finds ``torch``/``torchvision`` and their submodules, and maps each to ember's module."""

    def find_spec(self, fullname: str, path=None, target=None) -> Optional[importlib.machinery.ModuleSpec]:
        if fullname.split(".", 1)[0] not in _ROOTS:
            return None
        ember_name = target_name(fullname)
        try:
            module = importlib.import_module(ember_name)
        except ModuleNotFoundError as e:
            if e.name is not None and not ember_name.startswith(e.name):
                raise                                # ember itself lacks an optional dependency: say which
            module = _attribute_module(ember_name)
            if module is None:
                raise _missing(fullname, ember_name) from None
        return importlib.machinery.ModuleSpec(fullname, _AliasLoader(module), is_package=True)


def _attribute_module(ember_name: str) -> Optional[types.ModuleType]:
    """A module that ember exposes as an attribute but not as an importable file (``ember.cuda.amp``)."""
    parent_name, _, attr = ember_name.rpartition(".")
    try:
        parent = importlib.import_module(parent_name)
    except ImportError:
        return None
    value = getattr(parent, attr, None)
    return value if isinstance(value, types.ModuleType) else None


_FINDER = TorchAliasFinder()
_SET_ASIDE: dict = {}


def is_installed() -> bool:
    return _FINDER in sys.meta_path


def install(replace: bool = False) -> None:
    """Bind ``torch`` and ``torchvision`` to ember in this process (idempotent).

    Raises ImportError when the real torch is already imported, unless ``replace=True``, which sets the real
    modules aside (:func:`uninstall` puts them back).
    """
    if is_installed():
        return
    real = {k: v for k, v in sys.modules.items() if k.split(".", 1)[0] in _ROOTS and not isinstance(v, AliasModule)}
    if real and not replace:
        raise ImportError("ember.compat.torch_alias: the real torch is already imported in this process; "
                          "import the alias before torch (restart the kernel), or call install(replace=True)")
    for k in real:
        _SET_ASIDE[k] = sys.modules.pop(k)
    sys.meta_path.insert(0, _FINDER)
    _dtypes.REPR_PREFIX = "torch"   # dtypes and sizes print as torch's


def uninstall() -> None:
    """Remove the hook and the ``torch``/``torchvision`` aliases; put back a real torch set aside."""
    while _FINDER in sys.meta_path:
        sys.meta_path.remove(_FINDER)
    for k in [k for k, v in sys.modules.items() if isinstance(v, AliasModule)]:
        del sys.modules[k]
    sys.modules.update(_SET_ASIDE)
    _SET_ASIDE.clear()
    _dtypes.REPR_PREFIX = "ember"
