"""``ember train --finetune CKPT``: start the classify task from another model's weights (d2l 14.2).

``CKPT`` is an ``ember train`` checkpoint or a bare ``state_dict`` saved by ember or by torch
(``torch.save(model.state_dict(), path)``; a torchvision ResNet-18's keys are ember's, so it loads into
``ember.models.resnet18``). The model named by ``--model`` is built for Fashion-MNIST (1 channel, 10 classes)
and takes every weight but its head:

- the head (the last ``nn.Linear``, e.g. ResNet's ``fc``) is replaced: freshly initialised for the new
  number of classes, whatever the checkpoint's head was;
- a first conv trained on RGB (3 input channels) is summed over its input channels, which is the same
  network on a grey image repeated three times;
- a checkpoint with a full-size stem (a 7x7 ``conv1``, as torchvision's) builds the model with that stem
  (``small_input=False``); the images stay 28x28.

Learning rates: the head trains at 10 x ``--lr`` and the rest at ``--lr`` (two parameter groups), or,
with ``--freeze-backbone``, only the head trains (the rest has ``requires_grad=False``).
"""
from __future__ import annotations

import os
import pickle
import zipfile

from . import UsageError


def load_state_dict_file(path: str) -> dict:
    """The ``state_dict`` in ``path``: an ``ember train`` checkpoint's ``model`` or a bare state_dict."""
    import ember

    if not os.path.isfile(path):
        raise UsageError(f"ember train: error: checkpoint {path!r} does not exist")
    try:
        obj = ember.load(path)
    except (RuntimeError, OSError, EOFError, ValueError, KeyError, pickle.UnpicklingError, zipfile.BadZipFile) as e:
        raise UsageError(f"ember train: error: checkpoint {path!r} is unreadable: {str(e).splitlines()[0]}") from None
    if isinstance(obj, dict) and isinstance(obj.get("model"), dict):
        obj = obj["model"]
    if not isinstance(obj, dict) or not obj or not all(isinstance(v, ember.Tensor) for v in obj.values()):
        raise UsageError(f"ember train: error: {path!r} holds no state_dict (a dict of tensors) nor an "
                         "`ember train` checkpoint")
    return dict(obj)


def head_name(model) -> str:
    """Name of the model's head: its last ``nn.Linear`` module."""
    from .. import nn

    names = [name for name, m in model.named_modules() if isinstance(m, nn.Linear)]
    if not names:
        raise UsageError(f"ember train: error: --finetune needs a model with a Linear head; "
                         f"{type(model).__name__} has none")
    return names[-1]


def _first_conv(model):
    from .. import nn

    return next(((n, m) for n, m in model.named_modules() if isinstance(m, nn.Conv2d)), (None, None))


def build_for(name: str, sd: dict):
    """The classify task's model ``name`` (and its input size) in the layout of the checkpoint ``sd``."""
    from .. import models
    from ._common import build_model

    model, size = build_model(name)
    conv_name, conv = _first_conv(model)
    key = f"{conv_name}.weight"
    if conv is not None and key in sd and tuple(sd[key].shape[2:]) != tuple(conv.weight.shape[2:]) \
            and models.supports_small_input(name):
        model = models.get_model(name, num_classes=10, in_channels=1, small_input=False)
    return model, size


def load_backbone(model, sd: dict, path: str) -> str:
    """Copy every weight of ``sd`` but the head's into ``model``; returns the head's name (left as built)."""
    import ember

    head = head_name(model)
    own = model.state_dict()
    conv_name, _ = _first_conv(model)
    picked = {}
    for key, value in sd.items():
        if key.startswith(head + "."):
            continue
        if key not in own:
            raise UsageError(f"ember train: error: --finetune {path!r}: key {key!r} is not in {type(model).__name__} "
                             f"(is it a checkpoint of another architecture? choose the matching --model)")
        if key == f"{conv_name}.weight" and value.shape[1] != own[key].shape[1] and own[key].shape[1] == 1:
            value = value.sum(dim=1, keepdim=True)  # RGB filters on a grey image repeated 3 times
        if tuple(value.shape) != tuple(own[key].shape):
            raise UsageError(f"ember train: error: --finetune {path!r}: size mismatch for {key}: copying a param "
                             f"with shape {list(value.shape)} from checkpoint, the shape in current model is "
                             f"{list(own[key].shape)}")
        picked[key] = value
    missing = [k for k in own if k not in picked and not k.startswith(head + ".")]
    if missing:
        raise UsageError(f"ember train: error: --finetune {path!r} lacks {len(missing)} weights of the model, "
                         f"e.g. {missing[0]!r}; choose the matching --model")
    with ember.no_grad():
        model.load_state_dict(picked, strict=False)
    return head


def param_groups(model, head: str, lr: float, freeze_backbone: bool) -> list:
    """The optimizer's groups: the head at 10 x lr and, unless frozen, the rest at lr."""
    head_params = list(model.get_submodule(head).parameters())
    ids = {id(p) for p in head_params}
    rest = [p for p in model.parameters() if id(p) not in ids]
    if freeze_backbone:
        for p in rest:
            p.requires_grad_(False)
        return [{"params": head_params, "lr": 10 * lr}]
    return [{"params": rest, "lr": lr}, {"params": head_params, "lr": 10 * lr}]


def prepare(name: str, path: str, lr: float, freeze_backbone: bool) -> tuple:
    """(model, input size, optimizer param groups) for fine-tuning ``name`` from the checkpoint ``path``."""
    sd = load_state_dict_file(path)
    model, size = build_for(name, sd)
    head = load_backbone(model, sd, path)
    how = "backbone frozen" if freeze_backbone else f"backbone lr {lr:g}"
    print(f"ember train: fine-tuning {name} from {path}: {len(sd)} entries, head {head!r} replaced "
          f"({model.get_submodule(head).out_features} classes, lr {10 * lr:g}), {how}", flush=True)
    return model, size, param_groups(model, head, lr, freeze_backbone)
