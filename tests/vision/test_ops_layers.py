"""stochastic_depth, drop_block2d and FrozenBatchNorm2d: torch's batch-norm formula for the frozen layer and
its BatchNorm2d state_dict; the dropout ops by their definitions (scaling, block shapes, rates, eval mode)."""
import numpy as np
import pytest

import ember
from ember.vision import ops

torch = pytest.importorskip("torch", reason="torch's batch_norm is the oracle for FrozenBatchNorm2d")


def test_frozen_batch_norm_matches_torch_eval_batch_norm():
    bn = torch.nn.BatchNorm2d(3)
    with torch.no_grad():
        bn.weight.uniform_(0.5, 2)
        bn.bias.normal_()
        bn.running_mean.normal_()
        bn.running_var.uniform_(0.5, 2)
    bn.eval()
    frozen = ops.FrozenBatchNorm2d(3)
    frozen.load_state_dict({k: ember.tensor(v.numpy()) for k, v in bn.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((2, 3, 4, 5)).astype(np.float32)
    np.testing.assert_allclose(frozen(ember.tensor(x)).numpy(), bn(torch.tensor(x)).detach().numpy(), rtol=1e-5,
                               atol=1e-6)
    assert list(dict(frozen.named_parameters())) == []
    assert sorted(frozen.state_dict()) == ["bias", "running_mean", "running_var", "weight"]


def test_stochastic_depth_rows_and_batch():
    ember.manual_seed(0)
    x = ember.ones(2000, 3)
    y = ops.stochastic_depth(x, p=0.3, mode="row").numpy()
    kept = y[:, 0] != 0
    assert abs(1 - kept.mean() - 0.3) < 0.04
    np.testing.assert_allclose(y[kept], 1 / 0.7, rtol=1e-6)
    assert (y == y[:, :1]).all()  # whole rows
    b = ops.stochastic_depth(x, p=0.5, mode="batch").numpy()
    assert len(np.unique(b)) == 1
    assert ops.stochastic_depth(x, 0.9, "row", training=False) is x
    m = ops.StochasticDepth(0.5, "row").eval()
    assert m(x) is x
    with pytest.raises(ValueError, match="mode"):
        ops.stochastic_depth(x, 0.5, "col")


def test_drop_block_blocks_scale_and_rate():
    ember.manual_seed(1)
    x = ember.ones(4, 8, 40, 40)
    y = ops.drop_block2d(x, p=0.2, block_size=5).numpy()
    keep = y != 0
    np.testing.assert_allclose(y[keep], keep.size / keep.sum(), rtol=1e-5)
    assert abs(1 - keep.mean() - 0.2) < 0.06  # blocks overlap, so slightly fewer units go than p
    # every dropped unit lies in a fully dropped 5x5 block
    dropped = ~keep
    for n, c, i, j in list(zip(*np.nonzero(dropped[:1, :2])))[::7]:
        found = any(dropped[n, c, a:a + 5, b:b + 5].all() and a + 5 <= 40 and b + 5 <= 40
                    for a in range(max(i - 4, 0), i + 1) for b in range(max(j - 4, 0), j + 1))
        assert found
    assert ops.DropBlock2d(0.3, 3).eval()(x) is x
    with pytest.raises(ValueError, match="4 dimensional"):
        ops.drop_block2d(ember.ones(3, 4, 4), 0.1, 3)
