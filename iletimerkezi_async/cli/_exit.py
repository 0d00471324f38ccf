"""Exit codes of the ``iletimerkezi`` command (documented in ``docs/cli.md``).

Kept free of click and rich so ``iletimerkezi_async.cli`` can be imported,
and its codes compared, without the ``[cli]`` extra.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "EXIT_ABORTED",
    "EXIT_API",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_OUTCOME_UNKNOWN",
    "EXIT_TRANSPORT",
    "EXIT_USAGE",
]

EXIT_OK: Final = 0
EXIT_ABORTED: Final = 1
"""Nothing (more) was done: a declined confirmation, a follow that timed out, a local failure."""
EXIT_USAGE: Final = 2
"""Bad arguments, missing credentials or settings; refused before (or instead of) any request."""
EXIT_API: Final = 3
"""The API answered with an error code (``APIError``)."""
EXIT_TRANSPORT: Final = 4
"""No usable answer: connection, timeout, or a body that is not the API's envelope."""
EXIT_OUTCOME_UNKNOWN: Final = 5
"""A send may have created an order although no order id came back: do not resend blindly."""
EXIT_INTERRUPTED: Final = 130
"""Ctrl-C (128 + SIGINT), as shells report it."""
