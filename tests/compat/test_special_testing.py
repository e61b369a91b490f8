"""``ember.special`` and ``ember.testing`` against torch.special and torch.testing on the same inputs."""
from __future__ import annotations

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch", reason="torch is the test oracle (pip install -e '.[test]')")

X = np.array([-2.5, -0.5, 0.0, 0.3, 2.5, np.nan])  # no negative integer: digamma's pole, where torch's value is rounding
P = np.array([0.01, 0.3, 0.5, 0.9, 0.99, np.nan])


@pytest.mark.parametrize("name", ember.special.__all__)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_special_matches_torch(name, dtype):
    x = P if name in ("ndtri", "logit") else (np.abs(X) + 1.5 if name in ("multigammaln", "polygamma") else X)
    args = {"multigammaln": (2,), "log_softmax": (0,), "softmax": (0,), "logsumexp": (0,)}.get(name, ())
    ea, ta = ember.tensor(x.astype(dtype), requires_grad=True), torch.tensor(x.astype(dtype), requires_grad=True)
    if name in ("xlogy", "xlog1py"):
        other = np.abs(X) + 0.5
        e = getattr(ember.special, name)(ea, ember.tensor(other.astype(dtype)))
        t = getattr(torch.special, name)(ta, torch.tensor(other.astype(dtype)))
    elif name == "polygamma":
        e, t = ember.special.polygamma(1, ea), torch.special.polygamma(1, ta)
    else:
        e, t = getattr(ember.special, name)(ea, *args), getattr(torch.special, name)(ta, *args)
    tol = 1e-5 if dtype == "float32" else 1e-8
    np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=tol, atol=tol, equal_nan=True)
    assert e.dtype.name == str(t.dtype).replace("torch.", "")
    if name != "round":
        w = np.linspace(0.5, 1.5, x.size).astype(dtype).reshape(t.shape) if t.ndim else np.array(1.0, dtype)
        e.backward(ember.tensor(w)), t.backward(torch.tensor(w))
        np.testing.assert_allclose(ea.grad.numpy(), ta.grad.numpy(), rtol=tol * 10, atol=tol * 10, equal_nan=True)


CASES = [
    ((1.0, 2.0), (1.0, 2.0 + 1e-7), {}),
    ((1.0, 2.0), (1.0, 2.1), {}),
    ((1.0, 2.0), (1.0, 2.1), {"rtol": 0.1, "atol": 0.0}),
    ((1.0, float("nan")), (1.0, float("nan")), {}),
    ((1.0, float("nan")), (1.0, float("nan")), {"equal_nan": True}),
    ((1, 2), (1, 3), {}),
]


@pytest.mark.parametrize("a, b, kw", CASES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_assert_close_as_torch(a, b, kw, dtype):
    dt = dtype if isinstance(a[0], float) else "int64"
    ea, eb = ember.tensor(np.array(a, dt)), ember.tensor(np.array(b, dt))
    ta, tb = torch.tensor(np.array(a, dt)), torch.tensor(np.array(b, dt))
    try:
        torch.testing.assert_close(ta, tb, **kw)
    except AssertionError as err:
        with pytest.raises(AssertionError) as ours:
            ember.testing.assert_close(ea, eb, **kw)
        assert str(ours.value) == str(err)
    else:
        ember.testing.assert_close(ea, eb, **kw)


def test_assert_close_checks_and_errors_as_torch():
    with pytest.raises(AssertionError, match="dtype"):
        ember.testing.assert_close(ember.ones(2), ember.ones(2, dtype=ember.float64))
    ember.testing.assert_close(ember.ones(2), ember.ones(2, dtype=ember.float64), check_dtype=False)
    with pytest.raises(AssertionError, match="shape"):
        ember.testing.assert_close(ember.ones(2), ember.ones(3))
    with pytest.raises(ValueError, match="rtol"):
        ember.testing.assert_close(ember.ones(2), ember.ones(2), atol=1e-3)
    with pytest.raises(TypeError):
        ember.testing.assert_close(ember.ones(2), "x")
    ember.testing.assert_close({"a": [ember.ones(2), 1.0]}, {"a": [ember.ones(2), 1.0]})
    with pytest.raises(AssertionError):
        ember.testing.assert_close([ember.ones(2)], [ember.zeros(2)])
