"""Regressions found by the composition fuzz (tests/fuzz.py), each checked against torch on the same input.

Each test names the fuzz class it came from ("<op>: <what differed>").
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

import ember


def _both(fn, *arrays, grad=True):
    """fn(T, *tensors) on torch and on ember; returns [(value, grads)] for each."""
    out = []
    for T in (torch, ember):
        ts = [T.tensor(a, requires_grad=grad and a.dtype.kind == "f") for a in arrays]
        y = fn(T, *ts)
        grads = []
        if grad:
            y.backward(T.ones_like(y) if y.ndim else None)
            grads = [None if t.grad is None else t.grad.numpy() for t in ts]
        out.append((y.detach().numpy(), grads, str(y.dtype).rsplit(".", 1)[-1]))
    return out


def _assert_same(pair):
    (tv, tg, td), (ev, eg, ed) = pair
    assert td == ed
    np.testing.assert_allclose(ev, tv, rtol=1e-6, equal_nan=True)
    for a, b in zip(eg, tg):
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=1e-6, equal_nan=True)


@pytest.mark.parametrize("fn", ["maximum", "minimum"])
def test_maximum_nan_passes_the_gradient_to_both_sides(fn):
    """fuzz class 'binary: grad value': torch's maximum/minimum backward masks by a < b / a > b, so a NaN
    on one side sends the full gradient to both inputs (ember sent none to the NaN side)."""
    a = np.array([np.nan, 1.0, 2.0, 3.0])
    b = np.array([0.5, np.nan, 2.0, 1.0])
    _assert_same(_both(lambda T, x, y: getattr(T, fn)(x, y) * 2, a, b))


@pytest.mark.parametrize("fn", ["maximum", "minimum"])
def test_maximum_takes_no_python_number(fn):
    """fuzz class 'binary: torch raises TypeError, ember does not'."""
    for T in (torch, ember):
        with pytest.raises(TypeError, match="other"):
            getattr(T, fn)(T.ones(2), 3.0)


def test_clamp_gradient_is_a_select_not_a_product():
    """fuzz class 'pointwise: grad value': a NaN reaching clamp from above (std of one element) gives a zero
    gradient where the input was clamped, as torch's where(mask, grad, 0)."""
    x = np.array([2.0, -3.0, 0.2])

    def fn(T, t):
        y = T.clamp(t, min=-0.5, max=0.5)
        return y * T.tensor([np.nan, np.nan, 1.0], dtype=y.dtype)

    _assert_same(_both(fn, x))


def test_where_gradient_is_a_select():
    """fuzz class 'binary: grad value': where(c, a, b) with a NaN upstream gradient gives b a zero gradient
    where c is true (torch selects; ember multiplied by 0)."""
    a, b = np.array([1.0, 2.0]), np.array([0.5, -1.0])

    def fn(T, x, y):
        return T.where(T.tensor([True, False]), x, y) * T.tensor([np.nan, 1.0], dtype=x.dtype)

    _assert_same(_both(fn, a, b))


@pytest.mark.parametrize("op", ["floor", "ceil", "trunc", "round", "sign"])
def test_rounding_gradient_is_zero_even_for_nan(op):
    """fuzz class 'pointwise: grad value': torch's floor/ceil/round/trunc/sign backward is zeros_like(grad)."""
    _assert_same(_both(lambda T, x: getattr(T, op)(x) * np.nan, np.array([0.3, -1.7])))


def test_sign_of_nan_is_zero():
    """fuzz class 'pointwise: value'."""
    x = np.array([np.nan, -0.0, 2.0, -3.0], dtype=np.float32)
    np.testing.assert_array_equal(ember.sign(ember.from_numpy(x)).numpy(), torch.sign(torch.from_numpy(x)).numpy())


@pytest.mark.parametrize("fn", ["elu", "celu", "selu"])
def test_elu_family_keeps_a_nan_gradient(fn):
    """fuzz class 'activation: grad value': torch's fused elu_backward gives NaN for a NaN input; ember's
    composition (clamp then expm1) gave 0."""
    _assert_same(_both(lambda T, x: getattr(T.nn.functional, fn)(x), np.array([np.nan, -0.5, 0.7])))


def test_lerp_does_not_promote():
    """fuzz class 'binary: torch raises RuntimeError, ember does not'."""
    for T in (torch, ember):
        with pytest.raises(RuntimeError, match="expected dtype"):
            T.lerp(T.ones(2), T.ones(2, dtype=T.float64), 0.3)


