"""make_grid / save_image against torchvision's algorithm written again with torch ops."""
import math

import numpy as np
import pytest

import ember
from ember.vision import io, utils

torch = pytest.importorskip("torch", reason="torch re-derives torchvision's make_grid")


def torch_make_grid(t, nrow=8, padding=2, normalize=False, value_range=None, scale_each=False, pad_value=0.0):
    if t.dim() == 4 and t.size(1) == 1:
        t = torch.cat((t, t, t), 1)
    if normalize:
        t = t.clone()

        def norm(img, lo, hi):
            img.clamp_(min=lo, max=hi)
            img.sub_(lo).div_(max(hi - lo, 1e-5))
        for img in (t if scale_each else [t]):
            lo, hi = value_range if value_range is not None else (float(img.min()), float(img.max()))
            norm(img, lo, hi)
    n = t.size(0)
    xmaps = min(nrow, n)
    ymaps = int(math.ceil(n / xmaps))
    h, w = t.size(2) + padding, t.size(3) + padding
    grid = t.new_full((t.size(1), h * ymaps + padding, w * xmaps + padding), pad_value)
    k = 0
    for y in range(ymaps):
        for x in range(xmaps):
            if k >= n:
                break
            grid.narrow(1, y * h + padding, h - padding).narrow(2, x * w + padding, w - padding).copy_(t[k])
            k += 1
    return grid


@pytest.mark.parametrize("kw", [{}, {"nrow": 3, "padding": 1, "pad_value": 0.5},
                                {"normalize": True}, {"normalize": True, "scale_each": True, "nrow": 2},
                                {"normalize": True, "value_range": (-1.0, 0.5)}])
def test_make_grid_matches_torchvision_algorithm(kw):
    x = np.random.default_rng(0).standard_normal((5, 3, 4, 6)).astype(np.float32)
    got = utils.make_grid(ember.from_numpy(x), **kw)
    np.testing.assert_allclose(got.numpy(), torch_make_grid(torch.from_numpy(x), **kw).numpy(), rtol=1e-6)


def test_make_grid_gray_single_and_list():
    x = np.random.default_rng(1).random((3, 1, 2, 2)).astype(np.float32)
    got = utils.make_grid([ember.from_numpy(a) for a in x], nrow=2)
    np.testing.assert_allclose(got.numpy(), torch_make_grid(torch.from_numpy(x), nrow=2).numpy())
    assert utils.make_grid(ember.zeros(1, 2, 3)).shape == (3, 2, 3)
    with pytest.raises(TypeError, match="value_range"):
        utils.make_grid(ember.zeros(2, 3, 2, 2), normalize=True, value_range=[0, 1])


def test_save_image_writes_the_rounded_grid(tmp_path):
    pytest.importorskip("PIL", reason="Pillow (the vision extra) writes the PNG")
    x = ember.rand(4, 3, 5, 5)
    utils.save_image(x, tmp_path / "g.png", nrow=2)
    back = io.read_image(str(tmp_path / "g.png")).numpy()
    want = np.clip(torch_make_grid(torch.from_numpy(x.numpy()), nrow=2).numpy() * 255 + 0.5, 0, 255).astype(np.uint8)
    np.testing.assert_array_equal(back, want)


def test_draw_bounding_boxes_outlines_and_labels():
    pytest.importorskip("PIL", reason="Pillow (the vision extra) draws the boxes")
    img = ember.zeros(3, 20, 30, dtype=ember.uint8)
    out = utils.draw_bounding_boxes(img, ember.tensor([[2., 3., 12., 15.]]), colors="red", width=1)
    a = out.numpy()
    assert out.dtype == ember.uint8 and a.shape == (3, 20, 30)
    assert (a[:, 3, 2:13] == [[255], [0], [0]]).all() and (a[:, 3:16, 12] == [[255], [0], [0]]).all()
    assert (a[:, 5:14, 4:11] == 0).all() and (a[:, 17:, :] == 0).all()  # inside and outside stay black
    shaded = utils.draw_bounding_boxes(img, ember.tensor([[2., 3., 12., 15.]]), colors=(0, 255, 0), fill=True)
    assert (shaded.numpy()[1, 8, 6] > 0) and (shaded.numpy()[0, 8, 6] == 0)
    labelled = utils.draw_bounding_boxes(img, ember.tensor([[0., 0., 29., 19.]]), labels=["cat"], colors="white")
    assert labelled.numpy()[:, 2:10, 2:20].max() > 150  # the (antialiased) label pixels
    with pytest.raises(ValueError, match="uint8"):
        utils.draw_bounding_boxes(ember.zeros(3, 4, 4), ember.zeros(0, 4))


def test_draw_segmentation_masks_blends():
    pytest.importorskip("PIL", reason="Pillow resolves the colour names")
    img = ember.full((3, 4, 4), 100, dtype=ember.uint8)
    masks = ember.zeros(2, 4, 4, dtype=ember.bool)
    masks[0, :2] = True
    masks[1, 1:3] = True
    out = utils.draw_segmentation_masks(img, masks, alpha=0.5, colors=["red", (0, 0, 200)]).numpy()
    np.testing.assert_array_equal(out[:, 0, 0], [177, 50, 50])  # 0.5 * 100 + 0.5 * (255, 0, 0), truncated
    np.testing.assert_array_equal(out[:, 1, 0], [50, 50, 150])  # the later mask wins where they overlap
    np.testing.assert_array_equal(out[:, 3, 3], [100, 100, 100])
