"""``ember bench``: run the benchmark suite (``python -m benchmarks``) from a source checkout."""
from __future__ import annotations

import os
import subprocess
import sys

from . import UsageError


def run_bench(argv: list) -> int:
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    if not os.path.isfile(os.path.join(root, "benchmarks", "__main__.py")):
        raise UsageError("ember bench: error: the benchmarks live in ember's source checkout "
                         "(git clone ...; pip install -e '.[test]')")
    return subprocess.call([sys.executable, "-m", "benchmarks", *argv], cwd=root)
