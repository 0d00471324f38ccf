"""Running a command's coroutine and turning every failure into one line and an exit code.

Each command body is an ``async def`` run by :func:`run` in a fresh event
loop, so the client (and its HTTP session) lives and dies inside it.  The
mapping from the SDK's error hierarchy to exit codes lives here and only
here; ``docs/cli.md`` has the table.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, NoReturn, TypeVar

import click

from .. import (
    APIError,
    ConfigurationError,
    CursorError,
    DuplicateOrderError,
    InvalidRequestError,
    ResponseFormatError,
    SendOutcomeUnknownError,
    TransportError,
    WaitTimeoutError,
)
from ._exit import (
    EXIT_ABORTED,
    EXIT_API,
    EXIT_INTERRUPTED,
    EXIT_OUTCOME_UNKNOWN,
    EXIT_TRANSPORT,
    EXIT_USAGE,
)
from ._output import error

__all__ = ["CommandError", "describe", "fail", "name_options", "run"]

_OPTIONS_KEY = "iletimerkezi.options"


def name_options(**options: str) -> None:
    """Tell error lines which CLI option carries each SDK argument (``end="--until"``).

    An ``InvalidRequestError`` names the Python argument it refused; a CLI user
    typed an option, so the line names that instead.
    """
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.meta.setdefault(_OPTIONS_KEY, {}).update(options)


def _option(field: str) -> str:
    ctx = click.get_current_context(silent=True)
    named: dict[str, str] = ctx.meta.get(_OPTIONS_KEY, {}) if ctx is not None else {}
    head, bracket, rest = field.partition("[")
    option = named.get(head)
    return f"{option}{bracket}{rest}" if option else field


T = TypeVar("T")


class CommandError(click.ClickException):
    """A failure the command has already put into words; shown as one ``Error:`` line."""

    def __init__(self, message: str, exit_code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        # click declares exit_code as a ClassVar, yet reads it per instance.
        self.exit_code = exit_code  # type: ignore[misc]

    def show(self, file: Any = None) -> None:
        error(self.message)


def fail(message: str, exit_code: int = EXIT_USAGE) -> NoReturn:
    """Stop the command with one error line and ``exit_code`` (a usage error by default)."""
    raise CommandError(message, exit_code)


def describe(exc: BaseException) -> tuple[int, str]:
    """The exit code and the one-line message for an exception, with its notes."""
    code, line = _describe(exc)
    notes = [n for n in getattr(exc, "__notes__", ()) if isinstance(n, str)]
    return code, "; ".join([line, *notes])


def _describe(exc: BaseException) -> tuple[int, str]:
    """Exit code and message by the error's class (see the table in ``docs/cli.md``).

    Messages come from the SDK's errors, which never hold the key, the hash,
    a phone number or a message text; :func:`~._output.redact` still runs
    over them before they are printed.
    """
    if isinstance(exc, SendOutcomeUnknownError):
        return EXIT_OUTCOME_UNKNOWN, (
            f"the send may have gone through, but no order id came back ({exc}). "
            "Do NOT resend blindly: look for the order first "
            "(`iletimerkezi reports --since TODAY --until TODAY` or the panel)"
        )
    if isinstance(exc, APIError):
        line = f'API error {exc.code} "{exc.message}": {exc.description}'
        if exc.endpoint:
            line += f" [{exc.endpoint}]"
        if isinstance(exc, DuplicateOrderError):
            line += "; an identical order went out in the last 10 minutes, so nothing was sent"
        return EXIT_API, line
    if isinstance(exc, TransportError):
        return EXIT_TRANSPORT, f"no answer from the API: {exc}"
    if isinstance(exc, ResponseFormatError):
        return EXIT_TRANSPORT, f"unreadable answer from the API: {exc}"
    if isinstance(exc, InvalidRequestError):
        return EXIT_USAGE, f"invalid {_option(exc.field)}: {exc.rule}"
    if isinstance(exc, ConfigurationError | CursorError):
        return EXIT_USAGE, str(exc)
    if isinstance(exc, WaitTimeoutError):
        return EXIT_ABORTED, str(exc)
    if isinstance(exc, OSError):
        where = f": {exc.filename}" if exc.filename else ""
        return EXIT_ABORTED, f"{exc.strerror or type(exc).__name__}{where}"
    return EXIT_ABORTED, f"unexpected {type(exc).__name__}: {exc}"


def run(command: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run ``command()`` in a new event loop; failures become one line and an exit code.

    Click's own exceptions pass through unchanged; Ctrl-C exits 130 without
    a traceback (the loop has already cancelled the coroutine, so clients and
    servers were closed on the way out).
    """
    try:
        return asyncio.run(command())
    except KeyboardInterrupt:
        raise click.exceptions.Exit(EXIT_INTERRUPTED) from None
    except (click.ClickException, click.exceptions.Exit, click.Abort):
        raise
    except Exception as exc:
        code, message = describe(exc)
        error(message)
        raise click.exceptions.Exit(code) from None
