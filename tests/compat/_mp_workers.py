"""Functions that tests/compat/test_multiprocessing.py spawns (a light module: a spawned child imports it)."""
import os
import sys


def write_rank(i, folder):
    with open(os.path.join(folder, f"rank{i}"), "w") as f:
        f.write(str(i * 10))


def fail_on_one(i):
    if i == 1:
        raise ValueError("rank one fails")


def exit_three(i):
    sys.exit(3)


def add_rank_plus_one(i, tensor):
    tensor.add_(i + 1)
