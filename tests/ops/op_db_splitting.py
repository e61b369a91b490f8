"""Op-table rows for ember/ops/splitting.py."""
from __future__ import annotations



from .opinfo import FLOAT, table
from .samples import _f, _fn, _m, gen

OPS, row = table()


row("unbind", lambda x: x.unbind(1), lambda x: x.unbind(1), _m((3, 4)))
row("split", lambda x: x.split(2, 1), lambda x: x.split(2, 1), _m((3, 5)))
row("split_sizes", lambda x: x.split([1, 3], 1), lambda x: x.split([1, 3], 1), _m((3, 4)))
row("chunk", lambda x: x.chunk(3, 0), lambda x: x.chunk(3, 0), _m((7, 2)))
row("tensor_split", *_fn("tensor_split"),
    gen(("sections", [_f((7, 2)), 3], {}), ("indices", [_f((2, 7)), [1, 4]], {"dim": 1}),
        ("neg", [_f((6,)), (2, -1)], {})), dtypes=FLOAT + ("int64",))
