"""ember.vision.ops box formulas against torchvision's formulas re-derived with torch ops; nms and
batched_nms against a greedy NMS written from its definition; sigmoid_focal_loss against torch."""
import numpy as np
import pytest

import ember
from ember.vision import ops

torch = pytest.importorskip("torch", reason="torch is the oracle for the box formulas")


def _boxes(rng, n, scale=10.0):
    xy = rng.random((n, 2)) * scale
    wh = rng.random((n, 2)) * scale / 2 + 0.1
    return np.concatenate([xy, xy + wh], axis=1).astype(np.float32)


# torchvision's formulas, written again with torch ops
def t_area(b):
    return (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])


def t_inter_union(b1, b2):
    lt = torch.max(b1[:, None, :2], b2[:, :2])
    rb = torch.min(b1[:, None, 2:], b2[:, 2:])
    wh = (rb - lt).clamp(min=0)
    inter = wh[..., 0] * wh[..., 1]
    return inter, t_area(b1)[:, None] + t_area(b2) - inter


def t_giou(b1, b2):
    inter, union = t_inter_union(b1, b2)
    lt = torch.min(b1[:, None, :2], b2[:, :2])
    rb = torch.max(b1[:, None, 2:], b2[:, 2:])
    wh = (rb - lt).clamp(min=0)
    area = wh[..., 0] * wh[..., 1]
    return inter / union - (area - union) / area


