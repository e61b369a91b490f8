"""Random transforms.v2: seeded repeatability on ember's generator, distributions of the drawn parameters,
and invariants of joint transforms (boxes and masks follow the image through flips, crops and warps)."""
import numpy as np
import pytest

import ember
from ember.vision import tv_tensors
from ember.vision.transforms import v2


def scene(h=24, w=32, box=(5, 4, 13, 10)):
    """An image with one bright rectangle, its box and its mask."""
    x1, y1, x2, y2 = box
    a = np.zeros((3, h, w), np.uint8)
    a[:, y1:y2, x1:x2] = 200
    m = np.zeros((h, w), np.uint8)
    m[y1:y2, x1:x2] = 1
    return (tv_tensors.Image(a), tv_tensors.BoundingBoxes([box], format="XYXY", canvas_size=(h, w)),
            tv_tensors.Mask(m))


def bright_box(a):
    ys, xs = np.nonzero(a[0] > 100)
    return [xs.min(), ys.min(), xs.max() + 1, ys.max() + 1]


@pytest.mark.parametrize("t", [v2.RandomHorizontalFlip(1.0), v2.RandomVerticalFlip(1.0), v2.CenterCrop(20),
                               v2.RandomCrop((16, 20)), v2.Pad((3, 1, 2, 0)), v2.Resize((48, 64)),
                               v2.RandomRotation((90, 90), expand=True), v2.RandomRotation((-90, -90)),
                               v2.RandomZoomOut(p=1.0, side_range=(1.5, 2.5))])
def test_boxes_and_masks_follow_the_image(t):
    ember.manual_seed(0)
    img, boxes, mask = scene()
    out = t({"image": img, "boxes": boxes, "masks": mask, "label": 3})
    assert out["label"] == 3 and isinstance(out["boxes"], tv_tensors.BoundingBoxes)
    a = out["image"].numpy()
    assert out["boxes"].canvas_size == a.shape[-2:]
    np.testing.assert_allclose(out["boxes"].numpy()[0], bright_box(a), atol=0.5)
    np.testing.assert_array_equal(out["masks"].numpy() > 0, a[0] > 100)


def test_rotation_by_odd_angle_encloses_the_object():
    ember.manual_seed(1)
    img, boxes, mask = scene()
    out_img, out_boxes, out_mask = v2.RandomAffine(degrees=(25, 25), scale=(0.9, 0.9))(img, boxes, mask)
    x1, y1, x2, y2 = out_boxes.numpy()[0]
    ys, xs = np.nonzero(out_mask.numpy())
    assert x1 <= xs.min() and y1 <= ys.min() and xs.max() + 1 <= x2 + 0.5 and ys.max() + 1 <= y2 + 0.5


def test_seeded_runs_repeat_and_differ_across_seeds():
    pipeline = v2.Compose([v2.RandomResizedCrop(16), v2.RandomHorizontalFlip(), v2.ColorJitter(0.4, 0.4, 0.4, 0.1),
                           v2.RandomRotation(20), v2.RandomErasing(p=1.0, value="random")])
    img = tv_tensors.Image(ember.rand(3, 24, 32))
    ember.manual_seed(5)
    a = pipeline(img).numpy()
    ember.manual_seed(5)
    b = pipeline(img).numpy()
    ember.manual_seed(6)
    c = pipeline(img).numpy()
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_flip_probability_and_random_apply():
    ember.manual_seed(0)
    x = ember.arange(4.).reshape(1, 1, 4)
    flips = sum(v2.RandomHorizontalFlip(0.3)(x)[0, 0, 0].item() == 3.0 for _ in range(600))
    assert abs(flips / 600 - 0.3) < 0.06  # 4.5 standard deviations
    applied = sum(v2.RandomApply([v2.Lambda(lambda t: t + 1)], p=0.8)(x)[0, 0, 0].item() == 1.0 for _ in range(300))
    assert abs(applied / 300 - 0.8) < 0.08
    picks = [v2.RandomChoice([v2.Lambda(lambda t: 0), v2.Lambda(lambda t: 1)], p=[1, 3])(x) for _ in range(400)]
    assert abs(np.mean(picks) - 0.75) < 0.08


