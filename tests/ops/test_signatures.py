"""torch's calling conventions on every exported op and Tensor method (ember/ops/calling.py).

torch's Python signatures are read from its own type stubs (``torch/_C/_VariableFunctions.pyi`` and the
``TensorBase`` class of ``torch/_C/__init__.pyi``, generated from the same schemas as its argument parser), or
with ``inspect`` where the torch callable is Python. Generated checks, each over every op:

- every keyword ember accepts, torch accepts too (``KNOWN_EXTRA`` lists the few exceptions and why);
- every convention keyword torch accepts (``out``, ``dim``, ``keepdim``, ``input``, ``other``, ``size``,
  ``dims``, ``shape``) ember accepts too, and methods never take ``out=``;
- calls with NumPy's spellings (``axis``, ``keepdims``, ``x``/``a``/``x1``, ``x2``) and with ``out=`` give
  torch's result, for every op that a generic argument pattern can call (the count is checked);
- every public name of ``ember`` exists in ``torch`` unless ``EMBER_ONLY`` says why.
"""
from __future__ import annotations

import ast
import inspect
import os
import types

import numpy as np
import pytest
import torch

import ember
from ember import ops

# --------------------------------------------------------------------------- torch's signatures
_STUBS = os.path.join(os.path.dirname(torch.__file__), "_C")
if not os.path.exists(os.path.join(_STUBS, "_VariableFunctions.pyi")):
    pytest.skip("this torch build ships no type stubs (torch/_C/*.pyi) to read its signatures from",
                allow_module_level=True)


def _read_stub(path: str, cls: str | None = None) -> dict:
    """``{name: set of keyword names}`` over every overload in a stub (``self`` of a function is ``input``)."""
    tree = ast.parse(open(path).read())
    body = tree.body
    if cls is not None:
        body = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == cls).body
    out: dict = {}
    for node in body:
        if isinstance(node, ast.FunctionDef):
            a = node.args
            names = {x.arg for x in a.posonlyargs + a.args + a.kwonlyargs}
            if a.vararg:
                names.add(a.vararg.arg)
            if "self" in names:
                names.discard("self")
                if cls is None:
                    names.add("input")
            out.setdefault(node.name, set()).update(names)
    return out


TORCH_FUNCS = _read_stub(os.path.join(_STUBS, "_VariableFunctions.pyi"))
TORCH_METHODS = _read_stub(os.path.join(_STUBS, "__init__.pyi"), "TensorBase")
# Where the stub or a Python ``*args`` signature does not say what torch's parser accepts (checked by hand).
TORCH_OVERRIDE = {
    ("unique", False): {"input", "sorted", "return_inverse", "return_counts", "dim"},
    ("unique_consecutive", False): {"input", "return_inverse", "return_counts", "dim"},
    ("einsum", False): {"equation", "operands"},
    ("requires_grad_", True): {"requires_grad"},
    ("copy_", True): {"other", "non_blocking"},  # the stub says src; the parser says other
    ("new", True): {"args", "device"},
    ("to", True): {"dtype", "device", "other", "non_blocking", "copy", "memory_format", "args"},
}


def torch_keywords(name: str, method: bool) -> set | None:
    """The keyword names torch accepts for ``torch.<name>`` or ``Tensor.<name>`` (None: not in torch)."""
    if (name, method) in TORCH_OVERRIDE:
        return TORCH_OVERRIDE[name, method]
    obj = getattr(torch.Tensor if method else torch, name, None)
    if obj is None:
        return None
    if inspect.isfunction(obj):
        try:
            ps = inspect.signature(obj).parameters
            return {p for p, v in ps.items() if v.kind is not v.VAR_KEYWORD and p != "self"}
        except (TypeError, ValueError):
            pass
    return (TORCH_METHODS if method else TORCH_FUNCS).get(name)


def ember_keywords(fn, method: bool) -> set:
    params = list(inspect.signature(fn).parameters.values())
    if method:
        params = params[1:]
    names = {p.name for p in params if p.kind is not p.VAR_KEYWORD}
    if "self" in names:  # an in-place method exported as a function (fill_, zero_): torch calls it input
        names = (names - {"self"}) | {"input"}
    return names


FUNCTIONS = {n: f for n, f in ops.public_functions().items() if isinstance(f, types.FunctionType)}
METHODS = {n: getattr(ember.Tensor, n) for n in dir(ember.Tensor)
           if not n.startswith("_") and isinstance(getattr(ember.Tensor, n, None), types.FunctionType)}

