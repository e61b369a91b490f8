"""``python -m ember.distributed.run -n N PROGRAM ...``: start N ranks of PROGRAM under MPI's ``mpiexec``.

PROGRAM is ``ember ...`` (the command line), a ``.py`` script, or ``-m module``; each runs with this
Python. ``--nproc-per-node`` is torchrun's spelling of ``-n``. The launcher only finds ``mpiexec`` (next
to this Python, as the ``mpich`` wheel installs it, else on ``PATH``) and runs it; MPI does the rest, and a
rank that fails ends the job (``ember.distributed`` aborts every rank), so the exit code is not 0.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys


def find_mpiexec() -> str | None:
    """The ``mpiexec`` beside this Python (the mpich wheel's), else the first on ``PATH``; None if absent."""
    here = os.path.join(os.path.dirname(sys.executable), "mpiexec")
    if os.path.exists(here):
        return here
    return shutil.which("mpiexec") or shutil.which("mpirun")


def command(program: list) -> list:
    """The per-rank command line for PROGRAM (``ember`` and scripts run with this Python)."""
    if not program:
        raise SystemExit("ember.distributed.run: error: give the program to run, e.g. `ember train --ddp`")
    if program[0] == "ember":
        return [sys.executable, "-m", "ember"] + program[1:]
    if program[0] == "-m" or program[0].endswith(".py"):
        return [sys.executable] + program
    return program


def main(argv: list | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m ember.distributed.run",
                                description="run PROGRAM on N MPI ranks (mpiexec -n N)")
    p.add_argument("-n", "--nproc-per-node", "--nproc_per_node", dest="n", type=int, default=1)
    p.add_argument("program", nargs=argparse.REMAINDER)
    args = p.parse_args(argv)
    if args.n < 1:
        p.error(f"-n must be a positive integer, got {args.n}")
    mpiexec = find_mpiexec()
    if mpiexec is None:
        p.error("mpiexec not found: pip install 'ember[mpi]' (mpi4py and the mpich wheel)")
    return subprocess.call([mpiexec, "-n", str(args.n)] + command(args.program))


if __name__ == "__main__":
    sys.exit(main())
