"""``python -m netpromoter``: the command line."""

from __future__ import annotations

import sys

from netpromoter.cli import main

if __name__ == "__main__":
    sys.exit(main())
