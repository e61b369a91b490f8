"""The recipe models against the book's printed shapes and against the same models built in torch:
TinySSD (d2l 14.7), FCN and bilinear_kernel (d2l 14.11), the style-transfer losses (d2l 14.12)."""
from __future__ import annotations

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember.models.detection import (TinySSD, base_net, bbox_eval, bbox_predictor, calc_loss, cls_eval,
                                    cls_predictor, concat_preds, down_sample_blk)
from ember.models.segmentation import bilinear_kernel, fcn_resnet18
from ember.models.style_transfer import (content_loss, extract_features, gram, postprocess, preprocess,
                                         scale_random_features, style_loss, tv_loss, vgg19_features,
                                         vgg_feature_net)

torch = pytest.importorskip("torch")
tnn = torch.nn
from tests.vision.torch_recipes import TorchTinySSD, torch_calc_loss  # noqa: E402


def _t(x) -> "torch.Tensor":
    return torch.from_numpy(np.array(x.detach().numpy() if isinstance(x, ember.Tensor) else x))


# ---------------------------------------------------------------- TinySSD: the book's printed shapes

def test_predictor_and_block_shapes_as_printed_in_the_book():
    y1 = cls_predictor(8, 5, 10)(ember.zeros(2, 8, 20, 20))
    y2 = cls_predictor(16, 3, 10)(ember.zeros(2, 16, 10, 10))
    assert y1.shape == (2, 55, 20, 20) and y2.shape == (2, 33, 10, 10)
    assert concat_preds([y1, y2]).shape == (2, 25300)
    assert down_sample_blk(3, 10)(ember.zeros(2, 3, 20, 20)).shape == (2, 10, 10, 10)
    assert bbox_predictor(8, 5)(ember.zeros(1, 8, 4, 4)).shape == (1, 20, 4, 4)


def test_tinyssd_output_shapes_at_256_as_printed_in_the_book():
    net = TinySSD(num_classes=1).eval()
    with ember.no_grad():
        assert base_net()(ember.zeros(1, 3, 256, 256)).shape == (1, 64, 32, 32)
        anchors, cls_preds, bbox_preds = net(ember.zeros(2, 3, 256, 256))
    # the book prints (1, 5444, 4), (32, 5444, 2) and (32, 21776) for a batch of 32
    assert anchors.shape == (1, 5444, 4)
    assert cls_preds.shape == (2, 5444, 2)
    assert bbox_preds.shape == (2, 21776)


# ---------------------------------------------------------------- TinySSD against the book's model in torch

@pytest.fixture(scope="module")
def ssd_pair():
    ember.manual_seed(0)
    net = TinySSD(num_classes=2)
    ref = TorchTinySSD(2)
    missing, unexpected = ref.load_state_dict({k: _t(v) for k, v in net.state_dict().items()}, strict=True)
    assert not missing and not unexpected
    return net, ref


def test_tinyssd_state_dict_keys_are_the_books(ssd_pair):
    net, ref = ssd_pair
    assert list(net.state_dict()) == list(ref.state_dict())


