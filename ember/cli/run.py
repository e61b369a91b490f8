"""``ember run script.py [args]``: run an unmodified PyTorch script on ember.

Before the script starts, ``torch`` and ``torchvision`` (and their submodules) are bound to ember by
:mod:`ember.compat.torch_alias`; the script then runs as ``python script.py [args]`` would run it: as
``__main__``, with ``sys.argv == [script.py, *args]`` and the script's folder first on ``sys.path``.
``ember run -m package.module [args]`` runs a module the same way (``python -m``). The exit code is the
script's: 0, its ``sys.exit`` code, or 1 with Python's traceback when it raises.
"""
from __future__ import annotations

import argparse
import os
import runpy
import sys
import traceback


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-m", dest="module", default=None, nargs=argparse.REMAINDER, metavar="MODULE",
                        help="run a module as `python -m MODULE [args]` does, instead of a script")
    parser.add_argument("script", nargs="?", default=None, help="the PyTorch script to run")
    parser.add_argument("script_args", nargs=argparse.REMAINDER, help="arguments passed to the script")


def main(args: argparse.Namespace) -> int:
    from . import UsageError
    from ..compat import alias_hook as torch_alias

    if args.module is None and args.script is None:
        raise UsageError("ember run: error: a script is required (ember run script.py [args], or -m MODULE)")
    if args.module is not None:   # `ember run -m pkg.mod a b`: everything after -m is the module and its args
        if not args.module:
            raise UsageError("ember run: error: argument -m: expected a module name")
        args.module, args.script_args = args.module[0], args.module[1:]
    if args.module is None and not os.path.isfile(args.script):
        raise UsageError(f"ember run: error: can't open file {args.script!r}: no such file")
    try:
        torch_alias.install()
    except ImportError as e:
        raise UsageError(f"ember run: error: {e}") from None
    saved_argv, saved_path = sys.argv[:], sys.path[:]
    try:
        if args.module is not None:
            sys.argv = [args.module, *args.script_args]
            sys.path.insert(0, os.getcwd())
            runpy.run_module(args.module, run_name="__main__", alter_sys=True)
        else:
            sys.argv = [args.script, *args.script_args]
            sys.path.insert(0, os.path.dirname(os.path.abspath(args.script)))
            runpy.run_path(args.script, run_name="__main__")
    except SystemExit as e:
        return _exit_code(e.code)
    except KeyboardInterrupt:
        return 130
    except Exception:  # noqa: BLE001 - the script's own error: Python's traceback, exit 1, as `python script.py`
        traceback.print_exc()
        return 1
    finally:
        sys.argv, sys.path[:] = saved_argv, saved_path
        torch_alias.uninstall()
    return 0


def _exit_code(code) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)  # sys.exit("message"): printed, exit 1, as Python does
    return 1
