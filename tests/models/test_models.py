"""ember.models vs torch.nn references with torchvision's names (tests/models/torch_refs.py):
state_dict keys and shapes, parameter counts, forward outputs (eval and train-mode BN) and
gradients after copying the reference's weights, init statistics, the registry and summary()."""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch

import ember
import ember.models as models
from tests.models import torch_refs as R

# Published torchvision parameter counts (3 channels, 1000 classes); googlenet with aux heads.
KNOWN_PARAMS = {
    "alexnet": 61_100_840, "vgg11": 132_863_336, "vgg11_bn": 132_868_840, "vgg13": 133_047_848,
    "vgg13_bn": 133_053_736, "vgg16": 138_357_544, "vgg16_bn": 138_365_992, "vgg19": 143_667_240,
    "vgg19_bn": 143_678_248, "googlenet": 13_004_888, "resnet18": 11_689_512, "resnet34": 21_797_672,
    "resnet50": 25_557_032, "resnet101": 44_549_160, "resnext50_32x4d": 25_028_904,
    "densenet121": 7_978_856, "mobilenet_v2": 3_504_872,
}


def n_params(model) -> int:
    return sum(p.numel() for p in model.parameters())


def load_torch_weights(ember_model, torch_model) -> None:
    state = {k: ember.from_numpy(v.detach().numpy().copy()) for k, v in torch_model.state_dict().items()}
    ember_model.load_state_dict(state)


def to_np(t):
    return t.detach().numpy() if isinstance(t, torch.Tensor) else np.asarray(t._data)


# --------------------------------------------------------------------------- state_dict manifests
@pytest.mark.parametrize("name", R.TORCHVISION)
def test_manifest_is_current(name):
    with torch.device("meta"):
        ref = R.build(name)
    assert json.loads((R.MANIFESTS / f"{name}.json").read_text()) == R.manifest(ref)


# Building a VGG costs seconds (its 25088x4096 Linear); these check only the features stack.
FEATURES_ONLY = {"vgg13": "B", "vgg13_bn": "B", "vgg16_bn": "D", "vgg19": "E", "vgg19_bn": "E"}


@pytest.mark.parametrize("name", R.TORCHVISION)
def test_state_dict_matches_torchvision(name):
    expected = json.loads((R.MANIFESTS / f"{name}.json").read_text())
    if name in FEATURES_ONLY:
        from ember.models.vgg import CFGS, make_layers
        features = make_layers(CFGS[FEATURES_ONLY[name]], batch_norm=name.endswith("_bn"))
        got = {"features." + k: list(v.shape) for k, v in features.state_dict().items()}
        expected = {k: v for k, v in expected.items() if k.startswith("features.")}
        classifier = 25088 * 4096 + 4096 + 4096 * 4096 + 4096 + 4096 * 1000 + 1000
        assert n_params(features) + classifier == KNOWN_PARAMS[name]
    else:
        model = models.get_model(name)
        got = {k: list(v.shape) for k, v in model.state_dict().items()}
        assert n_params(model) == KNOWN_PARAMS[name]
    assert list(got) == list(expected)
    assert got == expected


def test_known_counts():
    net = models.resnet18()
    assert len(list(net.parameters())) == 62
    assert len(net.state_dict()) == 122
    assert sum(k.endswith("num_batches_tracked") for k in net.state_dict()) == 20
    assert n_params(models.googlenet(aux_logits=False)) == 6_624_904
    assert n_params(models.LeNet()) == 61_706


@pytest.mark.parametrize("name", ["se_resnet18", "se_resnet50", "lenet", "lenet_bn", "mlp", "nin"])
def test_non_torchvision_models_match_reference(name):
    with torch.device("meta"):
        ref = R.build(name)
    model = models.get_model(name)
    assert {k: list(v.shape) for k, v in model.state_dict().items()} == R.manifest(ref)


