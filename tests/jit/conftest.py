"""Fixtures of the graph-capture tests."""
import pytest

from ember.backends import kernels


@pytest.fixture(params=[(k, lib) for k in kernels.available() for lib in (None, *kernels.libraries())])
def kernel_set(request):
    """Each kernel set (numpy, numba), with the library (oneDNN: its GEMM and convolutions) off and on."""
    before = kernels.current(), kernels.library()
    kernels.use(request.param[0])
    kernels.use_library(request.param[1])
    yield request.param
    kernels.use(before[0])
    kernels.use_library(before[1])
