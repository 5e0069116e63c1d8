"""The `feedkit` console script (and `python -m feedkit`).

A plain `feedkit build` runs before the CLI framework is imported (an unchanged
one is answered from the build cache; commands/fastpath.py); anything else runs
the CLI (cli.py).
"""

from __future__ import annotations

import sys


def main() -> None:
    """Console-script entry point."""
    from .commands.fastpath import cached_build

    if sys.argv[1:2] == ["build"] and cached_build(sys.argv[2:]):
        sys.exit(0)
    from .cli import main as cli_main

    cli_main()


if __name__ == "__main__":
    main()