# --------------------------------------------------------------------------- forward / backward equality
# (registry name, kwargs for both sides, input shape)
FORWARD_CASES = [
    ("mlp", {}, (2, 1, 28, 28)),
    ("lenet", {}, (2, 1, 28, 28)),
    ("lenet_bn", {}, (4, 1, 28, 28)),
    ("nin", {}, (2, 1, 67, 67)),
    ("alexnet", {"num_classes": 10, "in_channels": 1}, (2, 1, 64, 64)),
    ("vgg11_bn", {"num_classes": 10}, (2, 3, 32, 32)),
    ("googlenet", {"num_classes": 10, "aux_logits": False}, (2, 3, 64, 64)),
    ("resnet18", {"num_classes": 10}, (2, 3, 64, 64)),
    ("resnet18", {"num_classes": 10, "in_channels": 1, "small_input": True}, (2, 1, 28, 28)),
    ("resnet50", {"num_classes": 10}, (2, 3, 32, 32)),
    ("resnext50_32x4d", {"num_classes": 10}, (2, 3, 32, 32)),
    ("se_resnet18", {"num_classes": 10}, (2, 3, 32, 32)),
    ("se_resnet50", {"num_classes": 10}, (2, 3, 32, 32)),
    ("densenet121", {"num_classes": 10}, (2, 3, 32, 32)),
    ("densenet121", {"num_classes": 10, "in_channels": 1, "small_input": True}, (2, 1, 16, 16)),
    ("mobilenet_v2", {"num_classes": 10}, (2, 3, 32, 32)),
    ("mobilenet_v2", {"num_classes": 10, "in_channels": 1, "small_input": True}, (2, 1, 28, 28)),
]
NO_BATCH_NORM = {"mlp", "lenet", "nin", "alexnet"}   # train mode differs only by dropout: eval only
CASES = [(n, kw, shape, train) for n, kw, shape in FORWARD_CASES for train in (False, True)
         if not (train and n in NO_BATCH_NORM)]
IDS = [f"{n}-{'-'.join(f'{k}={v}' for k, v in kw.items())}-{'train' if t else 'eval'}" for n, kw, _, t in CASES]


def paired(name, kwargs, seed=0, double=False):
    """The torch reference and the ember model holding its weights (float64 with ``double``)."""
    torch.manual_seed(seed)
    ref = R.build(name, **kwargs)
    model = models.get_model(name, **kwargs)
    if double:
        ref.double()
        model.double()
    load_torch_weights(model, ref)
    return model, ref


def no_dropout(*nets) -> None:
    """Dropout draws different masks in ember and torch: switch it off for train-mode comparisons."""
    for net in nets:
        for sub in net.modules():
            if type(sub).__name__ == "Dropout":
                sub.p = 0.0


@pytest.mark.parametrize("name,kwargs,shape,train", CASES, ids=IDS)
def test_forward_matches_reference(name, kwargs, shape, train):
    # Train-mode BN over a batch of 2 at 1x1-2x2 spatial size is ill-conditioned: torch's own float32
    # and float64 outputs differ by up to 0.8 (mobilenet_v2). So train mode is compared in float64.
    model, ref = paired(name, kwargs, double=train)
    if train:
        no_dropout(model, ref)
    else:
        model.eval()
        ref.eval()
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float64 if train else np.float32)
    out = model(ember.from_numpy(x))
    expected = ref(torch.from_numpy(x))
    np.testing.assert_allclose(to_np(out), to_np(expected), rtol=1e-4, atol=1e-4)
    if train:   # running statistics were updated the same way
        ref_sd = ref.state_dict()
        for k, v in model.state_dict().items():
            if "running" in k:
                np.testing.assert_allclose(to_np(v), to_np(ref_sd[k]), rtol=1e-4, atol=1e-5, err_msg=k)


