"""``ember.nn.utils``: gradient clipping, parameter vectors, weight/spectral norm, rnn packing."""
import importlib as _importlib
import pkgutil as _pkgutil

for _m in _pkgutil.iter_modules(__path__):
    if not _m.name.startswith("_") and _m.name not in ("rnn", "parametrize", "parametrizations", "prune"):
        _mod = _importlib.import_module(f"{__name__}.{_m.name}")
        globals().update({k: getattr(_mod, k) for k in getattr(_mod, "__all__", ())})


def __getattr__(name):
    if name in ("rnn", "parametrize", "parametrizations", "prune"):
        return _importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'ember.nn.utils' has no attribute '{name}'")
