"""torch's semantics at the edges, each checked against torch on the same program: gradient dtypes and
0-d gradients (the engine's cast), gradients where torch gives zeros, storage (resize_, set_, clone's
strides), integer wrap-around and division by zero, NaN, list indexing, in-place on overlapping memory,
0-d and zero-size inputs, lazy samplers, modules real scripts import, and the graph's node names."""
from __future__ import annotations

import numpy as np
import pytest

import ember
import ember.nn.functional as F

torch = pytest.importorskip("torch", reason="torch is the test oracle")
tF = torch.nn.functional


def _np(t):
    return t.detach().numpy() if hasattr(t, "detach") else np.asarray(t)


def _same(e, t, exact=True):
    """Values, shape and dtype of an ember tensor equal torch's."""
    assert tuple(e.shape) == tuple(t.shape), (tuple(e.shape), tuple(t.shape))
    assert str(e.dtype).replace("ember.", "") == str(t.dtype).replace("torch.", ""), (e.dtype, t.dtype)
    if exact:
        np.testing.assert_array_equal(_np(e), _np(t))
    else:
        np.testing.assert_allclose(_np(e), _np(t), rtol=1e-5, atol=1e-6, equal_nan=True)


def _raises_like(fe, ft):
    """ember raises the exception type torch raises; returns both messages."""
    with pytest.raises(Exception) as te:
        ft()
    with pytest.raises(type(te.value)) as ee:
        fe()
    return str(ee.value), str(te.value)


# --------------------------------------------------------------------------- gradient dtypes
@pytest.mark.parametrize("create_graph", [False, True])
def test_float32_matmul_times_float64_mask_gives_float32_grad(create_graph):
    w = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    a = np.random.default_rng(1).standard_normal((2, 3)).astype(np.float32)
    m = np.random.default_rng(2).random((2, 4))
    results = []
    for lib in (ember, torch):
        W = lib.tensor(w, requires_grad=True)
        loss = ((lib.tensor(a) @ W) * lib.tensor(m)).sum()
        (g,) = lib.autograd.grad(loss, W, create_graph=create_graph)
        results.append(g)
    _same(results[0], results[1], exact=False)


def test_root_gradient_is_cast_to_the_output_dtype():
    x = np.arange(3, dtype=np.float32)
    grads = []
    for lib in (ember, torch):
        t = lib.tensor(x, requires_grad=True)
        (t * 2).backward(lib.ones(3, dtype=lib.float64))
        grads.append(t.grad)
    _same(grads[0], grads[1])


@pytest.mark.parametrize("name", ["hardshrink", "hardtanh", "relu6", "gelu", "silu", "hardswish", "softshrink",
                                  "leaky_relu", "relu", "sigmoid", "tanh", "elu"])
def test_zero_dim_gradient_is_a_zero_dim_array(name):
    grads = []
    for lib, fn in ((ember, getattr(F, name)), (torch, getattr(tF, name))):
        x = lib.tensor(0.7, requires_grad=True)
        fn(x).backward()
        grads.append(x.grad)
    assert isinstance(grads[0].numpy(), np.ndarray) and grads[0].numpy().shape == ()
    _same(grads[0], grads[1], exact=False)


def test_zero_dim_threshold_gradient():
    grads = []
    for lib, fn in ((ember, F.threshold), (torch, tF.threshold)):
        x = lib.tensor(0.7, requires_grad=True)
        fn(x, 0.1, 0.0).backward()
        grads.append(x.grad)
    assert isinstance(grads[0].numpy(), np.ndarray)
    _same(grads[0], grads[1])


# --------------------------------------------------------------------------- zeros, not NaN
@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("loss", ["cross_entropy", "nll_loss"])
def test_every_target_ignored_gives_zero_gradient(loss, create_graph):
    x = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    out = []
    for lib, f in ((ember, F), (torch, tF)):
        t = lib.tensor(x, requires_grad=True)
        inp = f.log_softmax(t, 1) if loss == "nll_loss" else t
        value = getattr(f, loss)(inp, lib.tensor([-100, -100, -100]))
        (g,) = lib.autograd.grad(value, t, create_graph=create_graph)
        out.append((value, g))
    assert np.isnan(_np(out[0][0])) and np.isnan(_np(out[1][0]))
    _same(out[0][1], out[1][1])


