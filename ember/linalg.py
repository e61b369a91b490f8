"""``ember.linalg``: torch.linalg's functions. They live in ``ember/ops/linalg_functions.py`` (the factorizations
they build on are the Ops of ``ember/ops/linalg.py``); this module only re-exports them.

>>> import ember
>>> A = ember.tensor([[4., 1.], [1., 3.]])
>>> ember.linalg.solve(A, ember.tensor([1., 2.]))
tensor([0.0909, 0.6364])
>>> ember.linalg.matrix_norm(A, "nuc"), ember.linalg.vector_norm(ember.tensor([3., 4.]))
(tensor(7.), tensor(5.))
"""
from __future__ import annotations

from .ops.linalg_functions import *  # noqa: F401,F403 - the torch.linalg names
from .ops.linalg_functions import __all__  # noqa: F401
