"""What the commands share: data, models, checkpoints, and turning failures into one-line errors."""
from __future__ import annotations

import os
import pickle
import zipfile

import numpy as np

from . import UsageError

CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
           "Ankle boot"]
MEAN, STD = 0.2860, 0.3530  # Fashion-MNIST pixel statistics


def load_split(data: str | None, train: bool, subset: bool):
    """(images uint8 N,28,28, labels int64, source) of Fashion-MNIST, or a UsageError."""
    from ..vision.datasets import FashionMNIST

    root = "builtin" if subset else (data or os.environ.get("EMBER_DATA") or "data")
    if data is not None and not subset and not os.path.isdir(data):
        raise UsageError(f"ember: error: --data {data!r} is not a folder")
    try:
        ds = FashionMNIST(root=root, train=train)
    except (RuntimeError, OSError, ValueError) as e:
        raise UsageError(f"ember: error: cannot read Fashion-MNIST: {str(e).splitlines()[0]}") from None
    return np.asarray(ds.data), np.asarray(ds.targets, dtype=np.int64), ds.source


def model_names() -> list:
    from .. import models

    return models.list_models()


def build_model(name: str):
    """The named model for 1-channel 28x28 inputs with 10 classes, and the input size it needs."""
    from .. import models

    if name not in models.list_models():
        raise UsageError(f"ember: error: unknown model {name!r}; choose one of: {', '.join(models.list_models())}")
    if name in ("mlp", "lenet", "lenet_bn"):  # d2l's 28x28 models as they are
        return models.get_model(name, num_classes=10, in_channels=1), models.input_size(name)
    if models.supports_small_input(name):  # a 3x3 stem for 28x28 inputs (same state_dict keys)
        return (models.get_model(name, num_classes=10, in_channels=1, small_input=True),
                models.input_size(name, small_input=True))
    return models.get_model(name, num_classes=10, in_channels=1), models.input_size(name)


def to_input(images: np.ndarray, size: int) -> np.ndarray:
    """uint8 (N, 28, 28) -> normalised float32 (N, 1, size, size)."""
    x = (images.astype(np.float32) / 255.0 - MEAN) / STD
    x = x[:, None]
    if size != x.shape[-1]:
        from ..vision.transforms import _resize_chw

        x = np.stack([_resize_chw(img, size, size, "bilinear") for img in x])
    return np.ascontiguousarray(x)


def load_checkpoint(path: str) -> dict:
    from .. import load

    if not os.path.isfile(path):
        raise UsageError(f"ember: error: checkpoint {path!r} does not exist")
    try:
        ckpt = load(path)
    except (RuntimeError, OSError, EOFError, ValueError, KeyError, pickle.UnpicklingError,
            zipfile.BadZipFile) as e:
        raise UsageError(f"ember: error: checkpoint {path!r} is unreadable: {str(e).splitlines()[0]}") from None
    if not isinstance(ckpt, dict) or "model" not in ckpt or "args" not in ckpt:
        raise UsageError(f"ember: error: {path!r} is not an `ember train` checkpoint")
    return ckpt


def predict_batches(model, x: np.ndarray, batch_size: int) -> np.ndarray:
    """Logits of ``model`` (eval mode, no grad) over ``x`` in batches."""
    import ember

    model.eval()
    out = []
    with ember.no_grad():
        for i in range(0, len(x), batch_size):
            out.append(model(ember.from_numpy(x[i:i + batch_size])).numpy())
    return np.concatenate(out)