# Keywords ember accepts and torch does not, each with its reason.
KNOWN_EXTRA = {
    ("softmax", False): {"_stacklevel"},  # shared with nn.functional.softmax, which takes it
    ("log_softmax", False): {"_stacklevel"},
    ("softmax", True): {"_stacklevel"},
    ("log_softmax", True): {"_stacklevel"},
    ("split", False): {"input"},  # torch's function names it ``tensor``; ember's one op is also the method
    ("split", True): {"split_size_or_sections"},  # torch's method names it ``split_size``
    ("tensor_split", False): {"indices_or_sections"},  # torch's three overloads, one ember parameter
    ("tensor_split", True): {"indices_or_sections"},
    ("true_divide", False): {"rounding_mode"},  # ember's true_divide is div
    ("true_divide", True): {"rounding_mode"},
    ("true_divide_", True): {"rounding_mode"},
    ("resize_as_", True): {"other"},  # torch: the_template
    ("resize_as_", False): {"other"},
    ("new_tensor", True): {"layout"},
    ("double", True): {"memory_format"}, ("float", True): {"memory_format"},  # torch accepts it; stub lacks it
    ("half", True): {"memory_format"}, ("int", True): {"memory_format"}, ("long", True): {"memory_format"},
    ("short", True): {"memory_format"}, ("bfloat16", True): {"memory_format"}, ("bool", True): {"memory_format"},
    ("byte", True): {"memory_format"}, ("char", True): {"memory_format"},
    ("polygamma", True): {"input"}, ("polygamma_", True): {"input"},  # the method is the function (n, input)
    ("where", True): {"input"},  # the method is the function (condition, input, other)
}
CONVENTION = {"out", "dim", "keepdim", "input", "other", "size", "dims", "shape"}


def _compare_keywords(table: dict, method: bool):
    extra, missing, checked = [], [], 0
    for name, fn in sorted(table.items()):
        theirs = torch_keywords(name, method)
        if theirs is None:
            continue
        try:
            ours = ember_keywords(fn, method)
        except (TypeError, ValueError):
            continue
        if ours == {"args"}:  # ``to(*args, **kwargs)``: parsed inside the op, not introspectable
            continue
        checked += 1
        ex = ours - theirs - KNOWN_EXTRA.get((name, method), set())
        if ex:
            extra.append((name, sorted(ex)))
        miss = (theirs & CONVENTION) - ours
        if method:
            miss -= {"input", "out"}  # the stub lists out on some methods; torch's parser rejects it
        if miss:
            missing.append((name, sorted(miss)))
    return extra, missing, checked


def test_function_keywords_match_torch():
    extra, missing, checked = _compare_keywords(FUNCTIONS, method=False)
    assert checked > 280
    assert not extra, f"keywords torch does not accept: {extra}"
    assert not missing, f"torch's convention keywords ember lacks: {missing}"


def test_method_keywords_match_torch():
    extra, missing, checked = _compare_keywords(METHODS, method=True)
    assert checked > 400
    assert not extra, f"keywords torch's methods do not accept: {extra}"
    assert not missing, f"torch's convention keywords ember's methods lack: {missing}"


def test_methods_reject_out():
    x = ember.ones(2)
    for name in ("add", "exp", "sum", "clamp", "max", "matmul", "add_", "pow", "cumsum"):
        args = {"add": (1,), "matmul": (None,), "add_": (1,), "pow": (2,), "cumsum": (0,), "clamp": (0,)}.get(name, ())
        with pytest.raises(TypeError):
            getattr(x, name)(*[x if a is None else a for a in args], out=ember.empty(2))
        with pytest.raises(TypeError):
            t = torch.ones(2)
            getattr(t, name)(*[t if a is None else a for a in args], out=torch.empty(2))


# --------------------------------------------------------------------------- exports
# ember-only public names, each with the reason it is not torch's.
EMBER_ONLY: dict = {}
NOT_EXPORTED: set = set()  # op-module functions torch has as torch.<name> that ember keeps method-only (none)
LEAKED_BEFORE = ["copy_into_out", "svd_backward", "replay", "builtins_max", "raise_singular", "getitem",
                 "setitem", "inplace_of", "apply_inplace", "infer_shape", "range_", "check_matrix",
                 "solve_matrix", "annotations"]


