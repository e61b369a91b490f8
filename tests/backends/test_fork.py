"""A forked child (a DataLoader worker, an ``ember.multiprocessing`` process) whose parent already ran OpenMP regions
(oneDNN convolutions and GEMMs, numba's parallel kernels) computes the same results instead of hanging (GNU
libgomp) or being terminated (numba's ``omp`` layer): it runs the NumPy kernel set and no library."""
import os

import numpy as np
import pytest

import ember
from ember.backends import kernels

F = ember.nn.functional


def _work():
    g = np.random.default_rng(0)
    x = ember.from_numpy(g.standard_normal((8, 16, 32, 32)).astype(np.float32))
    w = ember.from_numpy(g.standard_normal((16, 16, 3, 3)).astype(np.float32))
    a = ember.from_numpy(g.standard_normal((256, 300)).astype(np.float32))
    outs = [F.conv2d(x, w), F.max_pool2d(F.relu(x), 2), F.layer_norm(x, (32,)), a @ a.T, F.linear(a, a)]
    return [o.numpy() for o in outs]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_forked_child_computes_what_the_parent_does():
    want = _work()  # the parent has now run its OpenMP regions (when oneDNN / numba are installed)
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: compare and report through the pipe, never raise past os._exit
        ok = b"0"
        try:
            got = _work()
            ok = b"1" if all(np.allclose(a, b, rtol=1e-4, atol=1e-4) for a, b in zip(got, want)) else b"2"
            ok += f"{kernels.current()},{kernels.library()}".encode()
        finally:
            os.write(w, ok)
            os._exit(0)
    os.close(w)
    import select

    ready, _, _ = select.select([r], [], [], 120)
    if not ready:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        pytest.fail("the forked child hung in its first OpenMP region")
    msg = os.read(r, 64)
    os.waitpid(pid, 0)
    assert msg[:1] == b"1", f"the child's results differ or it failed: {msg!r}"
    assert msg[1:] == b"numpy,None"  # the child switched to the NumPy kernel set and no library
    assert kernels.current() in ("numpy", "numba")  # the parent's set is unchanged
