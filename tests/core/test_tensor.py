"""The Tensor: views and storage, resize_, conversion, repr, dtypes and promotion, against torch."""
from __future__ import annotations

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch", reason="torch is the test oracle (pip install -e '.[test]')")


def same_storage(a, b) -> bool:
    return a.untyped_storage().data_ptr() == b.untyped_storage().data_ptr()


VIEWS = [
    ("view", lambda t: t.view(3, 4)),
    ("reshape", lambda t: t.reshape(2, 6)),
    ("transpose", lambda t: t.view(3, 4).transpose(0, 1)),
    ("t", lambda t: t.view(3, 4).t()),
    ("T", lambda t: t.view(3, 4).T),
    ("mT", lambda t: t.view(1, 3, 4).mT),
    ("permute", lambda t: t.view(2, 3, 2).permute(2, 0, 1)),
    ("movedim", lambda t: t.view(2, 3, 2).movedim(0, 2)),
    ("expand", lambda t: t.view(12, 1).expand(12, 3)),
    ("narrow", lambda t: t.narrow(0, 2, 5)),
    ("slice", lambda t: t[1:9:2]),
    ("squeeze", lambda t: t.view(1, 12, 1).squeeze()),
    ("unsqueeze", lambda t: t.unsqueeze(1)),
    ("flatten", lambda t: t.view(3, 4).flatten()),
    ("unflatten", lambda t: t.unflatten(0, (3, 4))),
    ("unfold", lambda t: t.unfold(0, 4, 2)),
    ("diagonal", lambda t: t.view(3, 4).diagonal()),
    ("as_strided", lambda t: t.as_strided((3, 3), (1, 3), 1)),
    ("select", lambda t: t.view(3, 4).select(1, 2)),
    ("unbind", lambda t: t.view(3, 4).unbind(0)[1]),
    ("split", lambda t: t.split(5)[1]),
    ("chunk", lambda t: t.chunk(3)[2]),
    ("detach", lambda t: t.detach()),
]


@pytest.mark.parametrize("name,fn", VIEWS, ids=[v[0] for v in VIEWS])
def test_views_share_memory_like_torch(name, fn):
    base_np = np.arange(12, dtype=np.float32)
    e, t = ember.tensor(base_np), torch.tensor(base_np)
    ev, tv = fn(e), fn(t)
    assert same_storage(ev, e) == same_storage(tv, t) is True
    assert tuple(ev.shape) == tuple(tv.shape)
    assert ev.stride() == tv.stride(), name
    assert ev.storage_offset() == tv.storage_offset(), name
    assert ev.is_contiguous() == tv.is_contiguous(), name
    np.testing.assert_array_equal(ev.numpy() if not ev.requires_grad else ev.detach().numpy(), tv.numpy())
    if name != "expand":  # writes through a view are seen by the base
        ev.reshape(-1)[0:1].fill_(-5) if ev.is_contiguous() else ev.fill_(-5)
        assert (e == -5).any().item()


def test_repeat_copies_and_reshape_copies_only_when_needed():
    e = ember.arange(6.).view(2, 3)
    assert not same_storage(e.repeat(2, 1), e)
    assert same_storage(e.reshape(3, 2), e)
    assert not same_storage(e.t().reshape(6), e)  # strides cannot express it: a copy, as torch
    t = torch.arange(6.).view(2, 3)
    assert not same_storage(t.t().reshape(6), t)


def test_view_error_message():
    with pytest.raises(RuntimeError, match="view size is not compatible with input tensor's size and stride"):
        ember.arange(6.).view(2, 3).t().view(6)


def test_expand_is_zero_stride():
    e = ember.ones(3, 1).expand(3, 4)
    assert e.stride() == torch.ones(3, 1).expand(3, 4).stride() == (1, 0)


def test_from_numpy_shares_both_ways_and_tensor_copies():
    a = np.zeros(3, np.float32)
    t = ember.from_numpy(a)
    a[0] = 1
    t[1] = 2
    assert t.tolist() == [1, 2, 0] and a.tolist() == [1, 2, 0]
    c = ember.tensor(a)
    a[2] = 7
    assert c.tolist() == [1, 2, 0]
    assert ember.as_tensor(a).numpy() is a


def test_numpy_shares_and_refuses_grad():
    t = ember.zeros(2)
    t.numpy()[0] = 3
    assert t[0].item() == 3
    with pytest.raises(RuntimeError, match="Use tensor.detach\\(\\).numpy\\(\\) instead"):
        ember.zeros(2, requires_grad=True).numpy()


@pytest.mark.parametrize("new_shape", [(2,), (2, 2), (5,), (3, 3)])
def test_resize_like_torch(new_shape):
    e, t = ember.arange(6.), torch.arange(6.)
    e.resize_(*new_shape)
    t.resize_(*new_shape)
    assert tuple(e.shape) == tuple(t.shape)
    n = min(6, int(np.prod(new_shape)))
    np.testing.assert_array_equal(e.reshape(-1)[:n].numpy(), t.reshape(-1)[:n].numpy())


def test_resize_shrink_keeps_storage_and_resize_as():
    e = ember.arange(6.)
    s = e.view(6)
    e.resize_(2, 2)
    assert same_storage(e, s)
    o = ember.zeros(3)
    o.resize_as_(ember.zeros(1, 3))
    assert tuple(o.shape) == (1, 3)