def test_exports_are_torch_names():
    absent = [n for n in dir(ember) if not n.startswith("_") and not isinstance(getattr(ember, n), types.ModuleType)
              and not hasattr(torch, n) and n not in EMBER_ONLY]
    assert not absent, f"ember.<name> that torch does not have: {absent}"
    for n in LEAKED_BEFORE:
        assert not hasattr(ember, n), n


def test_all_drives_exports():
    for mod in ops.MODULES:
        assert isinstance(mod.__all__, list), mod.__name__
        for n in mod.__all__:
            assert hasattr(ember, n), f"{mod.__name__}.__all__ names {n}, which ember does not export"
    named = {n for mod in ops.MODULES for n in mod.__all__}
    assert set(ops.public_functions()) == named


def test_no_torch_function_left_out_of_all():
    """An op module's public function that torch has as ``torch.<name>`` is in that module's ``__all__``."""
    left_out = [f"{mod.__name__}.{n}" for mod in ops.MODULES for n, obj in vars(mod).items()
                if not n.startswith("_") and isinstance(obj, types.FunctionType) and obj.__module__ == mod.__name__
                and hasattr(torch, n) and not isinstance(getattr(torch, n), types.ModuleType) and n not in mod.__all__
                and n not in NOT_EXPORTED]
    assert not left_out, left_out


# --------------------------------------------------------------------------- calls, compared with torch
def _inputs():
    rng = np.random.default_rng(0)
    a = rng.uniform(0.2, 0.9, (3, 4)).astype(np.float32)
    b = rng.uniform(0.2, 0.9, (3, 4)).astype(np.float32)
    return a, b


def _same(e, t) -> bool:
    if isinstance(t, torch.Tensor):
        if not isinstance(e, ember.Tensor) or tuple(e.shape) != tuple(t.shape):
            return False
        if str(e.dtype).split(".")[-1] != str(t.dtype).split(".")[-1]:
            return False
        return np.allclose(e.detach().numpy(), t.detach().resolve_conj().numpy(), rtol=1e-4, atol=1e-5,
                           equal_nan=True)
    if isinstance(t, (tuple, list)):
        return isinstance(e, (tuple, list)) and len(e) == len(t) and all(_same(x, y) for x, y in zip(e, t))
    return e == t


def _convert(args, module):
    """NumPy arrays (also inside lists) as tensors of ``module`` (torch or ember)."""
    def one(a):
        if isinstance(a, np.ndarray):
            return module.from_numpy(a.copy())
        return [one(x) for x in a] if isinstance(a, list) else a

    return [one(a) for a in args]


def _first_torch_call(name: str, patterns: list, kwargs: dict):
    """The first argument pattern that torch accepts for ``torch.<name>`` with ``kwargs``, and its result."""
    for args in patterns:
        targs = _convert(args, torch)
        try:
            return args, getattr(torch, name)(*targs, **kwargs)
        except Exception:  # noqa: BLE001 - this pattern does not fit this op; try the next
            continue
    return None, None


def _ember_args(args):
    return _convert(args, ember)


_SKIP_CALL = {"empty_like", "empty", "empty_strided", "rand", "randn", "rand_like", "randn_like", "randint",
              "randint_like", "randperm", "normal", "bernoulli", "multinomial", "poisson", "dropout"}


def _named(name: str, param: str) -> bool:
    fn = FUNCTIONS[name]
    return param in inspect.signature(fn).parameters


