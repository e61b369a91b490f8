"""Every T1/T2 name of torch's nn, nn.functional, nn.init, optim, lr_scheduler, utils.data, autograd and
top-level classes/dtypes exists in ember under the same path (list copied in torch_api_t1t2_more.txt)."""
import importlib
import pathlib

import pytest

import ember

LIST = pathlib.Path(__file__).with_name("torch_api_t1t2_more.txt")


def _rows():
    rows = []
    for line in LIST.read_text().splitlines():
        if line and not line.startswith("#"):
            ns, name = line.split("\t")
            rows.append((ns, name))
    return rows


@pytest.mark.parametrize("ns,name", _rows(), ids=lambda v: str(v))
def test_name_exists(ns, name):
    obj = importlib.import_module("ember." + ns) if ns else ember
    for part in name.split("."):
        assert hasattr(obj, part), f"ember.{ns + '.' if ns else ''}{name} is missing"
        obj = getattr(obj, part)
