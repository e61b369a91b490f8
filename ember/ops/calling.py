"""torch's calling conventions, given to every op once, when it is installed as ``ember.<name>`` or a method.

torch's argument parser accepts more spellings than an op's Python signature names. ``bind(fn, name)``
reads ``fn``'s signature once and returns a callable that accepts them too:

- NumPy's names (torch's ``numpy_compatibility_arg_names``): ``axis`` for ``dim``, ``keepdims`` for
  ``keepdim``, ``x``/``a``/``x1`` for ``input`` (functions only: a method's ``self`` is positional) and
  ``x2`` for ``other``;
- the name of a ``*size``/``*shape``/``*dims``/``*repeats`` parameter as a keyword holding the whole
  sequence (``zeros(size=(2, 3))``, ``x.permute(dims=(1, 0))``, ``x.view(size=(6,))``): torch's int-list
  parameters, which its parser lets a caller spread (``zeros(2, 3)``) or name;
- ``out=`` on every function torch gives it (all but ``WITHOUT_OUT``), written by the one helper
  ``_common.write_out`` (a tuple of tensors for ops that return several); methods never take ``out=``.

A call without keywords goes straight to the op (one extra call, no parsing); the keywords are
translated only when there are some. The returned callable's ``__signature__`` is the op's signature with
``out`` added or removed, so ``inspect.signature`` shows what torch shows.

>>> import ember
>>> ember.sum(ember.ones(2, 3), axis=1, keepdims=True).shape
ember.Size([2, 1])
>>> ember.zeros(size=(2, 3)).shape
ember.Size([2, 3])
"""
from __future__ import annotations

import inspect

from ._common import write_out

__all__: list = []

NUMPY_NAMES = {"dim": ("axis",), "keepdim": ("keepdims",), "input": ("x", "a", "x1"), "other": ("x2",)}
SEQUENCE_NAMES = ("size", "shape", "dims", "repeats")

# Exported functions on which torch takes no ``out=`` (views, factories of a like-tensor, tuple-returning
# splitters, predicates, ...), read from torch's signatures; every other exported function takes it.
WITHOUT_OUT = frozenset("""
adjoint allclose argwhere as_strided as_tensor asarray atleast_1d atleast_2d atleast_3d bartlett_window
bincount blackman_window block_diag broadcast_shapes broadcast_tensors broadcast_to cartesian_prod cdist chunk
clone combinations conj count_nonzero det diag_embed diagflat diagonal dist einsum empty_like equal flatten
flip fliplr flipud from_numpy full_like hamming_window hann_window imag index_fill is_complex
is_floating_point isclose isfinite isinf isnan istft kaiser_window logdet masked_fill masked_scatter meshgrid
moveaxis movedim narrow numel ones_like permute pinverse poisson positive put rand_like randint_like
randn_like ravel real relu repeat_interleave reshape roll rot90 scalar_tensor select split squeeze std_mean
stft swapaxes swapdims t tensor tensor_split tile trace transpose unbind unflatten unique unique_consecutive
unsqueeze var_mean view_as_complex view_as_real zeros_like fill_ zero_ resize_as_ index_put is_tensor is_storage is_nonzero is_same_size
is_conj is_inference result_type can_cast promote_types get_default_dtype set_default_dtype
""".split())

_VAR = inspect.Parameter.VAR_POSITIONAL
_NAMED = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)


