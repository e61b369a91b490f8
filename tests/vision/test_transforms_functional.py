"""transforms.functional: fixed-parameter kernels on images, masks and boxes; no random draws."""
import numpy as np
import pytest

import ember
from ember.vision import tv_tensors
from ember.vision.transforms import functional as F
from ember.vision.transforms import v2


def test_functionals_draw_no_random_numbers_and_match_transforms():
    img = ember.rand(3, 8, 10)
    ember.manual_seed(0)
    state = ember.get_rng_state()
    out = F.rotate(F.resize(F.hflip(img), [6, 12]), 90, expand=True)
    assert bool((ember.get_rng_state() == state).all())
    assert F.get_size(out) == [12, 6]
    ember.manual_seed(1)
    want = v2.RandomRotation((45, 45), fill=0)(img)
    np.testing.assert_array_equal(F.rotate(img, 45, fill=0).numpy(), want.numpy())
    np.testing.assert_array_equal(F.crop(img, 1, 2, 3, 4).numpy(), img.numpy()[:, 1:4, 2:6])
    np.testing.assert_array_equal(F.center_crop(img, [4, 4]).numpy(), img.numpy()[:, 2:6, 3:7])


def test_boxes_masks_and_format_conversion():
    boxes = tv_tensors.BoundingBoxes([[2, 1, 6, 5]], format="XYXY", canvas_size=(8, 10))
    np.testing.assert_allclose(F.resize(boxes, [16, 5]).numpy(), [[1, 2, 3, 10]])
    assert F.resize(boxes, [16, 5]).canvas_size == (16, 5)
    np.testing.assert_allclose(F.pad(boxes, [1, 2]).numpy(), [[3, 3, 7, 7]])
    xywh = F.convert_bounding_box_format(boxes, "XYWH")
    assert xywh.format == tv_tensors.BoundingBoxFormat.XYWH and xywh.numpy().tolist() == [[2, 1, 4, 4]]
    mask = tv_tensors.Mask(np.eye(4, dtype=np.uint8))
    assert isinstance(F.vflip(mask), tv_tensors.Mask)
    np.testing.assert_array_equal(F.vflip(mask).numpy(), np.eye(4)[::-1])
    assert F.adjust_brightness(mask, 2.0) is mask  # colour ops leave masks alone


def test_affine_fill_none_versus_zero_and_erase():
    img = ember.ones(1, 6, 6)
    no_fill = F.affine(img, 30, [0, 0], 1.0, 0, interpolation="bilinear").numpy()
    zero_fill = F.affine(img, 30, [0, 0], 1.0, 0, interpolation="bilinear", fill=0).numpy()
    edge = no_fill < 1
    # torchvision blends with the warped ones-mask when a fill is given: img * mask + fill * (1 - mask)
    np.testing.assert_allclose(zero_fill[edge], no_fill[edge] ** 2, atol=1e-6)
    erased = F.erase(img, 1, 2, 2, 3, 0.0).numpy()
    assert erased.sum() == 36 - 6 and (erased[0, 1:3, 2:5] == 0).all()
    with pytest.raises(TypeError, match="expected an image"):
        F.hflip("not an image")


def test_perspective_identity_and_corner_move():
    img = ember.rand(1, 6, 8)
    corners = [[0, 0], [7, 0], [7, 5], [0, 5]]
    np.testing.assert_allclose(F.perspective(img, corners, corners).numpy(), img.numpy(), atol=1e-5)
    boxes = tv_tensors.BoundingBoxes([[0, 0, 7, 5]], format="XYXY", canvas_size=(6, 8), dtype=ember.float32)
    moved = F.perspective(boxes, corners, [[1, 1], [6, 0], [7, 5], [0, 4]])
    np.testing.assert_allclose(moved.numpy(), [[0, 0, 7, 5]], atol=1e-4)  # enclosing box of the moved corners
