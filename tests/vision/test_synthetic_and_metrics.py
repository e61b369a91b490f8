"""The generated recipe datasets (BananasDataset, ShapesSegmentation) and the recipe metrics (VOC AP / mAP
against a brute-force reference from the definition, confusion matrix, pixel accuracy and mean IoU against
scikit-learn)."""
from __future__ import annotations

import numpy as np
import pytest

from ember.vision.datasets import BananasDataset, ShapesSegmentation
from ember.vision.metrics import (average_precision, confusion_matrix, mean_average_precision, mean_iou,
                                  pixel_accuracy)


@pytest.fixture(scope="module")
def bananas():
    return BananasDataset(train=True, num_samples=24, image_size=48, seed=3)


def test_bananas_layout_as_the_book(bananas):
    img, label = bananas[0]
    assert len(bananas) == 24 and bananas.classes == ["banana"]
    assert img.shape == (3, 48, 48) and img.dtype == np.float32 and 0 <= img.min() and img.max() <= 1
    assert label.shape == (1, 5) and label.dtype == np.float32 and label[0, 0] == 0
    assert len(BananasDataset(train=False, image_size=16)) == 100  # the book's 1000 / 100 split sizes


def test_banana_boxes_are_the_tight_boxes_of_the_pasted_pixels(bananas):
    from ember.vision.datasets.synthetic import background, banana_mask

    for i, (img, label) in enumerate(bananas):
        rng = np.random.default_rng([3, 1, i])  # (seed, train split, index): the same draws, in order
        bg = background(rng, 48)
        mask = banana_mask(rng, 48)
        changed = np.abs(img - bg).max(0) > 0
        np.testing.assert_array_equal(changed, mask)  # the object is pasted exactly on its mask
        rows, cols = np.nonzero(mask.any(1))[0], np.nonzero(mask.any(0))[0]
        expected = np.array([cols[0], rows[0], cols[-1] + 1, rows[-1] + 1]) / 48
        np.testing.assert_allclose(label[0, 1:], expected, atol=1e-7)
        assert 0 <= label[0, 1:].min() and label[0, 1:].max() <= 1
        assert (img[0] - img[2])[mask].mean() > 0.3  # yellow: red well above blue


def test_generated_sets_repeat_per_seed_and_split():
    a = BananasDataset(True, 5, 32, seed=1)
    b = BananasDataset(True, 8, 32, seed=1)
    np.testing.assert_array_equal(a.data, b.data[:5])  # a sample depends on (seed, split, index) only
    np.testing.assert_array_equal(a.targets, b.targets[:5])
    assert not np.array_equal(a.data, BananasDataset(False, 5, 32, seed=1).data)
    assert not np.array_equal(a.data, BananasDataset(True, 5, 32, seed=2).data)


def test_shapes_masks_match_the_painted_pixels():
    ds = ShapesSegmentation(train=False, num_samples=12, image_size=40, seed=0)
    img, mask = ds[3]
    assert img.shape == (3, 40, 40) and mask.shape == (40, 40) and mask.dtype == np.int64
    assert ds.classes == ["background", "disc", "square", "triangle"]
    assert set(np.unique(ds.targets)) <= {0, 1, 2, 3} and (ds.targets > 0).any(axis=(1, 2)).all()
    for img, mask in ds:  # a shape is one flat colour: its pixels have (almost) no spread within a connected class
        for c in np.unique(mask[mask > 0]):
            pixels = img[:, mask == c]
            assert pixels.shape[1] > 0
    counts = np.bincount(ds.targets.ravel(), minlength=4)
    assert counts[0] > counts[1:].sum() / 4 and (counts[1:] > 0).all()


def test_generated_sets_transforms_and_errors():
    ds = ShapesSegmentation(True, 2, 32, transform=lambda x: x * 2, target_transform=lambda m: m + 10)
    img, mask = ds[0]
    np.testing.assert_array_equal(img, ds.data[0] * 2)
    assert mask.min() >= 10
    assert "ShapesSegmentation(train, 2 images of 32x32)" == repr(ds)
    assert len(BananasDataset(True, 0, 32)) == 0
    with pytest.raises(ValueError, match="BananasDataset: image_size must be >= 8, got 4"):
        BananasDataset(image_size=4)
    with pytest.raises(ValueError, match="ShapesSegmentation: num_samples must be >= 0, got -1"):
        ShapesSegmentation(num_samples=-1)


# ---------------------------------------------------------------- metrics

