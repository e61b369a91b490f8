"""Regressions found by the composition fuzz (tests/fuzz.py) in the norms and pooling: each compares ember with
torch on the program's pattern (the ops' ones are in tests/ops/test_fuzz_found.py, whose helpers these share)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import ember
from tests.ops.test_fuzz_found import _assert_same, _both


@pytest.mark.parametrize("fn", ["adaptive_avg_pool1d", "adaptive_avg_pool2d"])
def test_adaptive_avg_pool_of_the_same_size_is_a_new_tensor(fn):
    """fuzz class 'loss on pool: grad value': with output size = input size ember returned its input
    itself, so the input's retained gradient also held the output's uses."""
    shape, size = ((1, 2, 3), 3) if fn.endswith("1d") else ((1, 2, 3, 3), (3, 3))
    x = ember.randn(*shape, requires_grad=True)
    h = x * 1
    h.retain_grad()
    y = getattr(ember.nn.functional, fn)(h, size)
    assert y is not h and y.grad_fn is not None
    (h.sum() + (y * 2).sum()).backward()
    np.testing.assert_array_equal(h.grad.numpy(), np.full(shape, 3.0))


def test_max_pool_backward_with_nan():
    """fuzz class 'matmul/pool: grad value': non-overlapping max pooling sends each window's gradient to its
    (first) maximum only, a NaN maximum included; a NaN gradient does not spread over the window."""
    x = np.array([[[1.0, np.nan, 3.0, 4.0, -1.0, 2.0]]])

    def fn(T, t):
        return T.nn.functional.max_pool1d(t, 2) * T.tensor([np.nan, 1.0, 2.0], dtype=t.dtype)

    _assert_same(_both(fn, x))


@pytest.mark.parametrize("size", [2, 3])
def test_adaptive_avg_pool_keeps_a_nan_in_its_bin(size):
    """fuzz class 'pool: value': ember averaged with a matmul by a 0/1 bin matrix, so one NaN (0 * NaN)
    reached every output bin, values and gradients; torch averages each bin on its own."""
    x = np.arange(10.0).reshape(1, 2, 5)
    x[0, 0, 0] = np.nan
    _assert_same(_both(lambda T, t: T.nn.functional.adaptive_avg_pool1d(t, size), x))
    _assert_same(_both(lambda T, t: T.nn.functional.adaptive_avg_pool2d(t.reshape(1, 1, 2, 5), (1, size)), x))


@pytest.mark.parametrize("nd", [1, 2])
def test_adaptive_max_pool_zero_size(nd):
    """fuzz class 'pool: ember raises ValueError (torch does not)': reshape(lead + (-1,)) of zero elements."""
    shape = (0, 2, 3) if nd == 1 else (0, 2, 3, 4)
    fn = f"adaptive_max_pool{nd}d"
    _assert_same(_both(lambda T, x: getattr(T.nn.functional, fn)(x, 2).sum() + x.sum(), np.zeros(shape)))


def test_batch_norm_of_an_empty_batch():
    """fuzz class 'norm: ember raises ValueError (torch does not)': the fused kernel reshaped (n, c, -1)."""
    def f(T, x, w, b):
        return T.nn.functional.batch_norm(x, None, None, w, b, training=True).sum() + w.sum()

    _assert_same(_both(f, np.ones((0, 4, 2)), np.ones(4), np.zeros(4)))


@pytest.mark.parametrize("call", ["adaptive_avg_pool2d(x[:, :, :0], 3)", "adaptive_max_pool2d(x[:, :0], 1)",
                                  "adaptive_max_pool1d(x[0][:, :0], 2)", "avg_pool2d(x[:, :0], 3, 2, 1)",
                                  "max_pool1d(x[0][:, :0], 1)"])
def test_pool_rejects_empty_non_batch_dims(call):
    """fuzz class 'pool: torch raises RuntimeError, ember does not': torch's pools allow only an empty batch
    (adaptive average pooling: an empty channel dim too)."""
    for T in (torch, ember):
        x = T.ones(4, 2, 3, 5)
        with pytest.raises(RuntimeError, match="non-zero size|optional 0 dim batch"):
            eval("T.nn.functional." + call)  # noqa: S307 - the call text above


def test_group_norm_of_an_empty_batch():
    """fuzz class 'norm: ember raises RuntimeError (torch does not)': reshape(n, groups, -1) with n = 0."""
    _assert_same(_both(lambda T, x, w, b: T.nn.functional.group_norm(x, 1, w, b).sum() + w.sum() + b.sum(),
                       np.ones((0, 1, 2)), np.ones(1), np.zeros(1)))


def test_rms_norm_result_is_contiguous():
    """fuzz class 'view: ember raises RuntimeError (torch does not)': rms_norm of a transposed input; torch's
    result is contiguous, so .view(-1) works."""
    for T in (torch, ember):
        y = T.nn.functional.rms_norm(T.ones(5, 2, dtype=T.float64).T, (5,), T.ones(5, dtype=T.float64))
        assert y.is_contiguous()
        assert y.view(-1).shape == (10,)


def test_group_norm_of_one_value_per_group():
    """fuzz class 'norm: torch raises ValueError, ember does not': torch checks (N*C/G) * prod(spatial) > 1."""
    for T in (torch, ember):
        with pytest.raises(ValueError, match="more than 1 value"):
            T.nn.functional.group_norm(T.ones(1, 3, 1, 1), 3)


@pytest.mark.parametrize("shape", [(2, 3, 0), (1, 6, 2, 0)])
def test_group_norm_of_an_empty_group(shape):
    """fuzz class 'norm: grad value' (seeds 2856, 3481, 4941): with N > 0 and no element per group, torch's
    kernel forms its weight gradient from the mean and 1/std of no elements (0 / 0): NaN; the bias gradient is 0.
    With N = 0 both are 0 (test_group_norm_of_an_empty_batch)."""
    _assert_same(_both(lambda T, x, w, b: T.nn.functional.group_norm(x, 3, w, b).sum() + w.sum() + b.sum(),
                       np.ones(shape), np.ones(shape[1]), np.zeros(shape[1])))


@pytest.mark.parametrize("nd, shape, size", [(1, (2, 0, 3), 2), (1, (0, 0, 3), 3), (2, (2, 0, 3, 3), (3, 2)),
                                             (2, (2, 0, 3, 3), (1, None)), (2, (2, 3, 3, 3), 0)])
def test_adaptive_avg_pool_backward_rejects_empty_dims(nd, shape, size):
    """fuzz class 'backward: torch raises, ember does not' (seeds 5287, 5396): torch's adaptive average pooling
    accepts zero channels forward, but its backward kernel rejects an empty non-batch dim of grad_output (1-d
    pooling runs as 2-d, so the message names adaptive_avg_pool2d and a 4-d shape)."""
    msgs = []
    for T in (torch, ember):
        x = T.ones(*shape, requires_grad=True)
        y = getattr(T.nn.functional, f"adaptive_avg_pool{nd}d")(x, size)
        with pytest.raises(RuntimeError, match="Expected grad_output to have non-zero size") as err:
            (y * 2).sum().backward()
        msgs.append(str(err.value))
    assert msgs[0] == msgs[1]


@pytest.mark.parametrize("nd, shape", [(1, (2, 0, 3)), (2, (2, 3, 0, 3)), (3, (2, 0, 3, 3, 3)),
                                       (3, (2, 3, 0, 3, 3))])
def test_adaptive_avg_pool_to_one_is_a_mean(nd, shape):
    """torch's adaptive average pooling to size 1 is a mean: no checks, an empty spatial dim gives NaN, and the
    backward takes zero channels."""
    _assert_same(_both(lambda T, x: getattr(T.nn.functional, f"adaptive_avg_pool{nd}d")(x, 1) * 2, np.ones(shape)))


def test_adaptive_avg_pool3d_rejects_zero_channels():
    """torch's 3-d adaptive average pooling rejects every empty dim but the batch, forward."""
    for T in (torch, ember):
        with pytest.raises(RuntimeError, match="dimension 1 being empty"):
            T.nn.functional.adaptive_avg_pool3d(T.ones(2, 0, 3, 3, 3), 2)


