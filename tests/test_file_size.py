"""The house rule "no file over ~500 code lines" (STYLE.md), kept true: code lines are the lines that are not
blank, not comments and not docstrings, so a well-documented module is not penalised for its documentation."""
from __future__ import annotations

import ast
import pathlib

LIMIT = 500
ROOT = pathlib.Path(__file__).resolve().parent.parent / "ember"


def code_lines(src: str) -> int:
    tree = ast.parse(src)
    doc = set()
    for n in ast.walk(tree):
        if isinstance(n, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and n.body:
            first = n.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                doc.update(range(first.lineno, first.end_lineno + 1))
    return sum(1 for i, line in enumerate(src.split("\n"), 1)
               if line.strip() and not line.strip().startswith("#") and i not in doc)


def test_code_lines_counts_only_code():
    src = '"""Doc\n\nstring."""\n# a comment\n\nx = 1\n\n\ndef f():\n    """Doc."""\n    return x\n'
    assert code_lines(src) == 3


def test_no_module_over_the_limit():
    big = {str(p.relative_to(ROOT.parent)): n for p in ROOT.rglob("*.py")
           if (n := code_lines(p.read_text())) > LIMIT}
    assert not big, f"modules over {LIMIT} code lines (split them by concept): {big}"
