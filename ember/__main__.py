"""``python -m ember ...`` runs the ``ember`` command line (the same as ``ember ...``)."""
import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
