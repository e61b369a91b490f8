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
    """(images uint8 N,28,28, labels int64, source) of Fashion-MNIST, or a UsageError.

    ``--data`` (or ``$EMBER_DATA``) must name a folder holding the IDX files: a wrong path is an error, never a
    silent fall-back to the shipped subset. Without either, the full copy is looked for in ``data/`` and
    Debian's package, then the shipped subset is used (with one warning line).
    """
    from ..vision.datasets import FashionMNIST

    env = os.environ.get("EMBER_DATA")
    if data is not None:
        _check_data_folder(data, "--data", need_files=not subset)
    elif env and env != "builtin" and not subset:
        _check_data_folder(env, "$EMBER_DATA", need_files=True)
    root = "builtin" if subset else (data or env or "data")
    try:
        ds = FashionMNIST(root=root, train=train)
    except (RuntimeError, OSError, ValueError) as e:
        raise UsageError(f"ember: error: cannot read Fashion-MNIST: {str(e).splitlines()[0]}") from None
    return np.asarray(ds.data), np.asarray(ds.targets, dtype=np.int64), ds.source


def _check_data_folder(folder: str, what: str, need_files: bool) -> None:
    from ..vision.datasets import FashionMNIST
    from ..vision.datasets._sources import find_files

    if not os.path.isdir(folder):
        raise UsageError(f"ember: error: {what} {folder!r} is not a folder; pass the folder holding the "
                         "Fashion-MNIST IDX files, or --subset for the shipped subset")
    names = [name.removesuffix(".gz") for name, _ in FashionMNIST.resources]
    places = (folder, os.path.join(folder, "FashionMNIST", "raw"))
    if need_files and all(find_files(p, names) is None for p in places):
        raise UsageError(f"ember: error: {what} {folder!r} holds no Fashion-MNIST IDX files ({', '.join(names)}) "
                         "in it or in FashionMNIST/raw; pass --subset for the shipped subset")


def model_names() -> list:
    from .. import models

    return models.list_models()


def build_model(name: str):
    """The named model for 1-channel 28x28 inputs with 10 classes, built and initialised as its recipe says
    (see ``recipes.py``), and the input size the recipe feeds it."""
    from .. import models
    from .recipes import apply_init, recipe

    if name not in models.list_models():
        raise UsageError(f"ember: error: unknown model {name!r}; choose one of: {', '.join(models.list_models())}")
    r = recipe(name)
    kwargs = dict(num_classes=10, in_channels=1, **r.kwargs)
    if models.supports_small_input(name) and r.input_size == models.input_size(name, small_input=True):
        kwargs["small_input"] = True  # a 3x3 stem for 28x28 inputs (same state_dict keys)
    model = models.get_model(name, **kwargs)
    apply_init(model, r.init)
    return model, r.input_size


def to_input(images: np.ndarray, size: int) -> np.ndarray:
    """uint8 (N, 28, 28) -> normalised float32 (N, 1, size, size)."""
    x = (images.astype(np.float32) / 255.0 - MEAN) / STD
    x = x[:, None]
    if size != x.shape[-1]:
        from ..vision.transforms._geometry import resize

        x = resize(x, (size, size), "bilinear", antialias=False).astype(np.float32, copy=False)
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
