"""``ember.cuda``: GPU queries that work without a GPU (False, 0) and a clear error when one is needed."""
from __future__ import annotations

from .backends.device import cuda_device_count, is_cuda_available


def is_available() -> bool:
    return is_cuda_available()


def device_count() -> int:
    return cuda_device_count()


def current_device() -> int:
    if not is_available():
        raise RuntimeError("ember.cuda.current_device(): no GPU. Install CuPy (pip install 'ember[cuda]') on a "
                           "machine with an NVIDIA GPU.")
    return 0


def synchronize(device=None) -> None:
    if is_available():
        import cupy  # type: ignore

        cupy.cuda.Device().synchronize()


def manual_seed(seed: int) -> None:
    pass


def manual_seed_all(seed: int) -> None:
    pass


def empty_cache() -> None:
    pass


def is_bf16_supported() -> bool:
    return False


def _install_amp():
    """``ember.cuda.amp`` (torch.cuda.amp's autocast and GradScaler), importable as a module."""
    import sys

    from .amp.device_aliases import cuda_amp

    sys.modules[__name__ + ".amp"] = cuda_amp
    return cuda_amp


amp = _install_amp()
