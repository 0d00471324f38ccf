"""What the command prints: JSON documents and lines, rich tables, one-line errors.

Rules every command follows (see ``docs/cli.md``):

* data goes to stdout; prompts, summaries, progress bars and errors to stderr,
  so ``--json`` output can be piped into ``jq`` untouched;
* ``--json`` output is plain ``json.dumps`` (never rich markup) of
  ``im.to_dict`` for models (datetimes as ISO 8601 with their offset,
  ``Decimal`` as a string, enums by value), so a line reads back with
  ``im.from_dict``; tables show enums by name, for people;
* an error is one line on stderr, scrubbed of the key and hash.
"""

from __future__ import annotations

import csv
import datetime as dt
import enum
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs
import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from .._convert import converter, to_dict

__all__ = [
    "add_secret",
    "echo_json",
    "error",
    "info",
    "jsonable",
    "print_table",
    "redact",
    "stderr_console",
    "stdout_console",
    "write_csv_row",
]

_SECRETS = "iletimerkezi.secrets"
_REDACTED = "***"
_PIPE_WIDTH = 200
"""Table width when stdout is not a terminal, so ids are never cut to fit 80 columns."""


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON types: a model as ``im.to_dict`` gives it, the rest alike.

    Scalars go through the same converter as ``to_dict`` (enums by value,
    ``Decimal`` as a string, datetimes and days in ISO 8601), so the CLI has
    no serialiser of its own.
    """
    if attrs.has(type(value)):
        return to_dict(value)
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if isinstance(value, dt.date):  # days (and datetimes) as ISO 8601
        return value.isoformat()
    plain = converter.unstructure(value)
    return plain if plain is None or isinstance(plain, bool | int | float | str) else str(plain)


def echo_json(value: Any) -> None:
    """One JSON document (or one JSON Lines record) on stdout, flushed for pipes."""
    click.echo(json.dumps(jsonable(value), ensure_ascii=False))
    sys.stdout.flush()


class _Echo:
    """A file-like ``write`` that goes through ``click.echo`` (works under CliRunner)."""

    def write(self, text: str) -> int:
        click.echo(text, nl=False)
        return len(text)


def write_csv_row(row: Sequence[Any]) -> None:
    """One CSV record on stdout (RFC 4180 quoting, ``\\n`` line ends)."""
    cells = ["" if v is None else v if isinstance(v, str) else jsonable(v) for v in row]
    csv.writer(_Echo(), lineterminator="\n").writerow(cells)


def stdout_console() -> Console:
    """A console on the current stdout: no colours, wide lines when piped."""
    width = None if sys.stdout.isatty() else _PIPE_WIDTH
    return Console(file=sys.stdout, highlight=False, width=width)


def stderr_console() -> Console:
    """A console on the current stderr for progress bars and summaries."""
    return Console(file=sys.stderr, highlight=False)


def print_table(
    columns: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str | None = None
) -> None:
    """A rich table on stdout; cells are plain text (data is never parsed as markup).

    The title is a plain line above it, so piped output carries no padding.
    """
    if title:
        click.echo(title)
    table = Table()
    for name in columns:
        table.add_column(name, overflow="fold")
    for row in rows:
        table.add_row(*(Text(_cell(v)) for v in row))
    stdout_console().print(table)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, enum.Enum):  # first: StrEnum and IntEnum members are str/int too
        return value.name
    if isinstance(value, str):
        return value
    plain = jsonable(value)
    return plain if isinstance(plain, str) else json.dumps(plain, ensure_ascii=False)


def add_secret(value: str | None) -> None:
    """Remember a secret of this invocation so :func:`redact` scrubs it from messages."""
    ctx = click.get_current_context(silent=True)
    if ctx is not None and value and value.strip():
        secrets: set[str] = ctx.meta.setdefault(_SECRETS, set())
        secrets.update({value, value.strip()})


def redact(text: str) -> str:
    """``text`` on one line with every known secret replaced by ``***``."""
    ctx = click.get_current_context(silent=True)
    secrets: set[str] = ctx.meta.get(_SECRETS, set()) if ctx is not None else set()
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, _REDACTED)
    return " ".join(text.split())


def info(message: str) -> None:
    """A human note on stderr (summaries, confirmations, what happened)."""
    click.echo(message, err=True)


def error(message: str) -> None:
    """The one line an error prints: ``Error: ...`` on stderr, scrubbed of secrets."""
    click.echo(f"Error: {redact(message)}", err=True)