def test_random_resized_crop_area_and_ratio():
    ember.manual_seed(0)
    t = v2.RandomResizedCrop(8, scale=(0.25, 0.5), ratio=(0.5, 2.0))
    for _ in range(50):
        top, left, h, w = t.make_params([ember.zeros(1, 40, 60)])["crop"]
        assert 0.2 <= h * w / 2400 <= 0.55 and 0.4 <= w / h <= 2.5
        assert 0 <= top <= 40 - h and 0 <= left <= 60 - w
    full = v2.RandomResizedCrop(8, scale=(1.0, 1.0), ratio=(1.5, 1.5))
    assert full.make_params([ember.zeros(1, 40, 60)])["crop"] == (0, 0, 40, 60)


def test_random_erasing_region_and_value():
    ember.manual_seed(0)
    for _ in range(20):
        out = v2.RandomErasing(p=1.0, scale=(0.1, 0.2), ratio=(0.5, 2.0), value=(1.0, 2.0, 3.0))(ember.zeros(3, 20, 20))
        erased = out.numpy()[0] != 0
        assert 0.08 * 400 <= erased.sum() <= 0.22 * 400
        ys, xs = np.nonzero(erased)
        assert erased[ys.min():ys.max() + 1, xs.min():xs.max() + 1].all()  # one rectangle
        np.testing.assert_array_equal(out.numpy()[:, ys[0], xs[0]], [1.0, 2.0, 3.0])
    assert v2.RandomErasing(p=0.0)(ember.ones(1, 4, 4)).sum().item() == 16


@pytest.mark.parametrize("ratio,mode", [(0.5, 1), (0.75, 1), (0.5, 0)])
def test_gridmask_keeps_the_papers_fraction(ratio, mode):
    ember.manual_seed(0)
    img = ember.ones(3, 32, 48)
    out = v2.GridMask(d=(8, 8), ratio=ratio, mode=mode)(img).numpy()
    dropped = (1 - ratio) ** 2
    assert out[0].mean() == pytest.approx(1 - dropped if mode == 1 else dropped)
    assert (out[0] == out[2]).all()
    rotated = v2.GridMask(d=(8, 16), ratio=0.5, rotate=45)(img).numpy()
    assert 0.6 < rotated.mean() < 0.9


def test_mixup_mixes_images_and_labels_with_one_lambda():
    ember.manual_seed(0)
    x = ember.rand(5, 3, 4, 4)
    y = ember.tensor([0, 1, 2, 3, 1])
    mixed, soft = v2.MixUp(alpha=0.4, num_classes=4)(x, y)
    lam = soft.numpy()[0, 0]  # sample 0 is class 0 and its partner (sample 4) is class 1
    np.testing.assert_allclose(mixed.numpy(), lam * x.numpy() + (1 - lam) * np.roll(x.numpy(), 1, 0), rtol=1e-5)
    np.testing.assert_allclose(soft.numpy().sum(1), 1.0, rtol=1e-6)
    lams = [v2.MixUp(alpha=1.0, num_classes=4)(x, y)[1].numpy()[0, 0] for _ in range(800)]
    assert abs(np.mean(lams) - 0.5) < 0.04 and abs(np.var(lams) - 1 / 12) < 0.015  # Beta(1, 1) = U(0, 1)
    with pytest.raises(ValueError, match="num_classes"):
        v2.MixUp()(x, y)


