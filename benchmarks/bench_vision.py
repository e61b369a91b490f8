"""Vision recipes, ember vs the same models in torch (tests/vision/torch_recipes.py), one thread each.

    python benchmarks/bench_vision.py [--reps 5]

Step time: one training step (forward, loss, backward, SGD step) of each recipe at its ``ember train``
default sizes, ember and torch with the same weights (copied from ember) and inputs, repetitions
interleaved; medians and the ratio ember/torch; the first losses are compared.

* detect: TinySSD, batch 32 of 64x64 images, ``calc_loss`` (class cross-entropy + masked L1); the anchor
  targets (``multibox_target``) are computed once, outside the timed step, and fed to both.
* segment: FCN on ResNet-18 (bilinear transposed conv), batch 32 of 64x64 images, pixel-wise cross-entropy.

Results go to ``benchmarks/results_vision.json``.
"""
import os

for _k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[_k] = "1"  # before NumPy and torch are imported

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
import ember  # noqa: E402
import ember.nn.functional as F  # noqa: E402
from ember.models.detection import TinySSD, calc_loss  # noqa: E402
from ember.models.segmentation import fcn_resnet18  # noqa: E402
from ember.vision.detection import multibox_target  # noqa: E402
from tests.vision.torch_recipes import TorchTinySSD, torch_calc_loss, torch_fcn  # noqa: E402

torch.set_num_threads(1)


def copy_to_torch(em, tm) -> None:
    tm.load_state_dict({k: torch.from_numpy(np.array(v.detach().numpy())) for k, v in em.state_dict().items()})


def detect_steps():
    rng = np.random.default_rng(0)
    x = rng.random((32, 3, 64, 64), dtype=np.float32)
    lo = rng.uniform(0.05, 0.5, (32, 1, 2))
    labels = np.concatenate([np.zeros((32, 1, 1)), lo, lo + rng.uniform(0.2, 0.45, (32, 1, 2))], -1)
    ember.manual_seed(0)
    em = TinySSD(num_classes=1)
    tm = TorchTinySSD(1)
    copy_to_torch(em, tm)
    anchors, _, _ = em(ember.from_numpy(x[:1]))
    bl, bm, cl = multibox_target(anchors, ember.from_numpy(labels.astype(np.float32)))
    tbl, tbm, tcl = (torch.from_numpy(np.array(t.numpy())) for t in (bl, bm, cl))
    ex, tx = ember.from_numpy(x), torch.from_numpy(x)
    eopt = ember.optim.SGD(em.parameters(), lr=0.2, weight_decay=5e-4)
    topt = torch.optim.SGD(tm.parameters(), lr=0.2, weight_decay=5e-4)

    def ember_step():
        _, cls_preds, bbox_preds = em(ex)
        loss = calc_loss(cls_preds, cl, bbox_preds, bl, bm).mean()
        eopt.zero_grad()
        loss.backward()
        eopt.step()
        return loss.item()

    def torch_step():
        cls_preds, bbox_preds = tm(tx)
        loss = torch_calc_loss(cls_preds, tcl, bbox_preds, tbl, tbm).mean()
        topt.zero_grad()
        loss.backward()
        topt.step()
        return loss.item()

    return ember_step, torch_step


def segment_steps():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((32, 3, 64, 64)).astype(np.float32)
    y = rng.integers(0, 4, (32, 64, 64))
    ember.manual_seed(0)
    em = fcn_resnet18(4)
    tm = torch_fcn(4)
    copy_to_torch(em, tm)
    ex, ey, tx, ty = ember.from_numpy(x), ember.from_numpy(y), torch.from_numpy(x), torch.from_numpy(y)
    eopt = ember.optim.SGD(em.parameters(), lr=1e-3)
    topt = torch.optim.SGD(tm.parameters(), lr=1e-3)

    def ember_step():
        loss = F.cross_entropy(em(ex), ey)
        eopt.zero_grad()
        loss.backward()
        eopt.step()
        return loss.item()

    def torch_step():
        loss = torch.nn.functional.cross_entropy(tm(tx), ty)
        topt.zero_grad()
        loss.backward()
        topt.step()
        return loss.item()

    return ember_step, torch_step


def time_pair(ember_step, torch_step, reps: int) -> dict:
    first = (ember_step(), torch_step())  # also the warm-up (numba compiles on first use)
    te, tt = [], []
    for _ in range(reps):
        t0 = time.perf_counter()
        ember_step()
        te.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        torch_step()
        tt.append(time.perf_counter() - t0)
    e, t = float(np.median(te)), float(np.median(tt))
    return {"ember_s": e, "torch_s": t, "ratio": e / t, "first_loss_ember": first[0], "first_loss_torch": first[1]}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--reps", type=int, default=5)
    args = p.parse_args()
    results = {}
    for name, make in (("detect (TinySSD, 32 x 64x64)", detect_steps), ("segment (FCN-ResNet18, 32 x 64x64)",
                                                                        segment_steps)):
        r = time_pair(*make(), args.reps)
        results[name] = r
        print(f"{name:38s} ember {r['ember_s'] * 1e3:8.1f} ms  torch {r['torch_s'] * 1e3:8.1f} ms  "
              f"ratio {r['ratio']:5.2f}  first loss {r['first_loss_ember']:.5f} / {r['first_loss_torch']:.5f}",
              flush=True)
    with open(os.path.join(ROOT, "benchmarks", "results_vision.json"), "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
