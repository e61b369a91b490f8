"""The house of layers (shared ARCHITECTURE.md): no import circles among ember's modules, and no module-level
import from a higher layer into a lower one. Imports inside functions (the late import from tensor.py to the
ops, lazy optional dependencies) and names imported from the ``ember`` package itself are not edges here.

An import of an ember module inside a function hides an edge from those two tests, so there is none outside
ember/cli/ (which imports each task and command on demand, on purpose) except the few in ``LATE_IMPORTS``,
each with the reason it cannot move to the top. Optional dependencies (numba, scipy, onnx, mpi4py, PIL, ...)
are imported inside functions, as the rule says; they are not ember modules and this test ignores them."""
from __future__ import annotations

import ast
import pathlib
from collections import defaultdict

ROOT = pathlib.Path(__file__).resolve().parent.parent / "ember"

# lowest first; a module may import its own layer and the layers below
LAYERS = [
    ("backends", "dtypes", "_format", "_grad_mode", "_settings",
     "distributed"),  # MPI process group and collectives: they read a tensor's memory and import no ember module
    ("tensor", "_autocast"),  # autocast casts Tensors
    ("autograd",),
    ("ops", "linalg", "fft", "random", "layout", "special", "testing", "_legacy",
     "autograd.functional"),  # jacobian & co. stack rows with the ops; imported by the ember package only
    ("nn",),
    ("optim", "utils", "serialization", "hub", "multiprocessing"),
    ("distributions", "amp", "ao", "onnx", "jit", "cuda", "cpu", "accelerator"),
    ("classic", "preprocessing", "text", "vision", "models"),
    ("cli", "compat", "__main__"),
]
RANK = {name: i for i, names in enumerate(LAYERS) for name in names}


def _modules() -> dict:
    mods = {}
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT.parent).with_suffix("")
        name = ".".join(rel.parts)
        is_pkg = path.name == "__init__.py"
        mods[name[: -len(".__init__")] if is_pkg else name] = (path, is_pkg)
    return mods


def _edges(mods: dict) -> dict:
    edges = defaultdict(set)
    for name, (path, is_pkg) in mods.items():
        for node in ast.parse(path.read_text()).body:  # module level only
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = name if is_pkg else name.rsplit(".", 1)[0]
                if node.level:
                    parts = base.split(".")
                    base = ".".join(parts[: len(parts) - (node.level - 1)])
                    target = base + ("." + node.module if node.module else "")
                else:
                    target = node.module or ""
                subs = [f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in mods]
                # ``from . import sub`` depends on the submodule; importing a name depends on the module itself
                targets = subs + ([target] if len(subs) < len(node.names) else [])
            else:
                continue
            edges[name].update(t for t in targets if t in mods and t != name)
    return edges


def test_every_top_level_part_has_a_layer():
    tops = {p.stem if p.suffix else p.name for p in ROOT.iterdir()
            if (p.suffix == ".py" and p.stem != "__init__") or (p.is_dir() and (p / "__init__.py").exists())}
    assert not tops - set(RANK), f"add these to LAYERS (and to ARCHITECTURE.md's house): {sorted(tops - set(RANK))}"


def test_no_import_circles():
    mods = _modules()
    edges = _edges(mods)
    edges.pop("ember", None)  # the package facade imports everything; modules import names from it lazily
    circles = set()
    for a, targets in edges.items():
        for b in targets:
            if a in edges.get(b, ()) and a < b:
                circles.add(f"{a} <-> {b}")
    seen, stack, on_stack = set(), [], set()

    def visit(m):  # longer cycles too (depth-first search)
        seen.add(m)
        stack.append(m)
        on_stack.add(m)
        for t in sorted(edges.get(m, ())):
            if t in on_stack and t != "ember":
                circles.add(" -> ".join(stack[stack.index(t):] + [t]))
            elif t not in seen:
                visit(t)
        stack.pop()
        on_stack.discard(m)

    for m in sorted(edges):
        if m not in seen:
            visit(m)
    assert not circles, "import circles:\n" + "\n".join(sorted(circles))


def _part(module: str) -> str:
    """The part of ``ember.<part>...`` that LAYERS ranks: the top-level one, or a sub-part it lists."""
    parts = module.split(".")
    sub = ".".join(parts[1:3])
    return sub if sub in RANK else parts[1]


def test_no_upward_imports():
    mods = _modules()
    upward = []
    for a, targets in _edges(mods).items():
        if a == "ember":
            continue
        for b in targets:
            la, lb = _part(a), _part(b) if b != "ember" else None
            if lb is None or la == lb or la not in RANK or lb not in RANK:
                continue  # a part without a layer is reported by test_every_top_level_part_has_a_layer
            if RANK[lb] > RANK[la]:
                upward.append(f"{a} imports {b} (layer {lb} above {la})")
    assert not upward, "\n".join(sorted(upward))


# "path:function" -> why this import of an ember module stays inside the function. Keep it short and true.
LATE_IMPORTS = {
    "ember/backends/kernels.py:available": "kernels_numba imports numba, an optional dependency",
    "ember/backends/kernels.py:use": "kernels_numba imports numba, an optional dependency",
    "ember/backends/kernels.py:libraries": "kernels_onednn loads oneDNN, an optional dependency",
    "ember/backends/kernels.py:use_library": "kernels_onednn loads oneDNN, an optional dependency",
}


def _imports_in_functions(tree: ast.AST):
    """(qualified name of the innermost function, import node) for every import inside a function body."""
    def walk(node, names: tuple, in_function: bool):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield from walk(child, names + (child.name,), True)
            elif isinstance(child, ast.ClassDef):
                yield from walk(child, names + (child.name,), in_function)
            elif isinstance(child, (ast.Import, ast.ImportFrom)):
                if in_function:
                    yield ".".join(names), child
            else:
                yield from walk(child, names, in_function)

    yield from walk(tree, (), False)


def _is_ember_import(node) -> bool:
    if isinstance(node, ast.ImportFrom):
        return node.level > 0 or node.module == "ember" or (node.module or "").startswith("ember.")
    return any(a.name == "ember" or a.name.startswith("ember.") for a in node.names)


def test_no_imports_of_ember_modules_inside_functions():
    found, used = [], set()
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT.parent).as_posix()
        if rel.startswith("ember/cli/"):
            continue
        for func, node in _imports_in_functions(ast.parse(path.read_text())):
            if not _is_ember_import(node):
                continue
            key = f"{rel}:{func}"
            if key in LATE_IMPORTS:
                used.add(key)
            else:
                found.append(f"{key} (line {node.lineno}): {ast.unparse(node)}")
    assert not found, ("imports of ember modules inside functions; move each to the top of its module (from the "
                       "submodule that defines the name, not from the ember package), or move the helper down a "
                       "layer if that makes a circle:\n" + "\n".join(found))
    assert not set(LATE_IMPORTS) - used, f"LATE_IMPORTS entries with no such import left: {sorted(set(LATE_IMPORTS) - used)}"


def test_the_late_import_check_can_fail():
    src = "import numpy\ndef f():\n    import scipy\n    from ..ops import cat\n    import ember.nn as nn\n" \
          "class C:\n    def m(self):\n        from ember.tensor import Tensor\n"
    hits = [(func, _is_ember_import(node)) for func, node in _imports_in_functions(ast.parse(src))]
    assert hits == [("f", False), ("f", True), ("f", True), ("C.m", True)]
