"""Run one chapter of the d2l book (d2l-en 1.0.3) unchanged: its PyTorch code cells, in order, on generated data.

    python tests/thirdparty/runner.py {torch|ember} tests/thirdparty/d2l_notebook.py D2L_DIR CHAPTER.md \
        [--max-epochs N] [--probe NAME=EXPR ...]

The chapter is the book's markdown source at the pinned commit (``thirdparty/d2l-en/``, see
tools/fetch_thirdparty.py). Its code cells for the PyTorch tab (``%%tab pytorch``/``%%tab all`` in the new
format, ``#@tab pytorch``/``#@tab all`` in the old one) run in one namespace as a notebook would, with d2lbook's
``tab`` object answering ``tab.selected('pytorch')``; notebook magics (``%matplotlib inline``) are dropped. A
cell whose last statement is an expression prints it (``OUT[i] ...``), as a notebook shows it.

What the runner changes, the same under both frameworks:
- ``d2l.download`` writes generated stand-ins (tests/thirdparty/d2l_data.py) instead of downloading, and
  ``d2l.read_data_bananas`` returns generated images; ``../img/*.jpg`` are generated pictures.
- ``d2l.try_all_gpus()`` gives ``[cpu]`` rather than ``[]`` on a machine without a GPU (BERT pretraining
  indexes ``devices[0]``).
- ``d2l.Trainer(max_epochs=...)`` is capped at ``--max-epochs`` (the book trains for 30-100 epochs), and the
  progress board records its points without drawing them.
- ``torch.manual_seed(D2L_SEED)`` (environment, 0 unless given) before the first cell.
- After each ``Trainer.fit`` the last point of each curve is printed (``RESULT fitK.val_ppl 12.3``); each
  ``--probe NAME=EXPR`` is evaluated in the chapter's namespace at the end and printed as ``RESULT NAME value``.
"""
import ast
import os
import re
import sys


def chapter_cells(text: str) -> list:
    """The PyTorch tab's code cells of a d2l chapter (markdown source), magics removed."""
    new_format = "%%tab" in text
    cells = []
    for body in re.findall(r"```\{\.python \.input[^}]*\}\n(.*?)```", text, re.S):
        first = body.split("\n", 1)[0].strip()
        m = re.match(r"(%%tab|#@tab)\s+(.*)", first)
        if m:
            tabs = [t.strip() for t in m.group(2).split(",")]
            if "pytorch" not in tabs and "all" not in tabs:
                continue
        elif not new_format:     # old format: an untagged cell is the MXNet one
            continue
        lines = [ln for ln in body.split("\n") if not ln.lstrip().startswith("%")]
        cells.append("\n".join(lines))
    return cells


class Tab:
    """d2lbook's ``tab`` object, as a notebook built for the PyTorch tab sees it."""

    def selected(self, *names):
        flat = [n for name in names for n in (name if isinstance(name, (list, tuple)) else [name])]
        return "pytorch" in flat

    def interact_select(self, *names):
        pass


def _show(value) -> str:
    if hasattr(value, "tolist") and hasattr(value, "shape"):
        value = value.detach().tolist() if hasattr(value, "detach") else value.tolist()
    return repr(value)


def run_cells(cells: list, namespace: dict) -> None:
    for i, source in enumerate(cells):
        tree = ast.parse(source)
        last = tree.body[-1] if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        if last is not None:
            tree.body.pop()
        exec(compile(tree, f"<cell {i}>", "exec"), namespace)
        if last is not None:
            value = eval(compile(ast.Expression(last.value), f"<cell {i}>", "eval"), namespace)
            if value is not None:
                print(f"OUT[{i}] {value!r}")


def patch_d2l(d2l, max_epochs: int) -> None:
    import d2l_data

    fits = []
    init, fit = d2l.Trainer.__init__, d2l.Trainer.fit

    def capped_init(self, max_epochs_=None, *args, **kwargs):
        if "max_epochs" in kwargs:
            max_epochs_ = kwargs.pop("max_epochs")
        init(self, min(max_epochs_, max_epochs), *args, **kwargs)

    def reporting_fit(self, model, data):
        fit(self, model, data)
        fits.append(1)
        for label, points in getattr(model.board, "data", {}).items():
            if points:
                print(f"RESULT fit{len(fits)}.{label} {float(points[-1].y)!r}")

    draw = d2l.ProgressBoard.draw

    def quiet_draw(self, x, y, label, every_n=1):
        self.display = False
        return draw(self, x, y, label, every_n)

    d2l.Trainer.__init__, d2l.Trainer.fit = capped_init, reporting_fit
    d2l.ProgressBoard.draw = quiet_draw
    d2l.download = d2l_data.download
    gpus = d2l.try_all_gpus
    d2l.try_all_gpus = lambda: gpus() or [d2l.cpu()]     # 1.0.3 returns [] on a CPU; the BERT chapter indexes it
    d2l.read_data_bananas = d2l_data.bananas_reader(d2l.torch)
    d2l_data.write_images(os.path.join("..", "img"))


def main(argv):
    d2l_dir, chapter = argv[0], argv[1]
    max_epochs, probes, rest = 2, [], argv[2:]
    while rest:
        opt, value, rest = rest[0], rest[1], rest[2:]
        if opt == "--max-epochs":
            max_epochs = int(value)
        elif opt == "--probe":
            probes.append(value.split("=", 1))
    sys.path.insert(0, d2l_dir)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import torch
    from d2l import torch as d2l

    torch.manual_seed(int(os.environ.get("D2L_SEED", "0")))   # the seed of the run (0 unless given)
    patch_d2l(d2l, max_epochs)
    with open(chapter, encoding="utf-8") as f:
        cells = chapter_cells(f.read())
    namespace = {"__name__": "__main__", "tab": Tab()}
    run_cells(cells, namespace)
    for name, expr in probes:
        print(f"RESULT {name} {_show(eval(expr, namespace))}")


if __name__ == "__main__":
    main(sys.argv[1:])