@pytest.mark.parametrize("case", ["log_softmax", "softmax", "logsumexp", "instance_norm", "batch_norm", "linear"])
def test_zero_size_inputs(case):
    """fuzz classes '<op>: ember raises ValueError (torch does not)' and 'backward: ember raises ValueError':
    NumPy's max of zero elements and reshape(-1, 0) failed where torch returns empty results."""
    def fn(T, x, w):
        F = T.nn.functional
        y = {"log_softmax": lambda: F.log_softmax(x.reshape(2, 0), -1),
             "softmax": lambda: T.softmax(x.reshape(0, 2), 0),
             "logsumexp": lambda: T.logsumexp(x, 0),
             "instance_norm": lambda: F.instance_norm(x.reshape(1, 2, 0, 3)),
             "batch_norm": lambda: F.batch_norm(x.reshape(0, 3), None, None, training=True),
             "linear": lambda: F.linear(x, w)}[case]()
        return y.sum() + w.sum()

    _assert_same(_both(fn, np.zeros(0), np.ones((2, 0))))


@pytest.mark.parametrize("fn", ["threshold", "hardtanh", "hardshrink", "softshrink", "relu6"])
def test_piecewise_backward_is_a_select(fn):
    """fuzz class 'activation: grad value': torch's threshold/hardtanh/shrink backward is where(mask, grad, 0),
    so a NaN upstream gradient (std over one element) gives 0 where the mask is 0; ember multiplied."""
    args = {"threshold": (0.1, 20.0), "hardshrink": (0.5,), "softshrink": (0.3,)}.get(fn, ())

    def f(T, x):
        return getattr(T.nn.functional, fn)(x, *args) * T.tensor([np.nan, 1.0, np.nan], dtype=x.dtype)

    _assert_same(_both(f, np.array([-7.0, 0.2, 0.05])))


def test_xlogy_gradient_where_log_is_nan():
    """fuzz class 'binary: grad value': torch's xlogy backward is xlogy(grad, y) (0 where grad is 0, even for
    y < 0), not grad * log(y); ember's composition x * log(y) gave NaN through nan_to_num."""
    def fn(T, x, y):
        return T.nan_to_num(T.xlogy(x, y)) * 2

    _assert_same(_both(fn, np.array(0.7), np.array([-1.0, 2.0, 0.0])))
    _assert_same(_both(lambda T, x, y: T.xlogy(x, y), np.array([0.0, 1.0, 0.0]), np.array([-1.0, np.nan, 2.0])))
    x = ember.rand(3, dtype=ember.float64, requires_grad=True)
    y = (ember.rand(3, dtype=ember.float64) + 0.5).requires_grad_()
    assert ember.autograd.gradgradcheck(ember.xlogy, (x, y))


def test_matmul_batch_dims_mismatch_is_a_runtime_error():
    """fuzz class 'matmul: exception type ValueError (torch RuntimeError)'."""
    for T in (torch, ember):
        with pytest.raises(RuntimeError, match="must match the size of tensor b"):
            T.matmul(T.ones(2, 4, 3), T.ones(2, 4, 3, 5))


def test_advanced_indexing_result_is_contiguous():
    """fuzz class 'view: ember raises RuntimeError (torch does not)': x[:, idx] came back in NumPy's layout
    (indexed dim outermost), so .view() after an elementwise op failed."""
    x = np.arange(15.0, dtype=np.float32).reshape(5, 3)
    for T in (torch, ember):
        y = T.tanh(T.from_numpy(x.copy())[:, T.tensor([2, 0])])
        assert y.is_contiguous() and y.view(10).shape == (10,)


def test_glu_over_an_empty_dim():
    """fuzz class 'glu/prelu: ember raises ValueError (torch does not)'."""
    _assert_same(_both(lambda T, x: T.nn.functional.glu(x, 0).sum() + x.sum(), np.zeros((0, 3))))


def test_conv_shape_errors():
    """fuzz class 'conv: exception type ZeroDivisionError (torch RuntimeError)': an input empty only in its
    spatial dims."""
    for T in (torch, ember):
        with pytest.raises(RuntimeError):
            T.nn.functional.conv2d(T.ones(3, 5, 4, 0), T.ones(1, 5, 1, 1))
    assert ember.nn.functional.conv2d(ember.ones(0, 5, 4, 3), ember.ones(1, 5, 1, 1)).shape == (0, 1, 4, 3)


