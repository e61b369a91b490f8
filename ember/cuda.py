"""``ember.cuda``: GPU queries that work without a GPU (False, 0) and a clear error when one is needed."""
from __future__ import annotations

import sys

from .amp.device_aliases import cuda_amp
from .backends.device import cuda_device_count, get_device, is_cuda_available


def is_available() -> bool:
    return is_cuda_available()


def device_count() -> int:
    return cuda_device_count()


def _need_gpu(name: str):
    if not is_available():
        raise RuntimeError(f"ember.cuda.{name}(): no GPU. Install CuPy (pip install 'ember[cuda]') on a "
                           "machine with an NVIDIA GPU.")
    import cupy  # type: ignore

    return cupy


def current_device() -> int:
    return _need_gpu("current_device").cuda.runtime.getDevice()


def set_device(device) -> None:
    """Make GPU ``device`` (an index, "cuda:i" or a device) the current one (CuPy's current device)."""
    index = get_device(device).index if not isinstance(device, int) else device
    _need_gpu("set_device").cuda.runtime.setDevice(index or 0)


def get_device_name(device=None) -> str:
    cp = _need_gpu("get_device_name")
    index = current_device() if device is None else (device if isinstance(device, int) else device.index or 0)
    name = cp.cuda.runtime.getDeviceProperties(index)["name"]
    return name.decode() if isinstance(name, bytes) else name


def memory_allocated(device=None) -> int:
    """Bytes held by tensors on the GPU (CuPy's memory pool in use); 0 without a GPU, as torch."""
    if not is_available():
        return 0
    import cupy  # type: ignore

    return int(cupy.get_default_memory_pool().used_bytes())


def memory_reserved(device=None) -> int:
    """Bytes the caching allocator (CuPy's pool) holds from the driver; 0 without a GPU."""
    if not is_available():
        return 0
    import cupy  # type: ignore

    return int(cupy.get_default_memory_pool().total_bytes())


def max_memory_allocated(device=None) -> int:
    """The peak of ``memory_allocated`` CuPy can report: the pool's total (its high-water mark); 0 without a GPU."""
    return memory_reserved(device)


def synchronize(device=None) -> None:
    if is_available():
        import cupy  # type: ignore

        cupy.cuda.Device().synchronize()


def manual_seed(seed: int) -> None:
    """Seed the GPU's random numbers (CuPy's generator); nothing without a GPU, as torch."""
    if is_available():
        import cupy  # type: ignore

        cupy.random.seed(int(seed) % 2 ** 32)


def manual_seed_all(seed: int) -> None:
    manual_seed(seed)


def empty_cache() -> None:
    """Give the GPU memory CuPy's pool caches (and no tensor uses) back to the driver."""
    if is_available():
        import cupy  # type: ignore

        cupy.get_default_memory_pool().free_all_blocks()


def is_bf16_supported() -> bool:
    return False


def _install_amp():
    """``ember.cuda.amp`` (torch.cuda.amp's autocast and GradScaler), importable as a module."""
    sys.modules[__name__ + ".amp"] = cuda_amp
    return cuda_amp


amp = _install_amp()
