"""Options shared by the commands: credentials and base URL, ``--json``, dates, prompts.

Credentials are options with ``expose_value=False``: click stores them in the
context (never in a command's arguments, so they cannot end up in a repr),
and :func:`client` reads them back.  ``--help`` names the environment
variables but never shows a value.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from typing import Any, Final, TypeVar

import attrs
import click

from .. import Client, ConfigurationError, RetryPolicy
from ..client import DEFAULT_BASE_URL
from ..clock import ISTANBUL
from ._exit import EXIT_ABORTED
from ._output import add_secret, info
from ._run import fail

__all__ = [
    "ENV_BASE_URL",
    "ENV_HASH",
    "ENV_KEY",
    "ApiSettings",
    "api_options",
    "client",
    "confirm",
    "json_option",
    "parse_day",
    "parse_local_datetime",
    "settings",
    "stdin_is_tty",
]

ENV_KEY: Final = "ILETIMERKEZI_API_KEY"
ENV_HASH: Final = "ILETIMERKEZI_API_HASH"
ENV_BASE_URL: Final = "ILETIMERKEZI_BASE_URL"

RETRY: RetryPolicy = RetryPolicy()
"""The retry policy of the command's client (tests shorten it)."""

_API = "iletimerkezi.api"
F = TypeVar("F", bound=Callable[..., Any])


@attrs.frozen
class ApiSettings:
    """Where and as whom to call the API; the repr never shows the secrets."""

    base_url: str
    key: str | None = attrs.field(repr=False)
    hash: str | None = attrs.field(repr=False)


def _store(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if param.name in ("api_key", "api_hash"):
        add_secret(value)
    ctx.meta.setdefault(_API, {})[param.name] = value
    return value


def api_options(f: F) -> F:
    """``--base-url``, ``--key`` and ``--hash``, defaulting to the environment."""
    options = [
        click.option(
            "--base-url",
            "base_url",
            metavar="URL",
            envvar=ENV_BASE_URL,
            show_envvar=True,
            default=DEFAULT_BASE_URL,
            show_default=True,
            expose_value=False,
            callback=_store,
            help="API root (plain http:// only for loopback, e.g. the fake server).",
        ),
        click.option(
            "--key",
            "api_key",
            envvar=ENV_KEY,
            show_envvar=True,
            metavar="KEY",
            expose_value=False,
            callback=_store,
            help="API key (prefer the environment: arguments show up in `ps`).",
        ),
        click.option(
            "--hash",
            "api_hash",
            envvar=ENV_HASH,
            show_envvar=True,
            metavar="HASH",
            expose_value=False,
            callback=_store,
            help="API hash (prefer the environment).",
        ),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def json_option(f: F) -> F:
    """``--json``: machine-readable output on stdout (see the output rules)."""
    return click.option(
        "--json",
        "as_json",
        is_flag=True,
        help="Print JSON (dates ISO 8601, amounts as strings, enums by name).",
    )(f)


def settings() -> ApiSettings:
    """The API settings of this invocation; missing credentials are a usage error."""
    stored: dict[str, str | None] = click.get_current_context().meta.get(_API, {})
    key, hash_ = stored.get("api_key"), stored.get("api_hash")
    missing = [
        f"--{name} (or {env})"
        for name, value, env in (("key", key, ENV_KEY), ("hash", hash_, ENV_HASH))
        if not value or not value.strip()
    ]
    if missing:
        fail(f"missing credentials: pass {' and '.join(missing)}")
    return ApiSettings(stored.get("base_url") or DEFAULT_BASE_URL, key, hash_)


def client() -> Client:
    """An SDK client for this invocation; bad settings stop the command (exit 2).

    Building it opens nothing (the HTTP session starts inside the command's
    event loop), so commands build it before prompting to fail early.
    """
    api = settings()
    try:
        return Client(api.key, api.hash, base_url=api.base_url, retry=RETRY)
    except ConfigurationError as exc:
        fail(str(exc))


def parse_day(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    """Option callback: a calendar day written ``YYYY-MM-DD``."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date written YYYY-MM-DD") from None


def parse_local_datetime(
    ctx: click.Context, param: click.Parameter, value: str | None
) -> dt.datetime | None:
    """Option callback: an ISO 8601 date and time; without an offset, Istanbul wall time."""
    if value is None:
        return None
    try:
        when = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a date and time like 2026-06-01T09:30 (Istanbul time) "
            "or 2026-06-01T09:30+03:00"
        ) from None
    return when if when.tzinfo is not None else when.replace(tzinfo=ISTANBUL)


def stdin_is_tty() -> bool:
    """Whether a person can answer a prompt (tests replace this)."""
    return sys.stdin.isatty()


def confirm(question: str, *, yes: bool) -> None:
    """Go on after ``--yes`` or a "y" on stdin; otherwise stop the command.

    Without a terminal on stdin there is nobody to ask, so the command stops
    with a usage error instead of hanging or reading data as the answer.
    A "no" (or end of input) stops it with :data:`EXIT_ABORTED`.
    """
    if yes:
        return
    if not stdin_is_tty():
        fail("stdin is not a terminal, so nobody can confirm; pass --yes to go ahead")
    click.echo(f"{question} [y/N]: ", nl=False, err=True)
    answer = sys.stdin.readline()
    if not answer:
        click.echo(err=True)
    if answer.strip().casefold() not in ("y", "yes", "e", "evet"):
        info("Aborted: nothing was done.")
        raise click.exceptions.Exit(EXIT_ABORTED)
