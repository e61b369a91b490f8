"""Op-table rows for ember/nn/functional/conv.py: each convolution with stride, padding, dilation, groups and
'same'; unfold/fold; torch's errors (kernel set crossings and large shapes stay in tests/nn/test_conv*.py)."""
from __future__ import annotations

import numpy as np

from .opinfo import T, table
from .samples import _f, err, gen
from .samples_nn import fn

OPS, row = table()


def _ones(*shape):
    return T(np.ones(shape, "float32"))


row("F.conv1d", *fn("conv1d"), gen(("tiny", [_f((1, 1, 5)), _f((2, 1, 2))], {}),
                                   ("bias_stride_pad", [_f((2, 2, 7)), _f((3, 2, 3)), _f((3,))],
                                    {"stride": 2, "padding": 1}),
                                   ("groups_dil", [_f((1, 4, 8)), _f((4, 2, 2))], {"groups": 2, "dilation": 2}),
                                   ("same", [_f((1, 2, 6)), _f((2, 2, 4))], {"padding": "same"}),
                                   ("unbatched", [_f((2, 5)), _f((3, 2, 2))], {}),
                                   ("noncontig", [_f((1, 2, 5)),
                                                  _f((2, 2, 2), "transposed")], {})),
    errors=err(([_ones(1, 3, 5), _ones(2, 2, 2)], {})))
row("F.conv2d", *fn("conv2d"), gen(("tiny", [_f((1, 1, 3, 3)), _f((1, 1, 2, 2))], {}),
                                   ("bias_stride_pad", [_f((2, 2, 5, 4)), _f((3, 2, 3, 2)), _f((3,))],
                                    {"stride": (2, 1), "padding": (1, 0)}),
                                   ("groups_dil", [_f((1, 4, 5, 5)), _f((2, 2, 2, 2))], {"groups": 2, "dilation": 2}),
                                   ("same", [_f((1, 1, 4, 5)), _f((2, 1, 3, 2))], {"padding": "same"}),
                                   ("noncontig", [_f((1, 2, 4, 4)), _f((2, 2, 2, 2), "transposed")], {})),
    errors=err(([_ones(1, 3, 4, 4), _ones(2, 2, 2, 2)], {}), ([_ones(1, 2, 1, 1), _ones(2, 2, 2, 2)], {})))
row("F.conv3d", *fn("conv3d"), gen(("tiny", [_f((1, 1, 2, 2, 3)), _f((1, 1, 1, 2, 2))], {}),
                                   ("bias_stride", [_f((1, 2, 4, 3, 3)), _f((2, 2, 2, 2, 2)), _f((2,))],
                                    {"stride": 2, "padding": 1})),
    errors=err(([_ones(1, 2, 3, 3, 3), _ones(1, 3, 2, 2, 2)], {})))
row("F.conv_transpose1d", *fn("conv_transpose1d"),
    gen(("tiny", [_f((1, 1, 4)), _f((1, 2, 3))], {}),
        ("stride_pad_out", [_f((2, 2, 4)), _f((2, 3, 3)), _f((3,))], {"stride": 2, "padding": 1, "output_padding": 1}),
        ("groups_dil", [_f((1, 4, 3)), _f((4, 1, 2))], {"groups": 2, "dilation": 2})))
row("F.conv_transpose2d", *fn("conv_transpose2d"),
    gen(("tiny", [_f((1, 1, 2, 3)), _f((1, 1, 2, 2))], {}),
        ("stride_pad_out", [_f((1, 2, 3, 3)), _f((2, 3, 3, 2)), _f((3,))],
         {"stride": 2, "padding": 1, "output_padding": 1}),
        ("groups", [_f((1, 4, 2, 2)), _f((4, 1, 2, 2))], {"groups": 2})),
    errors=err(([_ones(1, 3, 2, 2), _ones(2, 2, 2, 2)], {})))
row("F.conv_transpose3d", *fn("conv_transpose3d"),
    gen(("tiny", [_f((1, 1, 2, 2, 2)), _f((1, 1, 1, 2, 2))], {}),
        ("stride", [_f((1, 2, 2, 2, 2)), _f((2, 1, 2, 2, 2)), _f((1,))], {"stride": 2})),
    errors=err(([_ones(1, 3, 2, 2, 2), _ones(2, 1, 2, 2, 2)], {})))
row("F.unfold", *fn("unfold"), gen(("tiny", [_f((1, 1, 3, 3)), 2], {}),
                                   ("all", [_f((2, 2, 5, 4)), (2, 3)], {"dilation": (1, 2), "padding": 1, "stride": 2}),
                                   ("noncontig", [_f((1, 2, 4, 4)), 2], {"stride": 2})))
row("F.fold", *fn("fold"), gen(("tiny", [_f((1, 4, 4)), (3, 3), 2], {}),
                               ("all", [_f((2, 12, 9)), (4, 5), (2, 3)], {"padding": 1, "stride": 2}),
                               ("unbatched", [_f((4, 9)), (4, 4), 2], {})),
    errors=err(([_ones(1, 4, 5), (3, 3), 2], {})))