@pytest.mark.parametrize("fn", ["maximum", "minimum"])
def test_maximum_losing_side_gets_zero_even_for_a_nan_gradient(fn):
    """fuzz class 'binary: grad value' (second kind): torch masked_fills the losing side with 0, so a NaN
    upstream gradient (std of a 0-d value) does not reach it; ember multiplied by 0."""
    a, b = np.array([1.0, np.nan, 2.0, 3.0]), np.array([2.0, 1.0, 2.0, np.nan])

    def f(T, x, y):
        return getattr(T, fn)(x, y) * T.tensor([np.nan, 1.0, 4.0, 1.0], dtype=x.dtype)

    _assert_same(_both(f, a, b))


@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("fn", ["hardsigmoid", "hardswish", "softplus", "relu"])
def test_activation_nan_input_and_boundaries(fn, create_graph):
    """fuzz class 'activation: grad value' (NaN inputs): torch's hardsigmoid_backward gives 0 at a NaN input
    (ember's hardtanh composition passed 1/6); hardswish_backward is 0 at x <= -3 and 1 at x >= 3 and selects
    (ember: -1/2 at x = -3, 3/2 at x = 3, NaN * 0 below -3); softplus_backward gives NaN at a NaN input (ember's
    clamp gave 0); relu's double-backward path multiplied by the mask (NaN * 0, and 0 at a NaN input)."""
    x = np.array([np.nan, -5.0, -3.0, -1.0, 0.0, 1.0, 3.0, 5.0, np.inf, -np.inf])
    g = np.array([1.0, np.nan, np.nan, 2.0, np.nan, 3.0, 1.0, np.nan, 1.0, 1.0])
    out = []
    for T in (torch, ember):
        t = T.tensor(x, requires_grad=True)
        y = getattr(T.nn.functional, fn)(t)
        (gx,) = T.autograd.grad(y, t, T.tensor(g), create_graph=create_graph)
        out.append((y.detach().numpy(), gx.detach().numpy(), str(gx.dtype)))
    (tv, tg, td), (ev, eg, ed) = out
    assert td.rsplit(".")[-1] == ed.rsplit(".")[-1]
    np.testing.assert_allclose(ev, tv, rtol=1e-6, equal_nan=True)
    np.testing.assert_allclose(eg, tg, rtol=1e-6, equal_nan=True)


def test_cat_gives_a_skipped_empty_tensor_an_empty_gradient():
    """fuzz class 'cat/stack: grad is None': torch.cat skips a 1-d empty tensor in forward but still gives it
    an empty zero gradient (which reaches its source), and it still takes part in the type promotion."""
    def fn(T, a, e):
        return T.cat([a, e * 2, a], 1) * 3

    _assert_same(_both(fn, np.ones((2, 3), dtype=np.float32), np.zeros(0)))
    for T in (torch, ember):
        with pytest.raises(RuntimeError, match="position 1"):
            T.cat([T.zeros(0), T.tensor(1.0)])


@pytest.mark.parametrize("case", [
    ("conv1d", (2, 0, 4), (3, 0, 2), {}),                  # zero input channels: torch's output has none either
    ("conv2d", (0, 1, 3, 2), (2, 1, 2, 2), {"stride": 2, "padding": 1, "dilation": 2}),  # empty batch
    ("conv_transpose1d", (0, 2, 0), (2, 2, 2), {"groups": 2}),  # empty input: output size from the formula
    ("conv_transpose1d", (0, 2, 4), (2, 3, 2), {"stride": 2}),
])
def test_conv_zero_size(case):
    """fuzz classes 'conv: shape' and 'conv: ember raises ValueError (torch does not)': zero-size conv inputs
    follow torch's empty-input path (shape, and zero gradients for input, weight and bias)."""
    fn, xs, ws, kw = case
    cout = ws[0] if "transpose" not in fn else ws[1] * kw.get("groups", 1)

    def f(T, x, w, b):
        return getattr(T.nn.functional, fn)(x, w, b, **kw) * 2

    _assert_same(_both(f, np.ones(xs), np.ones(ws), np.ones(cout)))


