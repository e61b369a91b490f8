"""torch's per-device spellings of autocast and GradScaler: ``torch.cuda.amp`` and ``torch.cpu.amp``
(deprecated in torch in favour of ``torch.amp``, still common in scripts). ``ember.cuda.amp`` and
``ember.cpu.amp`` are these namespaces."""
from __future__ import annotations

import types

from .. import dtypes
from .autocast_mode import autocast as _autocast
from .grad_scaler import GradScaler as _GradScaler


class _CudaAutocast(_autocast):
    def __init__(self, enabled: bool = True, dtype=dtypes.float16, cache_enabled: bool = True) -> None:
        super().__init__("cuda", dtype=dtype, enabled=enabled, cache_enabled=cache_enabled)


class _CpuAutocast(_autocast):
    def __init__(self, enabled: bool = True, dtype=dtypes.bfloat16, cache_enabled: bool = True) -> None:
        super().__init__("cpu", dtype=dtype, enabled=enabled, cache_enabled=cache_enabled)


class _CudaGradScaler(_GradScaler):
    def __init__(self, init_scale: float = 2.0 ** 16, growth_factor: float = 2.0, backoff_factor: float = 0.5,
                 growth_interval: int = 2000, enabled: bool = True) -> None:
        super().__init__("cuda", init_scale, growth_factor, backoff_factor, growth_interval, enabled)


def _namespace(name: str, autocast_cls, scaler_cls) -> types.ModuleType:
    mod = types.ModuleType(name, f"{name}: torch's per-device autocast and GradScaler")
    _CudaAutocast.__name__ = _CpuAutocast.__name__ = "autocast"
    mod.autocast, mod.GradScaler = autocast_cls, scaler_cls
    return mod


cuda_amp = _namespace("ember.cuda.amp", _CudaAutocast, _CudaGradScaler)
cpu_amp = _namespace("ember.cpu.amp", _CpuAutocast, _GradScaler)