class _Spec:
    """What ``bind`` learnt from one signature: the aliases, the sequence parameter and the ``out=`` rule."""

    __slots__ = ("fn", "name", "aliases", "seq", "n_before_seq", "before_seq", "add_out", "reject_out")

    def __init__(self, fn, name: str, sig: inspect.Signature, method: bool, without_out: frozenset):
        params = list(sig.parameters.values())
        self.fn, self.name = fn, name
        self.aliases = {}
        for p in params[1 if method else 0:]:
            if p.kind in _NAMED:
                for alias in NUMPY_NAMES.get(p.name, ()):
                    if alias not in sig.parameters:
                        self.aliases[alias] = p.name
        seq = next((i for i, p in enumerate(params) if p.kind is _VAR and p.name in SEQUENCE_NAMES), None)
        self.seq = params[seq].name if seq is not None else None
        self.before_seq = tuple(p.name for p in params[:seq]) if seq is not None else ()
        self.n_before_seq = len(self.before_seq)
        has_out = "out" in sig.parameters
        self.add_out = not method and not has_out and name not in without_out
        self.reject_out = has_out and (method or name in without_out)

    def needed(self) -> bool:
        return bool(self.aliases or self.seq or self.add_out or self.reject_out)

    def call(self, args: tuple, kwargs: dict):
        """Translate torch's keyword spellings in ``kwargs`` (a fresh dict) and call the op."""
        for alias in [k for k in kwargs if k in self.aliases]:
            name = self.aliases[alias]
            if name in kwargs:
                raise TypeError(f"{self.name}() got an unexpected keyword argument '{alias}'")
            kwargs[name] = kwargs.pop(alias)
        if self.seq is not None and self.seq in kwargs:
            args = self._seq_args(args, kwargs)
        if "out" in kwargs:
            if self.reject_out:
                raise TypeError(f"{self.name}() got an unexpected keyword argument 'out'")
            if self.add_out:

                out = kwargs.pop("out")
                return write_out(self.fn(*args, **kwargs), out)
        return self.fn(*args, **kwargs)

    def _seq_args(self, args: tuple, kwargs: dict) -> tuple:
        """``f(x, size=(2, 3))`` as ``f(x, (2, 3))``: the parameters before ``*size`` become positional."""
        if len(args) > self.n_before_seq:
            raise TypeError(f"{self.name}() got multiple values for argument '{self.seq}'")
        lead = list(args)
        for p in self.before_seq[len(args):]:
            if p not in kwargs:
                raise TypeError(f"{self.name}() missing required argument '{p}'")
            lead.append(kwargs.pop(p))
        value = kwargs.pop(self.seq)
        return (*lead, value)


def bind(fn, name: str, *, method: bool = False, without_out: frozenset = WITHOUT_OUT):
    """``fn`` as ``ember.<name>`` (or ``Tensor.<name>`` when ``method``), accepting torch's spellings.

    Returns ``fn`` itself when its signature needs nothing (no alias, no sequence, no ``out`` change).
    """
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return fn
    spec = _Spec(fn, name, sig, method, without_out)
    if not spec.needed():
        return fn
    call = spec.call

    def op(*args, **kwargs):
        if kwargs:
            return call(args, kwargs)
        return fn(*args)

    op.__name__, op.__qualname__, op.__doc__ = name, name, fn.__doc__
    op.__module__, op.__wrapped__ = fn.__module__, fn
    op.__signature__ = _shown_signature(sig, spec)
    op.numpy_aliases = dict(spec.aliases)
    return op


def bind_all(namespace: dict, without_out=()) -> None:
    """Bind every function named in a namespace module's ``__all__`` (``ember.linalg``, ``ember.fft``) in
    place; ``without_out`` names the ones on which torch takes no ``out=``."""
    skip = frozenset(without_out)
    for name in namespace["__all__"]:
        fn = namespace[name]
        if inspect.isfunction(fn):
            namespace[name] = bind(fn, name, without_out=skip)


def _shown_signature(sig: inspect.Signature, spec: _Spec) -> inspect.Signature:
    params = list(sig.parameters.values())
    if spec.reject_out:
        params = [p for p in params if p.name != "out"]
    if spec.add_out:
        var_kw = [p for p in params if p.kind is inspect.Parameter.VAR_KEYWORD]
        params = [p for p in params if p.kind is not inspect.Parameter.VAR_KEYWORD]
        params += [inspect.Parameter("out", inspect.Parameter.KEYWORD_ONLY, default=None)] + var_kw
    return sig.replace(parameters=params)
