"""Docs on the class (issue 14): ``help(nn.X)`` shows the formula, Args, Shape, init and an example.

Every public class of ``ember.nn`` must carry, in its own ``__doc__`` (not inherited), a doctested
example (``>>>``) and a ``Shape`` section, and an ``Args`` section when its constructor takes options;
the doctests themselves run under ``--doctest-modules``. Every optimizer must show its update rule as
pseudo-code (torch's algorithm box) and an example; every lr scheduler its Args and an example.
The few exceptions are listed below, each with its reason.
"""
from __future__ import annotations

import inspect

import pytest

import ember.nn as nn
import ember.optim as optim
from ember.optim import lr_scheduler, swa_utils


def _public_classes(namespace, package: str) -> dict[str, type]:
    out = {}
    for name in sorted(dir(namespace)):
        obj = getattr(namespace, name)
        if not name.startswith("_") and inspect.isclass(obj) and obj.__module__.startswith(package):
            out[name] = obj
    return out


def _own_doc(cls: type) -> str:
    return cls.__dict__.get("__doc__") or ""


NN = _public_classes(nn, "ember.nn")

# Containers have no forward of their own (the owner calls what they hold), hence no Shape.
NO_SHAPE = {
    "ModuleList": "a container: no forward",
    "ModuleDict": "a container: no forward",
    "ParameterList": "a container of parameters: no forward",
    "ParameterDict": "a container of parameters: no forward",
}
# Tensor subclasses, not layers: no forward, no Shape; documented with an example in ember/nn/parameter.py.
NOT_LAYERS = {
    "Parameter": "a Tensor subclass, not a layer",
    "Buffer": "a Tensor subclass, not a layer",
    "UninitializedParameter": "a Tensor subclass, not a layer",
}
# Constructor arguments that need no Args entry (torch's factory keywords).
_IGNORED_ARGS = {"self", "device", "dtype"}


def _takes_options(cls: type) -> bool:
    params = inspect.signature(cls.__init__).parameters.values()
    return any(p.name not in _IGNORED_ARGS and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in params)


def test_allow_lists_name_real_classes():
    assert set(NO_SHAPE) <= set(NN), sorted(set(NO_SHAPE) - set(NN))
    assert set(NOT_LAYERS) <= set(NN), sorted(set(NOT_LAYERS) - set(NN))
    assert len(NN) > 150  # the walk found the layers (guards against an empty parametrization)


@pytest.mark.parametrize("name", sorted(set(NN) - set(NOT_LAYERS)))
def test_nn_class_docstring_has_house_form(name):
    cls = NN[name]
    doc = _own_doc(cls)
    assert ">>>" in doc, f"nn.{name}: the class docstring has no doctested example (>>>)"
    if name not in NO_SHAPE:
        assert "Shape" in doc, f"nn.{name}: the class docstring has no Shape section"
    if _takes_options(cls):
        assert "Args" in doc, f"nn.{name}: the constructor takes options but the docstring has no Args section"
    assert "see the module docstring" not in doc, f"nn.{name}: the docstring defers to the module docstring"


OPTIMIZERS = {name: cls for name, cls in _public_classes(optim, "ember.optim").items()
              if issubclass(cls, optim.Optimizer)}
SCHEDULERS = {name: cls for name, cls in _public_classes(lr_scheduler, "ember.optim").items()
              if issubclass(cls, lr_scheduler.LRScheduler)}
SCHEDULERS["SWALR"] = swa_utils.SWALR


def test_optim_walk_found_the_classes():
    assert {"SGD", "Adam", "AdamW", "LBFGS", "Optimizer"} <= set(OPTIMIZERS)
    assert {"StepLR", "OneCycleLR", "ReduceLROnPlateau", "LRScheduler"} <= set(SCHEDULERS)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_optimizer_docstring_has_update_rule_and_example(name):
    doc = _own_doc(OPTIMIZERS[name])
    assert ">>>" in doc, f"optim.{name}: no doctested example (>>>)"
    if name != "Optimizer":  # the base class has no update rule of its own
        assert ".. code-block:: text" in doc, f"optim.{name}: no update rule as pseudo-code (torch's algorithm box)"


@pytest.mark.parametrize("name", sorted(SCHEDULERS))
def test_scheduler_docstring_has_args_and_example(name):
    doc = _own_doc(SCHEDULERS[name])
    assert ">>>" in doc, f"lr_scheduler.{name}: no doctested example (>>>)"
    assert "Args" in doc, f"lr_scheduler.{name}: no Args section"


@pytest.mark.parametrize("cls", [swa_utils.AveragedModel, swa_utils.EMA], ids=lambda c: c.__name__)
def test_weight_averaging_docstring_has_example(cls):
    assert ">>>" in _own_doc(cls), f"swa_utils.{cls.__name__}: no doctested example (>>>)"
