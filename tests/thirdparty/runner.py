"""Run one third-party script unchanged, under torch or under ember, on generated data.

    python tests/thirdparty/runner.py {torch|ember} SCRIPT [ARGS...]

``ember``: ``torch``/``torchvision`` are bound to ember first (``ember.compat.torch_alias``), as ``ember run``
does. Either way the shim then replaces what would download: ``torchvision.datasets.MNIST`` and
``FashionMNIST`` become generated 28x28 images and ``CIFAR10`` 32x32 RGB ones (a class-dependent pattern plus noise, from a fixed
NumPy seed, so both backends see the same data). Under torch, where torchvision is not installed (the project
never installs it), a minimal stand-in provides ``ToTensor``/``Normalize``/``Compose``/``Lambda``/``Resize``/``utils.make_grid``
and those datasets (``utils.save_image`` writes nothing there) and ``io.read_image``. ``pandas`` is stubbed when absent (d2l imports it; the stand-in has only ``DataFrame(rows).fillna(v).values``).
The script runs as ``__main__`` in the current folder with ``sys.argv = [SCRIPT, *ARGS]``.

``RUNNER_REPLACE`` (JSON ``[[old, new], ...]``) names exact strings of the script to change first, for the rare
script whose cost is a literal it has no option for (the seq2seq tutorial's 75,000 iterations); each ``old``
must occur in the script, and the changed copy is written next to the run (``changed_<name>``).
"""
import importlib.machinery
import json
import os
import runpy
import sys
import types

import numpy as np

N_TRAIN, N_TEST = int(os.environ.get("FAKE_N_TRAIN", "512")), int(os.environ.get("FAKE_N_TEST", "256"))


def _images(train: bool):
    rng = np.random.default_rng(0 if train else 1)
    n = N_TRAIN if train else N_TEST
    labels = rng.integers(0, 10, n)
    protos = np.random.default_rng(42).uniform(0, 255, (10, 28, 28))
    x = 0.7 * protos[labels] + rng.uniform(0, 0.3 * 255, (n, 28, 28))
    return x.astype(np.uint8), labels.astype(np.int64)


def _color_images(train: bool):
    """CIFAR-10's shape: 32x32 RGB uint8 images (a class pattern plus noise) and their labels."""
    rng = np.random.default_rng(2 if train else 3)
    n = N_TRAIN if train else N_TEST
    labels = rng.integers(0, 10, n)
    protos = np.random.default_rng(43).uniform(0, 255, (10, 32, 32, 3))
    x = 0.6 * protos[labels] + rng.uniform(0, 0.4 * 255, (n, 32, 32, 3))
    return x.astype(np.uint8), labels.astype(np.int64)


def _module(name: str) -> types.ModuleType:
    m = types.ModuleType(name)
    m.__spec__ = importlib.machinery.ModuleSpec(name, None)   # torch's import-time probes read __spec__
    return m


def _fake_dataset(torch):
    from PIL import Image

    class FakeMNIST(torch.utils.data.Dataset):
        """MNIST/FashionMNIST's constructor and items, on generated 28x28 images (nothing downloaded)."""

        classes = [str(i) for i in range(10)]

        def __init__(self, root=None, train=True, transform=None, target_transform=None, download=False):
            data, targets = _images(train)
            self.data, self.targets = torch.from_numpy(data), torch.from_numpy(targets)
            self.transform, self.target_transform, self.train = transform, target_transform, train

        def __len__(self):
            return len(self.targets)

        def __getitem__(self, i):
            img, target = Image.fromarray(self.data[i].numpy(), mode="L"), int(self.targets[i])
            if self.transform is not None:
                img = self.transform(img)
            if self.target_transform is not None:
                target = self.target_transform(target)
            return img, target

    class FakeCIFAR10(torch.utils.data.Dataset):
        """CIFAR10's constructor and items (PIL RGB image, int label), on generated 32x32 images."""

        classes = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]

        def __init__(self, root=None, train=True, transform=None, target_transform=None, download=False):
            self.data, targets = _color_images(train)
            self.targets = [int(t) for t in targets]
            self.transform, self.target_transform, self.train = transform, target_transform, train

        def __len__(self):
            return len(self.targets)

        def __getitem__(self, i):
            img, target = Image.fromarray(self.data[i]), self.targets[i]
            if self.transform is not None:
                img = self.transform(img)
            if self.target_transform is not None:
                target = self.target_transform(target)
            return img, target

    return FakeMNIST, FakeCIFAR10


