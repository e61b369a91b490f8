"""The private and incidental attributes that real PyTorch code touches, checked against torch."""
import warnings

import pytest
import torch

import ember


def test_module_private_dicts():
    e, t = ember.nn.BatchNorm1d(3), torch.nn.BatchNorm1d(3)
    for name in ("_parameters", "_buffers", "_modules"):
        assert list(getattr(e, name)) == list(getattr(t, name))
    assert ember.nn.GRU(2, 3, num_layers=2)._flat_weights_names == torch.nn.GRU(2, 3, num_layers=2)._flat_weights_names


def test_grad_fn_next_functions_and_data():
    xe, xt = ember.ones(2, requires_grad=True), torch.ones(2, requires_grad=True)
    ye, yt = (xe * 2).sum(), (xt * 2).sum()
    assert [type(n).__name__ for n, _ in ye.grad_fn.next_functions] == \
        [type(n).__name__ for n, _ in yt.grad_fn.next_functions]
    assert not xe.data.requires_grad and xe.device.type == xt.device.type == "cpu"


def test_size_and_dtype():
    assert issubclass(ember.Size, tuple) and ember.ones(2, 3).shape == torch.ones(2, 3).shape
    assert ember.float32 == ember.float and ember.float32.is_floating_point == torch.float32.is_floating_point
    assert str(ember.float64).split(".")[1] == str(torch.float64).split(".")[1]


def test_backends_and_cuda_amp():
    assert ember.backends.cudnn.benchmark == torch.backends.cudnn.benchmark
    assert ember.backends.mps.is_available() == torch.backends.mps.is_available() is False
    assert ember.backends.mps.is_built() is False
    assert callable(ember.cuda.amp.autocast) and callable(ember.cuda.amp.GradScaler)


def test_accelerator_on_cpu():
    assert ember.accelerator.is_available() == torch.accelerator.is_available() is False
    assert ember.accelerator.current_accelerator() is torch.accelerator.current_accelerator() is None
    assert ember.accelerator.device_count() == torch.accelerator.device_count() == 0


def test_matmul_precision_and_determinism():
    assert ember.get_float32_matmul_precision() == torch.get_float32_matmul_precision()
    try:
        ember.set_float32_matmul_precision("medium")
        assert ember.get_float32_matmul_precision() == "medium"
        with pytest.warns(UserWarning, match="is not one of 'highest', 'high', or 'medium'"):
            ember.set_float32_matmul_precision("bogus")
        assert ember.get_float32_matmul_precision() == "medium"
    finally:
        ember.set_float32_matmul_precision("highest")
    assert ember.are_deterministic_algorithms_enabled() == torch.are_deterministic_algorithms_enabled()
    ember.use_deterministic_algorithms(True, warn_only=True)
    try:
        assert ember.are_deterministic_algorithms_enabled() and ember.is_deterministic_algorithms_warn_only_enabled()
    finally:
        ember.use_deterministic_algorithms(False)


def test_manual_seed_returns_generator():
    g = ember.manual_seed(3)
    assert isinstance(g, ember.Generator) and g.initial_seed() == 3
    assert isinstance(torch.manual_seed(3), torch.Generator)


@pytest.mark.parametrize("a,b", [(1, 0), (1.0, 0), (True, False), (2j, 0)])
def test_where_with_two_python_scalars(a, b):
    # pytorch/examples' siamese_network: torch.where(outputs > 0.5, 1, 0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = torch.where(torch.tensor([True, False]), a, b)
    got = ember.where(ember.tensor([True, False]), a, b)
    assert str(got.dtype).split(".")[1] == str(want.dtype).split(".")[1]
    assert got.tolist() == want.tolist()


def test_cuda_device_is_a_descriptor_without_a_gpu():
    # PyTorch's tensors tutorial: `torch.cuda.is_available() & (torch.device('cuda').index is not None)`
    if ember.cuda.is_available():
        pytest.skip("a GPU is present: this is the behaviour of a machine without one")
    e, t = ember.device("cuda"), torch.device("cuda")
    assert (e.type, e.index, str(e)) == (t.type, t.index, str(t))
    with pytest.raises(RuntimeError, match="CuPy"):
        ember.ones(2, device=e)
