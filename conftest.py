"""Doctests: every docstring example runs with ``ember`` and ``np`` already imported."""
import numpy as np
import pytest

# importing ember.compat.torch_alias binds ``torch`` to ember for the whole process: never collect it for doctests
collect_ignore = ["ember/compat/torch_alias.py",
                  "tests/thirdparty/mingpt_sort.py"]  # a script the runner starts with minGPT's path as argv[1]


@pytest.fixture(autouse=True)
def _doctest_namespace(doctest_namespace):
    import ember

    doctest_namespace["ember"] = ember
    doctest_namespace["np"] = np
    ember.manual_seed(0)