def test_numpy_names_on_every_function():
    """``axis``/``keepdims``/``x``/``x2`` on every function that has dim/keepdim/input/other, against torch."""
    a, b = _inputs()
    ia = np.array([[0, 1, 2, 0], [1, 1, 0, 2], [2, 0, 1, 1]], dtype=np.int64)
    dim_patterns = [(a,), (a, b), ([a, b],), (a, 2), (a, 0.5), (a, ia)]
    called = {"axis": 0, "keepdims": 0, "x": 0, "x2": 0}
    wrong = []
    for name in sorted(FUNCTIONS):
        if name in _SKIP_CALL or not hasattr(torch, name):
            continue
        cases = []
        if _named(name, "dim"):
            cases.append(("axis", dim_patterns, {"dim": 1}, {"axis": 1}))
            if _named(name, "keepdim"):
                cases.append(("keepdims", [(a,), (a, 2), (a, 0.5)], {"dim": 1, "keepdim": True},
                              {"axis": 1, "keepdims": True}))
        if _named(name, "input") and _named(name, "other"):
            cases.append(("x2", [()], {"input": a, "other": b}, {"x1": a, "x2": b}))
        elif _named(name, "input"):
            cases.append(("x", [()], {"input": a}, {"x": a}))
        for key, patterns, tkw, ekw in cases:
            tkw_t = {k: torch.from_numpy(v.copy()) if isinstance(v, np.ndarray) else v for k, v in tkw.items()}
            args, want = _first_torch_call(name, patterns, tkw_t)
            if args is None:
                continue
            ekw_e = {k: ember.from_numpy(v.copy()) if isinstance(v, np.ndarray) else v for k, v in ekw.items()}
            got = getattr(ember, name)(*_ember_args(args), **ekw_e)
            called[key] += 1
            if not _same(got, want):
                wrong.append((name, key))
    assert not wrong, wrong
    assert called["axis"] >= 50 and called["keepdims"] >= 15 and called["x"] >= 100 and called["x2"] >= 30, called


def test_numpy_names_on_methods():
    a, b = _inputs()
    n, wrong = 0, []
    for name, fn in sorted(METHODS.items()):
        params = inspect.signature(fn).parameters
        if "dim" not in params or name in _SKIP_CALL or name.endswith("_") or not hasattr(torch.Tensor, name):
            continue
        kw = {"dim": 1, "keepdim": True} if "keepdim" in params else {"dim": 1}
        for args in [(), (2,), (0.5,)]:
            try:
                want = getattr(torch.from_numpy(a.copy()), name)(*args, **kw)
                break
            except Exception:  # noqa: BLE001 - this pattern does not fit this method; try the next
                continue
        else:
            continue
        ekw = {"axis": 1, "keepdims": True} if "keepdim" in params else {"axis": 1}
        got = getattr(ember.from_numpy(a.copy()), name)(*args, **ekw)
        n += 1
        if not _same(got, want):
            wrong.append(name)
    assert not wrong, wrong
    assert n >= 40, n
    x = ember.from_numpy(a.copy())
    assert _same(x.add(x2=x), torch.from_numpy(a).add(x2=torch.from_numpy(a)))


def _empty_like_result(r):
    if isinstance(r, torch.Tensor):
        return torch.empty(0, dtype=r.dtype), ember.empty(0, dtype=getattr(ember, str(r.dtype).split(".")[-1]))
    return None


def test_out_on_every_function():
    """``out=`` (a Tensor, or a tuple for ops returning several) wherever torch has it, against torch."""
    a, b = _inputs()
    ia = np.array([[0, 1, 2, 0], [1, 1, 0, 2], [2, 0, 1, 1]], dtype=np.int64)
    patterns = [(a,), (a, b), (a, 1), (a, b, a), (a, 2, 1), (ia,), (ia, ia), (a, 0.5), (a, ia)]
    n, tuples, wrong = 0, 0, []
    for name in sorted(FUNCTIONS):
        theirs = torch_keywords(name, False)
        if not theirs or "out" not in theirs or name in _SKIP_CALL:
            continue
        args, want = _first_torch_call(name, patterns, {})
        if args is None:
            continue
        if isinstance(want, torch.Tensor):
            t_out, e_out = _empty_like_result(want)
        elif isinstance(want, tuple) and all(isinstance(w, torch.Tensor) for w in want):
            pairs = [_empty_like_result(w) for w in want]
            t_out, e_out = tuple(p[0] for p in pairs), tuple(p[1] for p in pairs)
            tuples += 1
        else:
            continue
        targs = _convert(args, torch)
        try:
            t_ret = getattr(torch, name)(*targs, out=t_out)
        except Exception:  # noqa: BLE001 - torch's out= overload needs other arguments than this pattern
            continue
        e_ret = getattr(ember, name)(*_ember_args(args), out=e_out)
        n += 1
        ok = _same(e_ret, t_ret) and _same(e_out, t_out)
        if isinstance(e_out, tuple):
            ok = ok and all(r is o for r, o in zip(e_ret, e_out))
        else:
            ok = ok and e_ret is e_out
        if not ok:
            wrong.append(name)
    assert not wrong, wrong
    assert n >= 120 and tuples >= 8, (n, tuples)


