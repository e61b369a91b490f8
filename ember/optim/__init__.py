"""Optimizers and learning-rate schedules (``torch.optim``).

Each optimizer is a thin class around one pure update function that works on a whole param group
of raw NumPy arrays in place (``ember.optim.adam.adam``, ``ember.optim.sgd.sgd``, ...); variants
(Nesterov, AdamW's decoupled decay, amsgrad, maximize, centered) are flags of that function.

>>> import ember
>>> w = ember.zeros(3, requires_grad=True)
>>> opt = ember.optim.SGD([w], lr=0.1)
>>> sched = ember.optim.lr_scheduler.StepLR(opt, step_size=10, gamma=0.5)
>>> for _ in range(3):
...     opt.zero_grad()
...     (w - 1.0).pow(2).sum().backward()
...     opt.step()
...     sched.step()
"""
from .optimizer import Optimizer
from .sgd import SGD
from .adam import Adam, AdamW
from .adagrad import Adagrad
from .rmsprop import RMSprop
from .adadelta import Adadelta
from .adamax import Adamax
from .nadam import NAdam
from .radam import RAdam
from .lbfgs import LBFGS
from . import lr_scheduler, swa_utils

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "Adagrad", "RMSprop", "Adadelta", "Adamax", "NAdam", "RAdam",
           "LBFGS", "lr_scheduler", "swa_utils"]
