"""TinySSD, the single-shot multibox detector of Dive into Deep Learning 1.0 (ch. 14.7), with the book's
names: ``cls_predictor``, ``bbox_predictor``, ``flatten_pred``, ``concat_preds``, ``down_sample_blk``,
``base_net``, ``get_blk``, ``blk_forward``, ``TinySSD``, ``calc_loss``, ``cls_eval``, ``bbox_eval``.

Five feature maps of falling resolution (the base net's 1/8 map, two more halvings, and a global
max-pool) each get anchors from ``multibox_prior`` and two 3x3 conv heads: one scores
``num_classes + 1`` classes (0: background) per anchor, the other predicts the anchor's 4 offsets.
The heads' outputs are flattened channel-last and concatenated over the scales, so anchor ``a`` of
the concatenation lines up with row ``a`` of the concatenated anchors.

Loss (``calc_loss``), per image: cross-entropy of the class scores averaged over anchors, plus the L1
loss of the offsets of the anchors that have a box (masked) averaged over the 4A offsets.

The modules are named as the book's (``blk_i``, ``cls_i``, ``bbox_i``), so its PyTorch model's
``state_dict`` loads here and back.

>>> import ember
>>> net = TinySSD(num_classes=1)
>>> anchors, cls_preds, bbox_preds = net(ember.zeros(2, 3, 64, 64))
>>> anchors.shape, cls_preds.shape, bbox_preds.shape
(ember.Size([1, 344, 4]), ember.Size([2, 344, 2]), ember.Size([2, 1376]))
"""
from __future__ import annotations

from typing import Sequence

import ember
import ember.nn.functional as F
from ember import nn
from ember.tensor import Tensor

from ..vision.detection import multibox_prior

__all__ = ["TinySSD", "base_net", "bbox_eval", "bbox_predictor", "blk_forward", "calc_loss", "cls_eval",
           "cls_predictor", "concat_preds", "down_sample_blk", "flatten_pred", "get_blk"]

#: The book's anchor sizes per scale (growing linearly from 0.2 to 0.88, each with its geometric mean with
#: the next) and ratios; each pixel gets len(sizes) + len(ratios) - 1 = 4 anchors.
SIZES = [[0.2, 0.272], [0.37, 0.447], [0.54, 0.619], [0.71, 0.79], [0.88, 0.961]]
RATIOS = [[1, 2, 0.5]] * 5


def cls_predictor(num_inputs: int, num_anchors: int, num_classes: int) -> nn.Conv2d:
    """3x3 conv (padding 1) giving ``num_anchors * (num_classes + 1)`` class scores per pixel."""
    return nn.Conv2d(num_inputs, num_anchors * (num_classes + 1), kernel_size=3, padding=1)


def bbox_predictor(num_inputs: int, num_anchors: int) -> nn.Conv2d:
    """3x3 conv (padding 1) giving ``num_anchors * 4`` offsets per pixel."""
    return nn.Conv2d(num_inputs, num_anchors * 4, kernel_size=3, padding=1)


def flatten_pred(pred: Tensor) -> Tensor:
    """(N, C, H, W) -> (N, H * W * C), channels last so a pixel's predictions stay together."""
    return pred.permute(0, 2, 3, 1).flatten(start_dim=1)


def concat_preds(preds: Sequence[Tensor]) -> Tensor:
    """Flattened predictions of every scale, side by side: (N, sum of H * W * C)."""
    return ember.cat([flatten_pred(p) for p in preds], dim=1)


def down_sample_blk(in_channels: int, out_channels: int) -> nn.Sequential:
    """Two (3x3 conv -> BatchNorm -> ReLU), then a 2x2 max-pool: halves height and width.

    >>> down_sample_blk(3, 10)(ember.zeros(2, 3, 20, 20)).shape
    ember.Size([2, 10, 10, 10])
    """
    blk = []
    for _ in range(2):
        blk += [nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1), nn.BatchNorm2d(out_channels),
                nn.ReLU()]
        in_channels = out_channels
    blk.append(nn.MaxPool2d(2))
    return nn.Sequential(*blk)


def base_net() -> nn.Sequential:
    """Three down-sampling blocks, 3 -> 16 -> 32 -> 64 channels: (N, 3, H, W) -> (N, 64, H/8, W/8)."""
    filters = [3, 16, 32, 64]
    return nn.Sequential(*[down_sample_blk(filters[i], filters[i + 1]) for i in range(len(filters) - 1)])


