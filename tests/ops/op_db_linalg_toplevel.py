"""Op-table rows for ember/ops/linalg_toplevel.py."""
from __future__ import annotations

import ember
import torch

from .opinfo import table
from .samples import _rect, rect, Sample, T, TOL, vec_samples

OPS, row = table(tol=TOL)


row("pinverse", ember.pinverse, torch.pinverse, rect)
row("cross_dim0", lambda a, b: ember.cross(a, b, dim=0), lambda a, b: torch.cross(a, b, dim=0),
    lambda d, rng: [Sample((T(_rect(rng, (3, 4), d)), T(_rect(rng, (3, 4), d))))])
row("norm", lambda x, **k: x.norm(**k), lambda x, **k: x.norm(**k), vec_samples)
row("norm_p", lambda x, **k: ember.norm(x, 3, **k), lambda x, **k: torch.norm(x, 3, **k), vec_samples)
row("norm_nuc", lambda x: ember.norm(x, "nuc"), lambda x: torch.norm(x, "nuc"),
    lambda d, rng: [Sample((T(_rect(rng, (3, 4), d)),))])
