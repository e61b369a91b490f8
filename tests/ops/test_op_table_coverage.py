"""The op table covers what ember exports: every function ``ember.<name>`` has at least one row in
``tests/ops/op_db_*.py`` (so the generic tests of test_ops.py compare it with torch), unless ``NO_ROW``
below says why it cannot be one.

A row covers ``name`` when the row is called ``name`` or ``name_<variant>`` / ``name[<variant>]``
(``add_alpha``, ``einsum[ii->i]``) or ``name@<file>`` (the same name in two op_db files).

Run ``python -m tests.ops.test_op_table_coverage`` to print the exported functions that have no row.
"""
from __future__ import annotations

import inspect
import os

import pytest

pytest.importorskip("torch", reason="torch is the test oracle (pip install -e '.[test]')")

from ember import ops  # noqa: E402

from .test_ops import OPS  # noqa: E402

# Exported functions that cannot be an op-table row, each with the reason. Keep it short: a name
# here is a name whose values nobody compares with torch.
NO_ROW: dict = {
}


def exported_functions() -> list:
    """The names of the callables (not classes) that ``ember.<name>`` exports from the op modules."""
    return sorted(n for n, f in ops.public_functions().items() if callable(f) and not inspect.isclass(f))


def _covered(name: str, row_names: list) -> bool:
    return any(r == name or r.startswith((name + "_", name + "[", name + "@")) for r in row_names)


def rowless() -> list:
    row_names = [op.name for op in OPS]
    return [n for n in exported_functions() if not _covered(n, row_names)]


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


def test_one_table_file_per_op_file():
    """ops/ is grouped by concept and its table follows it: ``op_db_<name>.py`` for each ``ember/ops/<name>.py``."""
    here = os.path.dirname(os.path.abspath(__file__))
    tables = {f[len("op_db_"):-3] for f in os.listdir(here) if f.startswith("op_db_") and f.endswith(".py")}
    op_files = {m.__name__.rsplit(".", 1)[-1] for m in ops.MODULES}
    assert tables == op_files, (f"op files without a table: {sorted(op_files - tables)}; "
                                f"tables without an op file: {sorted(tables - op_files)}")
