"""ember's benchmarks: the same workloads under ember and torch in one process (see __main__.py)."""