@pytest.mark.parametrize("name,kwargs,shape", [
    ("lenet_bn", {}, (4, 1, 28, 28)),
    ("resnet18", {"num_classes": 10, "in_channels": 1, "small_input": True}, (2, 1, 16, 16)),
    ("se_resnet50", {"num_classes": 10}, (2, 3, 32, 32)),
    ("densenet121", {"num_classes": 10, "in_channels": 1, "small_input": True}, (2, 1, 16, 16)),
    ("mobilenet_v2", {"num_classes": 10}, (2, 3, 32, 32)),
    ("googlenet", {"num_classes": 10, "aux_logits": False}, (2, 3, 32, 32)),
], ids=lambda v: v if isinstance(v, str) else "")
def test_backward_matches_reference(name, kwargs, shape):
    # float64 (see test_forward_matches_reference); train-mode BN on tiny batches still amplifies
    # rounding into gradients of ~1e5, so the tolerance is relative to the largest gradient.
    model, ref = paired(name, kwargs, double=True)
    no_dropout(model, ref)
    x = np.random.default_rng(1).standard_normal(shape)
    (model(ember.from_numpy(x)) ** 2).sum().backward()
    (ref(torch.from_numpy(x)) ** 2).sum().backward()
    ref_grads = dict(ref.named_parameters())
    for k, p in model.named_parameters():
        g, tg = to_np(p.grad), to_np(ref_grads[k].grad)
        np.testing.assert_allclose(g, tg, rtol=1e-3, atol=1e-6 * max(1.0, np.abs(tg).max()), err_msg=k)


def test_googlenet_aux_outputs_in_training():
    model, ref = paired("googlenet", {"num_classes": 10}, double=True)
    no_dropout(model, ref)
    x = np.random.default_rng(2).standard_normal((2, 3, 64, 64))
    out = model(ember.from_numpy(x))
    assert isinstance(out, models.GoogLeNetOutputs)
    for got, want in zip(out, ref(torch.from_numpy(x))):
        np.testing.assert_allclose(to_np(got), to_np(want), rtol=1e-4, atol=1e-4)
    model.eval()
    assert model(ember.from_numpy(x)).shape == (2, 10)


# --------------------------------------------------------------------------- init
def test_resnet_init_and_zero_init_residual():
    ember.manual_seed(0)
    net = models.resnet50(zero_init_residual=True)
    w = to_np(net.layer3[0].conv2.weight)       # 256x256x3x3: fan_out = 256 * 9
    assert abs(w.std() - np.sqrt(2 / (256 * 9))) < 0.02 * np.sqrt(2 / (256 * 9))
    assert (to_np(net.layer1[0].bn3.weight) == 0).all()
    assert (to_np(net.layer1[0].bn1.weight) == 1).all() and (to_np(net.bn1.bias) == 0).all()
    net18 = models.resnet18(zero_init_residual=True)
    assert (to_np(net18.layer2[1].bn2.weight) == 0).all()


def test_other_inits():
    ember.manual_seed(0)
    mob = models.mobilenet_v2()
    assert abs(to_np(mob.classifier[1].weight).std() - 0.01) < 1e-3
    assert (to_np(mob.classifier[1].bias) == 0).all()
    goog = models.googlenet(aux_logits=False)
    w = to_np(goog.fc.weight)
    assert abs(w.std() - 0.01) < 1e-3 and np.abs(w).max() <= 2
    dense = models.densenet121()
    w = to_np(dense.features.conv0.weight)      # kaiming_normal fan_in = 3 * 49
    assert abs(w.std() - np.sqrt(2 / 147)) < 0.05 * np.sqrt(2 / 147)
    assert (to_np(dense.classifier.bias) == 0).all()


# --------------------------------------------------------------------------- registry, summary
def test_registry():
    names = models.list_models()
    for name in ["lenet", "lenet_bn", "mlp", "alexnet", "vgg11", "vgg11_bn", "vgg19_bn", "nin", "googlenet",
                 "resnet18", "resnet34", "resnet50", "resnet101", "resnext50_32x4d", "se_resnet18", "se_resnet50",
                 "densenet121", "mobilenet_v2"]:
        assert name in names
    assert models.input_size("lenet") == 28 and models.input_size("mlp") == 28
    assert models.input_size("alexnet") == 224 and models.input_size("vgg16") == 224
    assert models.input_size("nin") == 224 and models.input_size("googlenet") == 96
    assert models.input_size("resnet18") == 96 and models.input_size("resnet18", small_input=True) == 28
    assert not models.supports_small_input("alexnet")
    with pytest.raises(ValueError, match="no small_input"):
        models.input_size("vgg11", small_input=True)
    with pytest.raises(ValueError, match="Unknown model"):
        models.get_model("resnet9000")
    with pytest.raises(ValueError, match="downloads no weights"):
        models.resnet18(weights="IMAGENET1K_V1")