@pytest.mark.parametrize("case", [
    ("conv_transpose2d", (1, 5, 1, 5), (5, 2, 2, 2), {"padding": 1}),  # output size (0 x 4)
    ("conv1d", (1, 2, 3), (0, 2, 2), {}),                              # no output channels
    ("conv_transpose1d", (2, 2, 3), (0, 2, 2), {}),
])
def test_conv_errors_torch_raises(case):
    """fuzz class 'conv: torch raises RuntimeError, ember does not' (and ValueError where torch raises
    RuntimeError): an output size below 1, a weight with no output channels."""
    fn, xs, ws, kw = case
    for T in (torch, ember):
        with pytest.raises(RuntimeError):
            getattr(T.nn.functional, fn)(T.ones(xs), T.ones(ws), **kw)


def test_prelu_over_zero_channels():
    """fuzz class 'glu/prelu: ember raises RuntimeError (torch does not)': an empty per-channel weight for an
    input with zero channels (ember broadcast the (0,) weight against the last dim)."""
    _assert_same(_both(lambda T, x, w: T.nn.functional.prelu(x, w).sum() + w.sum() + x.sum(),
                       np.ones((4, 0, 2, 2)), np.ones(0)))


def test_logsigmoid_gradient_at_zero_is_one_half():
    """found by the docstring examples: logsigmoid written as min(x, 0) - log1p(e^-|x|) took clamp's gradient 1
    and abs's 0 at x = 0; torch's is sigmoid(-0) = 1/2 (and MultiLabelSoftMarginLoss inherits it)."""
    import ember.nn.functional as F
    v = np.array([-3.0, 0.0, 0.0, 2.0])
    for dt in ("float32", "float64"):
        x = ember.tensor(v.astype(dt), requires_grad=True)
        t = torch.tensor(v.astype(dt), requires_grad=True)
        F.logsigmoid(x).sum().backward()
        torch.nn.functional.logsigmoid(t).sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-6)
        y = ember.tensor([[0.0, 1.0]], requires_grad=True)
        u = torch.tensor([[0.0, 1.0]], requires_grad=True)
        F.multilabel_soft_margin_loss(y, ember.tensor([[1.0, 0.0]])).backward()
        torch.nn.functional.multilabel_soft_margin_loss(u, torch.tensor([[1.0, 0.0]])).backward()
        np.testing.assert_allclose(y.grad.numpy(), u.grad.numpy(), rtol=1e-6)


@pytest.mark.parametrize("fn", ["softmax", "log_softmax", "logsumexp"])
@pytest.mark.parametrize("v", [0.3, np.nan, np.inf, -np.inf])
def test_zero_d_softmax_and_logsumexp_of_nan_and_inf(fn, v):
    """fuzz class 'reduction: value': softmax of a 0-d NaN was 1 (torch: exp(x - x) / 1 = NaN), and the
    0-d logsumexp/softmax gradients skipped torch's formula (an infinite x gives NaN)."""
    _assert_same(_both(lambda T, x: getattr(T, fn)(x, 0) * 1.5, np.array(v)))


@pytest.mark.parametrize("case", ["max", "min", "median", "amax", "prod", "prod_dim"])
def test_reduction_backward_select_and_nan(case):
    """fuzz class 'reduction: grad value': max()/min()/median() backward is torch's evenly_distribute_backward,
    a masked_fill (a NaN upstream gradient reaches only the chosen elements); amax scales by the count
    (a product); prod without zeros is g * result / x (a NaN input makes every gradient NaN)."""
    x = {"prod": np.array([[np.nan, 2.0], [0.5, 3.0]]), "prod_dim": np.array([[np.nan, 2.0], [0.5, 0.0]])}.get(
        case, np.array([[1.0, 3.0], [3.0, -2.0]]))

    def f(T, t):
        y = {"prod_dim": lambda: t.prod(1), "amax": lambda: t.amax()}.get(case, lambda: getattr(t, case)())()
        return y * T.tensor(np.nan, dtype=t.dtype) if case not in ("prod", "prod_dim") else y * 2

    _assert_same(_both(f, x))
    _assert_same(_both(lambda T, t: getattr(t, case.split("_")[0])() * 2, np.array([[np.nan, 1.0], [np.nan, 0.5]])))


def test_atan2_gradient_at_the_origin():
    """fuzz class 'binary: grad value': torch's atan2_backward uses 1 / (x^2 + y^2) with 0 where that is 0, so
    atan2(0, 0) (and an underflowing x^2 + y^2) gives 0, not NaN."""
    _assert_same(_both(lambda T, a, b: T.atan2(a, b) * 2 + T.atan2(a, a),
                       np.array([0.0, 1e-200, 0.0, 2.0]), np.array([1e-200, 0.0, 0.0, 3.0])))