@pytest.mark.parametrize("x", [np.array([[0.5], [1.5]]), np.zeros((2, 3))], ids=["size1", "constant"])
def test_std_without_correction_has_zero_gradient_where_std_is_zero(x):
    grads = []
    for lib in (ember, torch):
        t = lib.tensor(x.astype(np.float32), requires_grad=True)
        t.std(1, unbiased=False).sum().backward()
        grads.append(t.grad)
    _same(grads[0], grads[1])


# --------------------------------------------------------------------------- storage
def test_resize_shrink_then_grow_keeps_the_storage_contents():
    out = []
    for lib in (ember, torch):
        a = lib.arange(24).view(4, 6)
        a.resize_(3, 3)
        a.resize_(7, 4)
        out.append(a[:6].clone())  # rows 6.. are uninitialised memory in both
    _same(out[0], out[1])


def test_views_taken_before_a_shrinking_resize_keep_seeing_writes():
    out = []
    for lib in (ember, torch):
        a = lib.arange(24.0)
        v = a[:4]
        a.resize_(3, 3)
        a[0, 0] = 100.0
        v[1] = -1.0
        out.append((v.clone(), a.clone(), a.stride()))
    _same(out[0][0], out[1][0])
    _same(out[0][1], out[1][1])
    assert out[0][2] == out[1][2]


def test_set_shares_memory_with_a_tensor_or_a_storage():
    out = []
    for lib in (ember, torch):
        a = lib.arange(6.0)
        b, c, d = lib.zeros(2), lib.zeros(1), lib.ones(2)
        b.set_(a)
        c.set_(a.untyped_storage(), 1, (2, 2), (2, 1))
        d.set_()
        a[1] = 50.0
        b[0] = -3.0
        out.append((b.clone(), c.clone(), tuple(d.shape), a.clone()))
    for e, t in zip(out[0], out[1]):
        if isinstance(e, tuple):
            assert e == tuple(t)
        else:
            _same(e, t)


_LAYOUTS = {
    "transposed": lambda lib: lib.zeros(3, 4).t(),
    "permuted3d": lambda lib: lib.zeros(2, 3, 4).permute(2, 0, 1),
    "channels_last": lambda lib: lib.zeros(2, 3, 4, 5).permute(0, 2, 3, 1),
    "strided_slice": lambda lib: lib.zeros(4, 6)[:, ::2],
    "expanded": lambda lib: lib.zeros(3, 1).expand(3, 4),
    "contiguous": lambda lib: lib.zeros(3, 4),
}


@pytest.mark.parametrize("layout", list(_LAYOUTS))
def test_clone_and_like_factories_preserve_dense_strides(layout):
    strides = []
    for lib in (ember, torch):
        x = _LAYOUTS[layout](lib)
        strides.append((x.clone().stride(), lib.empty_like(x).stride(), lib.zeros_like(x).stride(),
                        lib.full_like(x, 2.0).stride(),
                        lib.empty_like(x, memory_format=lib.contiguous_format).stride()))
    assert strides[0] == strides[1]
    y = _LAYOUTS[layout](ember) + 1
    np.testing.assert_array_equal(y.clone().numpy(), y.numpy())


# --------------------------------------------------------------------------- integers
@pytest.mark.parametrize("dtype", ["int8", "uint8", "int16", "int32"])
@pytest.mark.parametrize("expr", ["x + 1000", "x - 1000", "x * 300", "x + 2**40", "x == 257", "x < 1000", "x + (-1)"])
def test_python_int_operands_wrap_as_torch(dtype, expr):
    out = []
    for lib in (ember, torch):
        x = lib.ones(3, dtype=getattr(lib, dtype))
        out.append(eval(expr, {"x": x}))
    _same(out[0], out[1])


