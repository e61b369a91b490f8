"""What the old hook API of ``weight_norm`` and ``spectral_norm`` (and ``prune.remove``) shares: a forward
pre-hook object with a ``name`` recomputes ``module.<name>`` before every forward; one hook per parameter,
and ``remove_*`` finds that hook, lets it restore a plain parameter, and unregisters it."""
from __future__ import annotations


def check_no_hook(module, hook_type: type, name: str, what: str) -> None:
    """RuntimeError (torch's) if ``module`` already has a ``hook_type`` hook on ``name``."""
    for hook in module._forward_pre_hooks.values():
        if isinstance(hook, hook_type) and hook.name == name:
            raise RuntimeError(f"Cannot register two {what} hooks on the same parameter {name}")


def remove_hook(module, hook_type: type, name: str, attr: str = "name") -> bool:
    """Undo the ``hook_type`` hook whose ``attr`` is ``name`` (its ``remove(module)`` restores the parameter)
    and unregister it; False if there is none (the caller raises torch's ValueError with its message)."""
    for k, hook in list(module._forward_pre_hooks.items()):
        if isinstance(hook, hook_type) and getattr(hook, attr) == name:
            hook.remove(module)
            del module._forward_pre_hooks[k]
            return True
    return False
