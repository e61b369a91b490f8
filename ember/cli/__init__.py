"""The ``ember`` command line: ``ember train``, ``ember evaluate``, ``ember predict``, ``ember bench``.

``ember train`` with no arguments trains LeNet (with BatchNorm) on Fashion-MNIST and writes a run
folder (``runs/<model>`` by default): ``metrics.csv``, ``metrics.json``, ``curves.png`` and
``checkpoint.pt`` (after every epoch; ``--resume`` continues from it). A bad argument, a missing or
corrupt dataset or checkpoint prints one line and exits with code 2.

The CLI imports inside functions on purpose: each task (``TASKS``), command (``COMMANDS``) and model is
imported when it is run, so that ``ember --help`` and one task do not import every model, dataset and optional
dependency. It is the one part of ember where imports of ember modules inside functions are the rule
(``tests/test_architecture.py`` checks that everywhere else they sit at the top of the module).
"""
from __future__ import annotations

import argparse
import importlib
import sys

# ``ember train --task NAME``: each task lives in its own module under ``ember/cli/tasks/`` and defines
# ``run_train(args, rest) -> int`` (``rest``: the arguments the common parser did not know; the task parses
# them) and, when it has one, ``run_predict(args, rest, ckpt) -> int`` for ``ember predict`` on its
# checkpoints (a checkpoint records its task under ``ckpt["args"]["task"]``).
TASKS = {
    "classify": "ember.cli.train",            # image classification on Fashion-MNIST (the default)
    "charlm": "ember.cli.tasks.charlm",       # character language model on the shipped book
    "translate": "ember.cli.tasks.translate",  # English-French seq2seq / Transformer
    "bert-pretrain": "ember.cli.tasks.bert",  # BERT masked-LM + next-sentence pretraining
    "detect": "ember.cli.tasks.detect",       # TinySSD on generated banana-style images
    "segment": "ember.cli.tasks.segment",     # FCN on generated shapes with masks
    "style": "ember.cli.tasks.style",         # neural style transfer
    "vae": "ember.cli.tasks.generative",      # the generative recipes share one module
    "gan": "ember.cli.tasks.generative",
    "pixelcnn": "ember.cli.tasks.generative",
    "diffusion": "ember.cli.tasks.generative",
}

# Sub-commands beyond train/evaluate/predict/bench: each module defines ``add_arguments(parser)`` and
# ``main(args) -> int``.
COMMANDS = {
    "export": ("ember.cli.export", "export a checkpoint (ONNX for ONNX Runtime)"),
    "run": ("ember.cli.run", "run an unmodified PyTorch script on ember"),
}


# What a task sees for the common options left out (image classification takes them from the model's recipe).
TASK_DEFAULTS = {"epochs": 10, "batch_size": 128, "optimizer": "sgd"}


class UsageError(Exception):
    """A user error: printed as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs) -> None:
        # no prefix matching: a task's own option (``--n``) must never be taken for a common one (``--no-plot``)
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # one clear line, no usage dump
        raise UsageError(f"{self.prog}: error: {message}")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="ember", description="ember: train and evaluate the classic networks on Fashion-MNIST")
    sub = p.add_subparsers(dest="command", parser_class=_Parser)

    t = sub.add_parser("train", help="train a model (default: LeNet with BatchNorm on Fashion-MNIST)")
    t.add_argument("--task", default="classify", help=f"what to train: {', '.join(TASKS)} (default classify)")
    t.add_argument("--model", default=None, help="model name (see `ember train --list-models`)")
    t.add_argument("--epochs", type=_positive_int, default=None, help="default: the model's recipe (10 for tasks)")
    t.add_argument("--batch-size", type=_positive_int, default=None, help="default: the model's recipe (128)")
    t.add_argument("--lr", type=_positive_float, default=None, help="learning rate (default: the recipe's)")
    t.add_argument("--optimizer", default=None, choices=["sgd", "adam", "adamw", "rmsprop", "adagrad"],
                   help="default: the model's recipe (sgd for tasks)")
    t.add_argument("--scheduler", default="cosine", choices=["none", "step", "cosine", "onecycle"])
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--data", default=None, help="folder with the Fashion-MNIST IDX files (default: auto)")
    t.add_argument("--out", default=None, help="run folder (default: runs/<model>)")
    t.add_argument("--num-workers", type=_nonneg_int, default=0)
    t.add_argument("--device", default="cpu")
    t.add_argument("--resume", action="store_true", help="continue from the run folder's checkpoint")
    t.add_argument("--subset", action="store_true", help="use the shipped 10k/2k subset even if the full data exists")
    t.add_argument("--no-plot", action="store_true", help="skip the PNG of the curves")
    t.add_argument("--ddp", action="store_true",
                   help="classify: one rank of `mpirun -n N ember train --ddp` (DistributedDataParallel over MPI)")
    t.add_argument("--list-models", action="store_true", help="print the model names and exit")
    t.add_argument("--finetune", default=None, metavar="CKPT",
                   help="classify: start from CKPT's weights (ember or torch state_dict) with a new head")
    t.add_argument("--freeze-backbone", action="store_true", help="with --finetune: train only the head")

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
    for name, (module, help_) in COMMANDS.items():
        c = sub.add_parser(name, help=help_)
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as e:
            if e.name != module:
                raise
            c.set_defaults(_missing=module)
            c.add_argument("args", nargs=argparse.REMAINDER)
            continue
        mod.add_arguments(c)
        c.set_defaults(_main=mod.main)
    return p


def _command_names(parser: argparse.ArgumentParser) -> list:
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return list(sub.choices)


def _task_module(task: str):
    if task not in TASKS:
        raise UsageError(f"ember train: error: unknown task {task!r}; choose one of: {', '.join(TASKS)}")
    try:
        return importlib.import_module(TASKS[task])
    except ModuleNotFoundError as e:
        if e.name != TASKS[task]:
            raise
        raise UsageError(f"ember train: error: task {task!r} is not in ember yet") from None


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
        parser = build_parser()
        if not argv:  # bare `ember`: the commands, not a 10-epoch run
            parser.print_help()
            return 0
        args, rest = parser.parse_known_args(argv)
        if args.command is None:
            raise UsageError(f"ember: error: a command is required ({', '.join(_command_names(parser))})")
        if args.command == "train":
            mod = _task_module(args.task)
            if args.ddp and args.task != "classify":
                raise UsageError(f"ember train: error: --ddp is supported by --task classify, not {args.task!r}")
            if args.task == "classify":
                if rest:
                    raise UsageError(f"ember train: error: unrecognized arguments: {' '.join(rest)}")
                args.model = args.model or "lenet_bn"
                return mod.run_train(args)
            # a task module may name its own defaults (``DEFAULTS = {"epochs": 20, ...}``) for what was left out
            for name, default in {**TASK_DEFAULTS, **getattr(mod, "DEFAULTS", {})}.items():
                if getattr(args, name) is None:
                    setattr(args, name, default)
            return mod.run_train(args, rest)
        if args.command == "predict":
            from .evaluate import run_predict

            return run_predict(args, rest)
        if rest:
            raise UsageError(f"ember {args.command}: error: unrecognized arguments: {' '.join(rest)}")
        if args.command == "evaluate":
            from .evaluate import run_evaluate

            return run_evaluate(args)
        if args.command == "bench":
            from .bench import run_bench

            return run_bench(args.args)
        if getattr(args, "_missing", None):
            raise UsageError(f"ember {args.command}: error: {args._missing} is not in ember yet")
        if getattr(args, "_main", None):
            return args._main(args)
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