@pytest.mark.parametrize("name", ["mlp", "lenet", "lenet_bn", "resnet18", "se_resnet18", "densenet121",
                                  "mobilenet_v2", "googlenet"])
def test_fashion_mnist_sizes(name):
    """Every registry entry runs on 1-channel input at the size input_size() gives (small stems at 28)."""
    small = models.supports_small_input(name)
    kwargs = {"num_classes": 10, "in_channels": 1}
    if small:
        kwargs["small_input"] = True
    if name == "googlenet":
        kwargs["aux_logits"] = False
    side = models.input_size(name, small_input=small)
    side = min(side, 32)       # googlenet's 96 costs seconds; its ceil-mode pools take any size
    model = models.get_model(name, **kwargs).eval()
    with ember.no_grad():
        assert model(ember.zeros(2, 1, side, side)).shape == (2, 10)


def test_lenet_summary():
    text = models.LeNet().summary((1, 1, 28, 28), verbose=False)
    assert text == models.summary(models.LeNet(), (1, 1, 28, 28), verbose=False)
    shapes = [("Conv2d", "[1, 6, 28, 28]", "156"), ("AvgPool2d", "[1, 6, 14, 14]", "0"),
              ("Conv2d", "[1, 16, 10, 10]", "2,416"), ("AvgPool2d", "[1, 16, 5, 5]", "0"),
              ("Flatten", "[1, 400]", "0"), ("Linear", "[1, 120]", "48,120"), ("Linear", "[1, 84]", "10,164"),
              ("Linear", "[1, 10]", "850")]
    rows = [line.split() for line in text.splitlines()]
    leaf_rows = [r for r in rows if len(r) > 1 and r[1] in ("(Conv2d)", "(AvgPool2d)", "(Flatten)", "(Linear)")]
    assert [(r[1][1:-1], " ".join(r[2:-1]), r[-1]) for r in leaf_rows] == shapes
    assert "net (Sequential)" in text and "  0 (Conv2d)" in text
    assert "Total params: 61,706" in text and "Trainable params: 61,706" in text
    assert "Non-trainable params: 0" in text


def test_summary_counts_frozen_and_keeps_mode():
    net = models.resnet18(num_classes=10, in_channels=1, small_input=True)
    for p in net.layer1.parameters():
        p.requires_grad_(False)
    frozen = sum(p.numel() for p in net.layer1.parameters())
    text = net.summary((2, 1, 28, 28), verbose=False, depth=1)
    assert f"Trainable params: {n_params(net) - frozen:,}" in text
    assert "layer1 (Sequential)" in text and "BasicBlock" not in text     # depth=1 lists only the top children
    assert "[2, 512, 4, 4]" in text and net.training


def test_dilation_and_transform_input():
    net = models.resnet50(num_classes=10, replace_stride_with_dilation=[False, True, True]).eval()
    # as torchvision, a stage's first block keeps the previous dilation
    assert net.layer4[0].conv2.dilation == (2, 2) and net.layer4[0].conv2.stride == (1, 1)
    assert net.layer4[1].conv2.dilation == (4, 4)
    with ember.no_grad():
        assert net(ember.zeros(1, 3, 32, 32)).shape == (1, 10)
    goog = models.googlenet(num_classes=10, aux_logits=False, transform_input=True).eval()
    x = ember.ones(1, 3, 32, 32)
    scaled = goog._transform_input(x)
    np.testing.assert_allclose(to_np(scaled)[0, :, 0, 0], [(0.229 + 0.485 - 0.5) / 0.5, (0.224 + 0.456 - 0.5) / 0.5,
                                                          (0.225 + 0.406 - 0.5) / 0.5], rtol=1e-6)
    with pytest.raises(ValueError, match="groups=1"):
        models.resnet18(groups=2)