def _stub_torchvision(torch):
    """torchvision's few names these scripts use, for the torch side only (torchvision is not installed)."""
    tv, tr, ds, ut, tio = (_module(n) for n in ("torchvision", "torchvision.transforms", "torchvision.datasets",
                                                 "torchvision.utils", "torchvision.io"))

    class Compose:
        def __init__(self, ts):
            self.ts = ts

        def __call__(self, x):
            for t in self.ts:
                x = t(x)
            return x

    class ToTensor:
        def __call__(self, img):
            a = np.asarray(img, dtype=np.float32) / 255.0
            return torch.from_numpy(a[None] if a.ndim == 2 else a.transpose(2, 0, 1).copy())

    class Normalize:
        def __init__(self, mean, std):
            self.mean, self.std = torch.tensor(mean).view(-1, 1, 1), torch.tensor(std).view(-1, 1, 1)

        def __call__(self, x):
            return (x - self.mean) / self.std

    class Lambda:
        def __init__(self, f):
            self.f = f

        def __call__(self, x):
            return self.f(x)

    class Resize:
        def __init__(self, size):
            self.size = (size, size) if isinstance(size, int) else tuple(size)

        def __call__(self, img):
            return img.resize(self.size[::-1], resample=2)   # PIL bilinear, as torchvision on PIL images

    tr.Compose, tr.ToTensor, tr.Normalize, tr.Lambda, tr.Resize = Compose, ToTensor, Normalize, Lambda, Resize
    ut.save_image = lambda tensor, fp, **kwargs: None   # the oracle's PNGs are not compared

    def make_grid(tensor, nrow=8, padding=2, pad_value=0.0, **kwargs):   # torchvision's layout, for display only
        n, c, h, w = tensor.shape
        cols, rows = min(nrow, n), -(-n // nrow)
        grid = torch.full((c, rows * (h + padding) + padding, cols * (w + padding) + padding), float(pad_value))
        for k in range(n):
            y, x = padding + (k // cols) * (h + padding), padding + (k % cols) * (w + padding)
            grid[:, y:y + h, x:x + w] = tensor[k]
        return grid

    ut.make_grid = make_grid
    def read_image(path):
        from PIL import Image
        return torch.from_numpy(np.asarray(Image.open(path).convert("RGB")).transpose(2, 0, 1).copy())

    tio.read_image = read_image
    tv.transforms, tv.datasets, tv.utils, tv.io, tv.__version__ = tr, ds, ut, tio, "stub"
    tv.__path__ = []
    sys.modules.update({"torchvision": tv, "torchvision.transforms": tr, "torchvision.datasets": ds,
                        "torchvision.utils": ut, "torchvision.io": tio})


def _stub_pandas():
    """pandas is not installed: d2l imports it, and one Transformer cell pads ragged rows with
    ``pd.DataFrame(rows).fillna(0.0).values``; that is all this stand-in does."""
    pd = _module("pandas")

    class DataFrame:
        def __init__(self, rows):
            width = max(len(r) for r in rows)
            self.values = np.array([list(r) + [np.nan] * (width - len(r)) for r in rows], dtype=np.float64)

        def fillna(self, value):
            out = DataFrame([[]])
            out.values = np.where(np.isnan(self.values), value, self.values)
            return out

    pd.DataFrame = DataFrame
    return pd


def main(argv):
    backend, script, args = argv[0], os.path.abspath(argv[1]), argv[2:]
    if backend == "ember":
        import ember.compat.torch_alias  # noqa: F401
    import torch

    if backend == "torch":
        try:
            import torchvision  # noqa: F401
        except ImportError:
            _stub_torchvision(torch)
    try:
        import pandas  # noqa: F401
    except ImportError:
        sys.modules["pandas"] = _stub_pandas()
    import torchvision

    fake, fake_cifar = _fake_dataset(torch)
    torchvision.datasets.MNIST = torchvision.datasets.FashionMNIST = fake
    torchvision.datasets.CIFAR10 = fake_cifar
    sys.argv = [script, *args]
    sys.path.insert(0, os.path.dirname(script))
    runpy.run_path(_changed(script), run_name="__main__")


def _changed(script: str) -> str:
    """The script with the ``RUNNER_REPLACE`` changes applied (a copy in the current folder), or itself."""
    changes = json.loads(os.environ.get("RUNNER_REPLACE", "[]"))
    if not changes:
        return script
    with open(script, encoding="utf-8") as f:
        text = f.read()
    for old, new in changes:
        if old not in text:
            raise SystemExit(f"runner: {old!r} is not in {script}")
        text = text.replace(old, new)
    path = os.path.abspath("changed_" + os.path.basename(script))
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


if __name__ == "__main__":
    main(sys.argv[1:])
