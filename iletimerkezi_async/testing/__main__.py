"""Run the fake server standalone: ``python -m iletimerkezi_async.testing --port 8080``.

It serves until Ctrl-C or SIGTERM.  The URL is printed on the first line of
standard output; the key is shown masked and the hash never.  The flags (and
``iletimerkezi fake-server``, which takes the same ones) live in ``_runner``.
"""

from __future__ import annotations

import sys

from ._runner import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