def test_cutmix_pastes_one_box_and_weights_labels_by_area():
    ember.manual_seed(3)
    x = ember.tensor(np.arange(4, dtype=np.float32).reshape(4, 1, 1, 1) * ember.ones(4, 2, 10, 12).numpy())
    y = ember.tensor([0, 1, 2, 3])
    for _ in range(10):
        out, soft = v2.CutMix(alpha=1.0, num_classes=4)(x, y)
        pasted = out.numpy()[1, 0] == 0.0  # sample 1 receives pixels from sample 0
        share = pasted.mean()
        np.testing.assert_allclose(soft.numpy()[1], [share, 1 - share, 0, 0], atol=1e-6)
        if pasted.any():
            ys, xs = np.nonzero(pasted)
            assert pasted[ys.min():ys.max() + 1, xs.min():xs.max() + 1].all()


def test_color_jitter_ranges_and_errors():
    assert v2.ColorJitter(brightness=0.5).brightness == (0.5, 1.5)
    assert v2.ColorJitter(hue=0.2).hue == (-0.2, 0.2)
    assert v2.ColorJitter(contrast=0).contrast is None
    with pytest.raises(ValueError, match="hue"):
        v2.ColorJitter(hue=0.7)
    ember.manual_seed(0)
    out = v2.ColorJitter(brightness=(2.0, 2.0))(ember.full((3, 2, 2), 0.25))
    np.testing.assert_allclose(out.numpy(), 0.5)


def test_sanitize_drops_degenerate_boxes_with_their_labels():
    boxes = tv_tensors.BoundingBoxes([[0, 0, 5, 5], [3, 3, 3.5, 9], [10, 10, 12, 12]], format="XYXY",
                                     canvas_size=(8, 8))
    out = v2.SanitizeBoundingBoxes()({"boxes": boxes, "labels": ember.tensor([1, 2, 3])})
    assert out["boxes"].numpy().tolist() == [[0, 0, 5, 5]] and out["labels"].tolist() == [1]
    cxcy = tv_tensors.BoundingBoxes([[4, 4, 2, 2]], format="CXCYWH", canvas_size=(8, 8))
    flipped = v2.RandomHorizontalFlip(1.0)(cxcy)
    assert flipped.format == tv_tensors.BoundingBoxFormat.CXCYWH and flipped.numpy().tolist() == [[4, 4, 2, 2]]


def test_random_iou_crop_keeps_an_overlapping_object():
    boxes = tv_tensors.BoundingBoxes([[2, 2, 12, 10], [20, 14, 30, 22], [25, 2, 31, 6]], format="XYXY",
                                     canvas_size=(24, 32))
    img = tv_tensors.Image(ember.zeros(3, 24, 32))
    t = v2.RandomIoUCrop(sampler_options=[0.5])
    for seed in range(8):
        ember.manual_seed(seed)
        p = t.make_params([img, boxes])
        top, left, h, w = p["crop"]
        b = boxes.numpy().astype(float)
        cx, cy = (b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2
        inside = (left < cx) & (cx < left + w) & (top < cy) & (cy < top + h)
        np.testing.assert_array_equal(p["inside"], inside)
        iw = np.clip(np.minimum(b[:, 2], left + w) - np.maximum(b[:, 0], left), 0, None)
        ih = np.clip(np.minimum(b[:, 3], top + h) - np.maximum(b[:, 1], top), 0, None)
        iou = iw * ih / ((b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1]) + w * h - iw * ih)
        assert iou[inside].max() >= 0.5 and 0.5 <= w / h <= 2.0
        ember.manual_seed(seed)
        out_img, out_boxes = t(img, boxes)
        assert out_img.shape == (3, h, w) and out_boxes.canvas_size == (h, w)
        want = np.clip(b - [left, top, left, top], 0, [w, h, w, h]) * inside[:, None]
        np.testing.assert_allclose(out_boxes.numpy(), want)
    ember.manual_seed(0)
    same = v2.RandomIoUCrop(sampler_options=[1.0])(img, boxes)
    assert same[1].numpy().tolist() == boxes.numpy().tolist()