def get_blk(i: int) -> nn.Module:
    """Stage ``i`` of TinySSD: 0 the base net, 1 a block to 128 channels, 2-3 blocks of 128, 4 a global max-pool."""
    if i == 0:
        return base_net()
    if i == 1:
        return down_sample_blk(64, 128)
    if i == 4:
        return nn.AdaptiveMaxPool2d((1, 1))
    return down_sample_blk(128, 128)


def blk_forward(X: Tensor, blk: nn.Module, size: Sequence[float], ratio: Sequence[float],
                cls_predictor: nn.Module, bbox_predictor: nn.Module) -> tuple:
    """One scale: its feature map ``Y``, anchors (1, H * W * a, 4), class scores and offsets (maps)."""
    Y = blk(X)
    anchors = multibox_prior(Y, sizes=size, ratios=ratio)
    return Y, anchors, cls_predictor(Y), bbox_predictor(Y)


class TinySSD(nn.Module):
    """d2l's TinySSD: five scales (``blk_0..4``), each with a class head ``cls_i`` and a box head ``bbox_i``.

    Shape: ``(N, 3, H, W) -> (anchors (1, A, 4), cls_preds (N, A, num_classes + 1), bbox_preds (N, 4 A))``
    with ``A = 4 * (h_0 w_0 + ... + h_4 w_4)``; 256x256 inputs give A = 5444 as in the book.
    Init: the layers' defaults (Conv2d: kaiming_uniform(a=sqrt(5)); BatchNorm: weight 1, bias 0).
    """

    def __init__(self, num_classes: int, sizes: Sequence = SIZES, ratios: Sequence = RATIOS) -> None:
        super().__init__()
        if len(sizes) != 5 or len(ratios) != 5:
            raise ValueError(f"TinySSD: sizes and ratios need one entry per scale (5), got {len(sizes)} and "
                             f"{len(ratios)}")
        self.num_classes = num_classes
        self.sizes, self.ratios = [list(s) for s in sizes], [list(r) for r in ratios]
        num_anchors = len(self.sizes[0]) + len(self.ratios[0]) - 1
        idx_to_in_channels = [64, 128, 128, 128, 128]
        for i in range(5):
            setattr(self, f"blk_{i}", get_blk(i))
            setattr(self, f"cls_{i}", cls_predictor(idx_to_in_channels[i], num_anchors, num_classes))
            setattr(self, f"bbox_{i}", bbox_predictor(idx_to_in_channels[i], num_anchors))

    def forward(self, X: Tensor) -> tuple:
        anchors, cls_preds, bbox_preds = [None] * 5, [None] * 5, [None] * 5
        for i in range(5):
            X, anchors[i], cls_preds[i], bbox_preds[i] = blk_forward(
                X, getattr(self, f"blk_{i}"), self.sizes[i], self.ratios[i],
                getattr(self, f"cls_{i}"), getattr(self, f"bbox_{i}"))
        anchors = ember.cat(anchors, dim=1)
        cls_preds = concat_preds(cls_preds)
        cls_preds = cls_preds.reshape(cls_preds.shape[0], -1, self.num_classes + 1)
        return anchors, cls_preds, concat_preds(bbox_preds)

    def extra_repr(self) -> str:
        return f"num_classes={self.num_classes}"


def calc_loss(cls_preds: Tensor, cls_labels: Tensor, bbox_preds: Tensor, bbox_labels: Tensor,
              bbox_masks: Tensor) -> Tensor:
    """Per-image loss (N,): mean over anchors of the class cross-entropy + mean of the masked L1 offsets."""
    batch_size, num_classes = cls_preds.shape[0], cls_preds.shape[2]
    cls = F.cross_entropy(cls_preds.reshape(-1, num_classes), cls_labels.reshape(-1), reduction="none")
    cls = cls.reshape(batch_size, -1).mean(dim=1)
    bbox = F.l1_loss(bbox_preds * bbox_masks, bbox_labels * bbox_masks, reduction="none").mean(dim=1)
    return cls + bbox


def cls_eval(cls_preds: Tensor, cls_labels: Tensor) -> float:
    """Number of anchors whose predicted class is right (the book's class accuracy numerator)."""
    return float((cls_preds.argmax(dim=-1).type(cls_labels.dtype) == cls_labels).sum())


def bbox_eval(bbox_preds: Tensor, bbox_labels: Tensor, bbox_masks: Tensor) -> float:
    """Sum of absolute offset errors over the anchors that have a box (the book's MAE numerator)."""
    return float((ember.abs((bbox_labels - bbox_preds) * bbox_masks)).sum())
