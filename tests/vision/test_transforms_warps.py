"""RandomPerspective and ElasticTransform: the perspective coefficients map the drawn corners back to the
image corners; the warps against a per-pixel NumPy inverse map and against torch's grid_sample on
torchvision's grids; boxes and masks follow."""
import numpy as np
import pytest

import ember
from ember.vision import tv_tensors
from ember.vision.transforms import _geometry as G
from ember.vision.transforms import v2

torch = pytest.importorskip("torch", reason="torch's grid_sample checks the sampling")


def test_perspective_coefficients_map_end_points_to_start_points():
    start = [[0, 0], [19, 0], [19, 14], [0, 14]]
    end = [[2, 1], [17, 3], [18, 12], [1, 13]]
    m = G.perspective_coeffs(start, end)
    for (x, y), (u, v) in zip(end, start):
        p = m @ [x, y, 1.0]
        np.testing.assert_allclose(p[:2] / p[2], [u, v], atol=1e-4)


def test_random_perspective_matches_reference_and_grid_sample():
    rng = np.random.default_rng(0)
    a = rng.random((2, 15, 20)).astype(np.float32)
    ember.manual_seed(3)
    t = v2.RandomPerspective(distortion_scale=0.6, p=1.0, interpolation="nearest", fill=None)
    params = t.make_params([ember.from_numpy(a)])
    ember.manual_seed(3)
    got = t(ember.from_numpy(a)).numpy()
    m = params["inv"]
    want = np.zeros_like(a)
    for i in range(15):
        for j in range(20):
            p = m @ [j + 0.5, i + 0.5, 1.0]
            xi, yi = int(np.rint(p[0] / p[2] - 0.5)), int(np.rint(p[1] / p[2] - 0.5))
            if 0 <= xi < 20 and 0 <= yi < 15:
                want[:, i, j] = a[:, yi, xi]
    assert (got == want).mean() > 0.99  # float32 rounding ties may flip a pixel
    # bilinear against torchvision's perspective grid: (theta1 p / (w/2)) / (theta2 p) - 1, grid_sample
    th = torch.tensor(m, dtype=torch.float64)
    ys, xs = torch.meshgrid(torch.arange(15) + 0.5, torch.arange(20) + 0.5, indexing="ij")
    base = torch.stack([xs, ys, torch.ones_like(xs)], -1).double()
    num = base @ th[:2].T / torch.tensor([10.0, 7.5], dtype=torch.float64)
    den = base @ th[2:].T
    grid = (num / den - 1)[None].float()
    ref = torch.nn.functional.grid_sample(torch.from_numpy(a)[None], grid, mode="bilinear", padding_mode="zeros",
                                          align_corners=False)[0].numpy()
    np.testing.assert_allclose(G.warp(a, m, (15, 20), mode="bilinear", fill=None), ref, atol=1e-5)


def test_perspective_boxes_enclose_the_moved_object():
    a = np.zeros((1, 30, 40), np.uint8)
    a[0, 8:20, 10:26] = 1
    for seed in range(5):
        ember.manual_seed(seed)
        img, boxes, mask = v2.RandomPerspective(0.5, p=1.0)(
            tv_tensors.Image(a * 200), tv_tensors.BoundingBoxes([[10, 8, 26, 20]], format="XYXY", canvas_size=(30, 40)),
            tv_tensors.Mask(a[0]))
        ys, xs = np.nonzero(mask.numpy())
        x1, y1, x2, y2 = boxes.numpy()[0]
        assert x1 <= xs.min() + 1 and y1 <= ys.min() + 1 and xs.max() <= x2 and ys.max() <= y2


def test_elastic_matches_grid_sample_and_is_identity_without_alpha():
    rng = np.random.default_rng(1)
    a = rng.random((3, 12, 16)).astype(np.float32)
    ember.manual_seed(0)
    t = v2.ElasticTransform(alpha=30.0, sigma=2.0, fill=None)
    p = t.make_params([ember.from_numpy(a)])
    ember.manual_seed(0)
    got = t(ember.from_numpy(a)).numpy()
    # torchvision: identity grid (pixel centres, normalised) + displacement (normalised), grid_sample
    ys, xs = np.meshgrid(np.arange(12), np.arange(16), indexing="ij")
    gx = (xs + 0.5) * 2 / 16 - 1 + p["dx"] * 2 / 16
    gy = (ys + 0.5) * 2 / 12 - 1 + p["dy"] * 2 / 12
    grid = torch.from_numpy(np.stack([gx, gy], -1)[None]).float()
    ref = torch.nn.functional.grid_sample(torch.from_numpy(a)[None], grid, mode="bilinear", padding_mode="zeros",
                                          align_corners=False)[0].numpy()
    np.testing.assert_allclose(got, ref, atol=1e-5)
    assert np.abs(p["dx"]).max() > 0.1
    boxes = tv_tensors.BoundingBoxes([[2, 3, 9, 8]], format="XYXY", canvas_size=(12, 16))
    same_img, same_boxes = v2.ElasticTransform(alpha=0.0)(ember.from_numpy(a), boxes)
    np.testing.assert_allclose(same_img.numpy(), a, atol=1e-6)
    assert same_boxes.numpy().tolist() == [[2, 3, 9, 8]]
