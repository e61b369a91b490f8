"""Tests of ember.vision.datasets: IDX parsing, where files come from, CIFAR-10 unpickling."""

from __future__ import annotations

import gzip
import hashlib
import io
import logging
import os
import pickle
import struct
import subprocess
import tarfile
from pathlib import Path

import numpy as np
import pytest

from ember.vision.datasets import _sources
from ember.vision.datasets.cifar import CIFAR10, RestrictedUnpickler, safe_load
from ember.vision.datasets.mnist import MNIST, FashionMNIST, read_idx

SUBSET_DIR = _sources.BUILTIN_DIR / "fashion-mnist-subset"
DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")


def _dpkg_has_fashion_mnist() -> bool:
    try:
        subprocess.run(["dpkg", "-L", "dataset-fashion-mnist"], capture_output=True, check=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return False
    return True


needs_debian = pytest.mark.skipif(
    not _dpkg_has_fashion_mnist(),
    reason="`dpkg -L dataset-fashion-mnist` failed: the Debian package is not installed here",
)


# ---------------------------------------------------------------- helpers


def idx_bytes(array: np.ndarray, type_code: int = 0x08) -> bytes:
    """An IDX file, written independently of the code under test."""
    dtype = {0x08: ">u1", 0x0C: ">i4", 0x0E: ">f8"}[type_code]
    header = struct.pack(">BBBB", 0, 0, type_code, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(dtype).tobytes()


def write(path: Path, payload: bytes, gz: bool) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if gz:
        path = path.with_name(path.name + ".gz")
        payload = gzip.compress(payload)
    path.write_bytes(payload)
    return path


def make_mnist_dir(folder: Path, n_train: int, n_test: int, gz: bool = True, seed: int = 0) -> dict:
    """Write the four IDX files with random content; return the arrays written."""
    rng = np.random.default_rng(seed)
    arrays = {}
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, size=n, dtype=np.uint8)
        write(folder / f"{prefix}-images-idx3-ubyte", idx_bytes(images), gz)
        write(folder / f"{prefix}-labels-idx1-ubyte", idx_bytes(labels), gz)
        arrays[prefix] = (images, labels)
    return arrays


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    monkeypatch.delenv("EMBER_DATA", raising=False)


@pytest.fixture
def no_debian(monkeypatch):
    """Behave as on a machine without the Debian package."""
    monkeypatch.setattr(_sources, "debian_dirs", lambda *args: ())


# ---------------------------------------------------------------- IDX parsing


@pytest.mark.parametrize("gz", [False, True], ids=["raw", "gz"])
def test_read_idx_round_trips_uint8_and_big_endian_types(tmp_path, gz):
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    ints = np.array([[1, -2, 70000], [3, 4, -5]], dtype=np.int32)
    floats = np.array([0.5, -1e300])
    got_images = read_idx(write(tmp_path / "a-idx3-ubyte", idx_bytes(images), gz))
    got_ints = read_idx(write(tmp_path / "b-idx2-int", idx_bytes(ints, 0x0C), gz))
    got_floats = read_idx(write(tmp_path / "c-idx1-double", idx_bytes(floats, 0x0E), gz))
    np.testing.assert_array_equal(got_images, images)
    np.testing.assert_array_equal(got_ints, ints)
    np.testing.assert_array_equal(got_floats, floats)
    assert got_images.dtype == np.uint8 and got_ints.dtype.isnative and got_floats.dtype.isnative


@pytest.mark.parametrize("gz", [False, True], ids=["raw", "gz"])
def test_mnist_reads_raw_and_gzipped_files(tmp_path, gz):
    arrays = make_mnist_dir(tmp_path, 5, 3, gz=gz)
    ds = MNIST(tmp_path, train=False)
    np.testing.assert_array_equal(ds.data, arrays["t10k"][0])
    np.testing.assert_array_equal(ds.targets, arrays["t10k"][1])
    assert ds.data.dtype == np.uint8 and ds.data.shape == (3, 28, 28)
    assert ds.targets.dtype == np.int64


def test_uncompressed_file_wins_over_gz(tmp_path):
    make_mnist_dir(tmp_path, 4, 2, gz=True, seed=1)
    raw = make_mnist_dir(tmp_path, 6, 2, gz=False, seed=2)
    ds = MNIST(tmp_path)
    np.testing.assert_array_equal(ds.data, raw["train"][0])


@pytest.mark.parametrize(
    "payload, message",
    [
        (struct.pack(">II", 0x803, 5) + b"\0" * 4, "IDX header"),
        (struct.pack(">IIII", 0x803, 2, 28, 28) + b"\0" * 100, "truncated"),
        (struct.pack(">II", 0x803, 0) + b"", "truncated IDX header"),
        (struct.pack(">IIII", 0x803, 1, 28, 28) + b"\0" * (784 + 1), "longer than its header"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "not an IDX file"),
        (b"\0\0", "no header"),
    ],
    ids=["short-header", "short-data", "no-dims", "extra-data", "not-idx", "tiny"],
)
def test_corrupt_idx_raises_runtime_error_naming_file(tmp_path, payload, message):
    path = tmp_path / "broken-idx3-ubyte"
    path.write_bytes(payload)
    with pytest.raises(RuntimeError, match=message) as info:
        read_idx(path)
    assert str(path) in str(info.value)


def test_wrong_magic_number_names_file(tmp_path):
    path = write(tmp_path / "labels-idx1-ubyte", idx_bytes(np.zeros((2, 2), np.uint8)), gz=False)
    with pytest.raises(RuntimeError, match="wrong IDX magic number 0x00000802, expected 0x00000801"):
        read_idx(path, expect_magic=0x801)


def test_truncated_gzip_names_file(tmp_path):
    make_mnist_dir(tmp_path, 50, 2)
    images = tmp_path / "train-images-idx3-ubyte.gz"
    images.write_bytes(images.read_bytes()[:-200])
    with pytest.raises(RuntimeError, match="corrupt or truncated") as info:
        FashionMNIST(tmp_path)
    assert str(images) in str(info.value)


def test_truncated_raw_file_in_dataset_names_file(tmp_path):
    make_mnist_dir(tmp_path, 4, 2, gz=False)
    labels = tmp_path / "t10k-labels-idx1-ubyte"
    labels.write_bytes(labels.read_bytes()[:-1])
    with pytest.raises(RuntimeError, match="truncated") as info:
        MNIST(tmp_path, train=False)
    assert str(labels) in str(info.value)


def test_image_label_count_mismatch(tmp_path):
    make_mnist_dir(tmp_path, 4, 2)
    write(tmp_path / "train-labels-idx1-ubyte", idx_bytes(np.zeros(3, np.uint8)), gz=True)
    with pytest.raises(RuntimeError, match="4 images but .* 3 labels"):
        MNIST(tmp_path)


def test_label_out_of_range(tmp_path):
    make_mnist_dir(tmp_path, 4, 2)
    write(tmp_path / "train-labels-idx1-ubyte", idx_bytes(np.array([0, 1, 10, 2], np.uint8)), gz=True)
    with pytest.raises(RuntimeError, match="label 10 is out of range"):
        MNIST(tmp_path)


# ---------------------------------------------------------------- dataset API


def test_getitem_len_and_torchvision_attributes(tmp_path):
    arrays = make_mnist_dir(tmp_path / "FashionMNIST" / "raw", 7, 3)
    ds = FashionMNIST(tmp_path, transform=lambda x: x.astype(np.float32) / 255, target_transform=lambda t: t + 100)
    img, target = ds[-1]
    assert len(ds) == 7
    assert img.dtype == np.float32 and img.shape == (28, 28)
    np.testing.assert_allclose(img, arrays["train"][0][-1] / 255)
    assert target == int(arrays["train"][1][-1]) + 100
    plain_img, plain_target = FashionMNIST(tmp_path)[2]
    assert plain_img.dtype == np.uint8 and type(plain_target) is int
    assert ds.classes[0] == "T-shirt/top" and ds.classes[9] == "Ankle boot"
    assert ds.class_to_idx["Bag"] == 8
    assert MNIST.classes[3] == "3 - three"
    assert "Number of datapoints: 7" in repr(ds) and "Split: Train" in repr(ds)


# ---------------------------------------------------------------- source order


def test_root_comes_before_ember_data(tmp_path, monkeypatch, no_debian):
    make_mnist_dir(tmp_path / "root", 3, 2)
    make_mnist_dir(tmp_path / "env", 5, 2)
    monkeypatch.setenv("EMBER_DATA", str(tmp_path / "env"))
    ds = FashionMNIST(tmp_path / "root")
    assert len(ds) == 3
    assert ds.source == f"root:{tmp_path / 'root'}"


def test_root_in_torchvision_layout(tmp_path, no_debian):
    make_mnist_dir(tmp_path / "MNIST" / "raw", 3, 2)
    ds = MNIST(str(tmp_path))
    assert ds.source == f"root:{tmp_path / 'MNIST' / 'raw'}"


def test_ember_data_used_when_root_lacks_files(tmp_path, monkeypatch, no_debian):
    (tmp_path / "empty").mkdir()
    make_mnist_dir(tmp_path / "env" / "FashionMNIST" / "raw", 5, 2)
    monkeypatch.setenv("EMBER_DATA", str(tmp_path / "env"))
    for root in (tmp_path / "empty", None):
        ds = FashionMNIST(root, train=False)
        assert len(ds) == 2
        assert ds.source == f"env:{tmp_path / 'env' / 'FashionMNIST' / 'raw'}"


def test_ember_data_comes_before_debian(tmp_path, monkeypatch):
    make_mnist_dir(tmp_path, 5, 2)
    debian = tmp_path / "debian"
    make_mnist_dir(debian, 9, 2)
    monkeypatch.setattr(_sources, "debian_dirs", lambda *args: (debian,))
    monkeypatch.setenv("EMBER_DATA", str(tmp_path))
    assert FashionMNIST(None).source == f"env:{tmp_path}"
    monkeypatch.delenv("EMBER_DATA")
    assert FashionMNIST(None).source == f"debian:{debian}"


def test_builtin_subset_is_the_last_resort(tmp_path, no_debian, caplog):
    with caplog.at_level(logging.WARNING, logger="ember.vision"):
        ds = FashionMNIST(tmp_path)
    assert ds.source == "builtin:fashion-mnist-subset"
    assert len(ds) == 10_000
    assert "small real subset" in caplog.text


@pytest.mark.parametrize("how", ["root", "env"])
def test_builtin_can_be_forced(tmp_path, monkeypatch, how):
    make_mnist_dir(tmp_path, 3, 2)
    if how == "env":
        monkeypatch.setenv("EMBER_DATA", "builtin")
        ds = FashionMNIST(tmp_path, train=False)  # the variable overrides root
    else:
        ds = FashionMNIST("builtin", train=False)
    assert ds.source == "builtin:fashion-mnist-subset"
    assert len(ds) == 2_000


def test_mnist_without_files_lists_places_looked_in(tmp_path, monkeypatch):
    monkeypatch.setenv("EMBER_DATA", str(tmp_path / "env"))
    with pytest.raises(RuntimeError) as info:
        MNIST(tmp_path / "root")
    message = str(info.value)
    for expected in (f"root:{tmp_path / 'root'}", f"env:{tmp_path / 'env' / 'MNIST' / 'raw'}", "download=True", "EMBER_DATA", "no subset"):
        assert expected in message


def test_mnist_has_no_builtin_subset():
    with pytest.raises(RuntimeError, match="no subset of this dataset ships with ember"):
        MNIST("builtin")


# ---------------------------------------------------------------- download


def serve_as_mirror(folder: Path, cls: type, monkeypatch, corrupt: bool = False) -> None:
    """Point ``cls`` at a file:// mirror holding ``folder``'s .gz files and their MD5s."""
    resources = []
    for name, _ in cls.resources:
        md5 = hashlib.md5((folder / name).read_bytes()).hexdigest()
        resources.append((name, "0" * 32 if corrupt else md5))
    monkeypatch.setattr(cls, "mirrors", [folder.as_uri() + "/missing/", folder.as_uri() + "/"])
    monkeypatch.setattr(cls, "resources", resources)


def test_download_checks_md5_and_saves_in_torchvision_layout(tmp_path, monkeypatch, no_debian):
    arrays = make_mnist_dir(tmp_path / "mirror", 4, 3)
    serve_as_mirror(tmp_path / "mirror", MNIST, monkeypatch)
    ds = MNIST(tmp_path / "data", train=False, download=True)
    raw = tmp_path / "data" / "MNIST" / "raw"
    assert ds.source == f"download:{raw}"
    assert sorted(p.name for p in raw.iterdir()) == sorted(name for name, _ in MNIST.resources)
    np.testing.assert_array_equal(ds.data, arrays["t10k"][0])


def test_download_bad_checksum_falls_back_to_builtin(tmp_path, monkeypatch, no_debian, caplog):
    make_mnist_dir(tmp_path / "mirror", 4, 3)
    serve_as_mirror(tmp_path / "mirror", FashionMNIST, monkeypatch, corrupt=True)
    with caplog.at_level(logging.WARNING, logger="ember.vision"):
        ds = FashionMNIST(tmp_path / "data", download=True)
    assert ds.source == "builtin:fashion-mnist-subset"
    assert "MD5 checksum mismatch" in caplog.text
    assert list((tmp_path / "data" / "FashionMNIST" / "raw").iterdir()) == []


def test_unreachable_mirror_gives_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(MNIST, "mirrors", [(tmp_path / "nowhere").as_uri() + "/"])
    with pytest.raises(RuntimeError, match="could not download train-images-idx3-ubyte.gz"):
        MNIST(tmp_path / "data", download=True)


def test_download_without_a_folder_is_explained(no_debian):
    with pytest.raises(RuntimeError, match="download=True needs root or EMBER_DATA"):
        MNIST(None, download=True)


# ---------------------------------------------------------------- shipped subset and Debian


def test_shipped_subset_sizes_and_balance():
    total = sum(p.stat().st_size for p in SUBSET_DIR.glob("*.gz"))
    assert len(list(SUBSET_DIR.glob("*.gz"))) == 4
    assert total <= 6_000_000
    for train, n in ((True, 10_000), (False, 2_000)):
        ds = FashionMNIST("builtin", train=train)
        assert ds.data.shape == (n, 28, 28)
        np.testing.assert_array_equal(np.bincount(ds.targets, minlength=10), [n // 10] * 10)
        assert ds.data.std() > 50  # real pictures, not blank or constant images


@needs_debian
def test_shipped_subset_is_drawn_from_the_real_dataset():
    for train in (True, False):
        full = FashionMNIST(DEBIAN_DIR, train=train)
        subset = FashionMNIST("builtin", train=train)
        label_of = {img.tobytes(): int(t) for img, t in zip(full.data, full.targets)}
        assert all(label_of.get(img.tobytes()) == int(t) for img, t in zip(subset.data, subset.targets))


@needs_debian
def test_debian_package_is_used_when_installed():
    ds = FashionMNIST(None)
    assert ds.source == "debian:/usr/share/datasets/fashion-mnist"
    assert len(ds) == 60_000 and len(FashionMNIST(None, train=False)) == 10_000
    np.testing.assert_array_equal(np.bincount(ds.targets), [6_000] * 10)


def test_debian_dirs_falls_back_to_known_path(tmp_path, monkeypatch):
    def no_dpkg(*args, **kwargs):
        raise FileNotFoundError("dpkg")

    monkeypatch.setattr(subprocess, "run", no_dpkg)
    _sources.debian_dirs.cache_clear()
    try:
        assert _sources.debian_dirs("dataset-fashion-mnist", str(tmp_path)) == (tmp_path,)
        assert _sources.debian_dirs("dataset-fashion-mnist", str(tmp_path / "absent")) == ()
    finally:
        _sources.debian_dirs.cache_clear()


# ---------------------------------------------------------------- CIFAR-10


class Py2Pickler(pickle._Pickler):
    """Pickles str and bytes as Python 2 ``str`` (BINSTRING), like the official batches."""

    dispatch = dict(pickle._Pickler.dispatch)

    def save_py2_str(self, obj):
        raw = obj.encode("latin-1") if isinstance(obj, str) else obj
        if len(raw) < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([len(raw)]) + raw)
        else:
            self.write(pickle.BINSTRING + struct.pack("<i", len(raw)) + raw)
        self.memoize(obj)

    dispatch[str] = save_py2_str
    dispatch[bytes] = save_py2_str


def py2_pickle(obj) -> bytes:
    """A pickle as NumPy 1.x under Python 2 wrote it (``numpy.core.multiarray``)."""
    buffer = io.BytesIO()
    Py2Pickler(buffer, protocol=2).dump(obj)
    return buffer.getvalue().replace(b"cnumpy._core.multiarray\n", b"cnumpy.core.multiarray\n")


CIFAR_NAMES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]


def make_cifar_dir(folder: Path, per_batch: int = 4, dump=py2_pickle) -> dict:
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    batches = {}
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        data = rng.integers(0, 256, size=(per_batch, 3072), dtype=np.uint8)
        labels = [int(x) for x in rng.integers(0, 10, size=per_batch)]
        batch = {"batch_label": name, "data": data, "labels": labels, "filenames": ["x.png"] * per_batch}
        (folder / name).write_bytes(dump(batch))
        batches[name] = (data, labels)
    meta = {"label_names": CIFAR_NAMES, "num_cases_per_batch": per_batch, "num_vis": 3072}
    (folder / "batches.meta").write_bytes(dump(meta))
    return batches


@pytest.mark.parametrize("dump", [py2_pickle, lambda obj: pickle.dumps(obj, protocol=4)], ids=["py2", "protocol4"])
def test_cifar10_loads_batches_as_hwc(tmp_path, dump):
    batches = make_cifar_dir(tmp_path / "cifar-10-batches-py", dump=dump)
    train = CIFAR10(tmp_path)
    test = CIFAR10(tmp_path, train=False)
    assert train.data.shape == (20, 32, 32, 3) and train.data.dtype == np.uint8
    assert test.data.shape == (4, 32, 32, 3)
    raw, labels = batches["data_batch_2"]
    image = train.data[4 + 1]  # second image of the second batch
    np.testing.assert_array_equal(image[5, 7], raw[1][[0 * 1024 + 5 * 32 + 7, 1024 + 5 * 32 + 7, 2048 + 5 * 32 + 7]])
    assert train.targets[4:8] == labels and all(type(t) is int for t in train.targets)
    assert train.classes == CIFAR_NAMES and train.class_to_idx["truck"] == 9
    img, target = test[0]
    assert img.shape == (32, 32, 3) and target == batches["test_batch"][1][0]
    assert train.source == f"root:{tmp_path / 'cifar-10-batches-py'}"


class Evil:
    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_hostile_pickle_is_refused_and_not_run(tmp_path):
    marker = tmp_path / "pwned"
    make_cifar_dir(tmp_path)
    batch = tmp_path / "data_batch_3"
    batch.write_bytes(pickle.dumps({"data": Evil(marker), "labels": []}, protocol=2))
    with pytest.raises(pickle.UnpicklingError, match=r"forbidden global '(posix|os|nt)\.system'") as info:
        CIFAR10(tmp_path)
    assert str(batch) in str(info.value)
    assert not marker.exists()
    pickle.loads(pickle.dumps(Evil(marker)))  # the same pickle does run without the guard
    assert marker.exists()


@pytest.mark.parametrize(
    "obj, protocol, forbidden",
    [
        (np.int64(3), 4, "numpy._core.multiarray.scalar"),
        (print, 4, "builtins.print"),
        (print, 2, "__builtin__.print"),
        (b"py3 bytes in protocol 2", 2, "_codecs.encode"),
        (slice(1, 2), 5, "builtins.slice"),
    ],
)
def test_restricted_unpickler_allows_only_numpy_arrays(obj, protocol, forbidden):
    blob = pickle.dumps(obj, protocol=protocol)
    with pytest.raises(pickle.UnpicklingError, match=f"forbidden global '{forbidden}'"):
        RestrictedUnpickler(io.BytesIO(blob), encoding="bytes").load()


def test_truncated_batch_names_file(tmp_path):
    make_cifar_dir(tmp_path)
    batch = tmp_path / "test_batch"
    batch.write_bytes(batch.read_bytes()[:500])
    with pytest.raises(RuntimeError, match="corrupt or truncated") as info:
        CIFAR10(tmp_path, train=False)
    assert str(batch) in str(info.value)


def test_batch_with_wrong_data_is_refused(tmp_path):
    make_cifar_dir(tmp_path)
    (tmp_path / "test_batch").write_bytes(py2_pickle({"data": np.zeros((2, 3072), np.float32), "labels": [0, 1]}))
    with pytest.raises(RuntimeError, match=r"'data' must be a uint8 array of shape \(N, 3072\), found float32"):
        CIFAR10(tmp_path, train=False)


def test_safe_load_reads_plain_structures(tmp_path):
    path = tmp_path / "plain"
    path.write_bytes(pickle.dumps({"a": [1, 2.5, None, (True, b"x")]}, protocol=4))
    assert safe_load(path) == {"a": [1, 2.5, None, (True, b"x")]}


def test_cifar10_missing_files_lists_places(tmp_path):
    with pytest.raises(RuntimeError, match="CIFAR10: dataset files .* not found") as info:
        CIFAR10(tmp_path)
    assert f"root:{tmp_path / 'cifar-10-batches-py'}" in str(info.value)


def make_archive(tmp_path: Path, extra_member: str | None = None) -> Path:
    make_cifar_dir(tmp_path / "src" / "cifar-10-batches-py")
    archive = tmp_path / "mirror" / "cifar-10-python.tar.gz"
    archive.parent.mkdir()
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(tmp_path / "src" / "cifar-10-batches-py", arcname="cifar-10-batches-py")
        if extra_member is not None:
            info = tarfile.TarInfo(extra_member)
            info.size = 1
            tar.addfile(info, io.BytesIO(b"x"))
    return archive


def test_cifar10_download_checks_md5_and_unpacks(tmp_path, monkeypatch):
    archive = make_archive(tmp_path)
    monkeypatch.setattr(CIFAR10, "url", archive.as_uri())
    monkeypatch.setattr(CIFAR10, "tgz_md5", hashlib.md5(archive.read_bytes()).hexdigest())
    ds = CIFAR10(tmp_path / "data", download=True)
    assert ds.source == f"download:{tmp_path / 'data' / 'cifar-10-batches-py'}"
    assert len(ds) == 20
    monkeypatch.setattr(CIFAR10, "tgz_md5", "0" * 32)
    with pytest.raises(RuntimeError, match="MD5 checksum mismatch"):
        CIFAR10(tmp_path / "other", download=True)


def test_cifar10_download_refuses_path_traversal(tmp_path, monkeypatch):
    archive = make_archive(tmp_path, extra_member="../escaped")
    monkeypatch.setattr(CIFAR10, "url", archive.as_uri())
    monkeypatch.setattr(CIFAR10, "tgz_md5", hashlib.md5(archive.read_bytes()).hexdigest())
    with pytest.raises(RuntimeError, match="refusing to extract unsafe member '../escaped'"):
        CIFAR10(tmp_path / "data", download=True)
    assert not (tmp_path / "escaped").exists()


# --- VisionDataset: the shared base (torchvision's root / transforms / __repr__) ---------------------------


def test_vision_dataset_repr_and_transforms_as_torchvision():
    from ember.utils.data import ConcatDataset
    from ember.vision.datasets import VisionDataset

    ds = FashionMNIST(root="builtin", train=False, target_transform=str)
    assert isinstance(ds, VisionDataset) and ds[0][1] == str(int(ds.targets[0]))
    # torchvision's layout: the StandardTransform block's later lines are not indented
    assert repr(ds) == ("Dataset FashionMNIST\n    Number of datapoints: 2000\n    Root location: builtin\n"
                        "    Split: Test\n    Source: builtin:fashion-mnist-subset\n    StandardTransform\n"
                        "Target transform: <class 'str'>")
    joint = FashionMNIST(root="builtin", train=False)
    joint.transforms = lambda img, target: (img.shape, target + 100)
    assert joint[0] == ((28, 28), int(ds.targets[0]) + 100)
    assert isinstance(ds + ds, ConcatDataset) and len(ds + ds) == 4000
    with pytest.raises(ValueError, match="Only transforms or transform/target_transform"):
        VisionDataset("x", transforms=lambda a, b: (a, b), transform=abs)
    assert VisionDataset("~/data").root == os.path.expanduser("~/data")
