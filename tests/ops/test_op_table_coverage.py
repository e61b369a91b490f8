"""The op table covers what ember exports: every function ``ember.<name>`` has at least one row in
``tests/ops/op_db_*.py`` (so the generic tests of test_ops.py compare it with torch), unless ``NO_ROW``
below says why it cannot be one; every function ``ember.nn.functional.<name>`` has a row ``F.<name>`` in
``tests/ops/op_db_nn_*.py``, unless ``NO_ROW_F`` says why.

A row covers ``name`` when the row is called ``name`` or ``name_<variant>`` / ``name[<variant>]``
(``add_alpha``, ``einsum[ii->i]``) or ``name@<file>`` (the same name in two op_db files).

Run ``python -m tests.ops.test_op_table_coverage`` to print the exported functions that have no row.
"""
from __future__ import annotations

import importlib
import inspect
import os

import pytest

pytest.importorskip("torch", reason="torch is the test oracle (pip install -e '.[test]')")

import ember.nn.functional as F  # noqa: E402
from ember import ops  # noqa: E402

from .test_ops import OPS  # noqa: E402

# Exported functions that cannot be an op-table row, each with the reason. Keep it short: a name
# here is a name whose values nobody compares with torch.
NO_ROW: dict = {
}

# The same for ember.nn.functional (rows named ``F.<name>``).
NO_ROW_F: dict = {
}


def exported_functions() -> list:
    """The names of the callables (not classes) that ``ember.<name>`` exports from the op modules."""
    return sorted(n for n, f in ops.public_functions().items() if callable(f) and not inspect.isclass(f))


def _covered(name: str, row_names: list) -> bool:
    return any(r == name or r.startswith((name + "_", name + "[", name + "@")) for r in row_names)


def rowless() -> list:
    row_names = [op.name for op in OPS]
    return [n for n in exported_functions() if not _covered(n, row_names)]


def functional_functions() -> list:
    """The public functions (not classes, not submodules) of ``ember.nn.functional``."""
    return sorted(n for n in dir(F) if not n.startswith("_") and inspect.isfunction(getattr(F, n)))


def functional_rowless() -> list:
    row_names = [op.name for op in OPS]
    return [n for n in functional_functions() if not _covered("F." + n, row_names)]


def test_every_functional_has_a_row():
    missing = [n for n in functional_rowless() if n not in NO_ROW_F]
    assert not missing, (f"{len(missing)} functions of ember.nn.functional have no op-table row F.<name> (add one in "
                         f"tests/ops/op_db_nn_<file>.py, or a reason in NO_ROW_F): {', '.join(missing)}")


def test_no_row_f_list_is_current():
    exported, missing = set(functional_functions()), set(functional_rowless())
    for name, reason in NO_ROW_F.items():
        assert name in exported, f"F.{name} is no longer exported: drop it from NO_ROW_F"
        assert name in missing, f"F.{name} now has a row: drop it from NO_ROW_F"
        assert reason.strip(), f"NO_ROW_F[{name!r}] needs a reason"


def test_every_export_has_a_row():
    missing = [n for n in rowless() if n not in NO_ROW]
    assert not missing, (f"{len(missing)} exported functions have no op-table row (add one in "
                         f"tests/ops/op_db_*.py, or a reason in NO_ROW): {', '.join(missing)}")


def test_no_row_list_is_current():
    """Every NO_ROW entry is exported, still has no row, and gives a reason."""
    exported, missing = set(exported_functions()), set(rowless())
    for name, reason in NO_ROW.items():
        assert name in exported, f"{name} is no longer exported: drop it from NO_ROW"
        assert name in missing, f"{name} now has a row: drop it from NO_ROW"
        assert reason.strip(), f"NO_ROW[{name!r}] needs a reason"


if __name__ == "__main__":
    names = rowless()
    print(f"{len(names)} of {len(exported_functions())} exported functions have no op-table row:")
    print(" ".join(names))
    names = functional_rowless()
    print(f"{len(names)} of {len(functional_functions())} nn.functional functions have no op-table row:")
    print(" ".join(names))


def _functional_files() -> set:
    """The public files of ember/nn/functional that export functions (``recurrent.py`` exports none: the RNN
    layers call it, and the module table tests them)."""
    here = os.path.dirname(os.path.abspath(F.__file__))
    names = {f[:-3] for f in os.listdir(here) if f.endswith(".py") and not f.startswith("_")}
    return {n for n in names if getattr(importlib.import_module(f"ember.nn.functional.{n}"), "__all__", None)}


def test_one_table_file_per_op_file():
    """ops/ is grouped by concept and its table follows it: ``op_db_<name>.py`` for each ``ember/ops/<name>.py``,
    ``op_db_nn_<name>.py`` for each ``ember/nn/functional/<name>.py``."""
    here = os.path.dirname(os.path.abspath(__file__))
    tables = {f[len("op_db_"):-3] for f in os.listdir(here) if f.startswith("op_db_") and f.endswith(".py")}
    op_files = {m.__name__.rsplit(".", 1)[-1] for m in ops.MODULES} | {"nn_" + n for n in _functional_files()}
    assert tables == op_files, (f"op files without a table: {sorted(op_files - tables)}; "
                                f"tables without an op file: {sorted(tables - op_files)}")
