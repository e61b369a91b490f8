"""d2l's anchor helpers (ember.vision.detection) against the values printed in d2l 1.0, section 14.4."""
import numpy as np
import pytest

import ember
from ember.vision import detection as D


def test_multibox_prior_shape_and_book_anchor():
    y = D.multibox_prior(ember.zeros(1, 3, 561, 728), sizes=[0.75, 0.5, 0.25], ratios=[1, 2, 0.5])
    assert tuple(y.shape) == (1, 2042040, 4)
    boxes = y.reshape(561, 728, 5, 4)
    # the book prints boxes[250, 250, 0, :] with two decimals: tensor([0.06, 0.07, 0.63, 0.82])
    np.testing.assert_allclose(boxes[250, 250, 0].numpy(), [0.06, 0.07, 0.63, 0.82], atol=0.006)
    # from the definition: centre ((j+.5)/W, (i+.5)/H), width s*sqrt(r)*H/W, height s/sqrt(r)
    cx, cy = 250.5 / 728, 250.5 / 561
    w, h = 0.75 * np.sqrt(2) * 561 / 728, 0.75 / np.sqrt(2)  # anchor 3 pairs sizes[0] with ratios[1]
    np.testing.assert_allclose(boxes[250, 250, 3].numpy(), [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2],
                               rtol=1e-5)


def test_corner_center_round_trip():
    b = ember.tensor([[60., 45., 378., 516.], [400., 112., 655., 493.]])  # the book's dog and cat boxes
    c = D.box_corner_to_center(b)
    np.testing.assert_allclose(c.numpy()[0], [219, 280.5, 318, 471])
    assert bool((D.box_center_to_corner(c) == b).all())


GT = [[0, 0.1, 0.08, 0.52, 0.92], [1, 0.55, 0.2, 0.9, 0.88]]
ANCHORS = [[0, 0.1, 0.2, 0.3], [0.15, 0.2, 0.4, 0.4], [0.63, 0.05, 0.88, 0.98], [0.66, 0.45, 0.8, 0.8],
           [0.57, 0.3, 0.92, 0.9]]


def test_multibox_target_book_values():
    offset, mask, cls = D.multibox_target(ember.tensor(ANCHORS).unsqueeze(0), ember.tensor(GT).unsqueeze(0))
    assert cls.tolist() == [[0, 1, 2, 0, 2]]
    assert mask.tolist() == [[0.] * 4 + [1.] * 8 + [0.] * 4 + [1.] * 4]
    book = [-0.00e+00, -0.00e+00, -0.00e+00, -0.00e+00, 1.40e+00, 1.00e+01, 2.59e+00, 7.18e+00, -1.20e+00,
            2.69e-01, 1.68e+00, -1.57e+00, -0.00e+00, -0.00e+00, -0.00e+00, -0.00e+00, -5.71e-01, -1.00e+00,
            4.17e-06, 6.26e-01]
    np.testing.assert_allclose(offset.numpy()[0], book, rtol=5e-3, atol=1e-8)


def test_assign_anchor_to_bbox_and_offsets_invert():
    got = D.assign_anchor_to_bbox(ember.tensor(GT)[:, 1:], ember.tensor(ANCHORS))
    assert got.tolist() == [-1, 0, 1, -1, 1]
    a = ember.tensor(ANCHORS)
    b = ember.tensor([[0.1, 0.1, 0.3, 0.4]] * 5)
    np.testing.assert_allclose(D.offset_inverse(a, D.offset_boxes(a, b, eps=0)).numpy(), b.numpy(), atol=1e-6)


ANCHORS2 = [[0.1, 0.08, 0.52, 0.92], [0.08, 0.2, 0.56, 0.95], [0.15, 0.3, 0.62, 0.91], [0.55, 0.2, 0.9, 0.88]]
PROBS = [[0] * 4, [0.9, 0.8, 0.7, 0.1], [0.1, 0.2, 0.3, 0.9]]
BOOK_DETECTION = [[0.00, 0.90, 0.10, 0.08, 0.52, 0.92], [1.00, 0.90, 0.55, 0.20, 0.90, 0.88],
                  [-1.00, 0.80, 0.08, 0.20, 0.56, 0.95], [-1.00, 0.70, 0.15, 0.30, 0.62, 0.91]]


@pytest.mark.parametrize("class_wise", [True, False])
def test_multibox_detection_book_values(class_wise):
    out = D.multibox_detection(ember.tensor(PROBS).unsqueeze(0), ember.zeros(1, 16),
                               ember.tensor(ANCHORS2).unsqueeze(0), nms_threshold=0.5, class_wise=class_wise)
    assert tuple(out.shape) == (1, 4, 6)
    np.testing.assert_allclose(out.numpy()[0], BOOK_DETECTION, atol=1e-6)


def test_multibox_detection_class_wise_keeps_overlapping_other_class():
    anchors = ember.tensor([[0.1, 0.1, 0.5, 0.5], [0.12, 0.1, 0.5, 0.52]]).unsqueeze(0)
    probs = ember.tensor([[0.0, 0.0], [0.9, 0.1], [0.1, 0.8]]).unsqueeze(0)  # a dog and a cat on one spot
    wise = D.multibox_detection(probs, ember.zeros(1, 8), anchors, class_wise=True)
    book = D.multibox_detection(probs, ember.zeros(1, 8), anchors, class_wise=False)
    assert wise.numpy()[0, :, 0].tolist() == [0.0, 1.0]
    assert book.numpy()[0, :, 0].tolist() == [0.0, -1.0]
    assert D.nms(anchors[0], probs[0, 1], 0.5).tolist() == [0]
