"""ImageFolder / DatasetFolder with torchvision's semantics: sorted classes, class_to_idx, samples in sorted
walk order, extensions (case-insensitive), is_valid_file, empty classes, transforms."""
import os

import numpy as np
import pytest

from ember.vision.datasets import DatasetFolder, ImageFolder
from ember.vision.transforms import v2

Image = pytest.importorskip("PIL.Image", reason="Pillow (the vision extra) loads the images")


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    root = tmp_path_factory.mktemp("folder")
    files = {"zebra/b.png": 10, "zebra/a.PNG": 20, "zebra/sub/c.jpg": 30, "ant/x.bmp": 40, "ant/notes.txt": None,
             "moth/readme.md": None}
    for rel, value in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if value is None:
            path.write_text("not an image")
        else:
            Image.fromarray(np.full((4, 5), value, np.uint8)).save(path)
    return root


def test_image_folder_classes_and_samples(tree):
    with pytest.raises(FileNotFoundError, match="Found no valid file for the classes moth"):
        ImageFolder(str(tree))
    ds = ImageFolder(str(tree), allow_empty=True)
    assert ds.classes == ["ant", "moth", "zebra"]
    assert ds.class_to_idx == {"ant": 0, "moth": 1, "zebra": 2}
    rel = [(os.path.relpath(p, tree), t) for p, t in ds.samples]
    assert rel == [("ant/x.bmp", 0), ("zebra/a.PNG", 2), ("zebra/b.png", 2), (os.path.join("zebra", "sub", "c.jpg"), 2)]
    assert ds.targets == [0, 2, 2, 2] and ds.imgs is ds.samples and len(ds) == 4
    img, target = ds[1]
    assert img.mode == "RGB" and img.size == (5, 4) and np.asarray(img)[0, 0, 0] == 20 and target == 2


def test_dataset_folder_validators_and_transforms(tree):
    ds = DatasetFolder(str(tree), loader=lambda p: os.path.basename(p),
                       is_valid_file=lambda p: p.endswith((".txt", ".md")),
                       allow_empty=True)
    assert [s for s, _ in ds] == ["notes.txt", "readme.md"]
    ds = ImageFolder(str(tree), transform=v2.Compose([v2.ToImage()]), target_transform=lambda t: t * 10,
                     allow_empty=True)
    img, target = ds[0]
    assert tuple(img.shape) == (3, 4, 5) and target == 0
    with pytest.raises(ValueError, match="Both extensions and is_valid_file"):
        DatasetFolder(str(tree), loader=print, extensions=(".png",), is_valid_file=lambda p: True)
    with pytest.raises(FileNotFoundError, match="Couldn't find any class folder"):
        ImageFolder(str(tree / "ant"))
