"""Fixtures of the backend kernel tests."""
import pytest

from ember.backends import kernels


@pytest.fixture(params=kernels.available())
def kernel_set(request):
    """Each kernel set (numpy, numba), the library left as it is."""
    before = kernels.current()
    kernels.use(request.param)
    yield request.param
    kernels.use(before)
