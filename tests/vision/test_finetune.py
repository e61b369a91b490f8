"""``ember train --finetune``: a ResNet-18 state_dict saved by torch in torchvision's layout (the model built
here from torch.nn modules with torchvision's key names; torchvision itself is not installed) loads into
``ember.models.resnet18`` and computes the same outputs; the head is replaced, the backbone frozen or
trained at a tenth of the head's learning rate; the classify CLI runs with it."""
from __future__ import annotations

import os

import numpy as np
import pytest

import ember
from ember.cli import finetune, main
from ember.cli.recipes import recipe

torch = pytest.importorskip("torch")
tnn = torch.nn
from tests.vision.torch_recipes import TorchResNet18  # noqa: E402


@pytest.fixture(scope="module")
def torch_ckpt(tmp_path_factory):
    torch.manual_seed(0)
    ref = TorchResNet18(num_classes=7)
    with torch.no_grad():  # non-trivial BN statistics, so eval outputs test them too
        for m in ref.modules():
            if isinstance(m, tnn.BatchNorm2d):
                m.running_mean.uniform_(-0.1, 0.1)
                m.running_var.uniform_(0.5, 1.5)
                m.weight.uniform_(0.5, 1.5)
    path = str(tmp_path_factory.mktemp("ft") / "resnet18_torch.pt")
    torch.save(ref.state_dict(), path)
    return ref.eval(), path


def test_torch_saved_torchvision_layout_resnet18_loads_into_ember(torch_ckpt):
    ref, path = torch_ckpt
    sd = finetune.load_state_dict_file(path)
    model = ember.models.resnet18(num_classes=7)
    assert list(sd) == list(model.state_dict())
    model.load_state_dict(sd)
    model.eval()
    x = np.random.default_rng(0).standard_normal((2, 3, 64, 64)).astype(np.float32)
    with ember.no_grad():
        y = model(ember.from_numpy(x)).numpy()
    with torch.no_grad():
        expected = ref(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(y, expected, rtol=1e-4, atol=1e-4)


def test_prepare_replaces_the_head_and_sets_param_groups(torch_ckpt, capsys):
    ref, path = torch_ckpt
    model, size, groups = finetune.prepare("resnet18", path, lr=0.01, freeze_backbone=False)
    assert "head 'fc' replaced (10 classes" in capsys.readouterr().out
    assert size == recipe("resnet18").input_size and model.fc.out_features == 10  # the classify recipe's input side
    assert tuple(model.conv1.weight.shape) == (64, 1, 7, 7)  # the checkpoint's 7x7 stem, for grey images
    # an RGB stem on a grey image repeated 3 times = the summed filters on the grey image
    np.testing.assert_allclose(model.conv1.weight.detach().numpy(),
                               ref.conv1.weight.detach().sum(1, keepdim=True).numpy(), rtol=1e-6)
    np.testing.assert_array_equal(model.layer3[1].bn2.running_var.numpy(), ref.layer3[1].bn2.running_var.numpy())
    assert [g["lr"] for g in groups] == [0.01, 0.1]
    assert {id(p) for p in groups[1]["params"]} == {id(model.fc.weight), id(model.fc.bias)}
    assert len(groups[0]["params"]) + 2 == len(list(model.parameters()))
    opt = ember.optim.SGD(groups, lr=0.01)
    assert [g["lr"] for g in opt.param_groups] == [0.01, 0.1]


def test_freeze_backbone_trains_only_the_head(torch_ckpt, capsys):
    _, path = torch_ckpt
    model, _, groups = finetune.prepare("resnet18", path, lr=0.01, freeze_backbone=True)
    assert len(groups) == 1 and groups[0]["lr"] == pytest.approx(0.1)
    trainable = [n for n, p in model.named_parameters() if p.requires_grad]
    assert trainable == ["fc.weight", "fc.bias"]
    before = model.layer1[0].conv1.weight.detach().numpy().copy()
    opt = ember.optim.SGD(groups)
    out = model(ember.randn(2, 1, 28, 28))
    ember.nn.functional.cross_entropy(out, ember.tensor([1, 2])).backward()
    opt.step()
    np.testing.assert_array_equal(model.layer1[0].conv1.weight.detach().numpy(), before)
    assert model.layer1[0].conv1.weight.grad is None


def test_mismatched_checkpoint_errors(tmp_path, torch_ckpt):
    _, path = torch_ckpt
    bad = str(tmp_path / "bad.pt")
    torch.save({"conv1.weight": torch.zeros(64, 3, 7, 7)}, bad)
    with pytest.raises(ember.cli.UsageError, match="lacks 119 weights of the model, e.g. 'bn1.weight'"):
        finetune.prepare("resnet18", bad, 0.1, False)
    with pytest.raises(ember.cli.UsageError, match="key 'conv1.weight' is not in LeNet"):
        finetune.prepare("lenet", path, 0.1, False)
    torch.save([1, 2], bad)
    with pytest.raises(ember.cli.UsageError, match="holds no state_dict"):
        finetune.load_state_dict_file(bad)


def test_cli_finetune_classify_from_an_ember_checkpoint(tmp_path, monkeypatch, capsys):
    """A LeNet-BN trained for 5 classes fine-tunes to Fashion-MNIST's 10 (on a 512-image slice)."""
    import ember.cli.train as train

    real = train.load_split

    def small(data, is_train, subset):
        x, y, source = real(data, is_train, True)
        return x[:512], y[:512], source

    monkeypatch.setattr(train, "load_split", small)
    src = ember.models.lenet_bn(num_classes=5, in_channels=1)
    ckpt = str(tmp_path / "lenet5.pt")
    ember.save({"model": src.state_dict(), "args": {"model": "lenet_bn"}}, ckpt)
    out = str(tmp_path / "run")
    assert main(["train", "--model", "lenet_bn", "--finetune", ckpt, "--freeze-backbone", "--epochs", "1",
                 "--out", out, "--no-plot"]) == 0
    assert "fine-tuning lenet_bn" in capsys.readouterr().out
    tuned = ember.load(os.path.join(out, "checkpoint.pt"))["model"]
    head = finetune.head_name(src)
    assert tuned[f"{head}.weight"].shape == (10, 84)
    for key, value in src.state_dict().items():  # the frozen backbone's weights are the checkpoint's
        if not key.startswith(head) and "running" not in key and "num_batches" not in key:
            np.testing.assert_array_equal(tuned[key].numpy(), value.numpy(), err_msg=key)
    assert main(["evaluate", os.path.join(out, "checkpoint.pt"), "--subset"]) == 0
