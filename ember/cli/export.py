"""``ember export CKPT --onnx model.onnx``: write an `ember train` checkpoint as an ONNX graph.

The classification checkpoints (``--task classify``) rebuild their model from the checkpoint; the batch
axis of the input ``image`` and the output ``logits`` is dynamic unless ``--static-batch`` is given.
"""
from __future__ import annotations

import argparse

from . import UsageError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("checkpoint", help="an `ember train` checkpoint (checkpoint.pt)")
    parser.add_argument("--onnx", required=True, metavar="PATH", help="where to write the ONNX model")
    parser.add_argument("--opset", type=int, default=17, help="ONNX opset version (default 17; 17 or newer)")
    parser.add_argument("--static-batch", action="store_true", help="fix the batch size to 1 in the graph")


def main(args: argparse.Namespace) -> int:
    from .. import onnx, randn
    from ._common import load_checkpoint

    ckpt = load_checkpoint(args.checkpoint)
    task = ckpt["args"].get("task", "classify")
    if task != "classify":
        raise UsageError(f"ember export: error: exporting {task!r} checkpoints is not supported yet; "
                         "only --task classify checkpoints export (use ember.onnx.export in Python)")
    if args.opset < 17:
        raise UsageError(f"ember export: error: --opset {args.opset} is too old; use 17 or newer")
    from .evaluate import _restore

    model, size, _ = _restore(args.checkpoint)
    dynamic = None if args.static_batch else {"image": {0: "batch"}, "logits": {0: "batch"}}
    try:
        onnx.export(model.eval(), randn(1, 1, size, size), args.onnx, input_names=["image"],
                    output_names=["logits"], opset_version=args.opset, dynamic_axes=dynamic)
    except ImportError as e:
        raise UsageError(f"ember export: error: {e}") from None
    except OSError as e:
        raise UsageError(f"ember export: error: cannot write {args.onnx!r}: {e.strerror}") from None
    print(f"wrote {args.onnx} ({ckpt['args']['model']}, input image (N, 1, {size}, {size}), output logits)")
    return 0
