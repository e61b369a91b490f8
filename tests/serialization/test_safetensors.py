"""ember.utils.safetensors against safetensors.torch: the same bytes, both ways."""
import numpy as np
import pytest

import ember
from ember.utils import safetensors as st

torch = pytest.importorskip("torch")
stt = pytest.importorskip("safetensors.torch")

NAMES = ["float32", "float64", "float16", "bfloat16", "int64", "int32", "int16", "int8", "uint8", "bool"]


def test_round_trip_every_dtype_both_ways(tmp_path):
    rng = np.random.default_rng(0)
    ours = {}
    for name in NAMES:
        a = rng.standard_normal((2, 3)) * 5
        t = torch.from_numpy(a > 0) if name == "bool" else torch.from_numpy(a).to(getattr(torch, name))
        ours[name] = t
    blob = stt.save(ours, metadata={"format": "pt"})
    e = st.load(blob)
    for name in NAMES:
        assert e[name].dtype == getattr(ember, name)
        assert e[name].tolist() == ours[name].tolist()
    assert st.save(e, metadata={"format": "pt"}) == blob  # byte-compatible
    st.save_file(e, tmp_path / "m.safetensors", metadata={"k": "v"})
    back = stt.load_file(tmp_path / "m.safetensors")
    assert all(torch.equal(back[n], ours[n]) for n in NAMES)
    assert st.load_file(tmp_path / "m.safetensors")["int8"].tolist() == ours["int8"].tolist()


def test_non_contiguous_views_are_written_contiguous():
    x = ember.arange(6.0).reshape(2, 3)
    out = stt.load(st.save({"t": x.t()}))
    assert out["t"].tolist() == [[0.0, 3.0], [1.0, 4.0], [2.0, 5.0]]


def test_errors():
    with pytest.raises(ValueError, match="expected ember.Tensor"):
        st.save({"a": np.ones(2)})