def test_copy_broadcasts_and_casts():
    e = ember.zeros(2, 3, dtype=ember.int64)
    e.copy_(ember.tensor([1.7, 2.2, 3.9]))
    t = torch.zeros(2, 3, dtype=torch.int64)
    t.copy_(torch.tensor([1.7, 2.2, 3.9]))
    assert e.tolist() == t.tolist()


def test_item_tolist_clone():
    e = ember.tensor([[1.5, 2.0]])
    assert e[0, 1].item() == 2.0 and e.tolist() == [[1.5, 2.0]]
    c = e.clone()
    c[0, 0] = 9
    assert e[0, 0].item() == 1.5
    with pytest.raises(RuntimeError, match="a Tensor with 2 elements cannot be converted to Scalar"):
        e.item()


@pytest.mark.parametrize("data", [[1.0, 2.0], [1, 2], [True, False], 3.5, 7, [[1, 2.5]], [], [[1.0], [2.0]]])
def test_tensor_dtype_inference(data):
    assert ember.tensor(data).dtype.name == str(torch.tensor(data).dtype).replace("torch.", "")
    assert list(ember.tensor(data).shape) == list(torch.tensor(data).shape)


@pytest.mark.parametrize("make", [
    lambda m: m.tensor([[1.0, 2.0]], requires_grad=True),
    lambda m: m.tensor([1, 2, 3]),
    lambda m: m.tensor([1.5, -2.25], dtype=m.float64),
    lambda m: m.tensor([True, False]),
    lambda m: m.tensor(3.0),
    lambda m: m.tensor([], dtype=m.int32),
    lambda m: m.zeros(0, 3),
    lambda m: m.tensor([[1e-5, 1.0], [100.0, 2.5]]),
    lambda m: m.tensor([1, 2], dtype=m.int32),
    lambda m: m.tensor([1.0, 2.0], requires_grad=True) * 2,
    lambda m: m.tensor([1.0, float("nan"), float("inf")]),
    lambda m: m.arange(12.).reshape(3, 4),
])
def test_repr_matches_torch(make):
    assert repr(make(ember)) == repr(make(torch)).replace("torch.", "ember.")


PROMOTIONS = [
    (lambda m: m.tensor([1, 2]), lambda m: 1.5),
    (lambda m: m.tensor([1, 2], dtype=m.int32), lambda m: m.tensor(5)),
    (lambda m: m.tensor([1, 2], dtype=m.int32), lambda m: m.tensor(5.0, dtype=m.float64)),
    (lambda m: m.tensor([1.0], dtype=m.float16), lambda m: m.tensor([2.0], dtype=m.float64)),
    (lambda m: m.tensor([1.0], dtype=m.float16), lambda m: m.tensor(2.0, dtype=m.float64)),
    (lambda m: m.tensor([1], dtype=m.uint8), lambda m: m.tensor([1], dtype=m.int8)),
    (lambda m: m.tensor([True]), lambda m: 2),
    (lambda m: m.tensor([True]), lambda m: m.tensor([False])),
    (lambda m: m.tensor([1, 2]), lambda m: m.tensor([3, 4])),
]


@pytest.mark.parametrize("a,b", PROMOTIONS)
@pytest.mark.parametrize("op", ["add", "mul", "truediv", "floordiv"])
def test_promotion_matches_torch(a, b, op):
    import operator

    f = getattr(operator, op)
    try:
        want = f(a(torch), b(torch))
    except RuntimeError:
        with pytest.raises(RuntimeError):
            f(a(ember), b(ember))
        return
    got = f(a(ember), b(ember))
    assert got.dtype.name == str(want.dtype).replace("torch.", "")
    np.testing.assert_allclose(got.numpy().astype(float), want.numpy().astype(float))


def test_inplace_cast_error():
    e = ember.tensor([1, 2])
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired output type Long"):
        e.add_(1.5)
    with pytest.raises(RuntimeError):
        torch.tensor([1, 2]).add_(1.5)


def test_type_helpers():
    assert ember.result_type(ember.tensor([1]), 1.0) is ember.float32
    assert ember.promote_types(ember.int64, ember.float16) is ember.float16
    assert ember.can_cast(ember.float32, ember.int32) is False and ember.can_cast(ember.int32, ember.float32)
    assert ember.finfo(ember.float32).eps == torch.finfo(torch.float32).eps
    assert ember.iinfo(ember.int8).max == 127
    ember.set_default_dtype(ember.float64)
    try:
        assert ember.tensor([1.0]).dtype is ember.float64 and (ember.tensor([1]) / 2).dtype is ember.float64
    finally:
        ember.set_default_dtype(ember.float32)


def test_dtype_aliases_and_bfloat16():
    assert ember.half is ember.float16 and ember.double is ember.float64 and ember.long is ember.int64
    assert ember.int is ember.int32 and ember.short is ember.int16 and ember.float is ember.float32
    pytest.importorskip("ml_dtypes", reason="bfloat16 needs the optional ml_dtypes package")
    x = ember.tensor([1.0, 2.5]).to(ember.bfloat16)
    assert x.dtype is ember.bfloat16 and x.float().tolist() == [1.0, 2.5]


def test_devices_without_gpu():
    assert ember.cuda.is_available() is False and ember.cuda.device_count() == 0
    assert ember.zeros(2).device == ember.device("cpu")
    assert ember.zeros(2).to("cpu").device.type == "cpu"
    with pytest.raises(RuntimeError, match="CuPy"):
        ember.zeros(2).to("cuda")
    x = ember.zeros(2)
    assert x.to(ember.float32) is x and x.to(ember.float32, copy=True) is not x
    assert x.to(ember.zeros(1, dtype=ember.float64)).dtype is ember.float64