def test_tinyssd_predictions_loss_and_gradients_equal_torch(ssd_pair):
    from ember.vision.detection import multibox_target

    net, ref = ssd_pair
    net.train(), ref.train()
    x = np.random.default_rng(1).random((2, 3, 64, 64), dtype=np.float32)
    anchors, cls_preds, bbox_preds = net(ember.from_numpy(x))
    ref_cls, ref_bbox = ref(torch.from_numpy(x))
    np.testing.assert_allclose(cls_preds.detach().numpy(), ref_cls.detach().numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(bbox_preds.detach().numpy(), ref_bbox.detach().numpy(), rtol=1e-4, atol=1e-5)
    labels = ember.tensor([[[0, 0.1, 0.1, 0.5, 0.4]], [[1, 0.3, 0.2, 0.9, 0.9]]])
    bbox_labels, bbox_masks, cls_labels = multibox_target(anchors, labels)
    loss = calc_loss(cls_preds, cls_labels, bbox_preds, bbox_labels, bbox_masks)
    ref_loss = torch_calc_loss(ref_cls, _t(cls_labels), ref_bbox, _t(bbox_labels), _t(bbox_masks))
    np.testing.assert_allclose(loss.detach().numpy(), ref_loss.detach().numpy(), rtol=1e-5)
    loss.mean().backward()
    ref_loss.mean().backward()
    for (name, p), q in zip(net.named_parameters(), ref.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-3, atol=1e-5, err_msg=name)
    assert cls_eval(cls_preds, cls_labels) == float((ref_cls.argmax(-1) == _t(cls_labels)).sum())
    expected = float(((_t(bbox_labels) - ref_bbox.detach()) * _t(bbox_masks)).abs().sum())
    assert bbox_eval(bbox_preds.detach(), bbox_labels, bbox_masks) == pytest.approx(expected, rel=1e-5)


def test_tinyssd_rejects_wrong_number_of_scales():
    with pytest.raises(ValueError, match="TinySSD: sizes and ratios need one entry per scale"):
        TinySSD(1, sizes=[[0.2]] * 4)


# ---------------------------------------------------------------- FCN and bilinear_kernel

def _d2l_bilinear_kernel(in_channels, out_channels, kernel_size):
    factor = (kernel_size + 1) // 2
    center = factor - 1 if kernel_size % 2 == 1 else factor - 0.5
    og = (torch.arange(kernel_size).reshape(-1, 1), torch.arange(kernel_size).reshape(1, -1))
    filt = (1 - torch.abs(og[0] - center) / factor) * (1 - torch.abs(og[1] - center) / factor)
    weight = torch.zeros((in_channels, out_channels, kernel_size, kernel_size))
    weight[range(in_channels), range(out_channels), :, :] = filt
    return weight


@pytest.mark.parametrize("k", [3, 4, 64])
def test_bilinear_kernel_equals_the_books(k):
    np.testing.assert_allclose(bilinear_kernel(3, 3, k).numpy(), _d2l_bilinear_kernel(3, 3, k).numpy(), atol=1e-7)


@pytest.mark.parametrize("kernel,stride,padding,n", [(4, 2, 1, 6), (64, 32, 16, 3)])
def test_transposed_conv_with_bilinear_kernel_equals_torch_interpolate(kernel, stride, padding, n):
    x = np.random.default_rng(0).random((1, 3, n, n), dtype=np.float32)
    conv = ember.nn.ConvTranspose2d(3, 3, kernel_size=kernel, padding=padding, stride=stride, bias=False)
    with ember.no_grad():
        conv.weight.copy_(bilinear_kernel(3, 3, kernel))
        y = conv(ember.from_numpy(x)).numpy()
    ref = torch.nn.functional.interpolate(torch.from_numpy(x), scale_factor=stride, mode="bilinear",
                                          align_corners=False).numpy()
    assert y.shape == ref.shape
    m = stride // 2  # the transposed conv zero-pads; interpolate replicates the border
    np.testing.assert_allclose(y[..., m:-m, m:-m], ref[..., m:-m, m:-m], atol=1e-5)


def test_fcn_shape_as_printed_in_the_book_and_its_layers():
    net = fcn_resnet18(num_classes=21).eval()
    with ember.no_grad():
        assert net(ember.zeros(1, 3, 320, 480)).shape == (1, 21, 320, 480)
    names = [n for n, _ in net.named_children()]
    # as in the book's torch code, the Sequential of the backbone's children numbers them
    assert names == [str(i) for i in range(8)] + ["final_conv", "transpose_conv"]
    np.testing.assert_array_equal(net.transpose_conv.weight.detach().numpy(), bilinear_kernel(21, 21, 64).numpy())


def test_fcn_gradients_equal_torch_on_its_head():
    """The head (1x1 conv + bilinear transposed conv) and the pixel-wise loss against torch."""
    rng = np.random.default_rng(2)
    feats = rng.standard_normal((2, 512, 2, 2)).astype(np.float32)
    target = rng.integers(0, 4, (2, 64, 64))
    net = fcn_resnet18(4)
    head = ember.nn.Sequential(net.final_conv, net.transpose_conv)
    ref = tnn.Sequential(tnn.Conv2d(512, 4, 1), tnn.ConvTranspose2d(4, 4, 64, stride=32, padding=16))
    ref.load_state_dict({k: _t(v) for k, v in head.state_dict().items()})
    loss = F.cross_entropy(head(ember.from_numpy(feats)), ember.from_numpy(target))
    ref_loss = tnn.functional.cross_entropy(ref(torch.from_numpy(feats)), torch.from_numpy(target))
    assert loss.item() == pytest.approx(ref_loss.item(), rel=1e-5)
    loss.backward()
    ref_loss.backward()
    for p, q in zip(head.parameters(), ref.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-3, atol=1e-6)


# ---------------------------------------------------------------- style-transfer losses

def _torch_gram(X):
    c, n = X.shape[1], X.numel() // X.shape[1]
    X = X.reshape((c, n))
    return torch.matmul(X, X.T) / (c * n)


def test_gram_style_content_and_tv_losses_equal_torch_with_gradients():
    rng = np.random.default_rng(3)
    y, target, img = (rng.standard_normal(s).astype(np.float32) for s in ((1, 5, 6, 7), (1, 5, 6, 7), (1, 3, 8, 9)))
    ey, eimg = ember.tensor(y, requires_grad=True), ember.tensor(img, requires_grad=True)
    ty, timg = torch.tensor(y, requires_grad=True), torch.tensor(img, requires_grad=True)
    np.testing.assert_allclose(gram(ey).detach().numpy(), _torch_gram(ty).detach().numpy(), rtol=1e-5, atol=1e-7)
    g_target = _torch_gram(torch.from_numpy(target))
    losses = [content_loss(ey, ember.from_numpy(target)), style_loss(ey, ember.from_numpy(g_target.numpy())),
              tv_loss(eimg)]
    refs = [torch.square(ty - torch.from_numpy(target)).mean(), torch.square(_torch_gram(ty) - g_target).mean(),
            0.5 * (torch.abs(timg[:, :, 1:, :] - timg[:, :, :-1, :]).mean()
                   + torch.abs(timg[:, :, :, 1:] - timg[:, :, :, :-1]).mean())]
    for loss, ref in zip(losses, refs):
        assert loss.item() == pytest.approx(ref.item(), rel=1e-5)
    sum(losses).backward()
    sum(refs).backward()
    np.testing.assert_allclose(ey.grad.numpy(), ty.grad.numpy(), rtol=1e-4, atol=1e-8)
    np.testing.assert_allclose(eimg.grad.numpy(), timg.grad.numpy(), rtol=1e-4, atol=1e-8)
    assert ey.grad.dtype == ember.float32


def test_style_targets_are_detached():
    y = ember.ones(1, 2, 3, 3, requires_grad=True)
    target = ember.zeros(1, 2, 3, 3, requires_grad=True)
    content_loss(y, target).backward()
    assert target.grad is None and y.grad is not None


def test_preprocess_postprocess_round_trip_and_feature_layers():
    img = np.random.default_rng(4).integers(0, 256, (32, 40, 3)).astype(np.uint8)
    x = preprocess(img)
    assert x.shape == (1, 3, 32, 40)
    np.testing.assert_array_equal(postprocess(x), img)
    net = scale_random_features(vgg_feature_net(vgg19_features()), x)
    assert len(net) == 29 and not any(p.requires_grad for p in net.parameters())
    contents, styles = extract_features(x, net)
    assert [s.shape[1] for s in styles] == [64, 128, 256, 512, 512] and contents[0].shape == (1, 512, 4, 5)
    with ember.no_grad():  # each rescaled conv gives mean square 1 on the image it was scaled on
        h = x
        for m in net:
            h = m(h)
            if isinstance(m, ember.nn.Conv2d):
                assert float((h * h).mean()) == pytest.approx(1.0, rel=1e-3)