def test_copysign_gradients():
    """fuzz class 'binary: grad value': torch's copysign gives ``other`` a zero gradient (not g * 0, NaN for a
    NaN g) and ``input`` g * result / input (0 where input is 0, NaN at a NaN input)."""
    def f(T, a, b):
        return T.copysign(a, b) * T.tensor([1.0, 1.0, np.nan, 1.0, 1.0], dtype=a.dtype)

    _assert_same(_both(f, np.array([0.0, 2.0, -1.0, np.nan, np.inf]), np.array([-1.0, -1.0, 2.0, 1.0, -1.0])))


def test_median_of_an_empty_tensor_keeps_its_gradient():
    """fuzz class 'loss on reduction: grad is None': median() of zero elements is NaN and still gives its
    input an (empty) zero gradient, as torch."""
    _assert_same(_both(lambda T, x: x.median() * 2 + x.sum(), np.zeros((0, 3))))


@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_cross_entropy_ignored_rows_get_zero_even_for_a_nan_gradient(smoothing):
    """fuzz class 'index/loss: grad value': torch's nll_loss backward never writes an ignored row, so a NaN
    upstream gradient (1 / a NaN loss of all-ignored targets) leaves it 0; ember multiplied by 0."""
    def f(T, x):
        loss = T.nn.functional.cross_entropy(x, T.tensor([0, 2]), ignore_index=0, label_smoothing=smoothing,
                                             reduction="none")
        return loss * T.tensor([np.nan, 1.0], dtype=x.dtype)

    _assert_same(_both(f, np.array([[0.5, 1.0, 2.0], [1.0, 2.0, 3.0]])))
    _assert_same(_both(lambda T, x: T.nn.functional.cross_entropy(x, T.tensor(0), ignore_index=0) * np.nan,
                       np.array([0.5, 1.0, 2.0])))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("n", [1, 2])
def test_conv_transpose_output_size_zero(dtype, n):
    """fuzz class 'conv: ember raises RuntimeError (torch does not)': torch's transposed convolution returns an
    empty output for an output size of 0 on its oneDNN path (float32, a batch of more than one) and raises on
    the others; a negative size always raises."""
    for T in (torch, ember):
        dt = getattr(T, dtype)
        x, w = T.ones(n, 4, 2, dtype=dt, requires_grad=True), T.ones(4, 2, 3, dtype=dt, requires_grad=True)
        if dtype == "float32" and n > 1:
            try:
                y = T.nn.functional.conv_transpose1d(x, w, padding=2)
            except RuntimeError as err:  # torch's own oneDNN path refuses it after some earlier tests in the process
                assert T is torch and "memory descriptor" in str(err), err
                continue
            assert y.shape == (n, 2, 0)
            y.sum().backward()
            assert float(w.grad.abs().sum()) == 0.0
        else:
            with pytest.raises(RuntimeError, match="Output size is too small"):
                T.nn.functional.conv_transpose1d(x, w, padding=2)
        # torch's oneDNN path may say "could not construct a memory descriptor" instead (process state)
        with pytest.raises(RuntimeError, match="Output size is too small" + ("|memory descriptor" if T is torch else "")):
            T.nn.functional.conv_transpose1d(T.ones(n, 4, 1, dtype=dt), T.ones(4, 2, 1, dtype=dt), padding=2)


@pytest.mark.parametrize("shapes", [((5, 5, 3, 0), (3, 5, 5, 0, 3)), ((2, 2, 0), (2, 0, 3)), ((0, 2, 2), (0, 2, 3)),
                                    ((2, 2, 2), (2, 2, 0)), ((2, 4), (2, 4, 0)), ((0, 4), (2, 4, 3)),
                                    ((2, 0), (0, 3)), ((0, 2, 2), (2, 3)), ((3,), (2, 3, 0)), ((2, 2, 2), (2, 2, 3)),
                                    ((0, 2, 2), (1, 2, 2))])
