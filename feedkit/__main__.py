"""The `feedkit` console script (and `python -m feedkit`).

A plain `feedkit build` runs before the CLI framework is imported (an unchanged
one is answered from the build cache; commands/fastpath.py), and the process ends
without the interpreter's teardown once it is done; anything else runs the CLI
(cli.py).
"""

from __future__ import annotations

import sys


def main() -> None:
    """Console-script entry point."""
    from .commands.fastpath import cached_build

    if sys.argv[1:2] == ["build"]:
        import gc

        # A plain build is a short process that ends without a teardown: the cycle
        # collector's passes over the snapshot's objects as they are loaded (a
        # hundred thousand of them) would only cost it time. The CLI gets it back.
        gc.disable()
        done = cached_build(sys.argv[2:])
        gc.enable()
    else:
        done = False
    if done:
        # Everything is written, closed and waited for: the interpreter's teardown
        # (freeing a large build's objects one by one, some 40 ms) is skipped.
        import os

        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except OSError:  # a closed pipe: what was printed is lost
            os._exit(1)
        os._exit(0)
    from .cli import main as cli_main

    cli_main()


if __name__ == "__main__":
    main()
