"""Shared test setup: a fixed seed per test and torch's thread count kept low for a 2-core CI."""
import numpy as np
import pytest

try:
    import torch

    torch.set_num_threads(1)
except ImportError:  # torch is the oracle; tests that need it skip with a reason
    torch = None


@pytest.fixture(autouse=True)
def _kernels_on_small_arrays(monkeypatch):
    """Every kernel set and library runs on the tests' small arrays (which ``kernels.SERIAL_BELOW`` would send to
    NumPy's reference); tests/backends/test_serial_small.py tests the bound itself."""
    from ember.backends import kernels

    monkeypatch.setattr(kernels, "SERIAL_BELOW", 0)


@pytest.fixture(autouse=True)
def _seed():
    import ember

    ember.manual_seed(0)
    np.random.seed(0)
    yield


@pytest.fixture
def onednn():
    """The oneDNN library on for one test (modules that use it skip where libdnnl is not installed)."""
    from ember.backends import kernels

    before = kernels.library()
    kernels.use_library("onednn")
    yield
    kernels.use_library(before)
