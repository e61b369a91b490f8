"""Every torch function and Tensor method the courses use (tiers T1 and T2) exists in ember.

The ranked lists live in ``../shared/torch_api/`` beside the repository; CI has no such folder, so
``torch_api_t1t2.txt`` here is a committed copy of their T1/T2 rows, and a second test keeps the copy
in sync when the folder is present. ``LEFT_OUT`` names what ember deliberately does not provide.
"""
from __future__ import annotations

import pathlib

import pytest

import ember

HERE = pathlib.Path(__file__).parent
COPY = HERE / "torch_api_t1t2.txt"
SHARED = HERE.parents[1].parent / "shared" / "torch_api"
SOURCES = {"torch": "torch_api_torch_functions.txt", "Tensor": "torch_api_tensor_methods.txt"}

LEFT_OUT = {
    ("Tensor", "values"): "sparse-only (torch raises 'values expected sparse tensor layout but got Strided' on "
                          "dense tensors); the courses' `.values` is the field of max/sort/topk results, which "
                          "ember's return_types provide",
    ("Tensor", "index"): "functorch first-class dimensions (`Tensor.index(positions, dims)`), not indexing; the "
                         "courses' `.index(...)` is list.index",
}


def _rows(lines) -> list:
    out = []
    for line in lines:
        if line.startswith("#") or not line.strip():
            continue
        target, name, kind, tier = line.rstrip("\n").split("\t")
        out.append((target, name, kind, tier))
    return out


def _shared_rows() -> list:
    out = []
    for target, fname in SOURCES.items():
        for line in (SHARED / fname).read_text().splitlines():
            if line.startswith("#") or not line.strip():
                continue
            parts = line.split("\t")
            if parts[-1] in ("T1", "T2"):
                out.append((target, parts[0], parts[1], parts[-1]))
    return out


def _missing(rows) -> list:
    missing = []
    for target, name, _kind, _tier in rows:
        if (target, name) in LEFT_OUT:
            continue
        owner = ember if target == "torch" else ember.Tensor
        if not hasattr(owner, name):
            missing.append(f"{target}.{name}")
    return missing


def test_t1_t2_names_exist():
    rows = _rows(COPY.read_text().splitlines())
    assert len(rows) > 150, "the committed T1/T2 list looks truncated"
    assert _missing(rows) == []


def test_left_out_names_are_real_and_absent():
    rows = {(t, n) for t, n, _, _ in _rows(COPY.read_text().splitlines())}
    for key, reason in LEFT_OUT.items():
        assert key in rows, f"{key} is not a T1/T2 name: drop it from LEFT_OUT"
        assert reason


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/torch_api is not present (CI): the committed copy "
                                                "tests/ops/torch_api_t1t2.txt is checked instead")
def test_committed_copy_matches_shared_lists():
    shared = _shared_rows()
    assert sorted(shared) == sorted(_rows(COPY.read_text().splitlines())), (
        "tests/ops/torch_api_t1t2.txt is out of date: regenerate it from ../shared/torch_api")
    assert _missing(shared) == []
