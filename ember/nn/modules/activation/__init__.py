"""Activation layers: each is a one-line ``forward`` into ``F`` (see ``ember.nn.functional.activation``
for every formula and derivative). Shape: Input (*), Output (*) of the same shape, except GLU (halves
``dim``). Only PReLU has a parameter: ``weight`` (num_parameters,), initialised to the constant ``init``
(0.25), i.e. the degenerate distribution at 0.25.

>>> import ember
>>> m = ember.nn.ReLU()
>>> m(ember.tensor([-1.0, 0.0, 2.0]))
tensor([0., 0., 2.])
>>> ember.nn.GELU(approximate="tanh")
GELU(approximate='tanh')
"""
from .piecewise import (Hardshrink, Hardsigmoid, Hardswish, Hardtanh, LeakyReLU, PReLU, ReLU, ReLU6,  # noqa: F401
                        RReLU, Softshrink, Threshold)
from .smooth import (CELU, ELU, GELU, LogSigmoid, Mish, SELU, Sigmoid, SiLU, Softplus, Softsign, Tanh,  # noqa: F401
                     Tanhshrink)
from .softmax import GLU, LogSoftmax, Softmax, Softmax2d, Softmin  # noqa: F401

__all__ = ["ReLU", "ReLU6", "LeakyReLU", "PReLU", "RReLU", "ELU", "SELU", "CELU", "GELU", "SiLU", "Mish",
           "Sigmoid", "Tanh", "Hardtanh", "Hardsigmoid", "Hardswish", "Softplus", "Softsign", "Threshold",
           "Softmax", "LogSoftmax", "Softmin", "Softmax2d", "GLU", "LogSigmoid", "Tanhshrink", "Softshrink",
           "Hardshrink"]