def test_area_iou_giou_match_torch_values_and_grads():
    rng = np.random.default_rng(0)
    a = _boxes(rng, 6, scale=2)
    b = np.concatenate([_boxes(rng, 3, scale=2), a[:4] + 0.3])
    ea, eb = ember.tensor(a, requires_grad=True), ember.tensor(b, requires_grad=True)
    ta, tb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    np.testing.assert_allclose(ops.box_area(ember.tensor(a)).numpy(), t_area(torch.tensor(a)).numpy(), rtol=1e-6)
    inter, union = t_inter_union(ta, tb)
    iou = (inter / union).detach().numpy()
    assert (iou > 0).sum() >= 5
    np.testing.assert_allclose(ops.box_iou(ea, eb).detach().numpy(), iou, rtol=1e-5)
    got, want = ops.generalized_box_iou(ea, eb), t_giou(ta, tb)
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-5, atol=1e-6)
    got.sum().backward()
    want.sum().backward()
    np.testing.assert_allclose(ea.grad.numpy(), ta.grad.numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(eb.grad.numpy(), tb.grad.numpy(), rtol=1e-4, atol=1e-5)


def test_iou_hand_values_and_integer_boxes():
    b = ember.tensor([[0, 0, 2, 2], [1, 1, 3, 3], [4, 4, 5, 5]])
    iou = ops.box_iou(b, b)
    assert iou.dtype == ember.float32
    np.testing.assert_allclose(iou.numpy()[0], [1.0, 1 / 7, 0.0], rtol=1e-6)
    assert ops.box_area(b).dtype == ember.int64
    # GIoU of the disjoint pair: 0 - (25 - 5) / 25
    np.testing.assert_allclose(ops.generalized_box_iou(b.float(), b.float()).numpy()[0, 2], -20 / 25, rtol=1e-6)


def test_distance_box_iou_matches_definition():
    rng = np.random.default_rng(1)
    a, b = _boxes(rng, 3).astype(np.float64), _boxes(rng, 4).astype(np.float64)
    got = ops.distance_box_iou(ember.tensor(a), ember.tensor(b)).numpy()
    inter, union = t_inter_union(torch.tensor(a), torch.tensor(b))
    ca, cb = (a[:, :2] + a[:, 2:]) / 2, (b[:, :2] + b[:, 2:]) / 2
    lt, rb = np.minimum(a[:, None, :2], b[:, :2]), np.maximum(a[:, None, 2:], b[:, 2:])
    diag = ((rb - lt) ** 2).sum(-1) + 1e-7
    want = (inter / union).numpy() - ((ca[:, None] - cb) ** 2).sum(-1) / diag
    np.testing.assert_allclose(got, want, rtol=1e-6)


@pytest.mark.parametrize("fmt", ["xywh", "cxcywh"])
def test_box_convert_round_trip_and_formulas(fmt):
    rng = np.random.default_rng(2)
    a = _boxes(rng, 4)
    t = torch.tensor(a)
    x1, y1, x2, y2 = t.unbind(-1)
    want = (torch.stack([x1, y1, x2 - x1, y2 - y1], -1) if fmt == "xywh"
            else torch.stack([(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1], -1))
    got = ops.box_convert(ember.tensor(a), "xyxy", fmt)
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6)
    np.testing.assert_allclose(ops.box_convert(got, fmt, "xyxy").numpy(), a, rtol=1e-5, atol=1e-6)
    other = "cxcywh" if fmt == "xywh" else "xywh"
    np.testing.assert_allclose(ops.box_convert(got, fmt, other).numpy(),
                               ops.box_convert(ember.tensor(a), "xyxy", other).numpy(), rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="Unsupported Bounding Box Conversions"):
        ops.box_convert(got, fmt, "xyzw")


def test_clip_and_remove_small():
    b = ember.tensor([[-1., 2., 12., 30.], [3., -4., 5., 6.], [1., 1., 1.5, 9.]])
    clipped = ops.clip_boxes_to_image(b, (20, 10))
    np.testing.assert_array_equal(clipped.numpy(), [[0, 2, 10, 20], [3, 0, 5, 6], [1, 1, 1.5, 9]])
    keep = ops.remove_small_boxes(b, 1.0)
    assert keep.dtype == ember.int64 and keep.tolist() == [0, 1]
    with pytest.raises(ValueError, match="box_iou"):
        ops.box_iou(ember.zeros(3, 5), b)


def ref_nms(boxes, scores, thr):
    """Greedy NMS from its definition, one box at a time in Python."""
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    keep = []
    for i in order:
        ok = True
        for j in keep:
            x1, y1 = max(boxes[i][0], boxes[j][0]), max(boxes[i][1], boxes[j][1])
            x2, y2 = min(boxes[i][2], boxes[j][2]), min(boxes[i][3], boxes[j][3])
            inter = max(x2 - x1, 0) * max(y2 - y1, 0)
            ai = (boxes[i][2] - boxes[i][0]) * (boxes[i][3] - boxes[i][1])
            aj = (boxes[j][2] - boxes[j][0]) * (boxes[j][3] - boxes[j][1])
            if inter / (ai + aj - inter) > thr:
                ok = False
                break
        if ok:
            keep.append(i)
    return keep


@pytest.mark.parametrize("thr", [0.2, 0.5, 0.8])
def test_nms_random_matches_reference(thr):
    rng = np.random.default_rng(3)
    b, s = _boxes(rng, 60, scale=20), rng.permutation(60).astype(np.float32) / 60
    keep = ops.nms(ember.tensor(b), ember.tensor(s), thr)
    assert keep.dtype == ember.int64
    assert keep.tolist() == ref_nms(b.astype(np.float64).tolist(), s.tolist(), thr)


def test_nms_hand_case_and_empty():
    b = ember.tensor([[0., 0., 10., 10.], [1., 1., 11., 11.], [20., 20., 30., 30.], [0., 0., 10., 9.]])
    s = ember.tensor([0.5, 0.9, 0.3, 0.8])
    # box 1 (0.9) suppresses 0 (IoU 81/119 = 0.681) and 3 (IoU 72/118 = 0.610); 2 survives
    assert ops.nms(b, s, 0.5).tolist() == [1, 2]
    assert ops.nms(b, s, 0.65).tolist() == [1, 3, 2]
    assert ops.nms(ember.zeros(0, 4), ember.zeros(0), 0.5).tolist() == []
    with pytest.raises(RuntimeError, match="scores"):
        ops.nms(b, s[:2], 0.5)


def test_batched_nms_is_per_class():
    rng = np.random.default_rng(4)
    b, s = _boxes(rng, 40, scale=10), rng.random(40).astype(np.float32)
    c = rng.integers(0, 3, 40)
    keep = ops.batched_nms(ember.tensor(b), ember.tensor(s), ember.tensor(c), 0.4).tolist()
    want = []
    for k in range(3):
        idx = np.nonzero(c == k)[0]
        want += [int(idx[i]) for i in ref_nms(b[idx].astype(np.float64).tolist(), s[idx].tolist(), 0.4)]
    assert keep == sorted(want, key=lambda i: -s[i])


@pytest.mark.parametrize("alpha,gamma,reduction", [(0.25, 2, "none"), (-1, 0, "mean"), (0.5, 1.5, "sum")])
def test_sigmoid_focal_loss_matches_torch(alpha, gamma, reduction):
    rng = np.random.default_rng(5)
    x = rng.standard_normal((4, 3)).astype(np.float32)
    y = (rng.random((4, 3)) > 0.5).astype(np.float32)
    ex, tx = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ty = torch.tensor(y)
    p = torch.sigmoid(tx)
    ce = torch.nn.functional.binary_cross_entropy_with_logits(tx, ty, reduction="none")
    p_t = p * ty + (1 - p) * (1 - ty)
    want = ce * (1 - p_t) ** gamma
    if alpha >= 0:
        want = (alpha * ty + (1 - alpha) * (1 - ty)) * want
    want = {"none": want, "mean": want.mean(), "sum": want.sum()}[reduction]
    got = ops.sigmoid_focal_loss(ex, ember.tensor(y), alpha, gamma, reduction)
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-5, atol=1e-7)
    got.sum().backward()
    want.sum().backward()
    np.testing.assert_allclose(ex.grad.numpy(), tx.grad.numpy(), rtol=1e-4, atol=1e-7)
    with pytest.raises(ValueError, match="Invalid Value for arg 'reduction'"):
        ops.sigmoid_focal_loss(ex, ember.tensor(y), reduction="avg")


def test_masks_to_boxes_matches_definition():
    m = np.zeros((3, 6, 8), bool)
    m[0, 1:4, 2:7] = True
    m[1, 5, 0] = True
    got = ops.masks_to_boxes(ember.tensor(m))
    assert got.dtype == ember.float32
    np.testing.assert_array_equal(got.numpy(), [[2, 1, 6, 3], [0, 5, 0, 5], [0, 0, 0, 0]])
