"""The op table of the composition fuzz (tests/fuzz.py): one small generator per op family.

A generator gets a :class:`Gen` (the random state, the values so far as live torch tensors) and returns
the step's expression in torch's spelling (``T`` = the package, ``F`` = ``nn.functional``), or None when no
value fits. New tensors a step needs (weights, targets, indices, masks) are registered with ``gen.param``
and ``gen.const`` and become part of the program.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FLOATS = ("float32", "float64")


@dataclass
class Input:
    """A tensor of the program: a NumPy base array, a NumPy view of it (non-contiguous layouts), and
    whether it requires grad."""
    base: np.ndarray
    view: str = ""
    requires_grad: bool = False

    @property
    def dtype(self) -> str:
        return str(self.base.dtype)

    def build(self, T):
        arr = self.base.copy()
        arr = eval("arr" + self.view) if self.view else arr  # noqa: S307 - our own view text
        t = T.from_numpy(arr)
        return t.requires_grad_() if self.requires_grad else t

    def describe(self) -> str:
        kind = {"f": "randn", "i": "randint", "b": "randbool"}[self.base.dtype.kind]
        text = f"{kind}{tuple(self.base.shape)}.{self.dtype}{self.view}"
        return text + (".requires_grad_()" if self.requires_grad else "")


class Gen:
    def __init__(self, rng: np.random.Generator, env: dict, inputs: dict) -> None:
        self.rng, self.env, self.inputs = rng, env, inputs
        self.values: list[str] = []
        self.pending: dict[str, Input] = {}
        self.count = 0

    # -- random pieces
    def int(self, lo: int, hi: int) -> int:
        """An integer in [lo, hi] (lo when the range is empty)."""
        return int(self.rng.integers(lo, hi + 1)) if hi > lo else lo

    def coin(self, p: float = 0.5) -> bool:
        return bool(self.rng.random() < p)

    def choice(self, options):
        return options[int(self.rng.integers(len(options)))]

    def shape(self, ndim: int | None = None, hi: int = 5) -> tuple:
        ndim = self.int(0, 4) if ndim is None else ndim
        return tuple(self.int(1, hi) for _ in range(ndim))

    def dtype(self) -> str:
        return self.choice(FLOATS)

    # -- tensors
    def _register(self, prefix: str, inp: Input) -> str:
        name = f"{prefix}{len(self.inputs) + len(self.pending) + 1000 * (prefix != 'v')}"
        while name in self.inputs or name in self.pending or name in self.env:
            self.count += 1
            name = f"{prefix}{self.count + 2000}"
        self.pending[name] = inp
        import torch

        self.env[name] = inp.build(torch)
        return name

    def new_input(self) -> str:
        """An input of the program: float32/float64, 0-d, size-1 dims, contiguous or a strided view."""
        shape, dtype = self.shape(), self.dtype()
        layout = self.int(0, 3) if len(shape) >= 1 else 0
        base_shape, view = shape, ""
        if layout == 1 and len(shape) >= 2:  # transposed
            base_shape, view = shape[::-1], ".T"
        elif layout == 2:  # every other element along one dim
            d = self.int(0, len(shape) - 1)
            base_shape = tuple(s * 2 if i == d else s for i, s in enumerate(shape))
            view = "[" + ", ".join(["::2" if i == d else ":" for i in range(d + 1)]) + "]"
        base = self.rng.standard_normal(base_shape).astype(dtype)
        name = self._register("v", Input(base, view, requires_grad=True))
        self.commit_pending()
        self.values.append(name)
        return name

    def param(self, shape: tuple, dtype: str, scale: float = 1.0, positive: bool = False) -> str:
        """A new leaf that requires grad (a weight, a bias, another operand)."""
        a = self.rng.standard_normal(shape) * scale
        a = np.abs(a) + 0.1 if positive else a
        return self._register("p", Input(np.asarray(a, dtype=dtype), "", True))

    def const(self, array: np.ndarray) -> str:
        """A tensor that needs no grad: indices, masks, targets."""
        return self._register("c", Input(np.asarray(array)))

    def commit_pending(self) -> None:
        self.inputs.update(self.pending)
        self.pending.clear()

    def drop_pending(self) -> None:
        for name in self.pending:
            self.env.pop(name, None)
        self.pending.clear()

    def pick(self, ok=lambda t: True) -> str | None:
        """A float value of the program that satisfies ``ok`` (the newest one half the time)."""
        names = [n for n in self.values if self.env[n].dtype.is_floating_point and ok(self.env[n])]
        if not names:
            return None
        if names[-1] == self.values[-1] and self.coin(0.5):
            return names[-1]
        return self.choice(names)

    def t(self, name: str):
        return self.env[name]


# ---------------------------------------------------------------------------------------------- the table

GENERATORS: dict = {}


def op(label: str, weight: float = 1.0):
    def deco(fn):
        GENERATORS[label] = (fn, weight)
        return fn
    return deco


def _small(t, limit: int = 256) -> bool:
    return t.numel() <= limit


def _dim(g: Gen, t) -> int:
    """A valid dim of ``t``, sometimes negative."""
    d = g.int(0, max(t.ndim - 1, 0))
    return d - max(t.ndim, 1) if g.coin(0.3) else d


UNARY = ["T.exp({})", "T.tanh({})", "T.sigmoid({})", "T.abs({})", "T.sin({})", "T.cos({})", "T.sqrt({})",
         "T.log({})", "T.neg({})", "T.square({})", "T.rsqrt({})", "T.clamp({}, min=-0.5, max=0.5)",
         "T.clamp({}, min=0.1)", "{}.pow(2)", "{} ** 3", "T.erf({})", "T.log1p({})", "T.expm1({})",
         "T.reciprocal({})", "{}.clamp_max(0.3)", "T.atan({})", "T.sinh({})", "T.floor({})", "T.sign({})",
         "T.nan_to_num({})", "T.logit({}.sigmoid())", "T.sinc({})", "(1 - {})", "({} / 2.5)"]


@op("pointwise", 3)
def _unary(g: Gen):
    x = g.pick()
    return None if x is None else g.choice(UNARY).format(x)


ACTIVATIONS = ["F.relu({})", "F.relu6({})", "F.gelu({})", "F.gelu({}, approximate='tanh')", "F.silu({})",
               "F.mish({})", "F.elu({}, alpha=0.7)", "F.selu({})", "F.celu({}, alpha=1.3)",
               "F.leaky_relu({}, 0.2)", "F.leaky_relu({})", "F.softplus({}, beta=2.0, threshold=1.0)",
               "F.hardtanh({}, -0.5, 0.7)", "F.hardswish({})", "F.hardsigmoid({})", "F.logsigmoid({})",
               "F.softsign({})", "F.tanhshrink({})", "F.hardshrink({}, 0.5)", "F.softshrink({}, 0.3)",
               "F.threshold({}, 0.1, 20.0)", "T.relu({})", "{}.relu()", "F.sigmoid({})", "F.tanh({})"]


@op("activation", 3)
def _activation(g: Gen):
    x = g.pick()
    return None if x is None else g.choice(ACTIVATIONS).format(x)


@op("glu/prelu")
def _glu_prelu(g: Gen):
    x = g.pick(lambda t: t.ndim >= 1)
    if x is None:
        return None
    t = g.t(x)
    if g.coin() and any(s % 2 == 0 for s in t.shape):
        d = g.choice([i for i, s in enumerate(t.shape) if s % 2 == 0])
        return f"F.glu({x}, dim={d})"
    c = t.shape[1] if t.ndim >= 2 and g.coin() else 1
    return f"F.prelu({x}, {g.param((c,), str(t.dtype).split('.')[-1], 0.3)})"


def _other_operand(g: Gen, t) -> str:
    """The second operand of a binary op: an earlier value, a new leaf broadcastable with ``t`` (possibly of
    the other dtype or 0-d), or a Python number."""
    r = g.rng.random()
    if r < 0.3:
        same = g.pick(lambda u: _broadcastable(u.shape, t.shape))
        if same is not None:
            return same
    if r < 0.45:
        return repr(g.choice([2, -1, 0.5, 1.5, 3.0]))
    dtype = str(t.dtype).split(".")[-1] if g.coin(0.7) else g.dtype()
    if g.coin(0.15):
        return g.param((), dtype)
    shape = tuple(s if g.coin(0.7) else 1 for s in t.shape)
    if shape and g.coin(0.3):
        shape = shape[g.int(0, len(shape) - 1):]
    return g.param(shape, dtype)


def _broadcastable(a, b) -> bool:
    for x, y in zip(reversed(tuple(a)), reversed(tuple(b))):
        if x != y and x != 1 and y != 1:
            return False
    return len(a) <= len(b) + 1


BINARY = ["({a} + {b})", "({a} - {b})", "({a} * {b})", "({a} / {b})", "T.maximum({a}, {b})",
          "T.minimum({a}, {b})", "T.add({a}, {b}, alpha=0.5)", "T.mul({a}, {b})", "T.sub({b}, {a})",
          "({b} / {a})", "({b} * {a})", "({b} - {a})"]
BINARY_TENSORS = ["T.atan2({a}, {b})", "T.hypot({a}, {b})", "T.lerp({a}, {b}, 0.3)", "T.where({a} > 0, {a}, {b})",
                  "T.pow({a}.abs() + 0.5, {b})", "T.fmax({a}, {b})", "T.addcmul({a}, {a}, {b}, value=0.5)",
                  "T.logaddexp({a}, {b})", "T.xlogy({a}, {b})", "T.copysign({a}, {b})"]


@op("binary", 4)
def _binary(g: Gen):
    a = g.pick()
    if a is None:
        return None
    b = _other_operand(g, g.t(a))
    if b[0] in "vp" and g.coin(0.3):
        return g.choice(BINARY_TENSORS).format(a=a, b=b)
    return g.choice(BINARY).format(a=a, b=b)


@op("cast")
def _cast(g: Gen):
    x = g.pick()
    return None if x is None else g.choice(["{}.double()", "{}.float()", "{}.to(T.float64)", "{}.to(T.float32)",
                                            "{}.type(T.float64)", "{}.to({}.dtype)"]).replace("{}", x)


REDUCTIONS = ["{x}.sum({d}, keepdim={k})", "{x}.mean({d}, keepdim={k})", "T.sum({x}, dim={d}, keepdim={k})",
              "{x}.prod({d}, keepdim={k})", "{x}.amax({d}, keepdim={k})", "{x}.amin({d}, keepdim={k})",
              "{x}.max({d}, keepdim={k}).values", "{x}.min({d}, keepdim={k})[0]", "{x}.std({d}, keepdim={k})",
              "{x}.var({d}, unbiased=False, keepdim={k})", "{x}.var({d}, correction=0)",
              "{x}.norm(dim={d}, keepdim={k})", "T.logsumexp({x}, {d}, keepdim={k})", "{x}.cumsum({d})",
              "{x}.cumprod({d})", "T.softmax({x}, {d})", "F.softmax({x}, dim={d})", "F.log_softmax({x}, dim={d})",
              "{x}.argmax({d}, keepdim={k})", "{x}.median({d}, keepdim={k}).values", "{x}.max({d})[1]",
              "T.std_mean({x}, {d})[0]", "T.var_mean({x}, {d}, keepdim={k})[1]", "{x}.norm(p=1, dim={d})",
              "T.count_nonzero({x} > 0, {d})", "{x}.logcumsumexp({d})", "T.cummax({x}, {d}).values",
              "{x}.sum(({d},), keepdim={k})", "{x}.mean(dim=[{d}])", "{x}.nansum({d})", "{x}.all({d})",
              "{x}.any({d})"]
FULL_REDUCTIONS = ["{x}.sum()", "{x}.mean()", "{x}.max()", "{x}.min()", "{x}.std()", "{x}.var()", "{x}.norm()",
                   "{x}.prod()", "{x}.amax()", "{x}.logsumexp(0)" , "{x}.argmax()", "{x}.median()",
                   "{x}.sum(dim=({d}, {d2}))", "{x}.mean(({d}, {d2}), keepdim=True)", "{x}.amax(dim=({d}, {d2}))"]


@op("reduction", 3)
def _reduction(g: Gen):
    x = g.pick()
    if x is None:
        return None
    t = g.t(x)
    d, k = _dim(g, t), g.coin()
    if t.ndim >= 2 and g.coin(0.2):
        d2 = (d + 1) % t.ndim
        return g.choice(FULL_REDUCTIONS[-3:]).format(x=x, d=d, d2=d2)
    if g.coin(0.2):
        return g.choice(FULL_REDUCTIONS[:-3]).format(x=x)
    return g.choice(REDUCTIONS).format(x=x, d=d, k=k)


@op("matmul", 2)
def _matmul(g: Gen):
    x = g.pick(lambda t: t.ndim >= 1 and _small(t, 128))
    if x is None:
        return None
    t = g.t(x)
    dtype = str(t.dtype).split(".")[-1]
    k, n = t.shape[-1], g.int(1, 4)
    form = g.int(0, 6)
    if form == 0:
        return f"({x} @ {g.param((k, n), dtype)})"
    if form == 1:
        bias = g.param((n,), dtype) if g.coin() else "None"
        return f"F.linear({x}, {g.param((n, k), dtype)}, {bias})"
    if form == 2 and t.ndim == 2:
        return f"T.mm({x}, {g.param((k, n), dtype)})"
    if form == 3 and t.ndim == 3:
        return f"T.bmm({x}, {g.param((t.shape[0], k, n), dtype)})"
    if form == 4 and t.ndim == 1:
        return g.choice([f"T.dot({x}, {g.param((k,), dtype)})", f"T.outer({x}, {g.param((n,), dtype)})",
                         f"T.mv({g.param((n, k), dtype)}, {x})"])
    if form == 5:
        return f"T.matmul({g.param((n, k) if t.ndim >= 1 else (k,), dtype)}, {x})" if t.ndim == 1 else \
            f"T.einsum('...ij,jk->...ik', {x}, {g.param((k, n), dtype)})" if t.ndim >= 2 else None
    y = g.pick(lambda u: u.ndim >= 1 and u.shape[0 if u.ndim == 1 else -2] == k)
    return None if y is None else f"T.matmul({x}, {y})"


def _factorization(g: Gen, shape) -> tuple:
    n = int(np.prod(shape))
    out, rest = [], n
    while rest > 1 and len(out) < 3:
        divs = [d for d in range(2, rest + 1) if rest % d == 0]
        d = g.choice(divs)
        out.append(d)
        rest //= d
    if g.coin(0.3):
        out.insert(g.int(0, len(out)), 1)
    if out and g.coin(0.3):
        out[g.int(0, len(out) - 1)] = -1
    return tuple(out)


@op("view", 4)
def _view(g: Gen):
    x = g.pick()
    if x is None:
        return None
    t = g.t(x)
    nd = t.ndim
    forms = ["{x}.reshape(-1)", "{x}.reshape({f})", "{x}.view({f})", "{x}.flatten()", "{x}.unsqueeze({u})",
             "{x}[None]", "{x}.contiguous()", "{x}.squeeze()", "{x}.view(-1)", "{x}.clone()"]
    if nd >= 1:
        forms += ["{x}.squeeze({d})", "{x}.flip({d})", "{x}.narrow({d}, {s}, {ln})", "{x}.roll(1, {d})",
                  "{x}.chunk(2, {d})[0]", "{x}.split(1, {d})[-1]", "{x}.unbind({d})[0]", "{x}.flatten(0)",
                  "{x}.repeat({rep})", "{x}.expand({exp})", "{x}.movedim({d}, 0)", "{x}.unsqueeze(-1).expand({exp2})",
                  "T.flatten({x}, {d})", "{x}.select({d}, -1)", "T.squeeze({x}, {d})", "{x}.tile((2,))"]
    if nd >= 2:
        forms += ["{x}.transpose({d}, {d2})", "{x}.permute({perm})", "{x}.mT", "{x}.flatten({d0}, {d1})",
                  "T.swapaxes({x}, 0, -1)", "{x}.diagonal()", "T.tril({x})", "{x}.triu(1)", "{x}.view({f})",
                  "{x}.transpose(0, 1).reshape({f})", "{x}.t()" if nd == 2 else "{x}.mT.contiguous()"]
    form = g.choice(forms)
    d = _dim(g, t)
    size = t.shape[d] if nd else 1
    s = g.int(0, max(size - 1, 0))
    d0 = g.int(0, nd - 2) if nd >= 2 else 0
    fmt = dict(x=x, d=d, d2=(d + 1) % max(nd, 1), u=g.int(-nd - 1, nd), s=s, ln=g.int(0, size - s),
               f=_factorization(g, t.shape), rep=tuple(g.int(1, 2) for _ in range(nd)),
               exp=tuple(g.int(2, 3) if sz == 1 and g.coin() else (-1 if g.coin(0.3) else sz) for sz in t.shape),
               exp2=tuple(t.shape) + (2,), perm=tuple(g.rng.permutation(nd).tolist()), d0=d0, d1=g.int(d0, nd - 1))
    if "repeat" in form or "expand" in form or "tile" in form:
        if not _small(t, 64):
            return None
    return form.format(**fmt)


def _slice_text(g: Gen, size: int) -> str:
    kind = g.int(0, 5)
    if kind == 0:
        return ":"
    if kind == 1:
        return str(g.int(-size, size - 1))
    if kind == 2:
        return f"{g.int(0, size)}:"
    if kind == 3:
        return f"::{g.int(1, 3)}"
    if kind == 4:
        return f"{g.int(-size, 0)}:{g.int(0, size)}"
    return f"1::{g.int(1, 2)}"


@op("slice", 3)
def _slice(g: Gen):
    x = g.pick(lambda t: t.ndim >= 1)
    if x is None:
        return None
    t = g.t(x)
    k = g.int(1, t.ndim)
    parts = [_slice_text(g, t.shape[i]) for i in range(k)]
    if g.coin(0.2):
        parts = ["..."] + parts[-1:]
    if g.coin(0.1):
        parts.insert(g.int(0, len(parts)), "None")
    return f"{x}[{', '.join(parts)}]"


@op("index", 3)
def _index(g: Gen):
    x = g.pick(lambda t: t.ndim >= 1)
    if x is None:
        return None
    t = g.t(x)
    n0 = t.shape[0]
    form = g.int(0, 9)
    idx = g.rng.integers(-n0 if g.coin(0.3) else 0, n0, size=g.int(1, 4))
    if form == 0:
        return f"{x}[{g.const(idx)}]"
    if form == 1:
        return f"{x}[{idx.tolist()}]"
    if form == 2:
        return f"{x}[{g.const(g.rng.random(tuple(t.shape)) < 0.5)}]"
    if form == 3:
        return f"{x}[{x} > 0]"
    if form == 4:
        return f"{x}[{g.const(g.rng.random((n0,)) < 0.5)}]"
    if form == 5 and t.ndim >= 2:
        i2 = g.rng.integers(0, t.shape[1], size=g.int(1, 3))
        return f"{x}[:, {g.const(i2)}]"
    if form == 6:
        d = _dim(g, t)
        return f"T.index_select({x}, {d}, {g.const(g.rng.integers(0, t.shape[d], size=g.int(1, 4)))})"
    if form == 7:
        d = _dim(g, t)
        shape = list(t.shape)
        shape[d] = g.int(1, 4)
        return f"T.gather({x}, {d}, {g.const(g.rng.integers(0, t.shape[d], size=shape))})"
    if form == 8:
        mask = g.const(g.rng.random(tuple(s if g.coin(0.7) else 1 for s in t.shape)) < 0.5)
        return f"{x}.masked_fill({mask}, {g.choice([0.0, -1.5, float('-inf')])})"
    if t.ndim >= 2:
        i2 = g.rng.integers(0, t.shape[1], size=len(idx))
        return f"{x}[{g.const(idx)}, {g.const(i2)}]"
    return f"{x}[{g.const(idx)}, ...]"


@op("cat/stack", 2)
def _join(g: Gen):
    x = g.pick(lambda t: _small(t, 128))
    if x is None:
        return None
    t = g.t(x)
    dtype = str(t.dtype).split(".")[-1] if g.coin(0.8) else g.dtype()
    same = g.pick(lambda u: u.shape == t.shape)
    other = same if same is not None and g.coin(0.6) else g.param(tuple(t.shape), dtype)
    if g.coin(0.5) or t.ndim == 0:
        d = g.int(-t.ndim - 1, t.ndim)
        return g.choice([f"T.stack([{x}, {other}], {d})", f"T.stack(({other}, {x}, {x}), dim={d})"])
    d = _dim(g, t)
    shape = list(t.shape)
    shape[d] = g.int(1, 3)
    third = g.param(tuple(shape), dtype)
    return g.choice([f"T.cat([{x}, {other}], {d})", f"T.cat(({x}, {third}), dim={d})",
                     f"T.cat([{third}, {x}, {other}], {d})", f"T.concat([{x}, {x}], {d})"])


@op("loss", 2)
def _loss(g: Gen):
    x = g.pick(lambda t: t.ndim >= 1)
    if x is None:
        return None
    t = g.t(x)
    dtype = str(t.dtype).split(".")[-1]
    red = g.choice(["mean", "sum", "none"])
    form = g.int(0, 8)
    target = g.const(g.rng.standard_normal(tuple(t.shape)).astype(dtype))
    if form == 0:
        return f"F.mse_loss({x}, {target}, reduction='{red}')"
    if form == 1:
        return f"F.l1_loss({x}, {g.param(tuple(t.shape), dtype)}, reduction='{red}')"
    if form == 2:
        return f"F.smooth_l1_loss({x}, {target}, beta=0.5, reduction='{red}')"
    if form == 3:
        return f"F.huber_loss({x}, {target}, delta=0.7)"
    if form == 4 and t.ndim in (1, 2):
        c = t.shape[-1]
        shape = () if t.ndim == 1 else (t.shape[0],)
        tgt = g.rng.integers(0, c, size=shape)
        extra = g.choice(["", ", label_smoothing=0.1", ", ignore_index=0", f", weight={g.const(np.linspace(0.5, 1.5, c).astype(dtype))}"])
        return f"F.cross_entropy({x}, {g.const(tgt)}{extra}, reduction='{red}')"
    if form == 5 and t.ndim == 2:
        tgt = g.rng.integers(0, t.shape[1], size=t.shape[0])
        return f"F.nll_loss(F.log_softmax({x}, 1), {g.const(tgt)}, reduction='{red}')"
    if form == 6:
        tgt = g.const(g.rng.random(tuple(t.shape)).astype(dtype))
        return g.choice([f"F.binary_cross_entropy_with_logits({x}, {tgt}, reduction='{red}')",
                         f"F.binary_cross_entropy(T.sigmoid({x}), {tgt}, reduction='{red}')"])
    if form == 7 and t.ndim >= 1:
        p = g.rng.random(tuple(t.shape)).astype(dtype) + 0.05
        p = g.const(p / p.sum(-1, keepdims=True))
        return f"F.kl_div(F.log_softmax({x}, -1), {p}, reduction='{g.choice(['batchmean', 'sum', 'none'])}')"
    if t.ndim >= 1:
        return g.choice([f"F.cosine_similarity({x}, {g.param(tuple(t.shape), dtype)}, dim=-1)",
                         f"F.soft_margin_loss({x}, {g.const(np.sign(g.rng.standard_normal(tuple(t.shape))).astype(dtype))})",
                         f"F.normalize({x}, dim=-1)", f"F.pairwise_distance({x}, {target})"])
    return None


@op("norm", 2)
def _norm(g: Gen):
    x = g.pick(lambda t: t.ndim >= 1)
    if x is None:
        return None
    t = g.t(x)
    dtype = str(t.dtype).split(".")[-1]
    form = g.int(0, 4)
    if form == 0 or t.ndim < 2:
        k = g.int(1, min(t.ndim, 2))
        shape = tuple(t.shape[-k:])
        w = g.param(shape, dtype) if g.coin(0.7) else "None"
        b = g.param(shape, dtype) if g.coin(0.7) else "None"
        return f"F.layer_norm({x}, {shape}, {w}, {b})"
    c = t.shape[1]
    if form == 1 and t.ndim in (2, 3, 4):
        w, b = g.param((c,), dtype), g.param((c,), dtype)
        return f"F.batch_norm({x}, None, None, {w}, {b}, training=True)"
    if form == 2 and t.ndim in (3, 4):
        groups = g.choice([d for d in range(1, c + 1) if c % d == 0])
        return f"F.group_norm({x}, {groups}, {g.param((c,), dtype)}, {g.param((c,), dtype)})"
    if form == 3 and t.ndim in (3, 4):
        return f"F.instance_norm({x})"
    return f"F.rms_norm({x}, {tuple(t.shape[-1:])}, {g.param(tuple(t.shape[-1:]), dtype)})"


@op("conv", 2)
def _conv(g: Gen):
    x = g.pick(lambda t: t.ndim in (2, 3, 4) and _small(t, 200))
    if x is None:
        return None
    t = g.t(x)
    dtype = str(t.dtype).split(".")[-1]
    if t.ndim == 2:  # make it (N, C, L)
        return f"{x}.unsqueeze(1)"
    spatial = t.ndim - 2
    c = t.shape[1]
    groups = g.choice([d for d in range(1, c + 1) if c % d == 0]) if g.coin(0.3) else 1
    out = groups * g.int(1, 2)
    k = g.int(1, 3)
    pad = g.int(0, k // 2 + (1 if g.coin(0.2) else 0))
    stride, dil = g.int(1, 2), g.int(1, 2) if g.coin(0.2) else 1
    w = g.param((out, c // groups) + (k,) * spatial, dtype, 0.5)
    b = g.param((out,), dtype) if g.coin() else "None"
    fn = "F.conv1d" if spatial == 1 else "F.conv2d"
    if g.coin(0.15):
        wt = g.param((c, out // groups) + (k,) * spatial, dtype, 0.5)
        return f"{fn.replace('conv', 'conv_transpose')}({x}, {wt}, None, stride={stride}, padding={min(pad, k - 1)}, groups={groups})"
    return f"{fn}({x}, {w}, {b}, stride={stride}, padding={pad}, dilation={dil}, groups={groups})"


@op("pool", 2)
def _pool(g: Gen):
    x = g.pick(lambda t: t.ndim in (3, 4) and _small(t, 300))
    if x is None:
        return None
    t = g.t(x)
    k = g.int(1, 3)
    stride = g.choice([None, 1, 2])
    pad = g.int(0, k // 2)
    two = t.ndim == 4 and g.coin(0.7)
    dim = "2d" if two else "1d"
    form = g.int(0, 4)
    if form == 0:
        return f"F.max_pool{dim}({x}, {k}, stride={stride}, padding={pad}, ceil_mode={g.coin(0.3)})"
    if form == 1:
        return f"F.avg_pool{dim}({x}, {k}, stride={stride}, padding={pad}, count_include_pad={g.coin()})"
    if form == 2:
        return f"F.adaptive_avg_pool{dim}({x}, {g.int(1, 3)})"
    if form == 3:
        return f"F.adaptive_max_pool{dim}({x}, {g.int(1, 3)})"
    return f"F.max_pool{dim}({x}, {k}, {stride}, {pad}, return_indices=True)[0]"


@op("embedding")
def _embedding(g: Gen):
    num, dim = g.int(2, 6), g.int(1, 4)
    dtype = g.dtype()
    x = g.pick()
    shape = tuple(g.t(x).shape) if x is not None and g.coin() and _small(g.t(x), 16) else g.shape(g.int(0, 2), 4)
    idx = g.const(g.rng.integers(0, num, size=shape))
    w = g.param((num, dim), dtype)
    extra = g.choice(["", ", padding_idx=0", ", max_norm=None", ", scale_grad_by_freq=True"])
    return f"F.embedding({idx}, {w}{extra})"


@op("new input", 0.5)
def _fresh(g: Gen):
    """Another input mid-program (so later binary ops meet float32 and float64 values)."""
    x = g.pick()
    other = g.param(tuple(g.t(x).shape) if x is not None else g.shape(), g.dtype())
    return f"{other}.mul(1)" if x is None else f"({x} + {other}.sum())"