@pytest.mark.parametrize("expr", ["x // 0", "x % 0", "x // y", "x % y", "lib.fmod(x, 0)", "lib.remainder(x, y)",
                                  "lib.div(x, y, rounding_mode='floor')", "lib.div(x, 0, rounding_mode='trunc')",
                                  "lib.floor_divide(x, y)"])
def test_integer_division_by_zero_raises_as_torch(expr):
    def run(lib):
        x, y = lib.tensor([3, 4]), lib.tensor([1, 0])
        return eval(expr, {"x": x, "y": y, "lib": lib})

    e_msg, t_msg = _raises_like(lambda: run(ember), lambda: run(torch))
    assert e_msg == t_msg


def test_float_division_by_zero_still_gives_inf():
    for lib in (ember, torch):
        assert np.isinf(_np(lib.tensor([3.0]) // 0)).all()


# --------------------------------------------------------------------------- NaN
_NAN = np.array([np.nan, 1.0, np.nan, -2.0, 0.3, np.nan], dtype=np.float32)
_OTHER = np.array([2.0, np.nan, np.nan, -2.0, 0.5, -1.0], dtype=np.float32)


@pytest.mark.parametrize("name", ["fmax", "fmin"])
def test_fmax_fmin_ignore_nan_with_torch_gradients(name):
    out = []
    for lib in (ember, torch):
        a = lib.tensor(_NAN, requires_grad=True)
        b = lib.tensor(_OTHER, requires_grad=True)
        y = getattr(lib, name)(a, b)
        y.backward(lib.arange(1.0, 7.0))
        out.append((y, a.grad, b.grad))
    for e, t in zip(*out):
        _same(e, t)


@pytest.mark.parametrize("call", ["hardshrink(x, 0.5)", "softshrink(x, 0.5)", "threshold(x, 0.5, -1.0)",
                                  "hardtanh(x)", "leaky_relu(x, 0.1)", "relu6(x)"])
def test_piecewise_activations_keep_nan_and_pass_its_gradient(call):
    out = []
    for lib, f in ((ember, F), (torch, tF)):
        x = lib.tensor(np.array([np.nan, 0.2, -0.7, 2.0, -0.5], np.float32), requires_grad=True)
        y = eval(call, {"x": x, **{k: getattr(f, k) for k in dir(f) if not k.startswith("_")}})
        y.backward(lib.ones(5))
        out.append((y, x.grad))
    _same(out[0][0], out[1][0])
    _same(out[0][1], out[1][1])


def test_unique_keeps_each_nan():
    out = []
    for lib in (ember, torch):
        x = lib.tensor([np.nan, 1.0, np.nan, 1.0, 0.5])
        out.append(lib.unique(x, return_inverse=True, return_counts=True))
    for e, t in zip(*out):
        _same(e, t)


# --------------------------------------------------------------------------- indexing with a list
_LIST_KEYS = {
    "[[mask]]": lambda lib, x: [x[:, 0] > 3],
    "[[mask2d]]": lambda lib, x: [x > 3],
    "[[[0, 1]]]": lambda lib, x: [[0, 1]],
    "[[0, 1]]": lambda lib, x: [0, 1],
    "[[tensor]]": lambda lib, x: [lib.tensor([0, 2])],
    "[[tensor2d]]": lambda lib, x: [lib.tensor([[0, 2]])],
    "[[[0, 1], [1, 2]]]": lambda lib, x: [[0, 1], [1, 2]],
    "[[slice]]": lambda lib, x: [slice(0, 2)],
    "[[0, slice]]": lambda lib, x: [0, slice(0, 2)],
    "[[None]]": lambda lib, x: [None],
    "[[[bools]]]": lambda lib, x: [[True, False, True]],
}


@pytest.mark.parametrize("key", list(_LIST_KEYS))
def test_list_index_is_read_as_torch_reads_it(key):
    import warnings

    out = []
    for lib in (ember, torch):
        x = lib.arange(12.0).view(3, 4)
        y = x.clone()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            y[_LIST_KEYS[key](lib, y)] = -1.0
            got = x[_LIST_KEYS[key](lib, x)]
        out.append((got, y, sorted({str(w.message)[:60] for w in caught if w.category is UserWarning})))
    _same(out[0][0], out[1][0])
    _same(out[0][1], out[1][1])
    assert out[0][2] == out[1][2]  # torch 2.13 still reads such a list as a tuple, and says it is deprecated


# --------------------------------------------------------------------------- in-place on overlapping memory
_OVERLAP = {
    "shifted_add": ("x = lib.arange(5.0)", "x[1:].add_(x[:-1])", True),
    "transposed_add": ("x = lib.arange(9.0).view(3, 3)", "x.add_(x.t())", True),
    "broadcast_row": ("x = lib.arange(9.0).view(3, 3)", "x.add_(x[0])", True),
    "copy_shifted": ("x = lib.arange(5.0)", "x[1:].copy_(x[:-1])", True),
    "copy_transposed": ("x = lib.arange(9.0).view(3, 3)", "x.copy_(x.t())", True),
    "setitem_shifted": ("x = lib.arange(5.0)", "x[1:] = x[:-1]", True),
    "setitem_advanced": ("x = lib.arange(9.0).view(3, 3)", "x[[0, 1]] = x[1:]", True),
    "keyword_operand": ("x = lib.arange(5.0)", "x[1:].clamp_(min=x[:-1])", True),
    "addcmul": ("x = lib.arange(5.0)", "x[1:].addcmul_(x[:-1], x[:-1])", True),
    "self": ("x = lib.arange(5.0)", "x.add_(x)", False),
    "disjoint": ("x = lib.arange(6.0)", "x[:3].add_(x[3:])", False),
    "strided_too_hard": ("x = lib.arange(6.0)", "x[::2].mul_(x[1::2])", False),
    "same_slice": ("x = lib.arange(9.0).view(3, 3)", "x[0:2] = x[0:2]", False),
    "column_too_hard": ("x = lib.arange(9.0).view(3, 3)", "x[0] = x[:, 0]", False),
    "scalar": ("x = lib.arange(5.0)", "x[1:].mul_(2)", False),
}


@pytest.mark.parametrize("case", list(_OVERLAP))
def test_inplace_on_partly_overlapping_memory_raises_as_torch(case):
    setup, stmt, raises = _OVERLAP[case]
    results = []
    for lib in (ember, torch):
        env = {"lib": lib}
        exec(setup, env)
        if raises:
            with pytest.raises(RuntimeError, match="unsupported operation: some elements of the input tensor"):
                exec(stmt, env)
        else:
            exec(stmt, env)
            results.append(env["x"])
    if results:
        _same(results[0], results[1])


# --------------------------------------------------------------------------- 0-d and zero-size
_EDGE = {
    "prod_dim_0d": "x = lib.tensor(3.0, requires_grad=True); y = x.prod(0)",
    "prod_dim_0d_keepdim": "x = lib.tensor(3.0, requires_grad=True); y = x.prod(-1, keepdim=True)",
    "gather_0d": "x = lib.tensor(5.0, requires_grad=True); y = lib.gather(x, 0, lib.tensor(0))",
    "gather_1d_0d_index": "x = lib.arange(3.0, requires_grad=True); y = lib.gather(x, 0, lib.tensor(2))",
    "scatter_add_0d": "x = lib.tensor(5.0, requires_grad=True); y = x.scatter_add(0, lib.tensor(0), lib.tensor(2.0))",
    "scatter_0d": "x = lib.tensor(5.0, requires_grad=True); y = x.scatter(0, lib.tensor(0), lib.tensor(2.0))",
    "mT_0d": "x = lib.tensor(5.0, requires_grad=True); y = x.mT",
    "mH_0d": "x = lib.tensor(5.0, requires_grad=True); y = x.mH",
    "median_dim0_4d": "x = lib.tensor(_A4, requires_grad=True); y = x.median(0).values",
    "median_dim2_4d_keepdim": "x = lib.tensor(_A4, requires_grad=True); y = x.median(2, keepdim=True).values",
    "median_indices_4d": "x = lib.tensor(_A4); y = x.median(1).indices",
    "nanmedian_dim1_4d": "x = lib.tensor(_A4, requires_grad=True); y = x.nanmedian(1).values",
    "matmul_empty_k": "x = lib.ones(2, 1, 0, requires_grad=True); y = x @ lib.ones(0, 3)",
    "matmul_empty_rows": "x = lib.ones(2, 0, 4, requires_grad=True); y = x @ lib.ones(4, 3)",
    "amax_empty_other_dim": "x = lib.zeros(2, 0, requires_grad=True); y = x.amax(0)",
    "amin_empty_other_dim": "x = lib.zeros(2, 0, requires_grad=True); y = x.amin(0)",
}
_A4 = np.random.default_rng(3).standard_normal((2, 3, 4, 5)).astype(np.float32)
_A4[0, 1, 2, 3] = np.nan


@pytest.mark.parametrize("case", list(_EDGE))
def test_zero_dim_and_zero_size_inputs_as_torch(case):
    out = []
    for lib in (ember, torch):
        env = {"lib": lib, "_A4": _A4}
        exec(_EDGE[case], env)
        x, y = env["x"], env["y"]
        if y.requires_grad:
            y.backward(lib.ones(tuple(y.shape), dtype=y.dtype))
        out.append((y, x.grad))
    _same(out[0][0], out[1][0])
    if out[1][1] is not None:
        _same(out[0][1], out[1][1])


@pytest.mark.parametrize("stmt", ["lib.zeros(2, 0).amax(1)", "lib.zeros(2, 0).amax()", "lib.zeros(2, 0).amin(1)",
                                  "lib.ones(3).mT"])
def test_zero_size_reductions_and_1d_mT_raise_as_torch(stmt):
    e_msg, t_msg = _raises_like(lambda: eval(stmt, {"lib": ember}), lambda: eval(stmt, {"lib": torch}))
    assert e_msg == t_msg


# --------------------------------------------------------------------------- lazy sampler
def test_random_sampler_with_replacement_draws_lazily():
    import itertools
    import tracemalloc

    from ember.utils.data import RandomSampler

    huge = 10 ** 10
    e, t = RandomSampler(range(10), replacement=True, num_samples=huge), \
        torch.utils.data.RandomSampler(range(10), replacement=True, num_samples=huge)
    assert len(e) == len(t) == huge
    tracemalloc.start()
    first = list(itertools.islice(iter(e), 1000))  # building 10**10 indices up front would need 80 GB
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 10 ** 6 and len(first) == 1000 and all(0 <= i < 10 for i in first)
    for n in (70, 32, 5):  # whole chunks of 32 and a remainder, as torch
        e_draws = list(RandomSampler(range(4), replacement=True, num_samples=n))
        t_draws = list(torch.utils.data.RandomSampler(range(4), replacement=True, num_samples=n))
        assert len(e_draws) == len(t_draws) == n and set(e_draws) <= {0, 1, 2, 3}


# --------------------------------------------------------------------------- modules scripts import
def test_nn_parallel_is_a_package_with_data_parallel():
    import ember.nn.parallel as ep
    from ember.nn.parallel import DataParallel

    assert ep.__file__.endswith("__init__.py")  # a package, as torch.nn.parallel
    assert DataParallel is ember.nn.DataParallel
    torch.manual_seed(0)
    t_net = torch.nn.parallel.DataParallel(torch.nn.Linear(3, 2))
    e_net = DataParallel(ember.nn.Linear(3, 2))
    e_net.load_state_dict({k: ember.from_numpy(v.detach().numpy().copy()) for k, v in t_net.state_dict().items()})
    assert list(e_net.state_dict()) == list(t_net.state_dict())
    x = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)
    _same(e_net(ember.tensor(x)), t_net(torch.tensor(x)), exact=False)
    # torch's functional form needs a GPU; on one device it is the module's own call
    _same(ep.data_parallel(e_net.module, ember.tensor(x)), t_net.module(torch.tensor(x)), exact=False)


def test_backends_cudnn_flags_as_torch():
    import ember.backends.cudnn as cudnn
    import torch.backends.cudnn as tcudnn

    for name in ("enabled", "benchmark", "deterministic", "allow_tf32", "benchmark_limit"):
        assert getattr(cudnn, name) == getattr(tcudnn, name), name
    assert cudnn.is_available() == tcudnn.is_available() and cudnn.version() == tcudnn.version()
    with cudnn.flags(enabled=False, benchmark=True, deterministic=True):
        assert (cudnn.enabled, cudnn.benchmark, cudnn.deterministic) == (False, True, True)
    assert (cudnn.enabled, cudnn.benchmark, cudnn.deterministic) == (True, False, False)
    cudnn.benchmark = True  # scripts set it at the top; it must stick
    assert ember.backends.cudnn.benchmark
    cudnn.benchmark = False


# --------------------------------------------------------------------------- the graph's node names
_NODES = {
    "mul": "x2 * 2", "add": "x2 + 1", "sum": "x2.sum()", "sum_dim": "x2.sum(1)", "mean_dim": "x2.mean(1)",
    "linear2d": "F.linear(x2, w, b)", "linear2d_nobias": "F.linear(x2, w)", "linear3d": "F.linear(x3, w, b)",
    "linear3d_nobias": "F.linear(x3, w)", "mm": "x2 @ w.t()", "bmm": "lib.bmm(x3, x3.transpose(1, 2))",
    "matmul3d": "x3 @ w.t()", "dot": "x2[0] @ x2[0]", "mv": "x2 @ x2[0]", "addmm": "lib.addmm(b, x2, w.t())",
    "relu": "F.relu(x2)", "conv2d": "F.conv2d(img, cw, cb)", "conv_transpose2d": "F.conv_transpose2d(img, cw.transpose(0, 1))",
    "max_pool2d": "F.max_pool2d(img, 2)", "avg_pool2d": "F.avg_pool2d(img, 2)", "batch_norm": "F.batch_norm(img, None, None, training=True)",
    "layer_norm": "F.layer_norm(x2, (5,))", "cross_entropy": "F.cross_entropy(x2, tgt)", "nll_loss": "F.nll_loss(x2, tgt)",
    "mse_loss": "F.mse_loss(x2, x2.detach() * 0)", "bce": "F.binary_cross_entropy(x2.sigmoid(), x2.detach() * 0)",
    "bce_with_logits": "F.binary_cross_entropy_with_logits(x2, x2.detach() * 0)",
    "smooth_l1": "F.smooth_l1_loss(x2, x2.detach() * 0)", "select": "x2[0]", "slice": "x2[1:]", "column": "x2[:, 1]",
    "stack": "lib.stack([x2, x2])", "max": "x2.max()", "max_dim": "x2.max(1)[0]", "min_dim": "x2.min(1)[0]",
    "amax": "x2.amax(1)", "var": "x2.var()", "std": "x2.std(1)", "norm": "x2.norm()", "prod_dim": "x2.prod(1)",
    "pow_tensor": "x2 ** x2", "rpow": "2 ** x2", "square": "x2.square()", "clamp": "x2.clamp(0, 1)",
    "log1p": "x2.abs().log1p()", "logsumexp": "x2.logsumexp(1)", "tril": "x2.tril()", "triu": "x2.triu()",
    "squeeze_dim": "x2[None].squeeze(0)", "view": "x2.view(-1)", "t": "x2.t()", "permute": "x3.permute(2, 0, 1)",
    "softmax": "F.softmax(x2, 1)", "log_softmax": "F.log_softmax(x2, 1)", "embedding": "F.embedding(tgt, x2)",
    "cat": "lib.cat([x2, x2])", "where": "lib.where(x2 > 0, x2, x2 * 2)",
    "elu": "F.elu(x2)", "selu": "F.selu(x2)", "celu": "F.celu(x2)", "softplus": "F.softplus(x2)",
    "logsigmoid": "F.logsigmoid(x2)", "mish": "F.mish(x2)", "hardsigmoid": "F.hardsigmoid(x2)", "glu": "F.glu(x2[:, :4])",
    "topk": "x2.topk(2).values", "sort": "x2.sort(1).values", "kthvalue": "x2.kthvalue(2, 1).values",
    "median_dim": "x2.median(1).values", "mode": "x2.mode(1).values",
    "chunk": "x2.chunk(2, 1)[0]", "split": "x2.split(2, 1)[1]", "split_sizes": "x2.split([2, 3], 1)[1]",
    "unbind": "x2.unbind(0)[1]",
}


def _node_env(lib):
    r = np.random.default_rng(0)

    def a(*s):
        return lib.tensor(r.standard_normal(s).astype(np.float32), requires_grad=True)

    return dict(F=lib.nn.functional, lib=lib, x2=a(4, 5), x3=a(2, 4, 5), w=a(3, 5), b=a(3), tgt=lib.tensor([0, 1, 2, 1]),
                img=a(2, 3, 4, 4), cw=a(6, 3, 3, 3), cb=a(6))


@pytest.mark.parametrize("case", list(_NODES))
def test_grad_fn_class_name_is_torchs_node_name(case):
    e = eval(_NODES[case], _node_env(ember)).grad_fn
    t = eval(_NODES[case], _node_env(torch)).grad_fn
    assert type(e).__name__ == type(t).__name__ == e.name() == t.name()


def test_next_functions_are_node_index_pairs_with_accumulate_grad_leaves():
    out = []
    for lib in (ember, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = (x * 2 + x.exp()).sum()
        add = y.grad_fn.next_functions[0][0]
        out.append((type(add).__name__, [(type(n).__name__, i) for n, i in add.next_functions],
                    [type(n).__name__ for n, _ in add.next_functions[0][0].next_functions if n is not None],
                    add.next_functions[1][0].next_functions[0][0].variable is x,
                    add.next_functions[1][0].next_functions[0][0].name()))
    assert out[0] == out[1]


def test_custom_function_node_is_named_after_the_class():
    names = []
    for lib in (ember, torch):
        class Cube(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x ** 3

            @staticmethod
            def backward(ctx, g):
                (x,) = ctx.saved_tensors
                return 3 * x ** 2 * g

        y = Cube.apply(lib.tensor(2.0, requires_grad=True))
        names.append((type(y.grad_fn).__name__, y.grad_fn.name()))
    assert names[0] == names[1]


@pytest.mark.parametrize("expr", ["x.sum(1)", "x * 2", "x * y", "x ** 2", "x.view(-1)", "x[0]", "x.clamp(0, 1)",
                                  "F.softmax(x, 1)", "x @ w.t()", "lib.cat([x, x])", "x.max(1)[0]", "x.mean(0)",
                                  "F.conv2d(img, cw, cb)", "F.max_pool2d(img, 2)", "x.transpose(0, 1)"])
def test_next_functions_list_torchs_inputs(expr):
    def env(lib):
        r = np.random.default_rng(0)

        def a(*s, g=True):
            return lib.tensor(r.standard_normal(s).astype(np.float32), requires_grad=g)

        return dict(lib=lib, F=lib.nn.functional, x=a(2, 3), y=a(2, 3, g=False), w=a(4, 3), img=a(1, 2, 4, 4),
                    cw=a(3, 2, 3, 3), cb=a(3))

    got = [[(type(n).__name__ if n is not None else None, i) for n, i in eval(expr, env(lib)).grad_fn.next_functions]
           for lib in (ember, torch)]
    assert got[0] == got[1]