def _pool_case(rng, nd):
    x = rng.choice([np.nan, -np.inf, 0.0, 1.0, -1.0], size=(2, 2) + (5,) * nd, p=[.3, .3, .2, .1, .1])
    return x, rng.integers(2, 4), rng.integers(1, 3), rng.integers(0, 2), rng.integers(1, 3)


@pytest.mark.parametrize("kernel_set", ember.backends.kernels.available())
@pytest.mark.parametrize("nd", [1, 2, 3])
def test_max_pool_takes_the_last_nan_and_never_the_padding(kernel_set, nd):
    """fuzz class 'pool: grad value' (seeds 2859, 8988): torch's CPU max pooling scans each window from -inf at
    its first element inside the input and takes an element when it is greater or NaN, so a window with several
    NaN gives its gradient and index to the last one, ties keep the first maximum, and a window whose real
    elements are all -inf picks its first real element, never the padding. Both kernel sets; overlapping and
    non-overlapping windows, with and without indices, float32 and float64."""
    from ember.backends import kernels
    rng = np.random.default_rng(nd)
    before = kernels.current()
    kernels.use(kernel_set)
    try:
        for _ in range(12):
            x, k, s, p, d = _pool_case(rng, nd)
            s = k if rng.random() < 0.4 else s
            p = min(p, k // 2)
            x = x.astype(rng.choice([np.float32, np.float64]))
            res = []
            for T in (torch, ember):
                t = T.tensor(x, requires_grad=True)
                fn = getattr(T.nn.functional, f"max_pool{nd}d")
                y, idx = fn(t, int(k), int(s), int(p), int(d), return_indices=True)
                (fn(t, int(k), int(s), int(p), int(d)) * T.arange(1, y.numel() + 1).reshape(y.shape)).sum().backward()
                res.append((y.detach().numpy(), idx.numpy(), t.grad.numpy()))
            for a, b in zip(*res):
                np.testing.assert_array_equal(b, a)
    finally:
        kernels.use(before)


def test_adaptive_max_pool_takes_the_last_nan():
    """torch's adaptive max pooling scans its bins the same way: the last NaN gets the index and the gradient."""
    x = np.array([[[1.0, np.nan, 2.0, np.nan, 0.0, -np.inf, np.nan]]])
    _assert_same(_both(lambda T, t: T.nn.functional.adaptive_max_pool1d(t, 2) * 3, x))
    for T in (torch, ember):
        assert T.nn.functional.adaptive_max_pool1d(T.tensor(x), 2, return_indices=True)[1].tolist() == [[[3, 6]]]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("affine", ["wb", "w", "b", ""])
def test_layer_norm_of_short_rows_rounds_as_torch(dtype, affine):
    """fuzz class 'norm: grad value' (seeds 402, 6093) and 'binary: value' (seed 7643): over rows shorter than
    a vector (float32: < 8, float64: < 4), torch's CPU layer norm is a scalar computation whose rounding ember
    follows bit for bit (Welford statistics, fused multiply-adds), so a constant row, where 1/sqrt(eps) = 316
    amplifies what rounding leaves, gives torch's weight and input gradients (not 0), and y is +0.0 where
    x_hat * w is -0.0. Compared exactly, with constant and random rows, values and gradients."""
    rng = np.random.default_rng(len(affine))
    for n, shape in [(1, (3, 2, 1)), (2, (4, 2)), (3, (2, 3)), (5, (3, 5)), (7, (2, 7))]:
        if dtype == "float64" and n >= 4:
            continue
        x = rng.standard_normal(shape).astype(dtype)
        x[0] = x[0, ..., :1]  # a constant row
        w, b = rng.standard_normal(n).astype(dtype) * (-1) ** n, rng.standard_normal(n).astype(dtype)
        g = rng.standard_normal(shape).astype(dtype)
        out = []
        for T in (torch, ember):
            xt = T.tensor(x, requires_grad=True)
            wt = T.tensor(w, requires_grad=True) if "w" in affine else None
            bt = T.tensor(b, requires_grad=True) if "b" in affine else None
            y = T.nn.functional.layer_norm(xt, (n,), wt, bt)
            y.backward(T.tensor(g))
            out.append([y.detach().numpy(), xt.grad.numpy()] + [t.grad.numpy() for t in (wt, bt) if t is not None])
        for i, (a, e) in enumerate(zip(*out)):
            if i < 2:
                np.testing.assert_array_equal(e, a)
                np.testing.assert_array_equal(np.signbit(e), np.signbit(a))
            else:  # sums over rows: torch adds per-thread partial sums (its thread count decides the order)
                np.testing.assert_allclose(e, a, rtol=1e-6 if dtype == "float32" else 1e-14, atol=0)


def test_batch_norm_of_zero_channels_with_a_weight():
    """fuzz class 'norm: exception type ZeroDivisionError (torch IndexError)' (seed 20768): torch's batch norm
    selects channel 0 of an empty weight or bias (IndexError); without them zero channels pass."""
    for T in (torch, ember):
        for training in (True, False):
            with pytest.raises(IndexError, match="index 0 out of range"):
                T.nn.functional.batch_norm(T.ones(4, 0, 4), T.zeros(0), T.ones(0), T.ones(0), None, training=training)
            assert T.nn.functional.batch_norm(T.ones(4, 0, 4), None, None, training=True).shape == (4, 0, 4)


@pytest.mark.parametrize("length", [2, 4, 7])
def test_instance_norm_of_a_constant_rounds_as_torch(length):
    """fuzz class 'binary: grad value' (seeds 8585, 40437: instance_norm of x / x): torch's instance norm is its
    batch norm, which forms 1/sqrt(var + eps) in float64 and rounds it once to float32; for a constant input that
    1/std (316.22778) multiplies g - mean(g) and the gradient must match to the bit (ember's float32 1/sqrt was
    an ulp away, which later cancellations amplified)."""
    rng = np.random.default_rng(length)
    g = (rng.standard_normal((5, 4, length)) * 100).astype(np.float32)
    grads = []
    for T in (torch, ember):
        x = T.ones(5, 4, length, requires_grad=True)
        T.nn.functional.instance_norm(x).backward(T.tensor(g))
        grads.append(x.grad.numpy())
    np.testing.assert_array_equal(grads[1], grads[0])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_group_norm_of_small_groups_rounds_as_torch(dtype):
    """fuzz class 'norm: grad value' (seed 3613: one value per group): for groups of fewer values than a vector,
    ember follows torch's CPU group norm bit for bit (Welford moments, rstd formed in float64, its fused
    multiply-adds), so a group of one value, whose 1/std is 316, gives torch's residues in the weight and input
    gradients (ember's were 0). Values and every gradient compared exactly. torch's own input gradient of a
    float64 (3, 4, 1) input in 2 groups differs in its 11th digit between 1 and 2 or more intra-op threads; ember
    follows the multi-threaded result (the fuzz's setting), so torch runs on 2 threads here (conftest sets 1)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        _group_norm_small_groups_as_torch(dtype)
    finally:
        torch.set_num_threads(threads)


def _group_norm_small_groups_as_torch(dtype):
    rng = np.random.default_rng(3)
    for shape, groups in [((4, 5, 1, 1), 5), ((3, 4, 1), 2), ((2, 2, 3), 1 if dtype == "float32" else 2)]:
        x = rng.standard_normal(shape).astype(dtype)
        x[0] = x[0, :1]  # the first sample constant
        w, b = rng.standard_normal(shape[1]).astype(dtype), rng.standard_normal(shape[1]).astype(dtype)
        g = rng.standard_normal(shape).astype(dtype)
        for affine in ("wb", "w", ""):
            out = []
            for T in (torch, ember):
                xt = T.tensor(x, requires_grad=True)
                ts = [T.tensor(v, requires_grad=True) if k in affine else None for k, v in (("w", w), ("b", b))]
                y = T.nn.functional.group_norm(xt, groups, *ts)
                y.backward(T.tensor(g))
                out.append([y.detach().numpy(), xt.grad.numpy()] + [t.grad.numpy() for t in ts if t is not None])
            for a, e in zip(*out):
                np.testing.assert_array_equal(e, a)


@pytest.mark.parametrize("kernel_set", ember.backends.kernels.available())
@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "int64", "int32"])
def test_max_pool_of_low_precision_and_integers(kernel_set, dtype):
    """max pooling of float16/bfloat16 (numba has no loops for them: the NumPy kernel) and of integers with
    padding (padded with the smallest integer, not -inf, which raised OverflowError), against torch."""
    from ember.backends import kernels
    before = kernels.current()
    kernels.use(kernel_set)
    try:
        out = []
        for T in (torch, ember):
            x = T.arange(-8.0, 8.0).reshape(1, 1, 4, 4).to(getattr(T, dtype))
            out.append([T.nn.functional.max_pool2d(x, 3, 1, p).float().numpy() for p in (0, 1)])
        for a, e in zip(*out):
            np.testing.assert_array_equal(e, a)
    finally:
        kernels.use(before)
