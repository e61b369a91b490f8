"""Doctests: every docstring example runs with ``ember`` and ``np`` already imported."""
import numpy as np
import pytest


@pytest.fixture(autouse=True)
def _doctest_namespace(doctest_namespace):
    import ember

    doctest_namespace["ember"] = ember
    doctest_namespace["np"] = np
    ember.manual_seed(0)