# --------------------------------------------------------------------------- torch's own keyword names
SIZE_CASES = [
    ("zeros", (), {"size": (2, 3)}), ("ones", (), {"size": (2, 3)}), ("empty", (), {"size": (2, 3)}),
    ("rand", (), {"size": (2, 3)}), ("randn", (), {"size": (2, 3)}), ("full", (), {"size": (2, 3), "fill_value": 1.5}),
    ("randint", (0, 5), {"size": (2, 3)}), ("randint", (5,), {"size": (4,)}), ("zeros", (), {"size": [4]}),
    ("normal", (0.0, 1.0), {"size": (2,)}),
]


@pytest.mark.parametrize("name,args,kwargs", SIZE_CASES)
def test_factories_take_size(name, args, kwargs):
    want = getattr(torch, name)(*args, **kwargs)
    got = getattr(ember, name)(*args, **kwargs)
    assert tuple(got.shape) == tuple(want.shape) and str(got.dtype)[6:] == str(want.dtype)[6:]


METHOD_CASES = [
    ("new_empty", {"size": (2, 3, 4)}), ("new_zeros", {"size": (2, 3)}), ("new_ones", {"size": (2,)}),
    ("new_full", {"size": (2,), "fill_value": 3.0}), ("permute", {"dims": (1, 0)}), ("flip", {"dims": (0,)}),
    ("reshape", {"shape": (4, 3)}), ("view", {"size": (12,)}), ("expand", {"size": (2, 3, 4)}),
    ("repeat", {"repeats": (2, 1)}), ("sum", {"axis": 0, "keepdims": True}), ("transpose", {"dim0": 0, "dim1": 1}),
    ("swapaxes", {"axis0": 0, "axis1": 1}), ("swapdims", {"dim0": 0, "dim1": 1}),
]


@pytest.mark.parametrize("name,kwargs", METHOD_CASES)
def test_methods_take_torch_keywords(name, kwargs):
    a, _ = _inputs()
    want = getattr(torch.from_numpy(a), name)(**kwargs)
    got = getattr(ember.from_numpy(a.copy()), name)(**kwargs)
    assert tuple(got.shape) == tuple(want.shape)
    if not name.startswith("new_"):
        assert _same(got, want)


def test_function_forms_take_torch_keywords():
    a, _ = _inputs()
    t, e = torch.from_numpy(a), ember.from_numpy(a.copy())
    assert _same(ember.permute(e, dims=(1, 0)), torch.permute(t, dims=(1, 0)))
    assert _same(ember.flip(e, dims=(1,)), torch.flip(t, dims=(1,)))
    assert _same(ember.reshape(e, shape=(2, 6)), torch.reshape(t, shape=(2, 6)))
    assert _same(ember.sum(a=e, axis=0, keepdims=True), torch.sum(a=t, axis=0, keepdims=True))


def test_zero_dim_tensor_as_size():
    a, _ = _inputs()
    t, e = torch.from_numpy(a), ember.from_numpy(a.copy())
    assert _same(e.view(ember.tensor(12)), t.view(torch.tensor(12)))
    assert _same(e.reshape(ember.tensor(12)), t.reshape(torch.tensor(12)))
    assert tuple(ember.zeros(ember.tensor(3)).shape) == tuple(torch.zeros(torch.tensor(3)).shape)


TUPLE_OUT = [("max", (1,)), ("min", (1,)), ("sort", (1,)), ("topk", (2,)), ("median", (1,)), ("mode", (1,)),
             ("kthvalue", (2, 1)), ("cummax", (1,)), ("cummin", (1,)), ("aminmax", ())]


@pytest.mark.parametrize("name,args", TUPLE_OUT)
def test_tuple_out(name, args):
    a, _ = _inputs()
    kw = {"dim": 1} if name == "aminmax" else {}
    want = getattr(torch, name)(torch.from_numpy(a), *args, **kw)
    e_out = tuple(ember.empty(0, dtype=ember.float32 if w.dtype == torch.float32 else ember.int64) for w in want)
    got = getattr(ember, name)(ember.from_numpy(a.copy()), *args, **kw, out=e_out)
    assert _same(tuple(got), tuple(want)) and _same(e_out, tuple(want))
    assert got[0] is e_out[0] and got[1] is e_out[1]


