"""What the old hook API of ``weight_norm`` and ``spectral_norm`` shares: a forward pre-hook object with a
``name`` recomputes ``module.<name>`` before every forward; one hook per parameter, and ``remove_*``
finds that hook, lets it restore a plain parameter, and unregisters it."""
from __future__ import annotations


def check_no_hook(module, hook_type: type, name: str, what: str) -> None:
    """RuntimeError (torch's) if ``module`` already has a ``hook_type`` hook on ``name``."""
    for hook in module._forward_pre_hooks.values():
        if isinstance(hook, hook_type) and hook.name == name:
            raise RuntimeError(f"Cannot register two {what} hooks on the same parameter {name}")


def remove_hook(module, hook_type: type, name: str, what: str):
    """Undo the ``hook_type`` hook on ``name`` (its ``remove(module)`` restores the parameter); ValueError
    (torch's) if there is none."""
    for k, hook in list(module._forward_pre_hooks.items()):
        if isinstance(hook, hook_type) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[k]
            return module
    raise ValueError(f"{what} of '{name}' not found in {module}")
