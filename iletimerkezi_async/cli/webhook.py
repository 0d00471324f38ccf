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
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any, Final, NamedTuple, cast

import click
from aiohttp import web
from aiohttp.typedefs import Handler

from .. import DeliveryReport, DeliveryStatus
from ..clock import ISTANBUL
from ..models import status_text
from ..phone import mask_number
from ..webhooks import DEFAULT_PATH, create_app
from ._options import json_option
from ._output import echo_json, info
from ._run import fail, run

__all__ = ["Limits", "mask_token", "serving", "webhook"]

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


_BUSY_BODY: Final = b'{"ok": false, "error": "too many connections"}'
_BUSY: Final = (
    b"HTTP/1.1 503 Service Unavailable\r\n"
    b"Content-Type: application/json; charset=utf-8\r\n"
    b"Content-Length: %d\r\nRetry-After: 1\r\nConnection: close\r\n\r\n%s"
    % (len(_BUSY_BODY), _BUSY_BODY)
)


class Limits(NamedTuple):
    """What ``webhook serve`` allows its clients: the defaults are well above honest load.

    The body deadline is ``create_app``'s ``body_timeout``.
    """

    header_timeout: float = 10.0
    """Seconds for a request's headers, from the connection or the previous answer."""
    max_connections: int = 2048
    """Open connections at once; the next one is answered 503 and closed."""
    backlog: int = 1024
    """Connections the kernel queues before they are accepted (the provider posts in bursts)."""


_DEFAULTS: Final = Limits()


class _Guard:
    """The connections of one server: counted against the cap."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.open = 0
        self.refused = 0

    def admit(self) -> bool:
        if self.open < self.limits.max_connections:
            if self.refused:
                info(f"connections below the limit again; {self.refused} refused meanwhile")
                self.refused = 0
            self.open += 1
            return True
        if not self.refused:
            info(f"{self.open} connections open, the limit: answering new ones 503")
        self.refused += 1
        return False


class _GuardedHandler(web.RequestHandler):
    """One connection: counted, and closed when its headers do not arrive in time.

    aiohttp's ``keepalive_timeout`` closes a connection that never sends a
    whole request only in recent versions, so the header deadline is kept here:
    armed when the connection opens and after each answer, disarmed while a
    request is being handled (whose body and handler ``create_app`` bounds).
    """

    def __init__(self, guard: _Guard, manager: web.Server, **kwargs: Any) -> None:
        super().__init__(manager, **kwargs)
        self._im_guard = guard
        self._im_counted = False
        self._im_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        if not self._im_guard.admit():
            cast(asyncio.Transport, transport).write(_BUSY)
            self.force_close()  # closes once the 503 is sent
            return
        self._im_counted = True
        self.request_done()

    def connection_lost(self, exc: BaseException | None) -> None:
        self.request_started()
        if self._im_counted:
            self._im_counted = False
            self._im_guard.open -= 1
        super().connection_lost(exc)

    def request_started(self) -> None:
        if self._im_timer is not None:
            self._im_timer.cancel()
            self._im_timer = None

    def request_done(self) -> None:
        self.request_started()
        if self.transport is not None:
            loop = asyncio.get_running_loop()
            self._im_timer = loop.call_later(self._im_guard.limits.header_timeout, self.force_close)


@web.middleware
async def _watch(request: web.Request, handler: Handler) -> web.StreamResponse:
    protocol = request.protocol
    guarded = protocol if isinstance(protocol, _GuardedHandler) else None
    if guarded is not None:
        guarded.request_started()
    try:
        return await handler(request)
    finally:
        if guarded is not None:
            guarded.request_done()


class _GuardedSite(web.BaseSite):
    """A TCP site whose connections are :class:`_GuardedHandler`."""

    def __init__(self, runner: web.AppRunner, host: str, port: int, limits: Limits) -> None:
        super().__init__(runner, backlog=limits.backlog)
        self._im_host = host
        self._im_port = port
        self._im_guard = _Guard(limits)

    @property
    def name(self) -> str:
        return f"http://{self._im_host}:{self._im_port}"

    def _im_connection(self) -> asyncio.Protocol:
        server = self._runner.server
        assert server is not None
        return _GuardedHandler(
            self._im_guard,
            server,
            loop=asyncio.get_running_loop(),
            keepalive_timeout=self._im_guard.limits.header_timeout,
            access_log=None,  # it would log the token in every path
        )

    async def start(self) -> None:
        await super().start()
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            self._im_connection, self._im_host, self._im_port, backlog=self._backlog
        )


@asynccontextmanager
async def serving(app: web.Application, host: str, port: int, limits: Limits) -> AsyncIterator[int]:
    """``app`` served on ``host:port`` within ``limits``; yields the bound port."""
    app.middlewares.append(_watch)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    try:
        await _GuardedSite(runner, host, port, limits).start()
        yield runner.addresses[0][1] if runner.addresses else port
    finally:
        await runner.cleanup()


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
@click.option(
    "--header-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=_DEFAULTS.header_timeout,
    show_default=True,
    help="Seconds for a request's headers; a slower or idle connection is closed.",
)
@click.option(
    "--body-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=10.0,
    show_default=True,
    help="Seconds for a body once its headers are in; later: 503 and closed.",
)
@click.option(
    "--max-connections",
    type=click.IntRange(min=1),
    default=_DEFAULTS.max_connections,
    show_default=True,
    help="Open connections at once; more are answered 503 and closed.",
)
@json_option
def serve(
    host: str,
    port: int,
    token: str,
    path_template: str,
    max_count: int | None,
    header_timeout: float,
    body_timeout: float,
    max_connections: int,
    as_json: bool,
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

        app = create_app(on_report, token=token, path=path_template, body_timeout=body_timeout)
        limits = Limits(header_timeout, max_connections)
        async with serving(app, host, port, limits) as bound:
            where = f"[{host}]" if ":" in host else host
            shown = path_template.replace("{token}", mask_token(token))
            info(f"listening on http://{where}:{bound}{shown} (Ctrl-C to stop)")
            with suppress(NotImplementedError, RuntimeError):  # Windows: no signal handlers
                # A service manager's stop (SIGTERM) is a normal end: exit 0 after cleanup.
                asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, done.set)
            await done.wait()

    run(body)
