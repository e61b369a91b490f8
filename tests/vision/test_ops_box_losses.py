"""GIoU / DIoU / CIoU losses against torchvision's formulas written again with torch ops (values, grads)."""
import math

import numpy as np
import pytest

import ember
from ember.vision import ops

torch = pytest.importorskip("torch", reason="torch re-derives torchvision's losses")


def t_losses(b1, b2, eps=1e-7):
    x1, y1, x2, y2 = b1.unbind(-1)
    x1g, y1g, x2g, y2g = b2.unbind(-1)
    xk1, yk1, xk2, yk2 = torch.max(x1, x1g), torch.max(y1, y1g), torch.min(x2, x2g), torch.min(y2, y2g)
    mask = (yk2 > yk1) & (xk2 > xk1)
    inter = torch.zeros_like(x1)
    inter[mask] = (xk2[mask] - xk1[mask]) * (yk2[mask] - yk1[mask])
    union = (x2 - x1) * (y2 - y1) + (x2g - x1g) * (y2g - y1g) - inter
    iou = inter / (union + eps)
    xc1, yc1, xc2, yc2 = torch.min(x1, x1g), torch.min(y1, y1g), torch.max(x2, x2g), torch.max(y2, y2g)
    area_c = (xc2 - xc1) * (yc2 - yc1)
    giou = 1 - (iou - (area_c - union) / (area_c + eps))
    diag = (xc2 - xc1) ** 2 + (yc2 - yc1) ** 2 + eps
    cent = ((x2 + x1) / 2 - (x2g + x1g) / 2) ** 2 + ((y2 + y1) / 2 - (y2g + y1g) / 2) ** 2
    diou = 1 - iou + cent / diag
    v = (4 / math.pi ** 2) * (torch.atan((x2g - x1g) / (y2g - y1g)) - torch.atan((x2 - x1) / (y2 - y1))) ** 2
    with torch.no_grad():
        alpha = v / (1 - iou + v + eps)
    return {"generalized_box_iou_loss": giou, "distance_box_iou_loss": diou, "complete_box_iou_loss": diou + alpha * v}


@pytest.mark.parametrize("name", ["generalized_box_iou_loss", "distance_box_iou_loss", "complete_box_iou_loss"])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_iou_losses_match_torchvision_formulas(name, reduction):
    rng = np.random.default_rng(0)
    xy = rng.random((6, 2)) * 4
    a = np.concatenate([xy, xy + rng.random((6, 2)) * 3 + 0.2], 1)
    b = np.concatenate([xy + rng.standard_normal((6, 2)), xy + 2.5 + rng.random((6, 2))], 1)
    ea, ta = ember.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    got = getattr(ops, name)(ea, ember.tensor(b), reduction=reduction)
    want = t_losses(ta, torch.tensor(b))[name]
    want = {"none": want, "mean": want.mean(), "sum": want.sum()}[reduction]
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-10)
    got.sum().backward()
    want.sum().backward()
    np.testing.assert_allclose(ea.grad.numpy(), ta.grad.numpy(), rtol=1e-8, atol=1e-12)


def test_identical_boxes_and_empty_mean():
    b = ember.tensor([[1., 2., 4., 6.]])
    for name in ["generalized_box_iou_loss", "distance_box_iou_loss", "complete_box_iou_loss"]:
        assert getattr(ops, name)(b, b).item() == pytest.approx(0.0, abs=1e-6)
    assert ops.generalized_box_iou_loss(ember.zeros(0, 4), ember.zeros(0, 4), reduction="mean").item() == 0.0
    with pytest.raises(ValueError, match="reduction"):
        ops.complete_box_iou_loss(b, b, reduction="avg")
