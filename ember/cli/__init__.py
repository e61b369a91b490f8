"""The ``ember`` command line: ``ember train``, ``ember evaluate``, ``ember predict``, ``ember bench``.

``ember train`` with no arguments trains LeNet (with BatchNorm) on Fashion-MNIST and writes a run
folder (``runs/<model>`` by default): ``metrics.csv``, ``metrics.json``, ``curves.png`` and
``checkpoint.pt`` (after every epoch; ``--resume`` continues from it). A bad argument, a missing or
corrupt dataset or checkpoint prints one line and exits with code 2.
"""
from __future__ import annotations

import argparse
import sys


class UsageError(Exception):
    """A user error: printed as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one clear line, no usage dump
        raise UsageError(f"{self.prog}: error: {message}")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="ember", description="ember: train and evaluate the classic networks on Fashion-MNIST")
    sub = p.add_subparsers(dest="command", parser_class=_Parser)

    t = sub.add_parser("train", help="train a model (default: LeNet with BatchNorm on Fashion-MNIST)")
    t.add_argument("--model", default="lenet_bn", help="model name (see `ember train --list-models`)")
    t.add_argument("--epochs", type=_positive_int, default=10)
    t.add_argument("--batch-size", type=_positive_int, default=128)
    t.add_argument("--lr", type=_positive_float, default=None, help="learning rate (default per optimizer)")
    t.add_argument("--optimizer", default="sgd", choices=["sgd", "adam", "adamw", "rmsprop", "adagrad"])
    t.add_argument("--scheduler", default="cosine", choices=["none", "step", "cosine", "onecycle"])
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--data", default=None, help="folder with the Fashion-MNIST IDX files (default: auto)")
    t.add_argument("--out", default=None, help="run folder (default: runs/<model>)")
    t.add_argument("--num-workers", type=_nonneg_int, default=0)
    t.add_argument("--device", default="cpu")
    t.add_argument("--resume", action="store_true", help="continue from the run folder's checkpoint")
    t.add_argument("--subset", action="store_true", help="use the shipped 10k/2k subset even if the full data exists")
    t.add_argument("--no-plot", action="store_true", help="skip the PNG of the curves")
    t.add_argument("--list-models", action="store_true", help="print the model names and exit")

    e = sub.add_parser("evaluate", help="accuracy, confusion matrix and per-class accuracy of a checkpoint")
    e.add_argument("checkpoint")
    e.add_argument("--data", default=None)
    e.add_argument("--batch-size", type=_positive_int, default=256)
    e.add_argument("--subset", action="store_true")

    r = sub.add_parser("predict", help="a PNG grid of test images with the checkpoint's predicted labels")
    r.add_argument("checkpoint")
    r.add_argument("--data", default=None)
    r.add_argument("--n", type=_positive_int, default=16, help="number of images")
    r.add_argument("--out", default=None, help="PNG path (default: next to the checkpoint)")
    r.add_argument("--subset", action="store_true")

    b = sub.add_parser("bench", help="run the benchmarks (ember vs torch) from a source checkout")
    b.add_argument("args", nargs=argparse.REMAINDER)
    return p


def _positive_int(s: str) -> int:
    v = _nonneg_int(s)
    if v == 0:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {s!r}")
    return v


def _nonneg_int(s: str) -> int:
    try:
        v = int(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer, got {s!r}") from None
    if v < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, got {s!r}")
    return v


def _positive_float(s: str) -> float:
    try:
        v = float(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, got {s!r}") from None
    if not v > 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {s!r}")
    return v


def main(argv: list | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        args = build_parser().parse_args(argv or ["train"])
        if args.command == "train":
            from .train import run_train

            return run_train(args)
        if args.command == "evaluate":
            from .evaluate import run_evaluate

            return run_evaluate(args)
        if args.command == "predict":
            from .evaluate import run_predict

            return run_predict(args)
        if args.command == "bench":
            from .bench import run_bench

            return run_bench(args.args)
        raise UsageError("ember: error: unknown command")
    except UsageError as e:
        print(str(e), file=sys.stderr)
        return 2
    except Exception as e:  # noqa: BLE001 - one line for the user; EMBER_DEBUG=1 shows the traceback
        import os

        if os.environ.get("EMBER_DEBUG"):
            raise
        print(f"ember: error: {type(e).__name__}: {e} (set EMBER_DEBUG=1 for the traceback)", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
