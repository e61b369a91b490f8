"""ember: a deep-learning framework on NumPy with PyTorch's API.

>>> import ember
>>> x = ember.tensor([1.0, 2.0, 3.0], requires_grad=True)
>>> (x * x).sum().backward()
>>> x.grad
tensor([2., 4., 6.])
"""
__version__ = "0.1.0"

import os as _os

# Idle BLAS/OpenMP worker threads spin for a while after each call; on a small machine they then fight
# numba's and each other's workers (measured: LeNet training 3x slower on 2 cores). Short spins, unless
# the user chose otherwise. Only effective when ember is imported before NumPy (as the CLI is).
_os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")
_os.environ.setdefault("GOMP_SPINCOUNT", "10000")

import numpy as _np  # noqa: E402

_np.seterr(all="ignore")  # torch computes inf/nan silently; NumPy's warnings would be noise
from . import dtypes as _dtypes
from .dtypes import (bfloat16, bool, cdouble, cfloat, complex64, complex128, double, dtype, finfo, float,
                     float16, float32, float64, get_default_dtype, half, iinfo, int, int8, int16, int32, int64,
                     long, promote_types, qint8, qint32, quint8, set_default_dtype, short, uint8)
from .backends.device import Device as device
from .tensor import Size, Tensor, UntypedStorage, is_tensor
from . import autograd
autograd.engine.install(Tensor)  # Tensor.backward: the Tensor's one way into the engine above it
from .autograd import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .autograd.grad_mode import is_inference_mode_enabled
from .random import (Generator, default_generator, get_rng_state, initial_seed, manual_seed, seed,
                     set_rng_state)
from . import ops as _ops
from .ops import return_types
from .ops._common import result_np_dtype as _result_np_dtype
from ._format import set_printoptions

_ops.install(Tensor)
globals().update(_ops.public_functions())
from .autograd import functional as _autograd_functional  # noqa: E402,F401 - above the ops (it stacks rows)
from .ops.creation import range_ as range  # noqa: E402,A001 - torch.range
from . import cuda, backends  # noqa: E402
from ._settings import (are_deterministic_algorithms_enabled, get_float32_matmul_precision,  # noqa: E402
                        is_deterministic_algorithms_warn_only_enabled, set_float32_matmul_precision,
                        use_deterministic_algorithms)
from .layout import channels_last, contiguous_format, preserve_format, memory_format  # noqa: E402
from ._legacy import (BoolTensor, ByteTensor, CharTensor, DoubleTensor, FloatTensor, HalfTensor,  # noqa: E402
                      IntTensor, LongTensor, ShortTensor)
import math as _math  # noqa: E402

pi, e, inf, nan = _math.pi, _math.e, _math.inf, _math.nan


def result_type(tensor1, tensor2) -> dtype:
    """The dtype an op on these two operands produces (torch's promotion)."""
    return _dtypes.from_numpy_dtype(_result_np_dtype(tensor1, tensor2))


def can_cast(from_: dtype, to: dtype) -> bool:
    return _dtypes.can_cast(from_, to)


def is_storage(obj) -> bool:
    return isinstance(obj, UntypedStorage)


def typename(obj) -> str:
    return obj.type() if isinstance(obj, Tensor) else type(obj).__name__


def get_num_threads() -> int:
    import os

    return os.cpu_count() or 1


def set_num_threads(n: int) -> None:
    """Best effort: ember's BLAS threads are set by OMP/OPENBLAS env vars before import."""
    try:
        from threadpoolctl import threadpool_limits  # type: ignore

        threadpool_limits(n)
    except ImportError:
        pass


def _lazy(name: str):
    import importlib

    try:
        return importlib.import_module(f".{name}", __name__)
    except ModuleNotFoundError as e:
        if e.name == f"{__name__}.{name}":
            raise AttributeError(f"module 'ember' has no attribute '{name}'") from None
        raise


def __getattr__(name: str):
    if name in ("nn", "optim", "utils", "linalg", "fft", "distributed", "models", "vision", "text",
                "serialization", "testing", "onnx", "jit", "special", "distributions", "hub", "amp", "cpu", "ao", "accelerator"):
        mod = _lazy(name)
        globals()[name] = mod
        return mod
    if name in ("save", "load"):
        return getattr(_lazy("serialization"), name)
    if name == "compile":  # torch.compile: ember.jit.compile, which loads on first use like every subpackage
        return _lazy("jit").compile
    if name in ("quantize_per_tensor", "quantize_per_channel", "dequantize"):
        return getattr(_lazy("ao.quantization"), name)
    if name in ("autocast", "is_autocast_enabled", "is_autocast_cpu_enabled", "get_autocast_dtype",
                "get_autocast_cpu_dtype", "clear_autocast_cache"):
        return getattr(_lazy("amp"), name)
    raise AttributeError(f"module 'ember' has no attribute '{name}'")
