"""Every op row: a gradient has its input's dtype, as torch's engine casts it (``validate_outputs``),
even where a float64 tensor meets the float32 graph; 0-d gradients are 0-d arrays, never NumPy scalars.
Checked with and without ``create_graph``, against torch's gradient dtypes on the same program."""
from __future__ import annotations

import numpy as np
import pytest

import ember
from ember.tensor import Tensor

from .opinfo import convert, to_ember, to_torch
from .test_ops import OPS, _ids, _leaves, _outputs

torch = pytest.importorskip("torch", reason="torch is the test oracle")


def _float_outs(outs, lib):
    return [o for o in outs if isinstance(o, lib.Tensor) and (o.dtype.is_floating_point or o.dtype.is_complex)
            and o.requires_grad]


def _loss(outs, masks, lib):
    """Each output times a float64 mask, summed: the float64 gradient the engine must cast back."""
    total = 0
    for o, m in zip(outs, masks):
        p = o * lib.from_numpy(m.copy())
        total = total + (p.real if p.is_complex() else p).sum()
    return total


@pytest.mark.parametrize("op", [o for o in OPS if o.grad and "float32" in o.dtypes], ids=_ids)
def test_grad_dtype_is_input_dtype(op):
    rng = np.random.default_rng(5)
    for s in op.samples("float32", rng):
        for create_graph in (False, True):
            ea, ek = convert(s.args, s.kwargs, lambda t: to_ember(t, ember, True))
            ta, tk = convert(s.args, s.kwargs, lambda t: to_torch(t, torch, True))
            e_in = [a for a in _leaves(ea, ek) if a.requires_grad]
            t_in = [a for a in _leaves(ta, tk) if a.requires_grad]
            if not e_in:
                break
            e_outs = _float_outs(_outputs(op.ember(*ea, **ek), op), ember)
            t_outs = _float_outs(_outputs(op.torch(*ta, **tk), op), torch)
            if not t_outs or not e_outs:
                break
            masks = [np.random.default_rng(6).random(tuple(o.shape)) for o in t_outs]
            t_g = torch.autograd.grad(_loss(t_outs, masks, torch), t_in, allow_unused=True)
            e_g = ember.autograd.grad(_loss(e_outs, masks, ember), e_in, allow_unused=True,
                                      create_graph=create_graph)
            where = f"{op.name}[{s.name}, create_graph={create_graph}]"
            for i, (x, tg, eg) in enumerate(zip(e_in, t_g, e_g)):
                if eg is None:
                    assert tg is None or not tg.any(), f"{where}: missing grad {i}"
                    continue
                assert isinstance(eg, Tensor) and isinstance(eg._data, np.ndarray), \
                    f"{where}: grad {i} holds {type(eg._data).__name__}, not an array"
                assert eg.dtype == x.dtype, f"{where}: grad {i} is {eg.dtype}, input {x.dtype}"
                if tg is not None:
                    assert str(tg.dtype) == f"torch.{eg.dtype.name}", f"{where}: grad {i} {eg.dtype} vs {tg.dtype}"
