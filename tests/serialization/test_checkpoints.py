"""ember.save / ember.load against torch.save / torch.load, both ways, in one process."""
import collections
import copy
import io
import pickle

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

DTYPES = ["float32", "float64", "float16", "bfloat16", "int64", "int32", "int16", "int8", "uint8", "bool",
          "complex64", "complex128"]


def t2n(t):
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy()
    return t.numpy()


def e2n(t):
    a = np.asarray(t._data)
    return a.view(np.int16) if t.dtype == ember.bfloat16 else a


def sample(name):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((3, 4)) * 10
    t = torch.from_numpy(a).to(getattr(torch, name)) if name != "bool" else torch.from_numpy(a > 0)
    return t


def roundtrip_torch_to_ember(obj, **kw):
    buf = io.BytesIO()
    torch.save(obj, buf, **kw)
    buf.seek(0)
    return ember.load(buf)


def roundtrip_ember_to_torch(obj):
    buf = io.BytesIO()
    ember.save(obj, buf)
    buf.seek(0)
    return torch.load(buf, weights_only=True)


@pytest.mark.parametrize("name", DTYPES)
def test_every_dtype_both_ways(name):
    t = sample(name)
    e = roundtrip_torch_to_ember({"x": t, "v": t[1:, ::2]})
    assert e["x"].dtype == getattr(ember, name)
    np.testing.assert_array_equal(e2n(e["x"]), t2n(t))
    np.testing.assert_array_equal(e2n(e["v"]), t2n(t[1:, ::2].contiguous()))
    back = roundtrip_ember_to_torch(e)
    assert back["x"].dtype == t.dtype
    assert torch.equal(back["x"], t) and torch.equal(back["v"], t[1:, ::2])


def test_views_share_storage_both_ways():
    base = torch.arange(24.0).reshape(4, 6)
    e = roundtrip_torch_to_ember([base, base[1], base.t(), base[:, 2:4]])
    assert all(np.shares_memory(e[0]._data, x._data) for x in e[1:])
    e[0]._data[1, 0] = -1
    assert e[1][0].item() == -1
    x = ember.arange(24.0).reshape(4, 6)
    t = roundtrip_ember_to_torch([x, x[2], x.t(), x[:, 1:3]])
    ptr = t[0].untyped_storage().data_ptr()
    assert all(v.untyped_storage().data_ptr() == ptr for v in t[1:])
    assert t[2].stride() == (1, 6) and t[3].storage_offset() == 1
    assert torch.equal(t[3], torch.arange(24.0).reshape(4, 6)[:, 1:3])


def test_negative_stride_and_expanded_views_are_saved():
    x = ember.arange(6.0)
    t = roundtrip_ember_to_torch({"flip": x.flip(0), "exp": ember.ones(1, 3).expand(4, 3)})
    assert t["flip"].tolist() == [5.0, 4.0, 3.0, 2.0, 1.0, 0.0]
    assert t["exp"].shape == (4, 3) and t["exp"].stride() == (0, 1)


def test_nested_structures_and_scalars():
    obj = {"a": [1, 2.5, "s", None, True], "b": (torch.ones(2), {"c": torch.zeros(1, dtype=torch.int8)}),
           "d": {1, 2}, "e": 1 + 2j, "f": b"raw", "g": torch.Size([2, 3]), "h": torch.float16,
           "i": frozenset([3]), "j": torch.tensor(5.0)}
    e = roundtrip_torch_to_ember(obj)
    assert e["a"] == [1, 2.5, "s", None, True] and e["d"] == {1, 2} and e["e"] == 1 + 2j and e["f"] == b"raw"
    assert e["g"] == ember.Size([2, 3]) and e["h"] is ember.float16 and e["i"] == frozenset([3])
    assert isinstance(e["b"], tuple) and e["b"][1]["c"].dtype == ember.int8 and e["j"].item() == 5.0
    del e["i"]  # torch's own allow-list lacks frozenset
    t = roundtrip_ember_to_torch(e)
    assert t["g"] == torch.Size([2, 3]) and t["h"] is torch.float16 and torch.equal(t["b"][0], torch.ones(2))
    assert t["a"] == obj["a"] and t["f"] == b"raw" and t["d"] == {1, 2}


def test_ordered_dict_with_metadata():
    sd = collections.OrderedDict(weight=torch.randn(3, 2), bias=torch.randn(3))
    sd._metadata = collections.OrderedDict({"": {"version": 1}, "fc": {"version": 2}})
    e = roundtrip_torch_to_ember(sd)
    assert isinstance(e, collections.OrderedDict) and list(e) == ["weight", "bias"]
    assert e._metadata == sd._metadata
    t = roundtrip_ember_to_torch(e)
    assert list(t) == ["weight", "bias"] and t._metadata == sd._metadata
    assert torch.equal(t["weight"], sd["weight"])


