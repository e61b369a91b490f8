"""``ember.autocast``: run the ops of a region in lower precision where torch's CPU autocast does.

While enabled, the ops marked ``"lower"`` (matmul, mm, bmm, addmm, baddbmm, addbmm, linear, conv*d,
conv_transpose*d, prelu, scaled_dot_product_attention, einsum, tensordot) cast their float32 inputs to the
autocast dtype and return it; the ops marked ``"fp32"`` (the losses, prod, cdist, trace, quantile, stft) cast
low-precision inputs to float32; everything else runs in its inputs' dtype (see ``ember/_autocast.py``).
Gradients flow back through the casts, so float32 parameters get float32 gradients.
"""
from __future__ import annotations

import functools
import warnings

from .. import dtypes
from .._autocast import AUTOCAST
from ..backends.device import is_cuda_available

_DEFAULT = {"cpu": "bfloat16", "cuda": "float16"}


class autocast:
    r"""Context manager and decorator: ``with ember.autocast("cpu", dtype=ember.bfloat16): ...``.

    ``dtype`` defaults to bfloat16 on the CPU (torch's default); bfloat16 and float16 are supported.
    ``cache_enabled`` keeps one low-precision copy of each float32 weight for the whole region. On NumPy
    the low-precision GEMMs run in float32 and round the result, so autocast saves memory bandwidth on
    nothing and costs the casts: it exists so that mixed-precision scripts run and give torch's dtypes.

    >>> import ember
    >>> lin = ember.nn.Linear(4, 2)
    >>> with ember.autocast("cpu"):
    ...     y = lin(ember.randn(3, 4))
    ...     loss = ember.nn.functional.mse_loss(y, ember.zeros(3, 2))
    >>> y.dtype, loss.dtype
    (ember.bfloat16, ember.float32)
    >>> loss.backward(); lin.weight.grad.dtype
    ember.float32
    """

    def __init__(self, device_type: str, dtype=None, enabled: bool = True, cache_enabled: bool | None = None):
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        if device_type not in _DEFAULT:
            raise RuntimeError(f"User specified an unsupported autocast device_type '{device_type}'")
        self.device = device_type
        self.fast_dtype = dtype if dtype is not None else getattr(dtypes, _DEFAULT[device_type])
        self._enabled = enabled
        self._cache_enabled = True if cache_enabled is None else cache_enabled
        if device_type == "cuda" and enabled:
            if not is_cuda_available():
                warnings.warn("User provided device_type of 'cuda', but CUDA is not available. Disabling")
                self._enabled = False
        if device_type == "cpu" and enabled and self.fast_dtype not in (dtypes.bfloat16, dtypes.float16):
            warnings.warn("In CPU autocast, but the target dtype is not supported. Disabling autocast.\n"
                          "CPU Autocast only supports dtype of torch.bfloat16, torch.float16 currently.")
            self._enabled = False

    def __enter__(self):
        self._prev = (AUTOCAST.enabled, AUTOCAST.active, AUTOCAST.dtype, AUTOCAST.cache_enabled)
        if self.device == "cpu":
            AUTOCAST.enabled = AUTOCAST.active = self._enabled
            AUTOCAST.dtype = self.fast_dtype
            AUTOCAST.cache_enabled = self._cache_enabled
        return self

    def __exit__(self, *exc) -> bool:
        AUTOCAST.enabled, AUTOCAST.active, AUTOCAST.dtype, AUTOCAST.cache_enabled = self._prev
        if not AUTOCAST.enabled:
            AUTOCAST.cache.clear()  # the outermost region ends: drop the cached weight casts
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def decorated(*args, **kwargs):
            with self:
                return func(*args, **kwargs)

        return decorated


def is_autocast_enabled(device_type: str = "cuda") -> bool:
    """Whether autocast is on for ``device_type`` (torch's default asks about CUDA)."""
    return device_type == "cpu" and AUTOCAST.enabled


def is_autocast_cpu_enabled() -> bool:
    return AUTOCAST.enabled


def get_autocast_dtype(device_type: str):
    if device_type == "cpu" and AUTOCAST.dtype is not None:
        return AUTOCAST.dtype
    return getattr(dtypes, _DEFAULT.get(device_type, "bfloat16"))


def get_autocast_cpu_dtype():
    return get_autocast_dtype("cpu")


def clear_autocast_cache() -> None:
    AUTOCAST.cache.clear()
