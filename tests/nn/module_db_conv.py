"""Module-table rows for convolution, pooling, normalization, padding, upsampling and friends
(checked by test_modules.py against torch: outputs, gradients, state_dict, buffers, train/eval)."""
from __future__ import annotations

import numpy as np

from tests.nn.module_db import F32, ModuleInfo


def _x(*shape):
    return lambda rng: (rng.standard_normal(shape).astype(F32),)


def row(name, cls, args=(), kwargs=None, shape=(2, 3, 8, 8), **kw):
    return ModuleInfo(name, cls, tuple(args), dict(kwargs or {}), _x(*shape), **kw)


CONV = [
    row("Conv1d", "Conv1d", (3, 4, 3), shape=(2, 3, 9)),
    row("Conv1d_stride_pad_dil", "Conv1d", (3, 4, 3), {"stride": 2, "padding": 2, "dilation": 2}, shape=(2, 3, 11)),
    row("Conv2d", "Conv2d", (3, 5, 3)),
    row("Conv2d_same", "Conv2d", (3, 4, 3), {"padding": "same", "bias": False}),
    row("Conv2d_valid_stride", "Conv2d", (3, 4, (3, 2)), {"stride": (2, 1), "padding": "valid"}),
    row("Conv2d_groups", "Conv2d", (4, 6, 3), {"groups": 2, "padding": 1}, shape=(2, 4, 6, 6)),
    row("Conv2d_depthwise", "Conv2d", (4, 4, 3), {"groups": 4}, shape=(2, 4, 6, 6)),
    row("Conv2d_reflect", "Conv2d", (3, 2, 3), {"padding": 1, "padding_mode": "reflect"}),
    row("Conv2d_replicate", "Conv2d", (3, 2, 3), {"padding": 2, "padding_mode": "replicate"}),
    row("Conv2d_circular", "Conv2d", (3, 2, 3), {"padding": 1, "padding_mode": "circular"}),
    row("Conv2d_unbatched", "Conv2d", (3, 2, 3), shape=(3, 7, 7)),
    row("Conv3d", "Conv3d", (2, 3, 2), shape=(1, 2, 4, 4, 4)),
    row("ConvTranspose1d", "ConvTranspose1d", (3, 2, 3), {"stride": 2, "output_padding": 1}, shape=(2, 3, 5)),
    row("ConvTranspose2d", "ConvTranspose2d", (3, 4, 3), {"stride": 2, "padding": 1}),
    row("ConvTranspose2d_groups_dil", "ConvTranspose2d", (4, 4, 3), {"groups": 2, "dilation": 2},
        shape=(1, 4, 5, 5)),
]

POOL = [
    row("MaxPool1d", "MaxPool1d", (3,), {"stride": 2, "padding": 1}, shape=(2, 3, 9)),
    row("MaxPool2d", "MaxPool2d", (2,)),
    row("MaxPool2d_ceil_dil", "MaxPool2d", (3,), {"stride": 2, "ceil_mode": True, "dilation": 1, "padding": 1}),
    row("AvgPool1d", "AvgPool1d", (3,), {"stride": 2}, shape=(2, 3, 9)),
    row("AvgPool2d", "AvgPool2d", (2,)),
    row("AvgPool2d_pad_nocount", "AvgPool2d", (3,), {"stride": 2, "padding": 1, "count_include_pad": False,
                                                    "ceil_mode": True}),
    row("AdaptiveAvgPool1d", "AdaptiveAvgPool1d", (4,), shape=(2, 3, 9)),
    row("AdaptiveAvgPool2d", "AdaptiveAvgPool2d", ((3, 2),), shape=(2, 3, 7, 8)),
    row("AdaptiveMaxPool2d", "AdaptiveMaxPool2d", (3,), shape=(2, 3, 7, 7)),
    row("LPPool2d", "LPPool2d", (2, 2), shape=(2, 3, 6, 6)),
]

NORM = [
    row("BatchNorm1d", "BatchNorm1d", (4,), shape=(6, 4)),
    row("BatchNorm1d_3d", "BatchNorm1d", (3,), shape=(4, 3, 5)),
    row("BatchNorm2d", "BatchNorm2d", (3,)),
    row("BatchNorm2d_cumulative", "BatchNorm2d", (3,), {"momentum": None}),
    row("BatchNorm2d_noaffine", "BatchNorm2d", (3,), {"affine": False}),
    row("BatchNorm2d_nostats", "BatchNorm2d", (3,), {"track_running_stats": False}),
    row("BatchNorm3d", "BatchNorm3d", (2,), shape=(2, 2, 3, 3, 3)),
    row("LayerNorm", "LayerNorm", ((8,),), shape=(2, 3, 8)),
    row("LayerNorm_2d_nobias", "LayerNorm", ((3, 8),), {"bias": False}, shape=(2, 3, 8)),
    row("GroupNorm", "GroupNorm", (2, 4), shape=(2, 4, 5, 5)),
    row("InstanceNorm1d", "InstanceNorm1d", (3,), {"affine": True}, shape=(2, 3, 7)),
    row("InstanceNorm2d_stats", "InstanceNorm2d", (3,), {"track_running_stats": True}),
    row("LocalResponseNorm", "LocalResponseNorm", (3,), shape=(2, 5, 4, 4)),
    row("RMSNorm", "RMSNorm", ((8,),), shape=(2, 3, 8)),
]

SHAPE = [
    row("ZeroPad2d", "ZeroPad2d", ((1, 2, 0, 1),)),
    row("ConstantPad1d", "ConstantPad1d", (2, 0.5), shape=(2, 3, 5)),
    row("ReflectionPad2d", "ReflectionPad2d", (2,)),
    row("ReplicationPad1d", "ReplicationPad1d", ((1, 3),), shape=(2, 3, 5)),
    row("CircularPad2d", "CircularPad2d", (1,)),
    row("Upsample_nearest", "Upsample", (), {"scale_factor": 2, "mode": "nearest"}),
    row("Upsample_bilinear_ac", "Upsample", (), {"size": (5, 11), "mode": "bilinear", "align_corners": True}),
    row("UpsamplingBilinear2d", "UpsamplingBilinear2d", (), {"scale_factor": 2}),
    row("PixelShuffle", "PixelShuffle", (2,), shape=(2, 8, 3, 3)),
    row("PixelUnshuffle", "PixelUnshuffle", (2,), shape=(2, 2, 4, 4)),
    row("Unfold", "Unfold", (3,), {"padding": 1}, shape=(2, 3, 5, 5)),
    row("Fold", "Fold", ((4, 5), 2), shape=(2, 12, 12)),
]

MODULES = CONV + POOL + NORM + SHAPE
