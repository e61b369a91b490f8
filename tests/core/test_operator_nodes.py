"""The Tensor operators (``+ - * /``) enter each op through ``Op.operator()``, whose ufunc path builds the node
itself: it must record exactly what ``Op.apply`` records for the same call (node class, edges, saved operands,
output dtype), give the same values and gradients, and leave every other call to ``apply``."""
import itertools
import operator

import numpy as np
import pytest

import ember
from ember.ops import arith

OPS = [(operator.add, arith.Add), (operator.sub, arith.Sub), (operator.mul, arith.Mul),
       (operator.truediv, arith.Div)]


def _operands(kind, dtype, ga, gb):
    rng = np.random.default_rng(0)
    a = ember.from_numpy(rng.standard_normal((2, 3)).astype(dtype)).requires_grad_(ga)
    if kind == "tensor":
        b = ember.from_numpy(rng.standard_normal((2, 3)).astype(dtype) + 2.0).requires_grad_(gb)
    elif kind == "broadcast":
        b = ember.from_numpy(rng.standard_normal(3).astype(dtype) + 2.0).requires_grad_(gb)
    elif kind == "other dtype":
        b = ember.from_numpy(rng.standard_normal((2, 3)) + 2.0).requires_grad_(gb)
    elif kind == "float":
        b = 1.75
    else:
        b = 3
    return a, b


def _edges(node):
    return [(type(e).__name__, getattr(e, "variable", None)) if e is not None else None
            for e, _ in node.next_functions]


@pytest.mark.parametrize("fn,cls", OPS, ids=[c.__name__ for _, c in OPS])
@pytest.mark.parametrize("kind", ["tensor", "broadcast", "other dtype", "float", "int"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("ga,gb", list(itertools.product([True, False], repeat=2)))
def test_operator_records_what_apply_records(fn, cls, kind, dtype, ga, gb):
    a, b = _operands(kind, dtype, ga, gb)
    via_operator, via_apply = fn(a, b), cls.apply(a, b)
    np.testing.assert_array_equal(via_operator.detach().numpy(), via_apply.detach().numpy())
    assert via_operator.dtype == via_apply.dtype
    assert via_operator.requires_grad == via_apply.requires_grad
    n1, n2 = via_operator.grad_fn, via_apply.grad_fn
    if n2 is None:
        assert n1 is None
        return
    assert type(n1) is type(n2) and type(n1).__name__ == f"{cls.__name__}Backward0"
    assert _edges(n1) == _edges(n2)
    assert n1.odt == n2.odt
    saved1, saved2 = getattr(n1, "saved", ()), getattr(n2, "saved", ())
    assert len(saved1) == len(saved2)
    assert all((s is t) if isinstance(s, ember.Tensor) else s == t for s, t in zip(saved1, saved2))
    grads = []
    for out in (via_operator, via_apply):
        leaves = [t for t in (a, b) if isinstance(t, ember.Tensor) and t.requires_grad]
        grads.append(ember.autograd.grad(out.sum(), leaves))
    for g1, g2 in zip(*grads):
        np.testing.assert_array_equal(g1.numpy(), g2.numpy())
        assert g1.dtype == g2.dtype


def test_operator_under_no_grad_and_anomaly_records_as_apply():
    a = ember.randn(3, requires_grad=True)
    with ember.no_grad():
        assert (a * a).grad_fn is None and not (a * a).requires_grad
    with ember.autograd.detect_anomaly():
        y = a * 2.0
    assert type(y.grad_fn).__name__ == "MulBackward0"


def test_operator_keeps_torch_number_rules():
    """A Python number keeps the tensor's dtype; an int beyond 2**53 takes apply's path (exact conversion)."""
    x = ember.ones(2, dtype=ember.float32)
    assert (x * 2).dtype == ember.float32 and (x + 0.5).dtype == ember.float32
    big = (1 << 60) + 1
    np.testing.assert_array_equal((ember.zeros(1, dtype=ember.float64) + big).numpy(),
                                  np.zeros(1) + float(big))
