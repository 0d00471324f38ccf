"""The ``iletimerkezi`` command (extra ``[cli]``: click and rich).

Secrets never reach the terminal: credentials come from the environment or
``--key``/``--hash`` and are only ever handed to :class:`~iletimerkezi_async.Client`;
every line the command prints on an error is scrubbed of them as well.  The
command only uses the public SDK, so it doubles as a worked example of it.
"""

from __future__ import annotations

import sys
from typing import NoReturn

from ._exit import (
    EXIT_ABORTED,
    EXIT_API,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_OUTCOME_UNKNOWN,
    EXIT_TRANSPORT,
    EXIT_USAGE,
)

__all__ = [
    "EXIT_ABORTED",
    "EXIT_API",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_OUTCOME_UNKNOWN",
    "EXIT_TRANSPORT",
    "EXIT_USAGE",
    "main",
]


def _missing_extra(exc: ImportError) -> NoReturn:
    sys.stderr.write(
        f"The iletimerkezi command needs the [cli] extra ({exc.name} is missing):\n"
        '    pip install "iletimerkezi-async[cli]"\n'
    )
    raise SystemExit(EXIT_USAGE)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point (``iletimerkezi`` and ``python -m iletimerkezi_async``)."""
    try:
        import rich  # noqa: F401  (needed by the commands)

        from ._app import app
    except ImportError as exc:
        if exc.name not in ("click", "rich") and not (exc.name or "").startswith("rich."):
            raise
        _missing_extra(exc)
    app.main(args=argv, prog_name="iletimerkezi")