@pytest.mark.parametrize("grad", [0, 1, 2])
def test_matmul_of_an_empty_product_with_mixed_dtypes(shapes, grad):
    """fuzz class 'matmul: ember raises RuntimeError (torch does not)' (seed 4334): torch's matmul runs bmm (for
    two batched operands, or a matrix with a batch it does not fold into one product) and bmm checks no dtypes
    when its result or its contraction is empty: the result has the second operand's dtype. mm, mv, dot and the
    folded paths always check (torch's should_fold: an operand that requires grad makes the other fold)."""
    out = []
    for T in (torch, ember):
        a, b = T.ones(*shapes[0]), T.ones(*shapes[1], dtype=T.float64)
        if grad:
            (a, b)[grad - 1].requires_grad_()
        try:
            y = T.matmul(a, b)
        except RuntimeError:
            out.append("raises")
            continue
        if grad:
            y.sum().backward()
            g = (a, b)[grad - 1].grad
            out.append((tuple(y.shape), str(y.dtype)[-7:], tuple(g.shape), str(g.dtype)[-7:], float(g.abs().sum())))
        else:
            out.append((tuple(y.shape), str(y.dtype)[-7:], float(y.abs().sum())))
    assert out[0] == out[1]


@pytest.mark.parametrize("case", ["x.permute(2, 1, 0)[i, j]", "x.permute(2, 1, 0)[m]", "x.transpose(0, 2)[:, i]",
                                  "x.permute(1, 2, 0)[:, :, 1:][:, m]", "x.permute(2, 0, 1)[i, :, j]",
                                  "x[0, :, i]", "x.permute(2, 1, 0)[i, 1, j]", "x[i]", "x[:, m[:4], None]"])
def test_advanced_indexing_result_layout(case):
    """fuzz classes 'view: torch raises RuntimeError, ember does not' and 'view: ember raises RuntimeError' (seeds
    7642, 8356): torch allocates x[idx] in the order TensorIterator sorts the dims by x's (restrided) and the
    indices' strides, so the result of indexing a transposed tensor is often not contiguous, and view() after
    it fails or works as in torch. Also: an int between index tensors is a select (x[0, :, i] is (4, 2))."""
    out = []
    for T in (torch, ember):
        x = T.arange(60.0).reshape(3, 4, 5)
        i, j, m = T.tensor([[0, 1], [2, 0]]), T.tensor([[1], [2]]), T.tensor([True, False, True, True, False])
        y = eval(case)  # noqa: S307 - the cases above
        strides = [s for s, n in zip(y.stride(), y.shape) if n != 1]
        try:
            flat = y.view(-1).tolist()
        except RuntimeError:
            flat = "view raises"
        out.append((tuple(y.shape), strides, y.is_contiguous(), y.tolist(), flat))
    assert out[0] == out[1]


@pytest.mark.parametrize("call", ["F.rms_norm(T.ones(2, 3), (4,))", "F.rms_norm(T.ones(2, 3), (3,), T.ones(4))",
                                  "F.rms_norm(T.ones(3), (2, 3))", "F.layer_norm(T.ones(2, 3), (3,), None, T.ones(1, 3))",
                                  "F.layer_norm(T.ones(2, 3), ())", "F.rms_norm(T.ones(2, 3), 3)",
                                  "F.linear(T.ones(2, 3), T.ones(4, 3), T.ones(5))",
                                  "F.linear(T.ones(2, 2, 3), T.ones(4, 3), T.ones(3, 4))",
                                  "F.linear(T.ones(3), T.ones(4, 3), T.ones(2))", "T.nn.UninitializedParameter().shape"])
def test_small_fidelity_errors(call):
    """Noticed last session: rms_norm checks its normalized_shape and weight as layer_norm does (torch's messages),
    linear's bias must expand to (rows, out_features) (torch's RuntimeError, not NumPy's ValueError), and an
    uninitialized parameter has no shape."""
    errors = []
    for T in (torch, ember):
        F = T.nn.functional  # noqa: F841 - used by the call text
        with pytest.raises(Exception) as err:
            eval(call)  # noqa: S307 - the calls above
        errors.append((type(err.value), str(err.value)))
    assert errors[0] == errors[1]


def test_small_fidelity_values():
    """Noticed last session: prelu of a 0-d input is 0-d; pixel_shuffle/pixel_unshuffle by 1 return a new tensor;
    a linear bias of shape (rows, out) is accepted."""
    for T in (torch, ember):
        x = T.tensor(-2.0, requires_grad=True)
        w = T.tensor([0.25], requires_grad=True)
        y = T.nn.functional.prelu(x, w)
        y.backward()
        assert y.shape == () and float(y) == -0.5 and float(w.grad[0]) == -2.0 and float(x.grad) == 0.25
        for fn in ("pixel_shuffle", "pixel_unshuffle"):
            a = T.ones(1, 4, 2, 2)
            b = getattr(T.nn.functional, fn)(a, 1)
            b[0, 0, 0, 0] = 5.0
            assert float(a[0, 0, 0, 0]) == 1.0 and b.is_contiguous()
        assert T.nn.functional.linear(T.ones(2, 3), T.ones(4, 3), T.ones(2, 4)).shape == (2, 4)