def test_optimizer_state_dict():
    p = torch.nn.Parameter(torch.randn(4, 3))
    opt = torch.optim.Adam([p], lr=0.01)
    p.grad = torch.randn(4, 3)
    opt.step()
    sd = opt.state_dict()
    e = roundtrip_torch_to_ember(sd)
    assert e["param_groups"][0]["lr"] == 0.01 and e["param_groups"][0]["betas"] == (0.9, 0.999)
    np.testing.assert_array_equal(e2n(e["state"][0]["exp_avg"]), sd["state"][0]["exp_avg"].numpy())
    t = roundtrip_ember_to_torch(e)
    opt2 = torch.optim.Adam([torch.nn.Parameter(p.detach().clone())], lr=0.5)
    opt2.load_state_dict(t)
    assert opt2.param_groups[0]["lr"] == 0.01 and torch.equal(opt2.state_dict()["state"][0]["exp_avg"],
                                                             sd["state"][0]["exp_avg"])


def test_parameters_both_ways():
    e = roundtrip_torch_to_ember({"p": torch.nn.Parameter(torch.ones(2))})
    assert e["p"].requires_grad
    t = roundtrip_ember_to_torch(e)
    assert isinstance(t["p"], torch.nn.Parameter) and t["p"].requires_grad


def test_legacy_format():
    base = torch.arange(12.0).reshape(3, 4)
    sd = collections.OrderedDict(w=base, v=base[1], i=torch.arange(3, dtype=torch.int16), b=torch.tensor([True]))
    sd._metadata = {"": {"version": 1}}
    e = roundtrip_torch_to_ember(sd, _use_new_zipfile_serialization=False)
    assert list(e) == ["w", "v", "i", "b"] and e._metadata == sd._metadata
    np.testing.assert_array_equal(e2n(e["w"]), base.numpy())
    assert e["v"].tolist() == [4.0, 5.0, 6.0, 7.0] and np.shares_memory(e["w"]._data, e["v"]._data)
    assert e["i"].dtype == ember.int16 and e["b"].tolist() == [True]


def test_paths_and_archive_name(tmp_path):
    path = tmp_path / "model.pt"
    ember.save({"x": ember.ones(3)}, path)
    import zipfile

    names = zipfile.ZipFile(path).namelist()
    assert "model/data.pkl" in names and "model/byteorder" in names and "model/version" in names
    assert torch.load(path, weights_only=True)["x"].tolist() == [1.0, 1.0, 1.0]
    torch.save({"y": torch.arange(2)}, tmp_path / "t.pt")
    assert ember.load(str(tmp_path / "t.pt"))["y"].tolist() == [0, 1]


def test_plain_pickle_and_deepcopy_of_tensors():
    x = ember.arange(12.0).reshape(3, 4)
    y = pickle.loads(pickle.dumps({"x": x, "row": x[1], "t": x.t(), "f": x.flip(0) if hasattr(x, "flip") else x}))
    assert np.shares_memory(y["x"]._data, y["row"]._data) and y["t"].stride() == (1, 4)
    assert y["row"].tolist() == [4.0, 5.0, 6.0, 7.0]
    z = copy.deepcopy(x)
    assert z.tolist() == x.tolist() and not np.shares_memory(z._data, x._data)
    r = pickle.loads(pickle.dumps(ember.ones(2, requires_grad=True)))
    assert r.requires_grad and r.is_leaf


def test_state_dicts_of_nn_layers_cross_with_torch():
    nn = pytest.importorskip("ember.nn", reason="ember.nn not available yet")
    for name in ("Linear", "Conv2d", "BatchNorm2d"):
        if not hasattr(nn, name):
            pytest.skip(f"ember.nn.{name} not implemented yet (the nn engineer extends this test)")
    pairs = [(nn.Linear(4, 3), torch.nn.Linear(4, 3)), (nn.Conv2d(2, 3, 3), torch.nn.Conv2d(2, 3, 3)),
             (nn.BatchNorm2d(3), torch.nn.BatchNorm2d(3))]
    for e_mod, t_mod in pairs:
        buf = io.BytesIO()
        torch.save(t_mod.state_dict(), buf)
        buf.seek(0)
        e_mod.load_state_dict(ember.load(buf))
        back = roundtrip_ember_to_torch(e_mod.state_dict())
        t_mod2 = copy.deepcopy(t_mod)
        t_mod2.load_state_dict(back)
        for k, v in t_mod.state_dict().items():
            assert torch.equal(v, t_mod2.state_dict()[k]), k