def test_alias_and_its_name_together_is_an_error():
    x = ember.ones(2, 3)
    with pytest.raises(TypeError, match="axis"):
        ember.sum(x, dim=0, axis=1)
    with pytest.raises(TypeError, match="axis"):
        torch.sum(torch.ones(2, 3), dim=0, axis=1)


def test_out_must_be_tensors():
    x = ember.ones(2, 3)
    with pytest.raises(TypeError, match="out"):
        ember.exp(x, out=[1, 2])
    with pytest.raises(TypeError, match="tuple"):
        ember.max(x, 0, out=ember.empty(0))


# --------------------------------------------------------------------------- ember.linalg, ember.fft
@pytest.mark.parametrize("ns", ["linalg", "fft"])
def test_namespaces_take_numpy_names_and_out(ns):
    """torch.linalg and torch.fft go through the same argument parser: axis/keepdims and out= there too."""
    rng = np.random.default_rng(1)
    a = rng.uniform(0.2, 0.9, (3, 3)).astype(np.float64) + 3 * np.eye(3)
    ours, theirs = getattr(ember, ns), getattr(torch, ns)
    n_axis = n_out = 0
    wrong = []
    for name in ours.__all__:
        fn = getattr(ours, name)
        if not inspect.isfunction(fn) or not hasattr(theirs, name):
            continue
        params = inspect.signature(fn).parameters
        if "dim" in params:
            for args in [(a,), (a, a)]:
                try:
                    want = getattr(theirs, name)(*_convert(args, torch), dim=0)
                except Exception:  # noqa: BLE001 - this pattern does not fit
                    continue
                kw = {"axis": 0} if "keepdim" not in params else {"axis": 0, "keepdims": False}
                if not _same(getattr(ours, name)(*_convert(args, ember), **kw), want):
                    wrong.append((name, "axis"))
                n_axis += 1
                break
        if "out" in params:
            for args in [(a,), (a, a), (4,)]:
                try:
                    want = getattr(theirs, name)(*_convert(args, torch))
                except Exception:  # noqa: BLE001 - this pattern does not fit
                    continue
                if not isinstance(want, torch.Tensor):
                    break
                t_out, e_out = _empty_like_result(want)
                want = getattr(theirs, name)(*_convert(args, torch), out=t_out)
                got = getattr(ours, name)(*_convert(args, ember), out=e_out)
                if got is not e_out or not _same(e_out, t_out):
                    wrong.append((name, "out"))
                n_out += 1
                break
        elif hasattr(theirs, name) and inspect.isfunction(fn):
            with pytest.raises(TypeError):
                getattr(theirs, name)(torch.from_numpy(a), out=torch.from_numpy(a.copy()))
    assert not wrong, wrong
    assert n_axis >= 3 and n_out >= 8, (n_axis, n_out)


def test_in_place_methods_take_numpy_names():
    a, b = _inputs()
    for name, args, kw in [("cumsum_", (), {"axis": 1}), ("unsqueeze_", (), {"axis": 0}), ("add_", (), {"x2": b}),
                           ("squeeze_", (), {"axis": 0})]:
        t, e = torch.from_numpy(a.copy()), ember.from_numpy(a.copy())
        if name == "squeeze_":
            t, e = t[None], e[None]
        tk = {k: torch.from_numpy(v.copy()) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
        ek = {k: ember.from_numpy(v.copy()) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
        assert _same(getattr(e, name)(*args, **ek), getattr(t, name)(*args, **tk)), name


def test_asarray_keywords_and_aliasing_as_torch():
    a = np.ones(3, np.float32)
    for m in (torch, ember):
        t = m.from_numpy(a.copy())
        assert m.asarray(obj=t) is t and m.asarray(t, copy=True) is not t
        assert m.asarray(t, copy=True).data_ptr() != t.data_ptr()
        with pytest.raises(ValueError, match="alias"):
            m.asarray(t, dtype=m.float64, copy=False)
        with pytest.raises(ValueError, match="alias"):
            m.asarray([1, 2], copy=False)
        r = m.asarray([1.0, 2.0], requires_grad=True)
        assert r.requires_grad and r.is_leaf
    assert str(ember.asarray([1, 2]).dtype)[6:] == str(torch.asarray([1, 2]).dtype)[6:]
    assert str(ember.asarray(np.ones(2)).dtype)[6:] == str(torch.asarray(np.ones(2)).dtype)[6:]