def test_tril_result_is_contiguous():
    """fuzz class 'view: ember raises RuntimeError (torch does not)' (seed 20292): torch's tril/triu allocate a
    contiguous result, so .view() after them works on a transposed input."""
    for T in (torch, ember):
        x = T.ones(1, 2, 2, 3).permute(3, 2, 1, 0)
        for fn in ("tril", "triu"):
            y = getattr(x, fn)()
            assert y.is_contiguous() and y.view(-1).shape == (12,)


@pytest.mark.parametrize("batched", [False, True])
def test_cross_entropy_ignored_row_of_nan_logits(batched):
    """fuzz class 'loss: value' (seed 20590): an ignored row's loss is 0 even where its logits are NaN (ember had
    0 * NaN); its gradient is 0 - p * 0 from log_softmax's backward, so NaN there, as torch."""
    x = np.array([[np.nan, 0.5], [0.1, 0.2], [0.3, 0.1]]) if batched else np.array([np.nan, 0.5])

    def fn(T, t):
        target = T.tensor([0, 0, 1]) if batched else T.tensor(0)
        return T.nn.functional.cross_entropy(t, target, ignore_index=0, reduction="none") * 2

    _assert_same(_both(fn, x))


@pytest.mark.parametrize("fn, kw", [("smooth_l1_loss", {"beta": 0.5}), ("smooth_l1_loss", {}),
                                    ("huber_loss", {"delta": 0.5})])
def test_smooth_l1_and_huber_gradient_at_infinity(fn, kw):
    """fuzz class 'loss: grad value' (seed 30289): torch's fused backward gives +-g (or +-delta g) for an infinite
    difference; ember's quadratic branch, unselected, still multiplied its zero gradient by d = inf (NaN).
    A NaN difference keeps its NaN gradient."""
    x = np.array([-np.inf, np.inf, np.nan, 0.3, -2.0, 0.5, -0.5])

    def f(T, t):
        return getattr(T.nn.functional, fn)(t, T.zeros(7, dtype=t.dtype), reduction="none", **kw) * T.tensor(
            [1.0, 2, 3, 4, 5, np.nan, 7], dtype=t.dtype)

    _assert_same(_both(f, x))


@pytest.mark.parametrize("call", ["T.ones(0).argmax()", "T.ones(0).argmin(keepdim=True)", "T.ones(2, 0).argmax(1)",
                                  "T.ones(0, 3).argmin(0)"])
def test_argmax_of_nothing_is_an_index_error(call):
    """fuzz class 'reduction: exception type ValueError (torch IndexError)' (seed 40175)."""
    msgs = []
    for T in (torch, ember):
        with pytest.raises(IndexError) as err:
            eval(call)  # noqa: S307 - the calls above
        msgs.append(str(err.value))
    assert msgs[0] == msgs[1]


@pytest.mark.parametrize("case", ["x[True, -3]", "x[False, -1]", "y[True, ..., 1]", "y[:, False, 0]",
                                  "y[[0, 1], True, None, 1]"])
def test_a_bool_index_takes_no_dim(case):
    """A Python bool in an index adds a dim (as None) and takes none: ember counted it as one (IndexError)."""
    out = []
    for T in (torch, ember):
        x, y = T.arange(3.0), T.arange(12.0).reshape(2, 2, 3)  # noqa: F841 - used by the cases
        out.append(eval(case).tolist())  # noqa: S307 - the cases above
    assert out[0] == out[1]


def test_rnn_base_has_no_forward():
    """Noticed in session 4: torch's nn.RNNBase has no forward of its own (RNN, LSTM and GRU do)."""
    for T in (torch, ember):
        with pytest.raises(NotImplementedError, match="missing the required \"forward\" function"):
            T.nn.RNNBase("RNN_TANH", 3, 4)(T.ones(2, 1, 3))
        assert T.nn.GRU(3, 4)(T.ones(2, 1, 3))[0].shape == (2, 1, 4)


