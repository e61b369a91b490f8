"""Op-table rows for ember/ops/strided.py (basic indexing has its rows in op_db_indexing.py)."""
from __future__ import annotations

from .opinfo import table
from .samples import _m

OPS, row = table()

row("narrow", lambda x: x.narrow(1, 1, 2), lambda x: x.narrow(1, 1, 2), _m((3, 4)))
row("select", lambda x: x.select(1, -1), lambda x: x.select(1, -1), _m((3, 4)))
row("diagonal", lambda x: x.diagonal(1), lambda x: x.diagonal(1), _m((3, 4)))
row("diagonal_neg", lambda x: x.diagonal(-1, 1, 2), lambda x: x.diagonal(-1, 1, 2), _m((2, 3, 4)))
row("unfold", lambda x: x.unfold(1, 3, 2), lambda x: x.unfold(1, 3, 2), _m((2, 7)))
row("as_strided", lambda x: x.as_strided((2, 2), (1, 2), 1), lambda x: x.as_strided((2, 2), (1, 2), 1), _m((6,)))
