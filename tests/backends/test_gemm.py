"""``kernels.gemm``: the GEMM of matmul, linear and their backward ops, by oneDNN's sgemm for the float32 products it
covers (every layout with a unit stride in one dim) and NumPy's otherwise; both against torch."""
import numpy as np
import pytest
import torch

import ember
from ember.backends import kernels

onednn = pytest.mark.skipif("onednn" not in kernels.libraries(), reason="oneDNN (the onednn extra) is not installed")


def _layouts(rng, m, k):
    a = rng.standard_normal((m, k)).astype(np.float32)
    wide = rng.standard_normal((m, k + 7)).astype(np.float32)[:, 3:3 + k]  # row stride above the row length
    return {"C": a, "F": np.asfortranarray(a), "T-view": np.ascontiguousarray(a.T).T, "sliced": wide}


@onednn
@pytest.mark.parametrize("m,k,n", [(128, 784, 256), (64, 64, 64), (1, 4096, 64), (300, 1, 1000), (128, 2048, 1)])
def test_onednn_gemm_covers_every_unit_stride_layout(m, k, n):
    from ember.backends import gemm_onednn

    rng = np.random.default_rng(0)
    for la, a in _layouts(rng, m, k).items():
        for lb, b in _layouts(rng, k, n).items():
            out = gemm_onednn.gemm(a, b)
            assert out is not None, (la, lb)
            want = (torch.from_numpy(np.ascontiguousarray(a)) @ torch.from_numpy(np.ascontiguousarray(b))).numpy()
            np.testing.assert_allclose(out, want, rtol=1e-4, atol=1e-4 * np.sqrt(k))
            assert out.flags.c_contiguous and out.dtype == np.float32


@onednn
def test_onednn_gemm_writes_into_row_and_column_major_outs():
    from ember.backends import gemm_onednn

    rng = np.random.default_rng(2)
    a, b = rng.standard_normal((32, 256)).astype(np.float32), rng.standard_normal((1024, 256)).astype(np.float32).T
    want = (torch.from_numpy(a) @ torch.from_numpy(np.ascontiguousarray(b))).numpy()
    for out in (np.zeros((32, 1024), np.float32), np.zeros((1024, 32), np.float32).T,
                np.zeros((40, 1024), np.float32)[4:36], np.zeros((1024, 48), np.float32)[:, 8:40].T):
        assert gemm_onednn.gemm(a, b, out) is out
        np.testing.assert_allclose(out, want, rtol=1e-4, atol=1e-3)


@onednn
def test_onednn_gemm_column_major_out_of_row_major_operands():
    """The recurrent backward's dh = dG W_hh into a column-major buffer: computed row-major, then copied (both
    operands would be read transposed otherwise); a second call must not disturb the first's result."""
    from ember.backends import gemm_onednn

    rng = np.random.default_rng(3)
    a, b = rng.standard_normal((32, 1024)).astype(np.float32), rng.standard_normal((1024, 256)).astype(np.float32)
    want = (torch.from_numpy(a) @ torch.from_numpy(b)).numpy()
    first = np.zeros((32, 256), np.float32, order="F")
    assert gemm_onednn.gemm(a, b, first) is first
    second = np.zeros((48, 256), np.float32, order="F")[8:40]
    assert gemm_onednn.gemm(2 * a, b, second) is second
    np.testing.assert_allclose(first, want, rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(second, 2 * want, rtol=1e-4, atol=2e-3)


@onednn
def test_onednn_gemm_declines_what_it_does_not_cover():
    from ember.backends import gemm_onednn

    a = np.ones((64, 64), np.float32)
    assert gemm_onednn.gemm(a[:, ::2], a[::2]) is None  # no unit stride
    assert gemm_onednn.gemm(a.astype(np.float64), a.astype(np.float64)) is None
    assert gemm_onednn.gemm(a[:4, :4], a[:4, :4]) is None  # small: OpenBLAS keeps it on one thread
    assert gemm_onednn.gemm(np.ones((1, 784), np.float32), np.ones((784, 256), np.float32)) is None  # batch 1
    assert gemm_onednn.gemm(np.ones((0, 64), np.float32), a) is None


@pytest.fixture(params=["onednn", None])
def library(request):
    """The GEMM entry with the library (oneDNN's sgemm) on, then off (NumPy's)."""
    if request.param == "onednn" and "onednn" not in kernels.libraries():
        pytest.skip("oneDNN (the onednn extra) is not installed")
    before = kernels.library()
    kernels.use_library(request.param)
    yield request.param
    kernels.use_library(before)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_matmul_and_linear_through_the_switch_match_torch(library, dtype):
    rng = np.random.default_rng(1)
    x, w, b = (rng.standard_normal(s).astype(dtype) for s in ((3, 40, 96), (72, 96), (72,)))
    xe, we, be = (ember.from_numpy(v.copy()).requires_grad_() for v in (x, w, b))
    xt, wt, bt = (torch.from_numpy(v.copy()).requires_grad_() for v in (x, w, b))
    ye = ember.nn.functional.linear(xe, we, be)
    yt = torch.nn.functional.linear(xt, wt, bt)
    ze, zt = ye[0] @ we, yt[0] @ wt  # a 2-d matmul whose second factor is a transposed view's source
    ((ye * ye).sum() + ze.sum()).backward()
    ((yt * yt).sum() + zt.sum()).backward()
    tol = dict(rtol=1e-4, atol=1e-3) if dtype == np.float32 else dict(rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(ye.detach().numpy(), yt.detach().numpy(), **tol)
    np.testing.assert_allclose(ze.detach().numpy(), zt.detach().numpy(), **tol)
    for e, t in ((xe, xt), (we, wt), (be, bt)):
        assert e.grad.dtype == ember.from_numpy(np.zeros(1, dtype)).dtype
        np.testing.assert_allclose(e.grad.numpy(), t.grad.numpy(), **tol)


def test_transposed_copies_every_layout(library):
    """``kernels.transposed`` (the recurrent layers' W_hh^T once per sequence): ``a.T`` C-contiguous, bit for bit,
    from row- and column-major float32 (oneDNN's reorder) and float64 (NumPy's copy) arrays; a copy unless ``a.T``
    is C-contiguous already."""
    rng = np.random.default_rng(4)
    for shape in ((1024, 256), (3, 5), (7, 1), (1, 9)):
        for dtype in (np.float32, np.float64):
            a = rng.standard_normal(shape).astype(dtype)
            a[0, 0] = np.nan
            for v in (a, np.asfortranarray(a), a.T):
                t = kernels.transposed(v)
                assert t.flags.c_contiguous and t.dtype == v.dtype and t.shape == v.T.shape
                assert np.array_equal(t, v.T, equal_nan=True)
                if not v.T.flags.c_contiguous:  # a copy (never a view that a later write would change)
                    assert not np.shares_memory(t, v)