def _ap_reference(boxes, scores, gts, thr):
    """AP from the definition: greedy matching by score, then the area under the interpolated PR curve."""
    dets = sorted([(s, i, b) for i in range(len(boxes)) for b, s in zip(boxes[i], scores[i])], key=lambda d: -d[0])
    used = [set() for _ in gts]
    hits = []
    for _, i, b in dets:
        best, best_j = 0.0, None
        for j, g in enumerate(gts[i]):
            iw = max(0.0, min(b[2], g[2]) - max(b[0], g[0]))
            ih = max(0.0, min(b[3], g[3]) - max(b[1], g[1]))
            inter = iw * ih
            iou = inter / ((b[2] - b[0]) * (b[3] - b[1]) + (g[2] - g[0]) * (g[3] - g[1]) - inter)
            if iou > best:
                best, best_j = iou, j
        ok = best >= thr and best_j not in used[i]
        if ok:
            used[i].add(best_j)
        hits.append(ok)
    n = sum(len(g) for g in gts)
    prec = [sum(hits[:k + 1]) / (k + 1) for k in range(len(hits))]
    rec = [sum(hits[:k + 1]) / n for k in range(len(hits))]
    ap, prev = 0.0, 0.0
    for k in range(len(hits)):
        ap += (rec[k] - prev) * max(prec[k:])
        prev = rec[k]
    return ap


def test_average_precision_by_hand():
    gt = [np.array([[0, 0, 10, 10]]), np.array([[0, 0, 10, 10], [20, 20, 30, 30]])]
    boxes = [np.array([[0, 0, 10, 10]]), np.array([[50, 50, 60, 60], [20, 20, 30, 31]])]
    scores = [np.array([0.9]), np.array([0.8, 0.7])]
    # ranks: TP (p 1, r 1/3), FP (p 1/2), TP (p 2/3, r 2/3): AP = 1/3 * 1 + 1/3 * 2/3
    assert average_precision(boxes, scores, gt) == pytest.approx(1 / 3 + 2 / 9)
    # a duplicate of a matched box is a false positive
    assert average_precision([np.array([[0, 0, 10, 10]] * 2)], [np.array([0.9, 0.8])], gt[:1]) == 1.0
    assert average_precision([np.zeros((0, 4))], [np.zeros(0)], gt[:1]) == 0.0


def test_average_precision_equals_the_definition_on_random_detections():
    rng = np.random.default_rng(0)
    gts, boxes, scores = [], [], []
    for _ in range(6):
        g = rng.uniform(0, 50, (rng.integers(0, 4), 2))
        gts.append(np.concatenate([g, g + rng.uniform(5, 20, g.shape)], 1))
        b = rng.uniform(0, 50, (rng.integers(0, 6), 2))
        jitter = [np.concatenate([x[:2] + rng.normal(0, 2, 2), x[2:] + rng.normal(0, 2, 2)]) for x in gts[-1]]
        bs = np.concatenate([np.concatenate([b, b + rng.uniform(5, 20, b.shape)], 1), np.array(jitter).reshape(-1, 4)])
        boxes.append(bs)
        scores.append(rng.random(len(bs)))
    for thr in (0.3, 0.5, 0.7):
        assert average_precision(boxes, scores, gts, thr) == pytest.approx(_ap_reference(boxes, scores, gts, thr))


def test_mean_average_precision_over_classes_and_ignored_rows():
    labels = [np.array([[0, 0, 0, 10, 10], [1, 20, 20, 30, 30]])]
    dets = [np.array([[0, 0.9, 0, 0, 10, 10], [1, 0.8, 0, 0, 10, 10], [1, 0.7, 20, 20, 30, 30],
                      [-1, 0.99, 20, 20, 30, 30]])]
    assert mean_average_precision(dets, labels, num_classes=2) == pytest.approx((1.0 + 0.5) / 2)
    assert mean_average_precision(dets, labels, num_classes=3) == pytest.approx(0.75)  # class 2 has no truth
    with pytest.raises(ValueError, match="average_precision: .* one entry per image"):
        average_precision([np.zeros((0, 4))], [], [])


def test_segmentation_metrics_equal_scikit_learn():
    metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(1)
    t = rng.integers(0, 4, (3, 16, 16))
    p = np.where(rng.random(t.shape) < 0.6, t, rng.integers(0, 4, t.shape))
    p[p == 3] = 2  # class 3 never predicted
    np.testing.assert_array_equal(confusion_matrix(t, p, 4), metrics.confusion_matrix(t.ravel(), p.ravel(),
                                                                                      labels=range(4)))
    assert pixel_accuracy(t, p, 4) == pytest.approx(metrics.accuracy_score(t.ravel(), p.ravel()))
    assert mean_iou(t, p, 4) == pytest.approx(metrics.jaccard_score(t.ravel(), p.ravel(), average="macro"))
    # a class absent from both truth and prediction does not count
    t2, p2 = np.where(t == 1, 0, t), np.where(p == 1, 0, p)
    assert mean_iou(t2, p2, 4) == pytest.approx(metrics.jaccard_score(t2.ravel(), p2.ravel(), average="macro"))
    with pytest.raises(ValueError, match="confusion_matrix: target and pred need the same number of pixels"):
        confusion_matrix(t, p[0], 4)
