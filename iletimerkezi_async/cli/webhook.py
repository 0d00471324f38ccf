"""``webhook serve``: receive delivery reports and print one line per report.

The secret path token is the only thing protecting the endpoint, so it is
never printed in full (the startup line masks it).  Human lines mask the
recipient and leave out the message text (they end up in logs); ``--json``
is for programs and carries the report as received.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import signal
from contextlib import suppress

import click
from aiohttp import web

from .. import DeliveryReport, DeliveryStatus
from ..clock import ISTANBUL
from ..models import status_text
from ..phone import mask_number
from ..webhooks import DEFAULT_PATH, create_app
from ._options import json_option
from ._output import echo_json, info
from ._run import fail, run

__all__ = ["mask_token", "webhook"]

MIN_TOKEN = 16
"""Shortest token accepted: the path is the only secret, so it must be unguessable."""


def mask_token(token: str) -> str:
    """The first and last two characters of the token; six stars hide the rest and its length."""
    return token[:2] + "******" + token[-2:]


def _line(report: DeliveryReport) -> str:
    now = dt.datetime.now(ISTANBUL).isoformat(timespec="seconds")
    status = report.status.name
    if report.status is DeliveryStatus.UNKNOWN:
        status += f"({status_text(report.raw_status)})"
    return (
        f"{now} order {report.order_id} message {report.message_id} "
        f"{status} {mask_number(report.to)}"
    )


@click.group()
def webhook() -> None:
    """Receive delivery-report webhooks."""


@webhook.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8080, show_default=True, help="0: any free."
)
@click.option(
    "--token",
    envvar="ILETIMERKEZI_WEBHOOK_TOKEN",
    show_envvar=True,
    required=True,
    help=f"Secret path token (at least {MIN_TOKEN} characters), e.g. from "
    '`python -c "import secrets; print(secrets.token_urlsafe(24))"`.',
)
@click.option(
    "--path",
    "path_template",
    default=DEFAULT_PATH,
    show_default=True,
    help="URL path; must contain {token} once.",
)
@click.option(
    "--max",
    "max_count",
    type=click.IntRange(min=1),
    help="Stop after this many reports (default: run until Ctrl-C).",
)
@json_option
def serve(
    host: str, port: int, token: str, path_template: str, max_count: int | None, as_json: bool
) -> None:
    """Serve POST <path> and print every new delivery report on stdout.

    Set the public HTTPS URL that reaches this path as the account's
    Notification URL (panel: Settings -> API), usually through a reverse
    proxy.  Duplicates are dropped and a late "accepted" never follows a final
    status.  Lines: time, order id, message id, status, masked number.
    JSON Lines with --json: {"message_id", "order_id", "status", "to", "body",
    "raw_status"}; a status the SDK does not know yet is "unknown", with
    the value as sent in "raw_status".
    Ctrl-C exits 130; SIGTERM (a service manager's stop) exits 0.
    """
    if len(token.strip()) < MIN_TOKEN or token != token.strip() or "/" in token:
        fail(f"--token must be at least {MIN_TOKEN} characters, without spaces or '/'")
    if path_template.count("{token}") != 1 or not path_template.startswith("/"):
        fail("--path must start with '/' and contain {token} exactly once")

    async def body() -> None:
        done = asyncio.Event()
        count = 0

        def on_report(report: DeliveryReport) -> None:
            nonlocal count
            if as_json:
                echo_json(report)
            else:
                click.echo(_line(report))
            count += 1
            if max_count is not None and count >= max_count:
                done.set()

        runner = web.AppRunner(create_app(on_report, token=token, path=path_template))
        await runner.setup()
        try:
            site = web.TCPSite(runner, host, port)
            await site.start()
            bound = runner.addresses[0][1] if runner.addresses else port
            where = f"[{host}]" if ":" in host else host
            shown = path_template.replace("{token}", mask_token(token))
            info(f"listening on http://{where}:{bound}{shown} (Ctrl-C to stop)")
            with suppress(NotImplementedError, RuntimeError):  # Windows: no signal handlers
                # A service manager's stop (SIGTERM) is a normal end: exit 0 after cleanup.
                asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, done.set)
            await done.wait()
        finally:
            await runner.cleanup()

    run(body)
