"""``ember.vision.ops``: torchvision.ops's box operations, NMS, RoI pooling, deformable convolution, focal and
IoU losses, stochastic depth, DropBlock and FrozenBatchNorm2d.

>>> import ember
>>> from ember.vision import ops
>>> ops.box_area(ember.tensor([[0., 0., 2., 3.]]))
tensor([6.])
"""
from .boxes import (batched_nms, box_area, box_convert, box_iou, clip_boxes_to_image, distance_box_iou,
                    generalized_box_iou, masks_to_boxes, nms, remove_small_boxes)
from .box_losses import complete_box_iou_loss, distance_box_iou_loss, generalized_box_iou_loss
from .deform_conv import deform_conv2d
from .drop import DropBlock2d, StochasticDepth, drop_block2d, stochastic_depth
from .focal_loss import sigmoid_focal_loss
from .frozen_batch_norm import FrozenBatchNorm2d
from .roi import RoIAlign, RoIPool, roi_align, roi_pool

__all__ = ["DropBlock2d", "FrozenBatchNorm2d", "RoIAlign", "RoIPool", "StochasticDepth", "batched_nms", "box_area",
           "box_convert", "box_iou", "clip_boxes_to_image", "complete_box_iou_loss", "deform_conv2d",
           "distance_box_iou", "distance_box_iou_loss", "drop_block2d", "generalized_box_iou",
           "generalized_box_iou_loss", "masks_to_boxes", "nms", "remove_small_boxes", "roi_align", "roi_pool",
           "sigmoid_focal_loss", "stochastic_depth"]
