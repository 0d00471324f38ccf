r"""OTP by SMS in an aiohttp app, with delivery reports by webhook.

The app owns one ``Client`` for its whole life: it is created inside the
running loop by a ``cleanup_ctx`` and closed when the app shuts down, so every
request handler shares one connection pool and one rate limiter.

Endpoints:

* ``POST /otp`` ``{"phone": "5051234567"}`` sends a one-time code.
* ``POST /otp/verify`` ``{"phone": ..., "code": ...}`` checks it
  (both by ``iletimerkezi_async.otp.OtpService``).
* ``GET /orders/{order_id}/deliveries`` shows the delivery reports received.
* ``POST /iletimerkezi/webhook/<token>`` receives delivery reports
  (``iletimerkezi_async.webhooks.create_app`` mounted as a sub-app).

Run it against the fake server, all in one process::

    python examples/aiohttp_app.py --fake --port 8000

or against a separate fake server (or the real API: leave out the base URL and
set the Notification URL in the panel to https://<your host>/iletimerkezi/webhook/<token>)::

    export ILETIMERKEZI_WEBHOOK_TOKEN=$(python -c "import secrets; print(secrets.token_urlsafe())")
    python -m iletimerkezi_async.testing --port 8080 \
        --webhook-url http://127.0.0.1:8000/iletimerkezi/webhook/$ILETIMERKEZI_WEBHOOK_TOKEN &
    export ILETIMERKEZI_BASE_URL=http://127.0.0.1:8080
    export ILETIMERKEZI_API_KEY=test-key ILETIMERKEZI_API_HASH=test-hash
    python examples/aiohttp_app.py --port 8000 --sender APITEST

then ``curl -X POST localhost:8000/otp -d '{"phone": "5051234567"}'``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import math
import os
import secrets
import signal
import sys
from collections.abc import AsyncIterator, Callable
from typing import Any

from aiohttp import web

import iletimerkezi_async as im
from iletimerkezi_async import webhooks
from iletimerkezi_async.otp import MemoryOtpStore, OtpService, OtpStore

log = logging.getLogger("examples.aiohttp_app")

WEBHOOK_PREFIX = "/iletimerkezi"
"""Where the webhook sub-app is mounted; its path template must start with it."""

WEBHOOK_PATH = WEBHOOK_PREFIX + "/webhook/{token}"

OTP_TTL = 300
"""Seconds a code stays valid."""

OTP_TEMPLATE = "Dogrulama kodunuz: {code}. Kimseyle paylasmayin."
"""GSM-7 only, so it stays one part whatever the account's encoding setting."""


# --------------------------------------------------------------------- state


class DeliveryLog:
    """The last status of each message, per order, fed by the webhook.

    Idempotent on ``(message_id, status)`` and never downgrades a final state,
    because reports may come twice or out of order.  Only ids and statuses are
    kept: the recipient and the text (personal data, an OTP) are not.
    """

    def __init__(self) -> None:
        self._orders: dict[str, dict[int, im.DeliveryStatus]] = {}

    def record(self, report: im.DeliveryReport) -> bool:
        """Apply one report; False when it changed nothing (a repeat or a late one)."""
        messages = self._orders.setdefault(report.order_id, {})
        current = messages.get(report.message_id)
        if current is not None and (current is report.status or current.is_final):
            return False
        messages[report.message_id] = report.status
        log.info("order %s message %s: %s", report.order_id, report.message_id, report.status.value)
        return True

    def statuses(self, order_id: str) -> dict[int, im.DeliveryStatus] | None:
        messages = self._orders.get(order_id)
        return None if messages is None else dict(messages)


# ---------------------------------------------------------------------- app

CLIENT = web.AppKey("client", im.Client)
OTP = web.AppKey("otp", OtpService)
DELIVERIES = web.AppKey("deliveries", DeliveryLog)


def otp_service(client: im.Client, sender: str, store: OtpStore, secret: bytes) -> OtpService:
    """Codes by SMS through ``client``: 5 attempts, one code a minute, 10 a day per number.

    With several workers pass a shared store
    (``iletimerkezi_async.contrib.redis.RedisOtpStore``) and the same secret
    everywhere, or a user may verify against a worker that never saw the code.
    """
    return OtpService(
        client, sender=sender, secret=secret, store=store, template=OTP_TEMPLATE, ttl=OTP_TTL
    )


def _error(status: int, error: str, **extra: Any) -> web.Response:
    return web.json_response({"error": error, **extra}, status=status)


async def _json_object(request: web.Request) -> dict[str, Any] | None:
    try:
        body = await request.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


async def send_code(otp: OtpService, phone: str) -> web.Response:
    """Send a new code to ``phone`` unless the cooldown or the daily limit forbids it."""
    try:
        challenge = await otp.send(phone)
    except (im.OtpCooldownError, im.OtpLimitError) as exc:
        error = "too_soon" if isinstance(exc, im.OtpCooldownError) else "daily_limit"
        return _error(429, error, retry_after=math.ceil(exc.retry_after))
    except im.InvalidRequestError as exc:  # e.g. a number outside Turkey
        return _error(400, "invalid_request", field=exc.field)
    except im.SendOutcomeUnknownError:
        # The SMS may be on its way. Never resend: OtpService keeps the code
        # valid and the cooldown armed; the user may ask again once it has passed.
        return web.json_response({"status": "unknown", "expires_in": OTP_TTL}, status=202)
    except im.TransportError:
        # Not SendOutcomeUnknownError, so the request certainly never arrived
        # (OtpService already released the cooldown, as for the errors below).
        return _error(503, "sms_unavailable")
    except im.RecipientError:
        return _error(400, "phone_refused")
    except im.APIError as exc:
        log.error("OTP send refused: %s", exc.code)
        return _error(502, "sms_refused", code=exc.code)
    return web.json_response(
        {"status": "sent", "order_id": challenge.order.id, "expires_in": OTP_TTL}, status=201
    )


async def verify_code(otp: OtpService, phone: str, code: str) -> web.Response:
    try:
        ok = await otp.verify(phone, code)
    except im.OtpLockedError:
        return _error(429, "too_many_attempts")
    except im.InvalidRequestError:  # a number outside Turkey
        return _error(400, "invalid_phone")
    if ok:
        return web.json_response({"verified": True})
    # Wrong, expired, already used or never sent: the same answer for all.
    return _error(400, "wrong_code")


def _verify_body(body: dict[str, Any] | None) -> tuple[str, str] | None:
    """``(phone, code)`` from a verify request's JSON object, if it has both as strings."""
    if body is None:
        return None
    phone, code = body.get("phone"), body.get("code")
    return (phone, code) if isinstance(phone, str) and isinstance(code, str) else None


def create_app(
    *,
    client_factory: Callable[[], im.Client],
    webhook_token: str,
    sender: str,
    otps: OtpStore | None = None,
    otp_secret: bytes | None = None,
) -> web.Application:
    """The web app; ``client_factory`` is called once, inside the loop, at startup.

    ``otp_secret`` keys the HMACs the OTP store holds; the default, random per
    process, only suits the in-memory store.
    """
    app = web.Application()
    store = MemoryOtpStore() if otps is None else otps
    secret = otp_secret or secrets.token_bytes(32)
    app[DELIVERIES] = DeliveryLog()

    async def client_ctx(app: web.Application) -> AsyncIterator[None]:
        # Created here, not at import time: the client's session belongs to this loop.
        async with client_factory() as client:
            app[CLIENT] = client
            # A bad sender or template fails here, at startup, not on a request.
            app[OTP] = otp_service(client, sender, store, secret)
            yield

    app.cleanup_ctx.append(client_ctx)

    async def send_otp(request: web.Request) -> web.Response:
        body = await _json_object(request)
        if body is None or not isinstance(body.get("phone"), str):
            return _error(400, "invalid_body", detail='expected {"phone": "..."}')
        try:
            phone = im.normalize_number(body["phone"])
        except im.InvalidRequestError:
            return _error(400, "invalid_phone")
        return await send_code(request.app[OTP], phone)

    async def verify_otp(request: web.Request) -> web.Response:
        fields = _verify_body(await _json_object(request))
        if fields is None:
            return _error(400, "invalid_body", detail='expected {"phone": "...", "code": "..."}')
        try:
            phone = im.normalize_number(fields[0])
        except im.InvalidRequestError:
            return _error(400, "invalid_phone")
        return await verify_code(request.app[OTP], phone, fields[1])

    async def deliveries(request: web.Request) -> web.Response:
        order_id = request.match_info["order_id"]
        statuses = request.app[DELIVERIES].statuses(order_id)
        if statuses is None:
            return _error(404, "no_reports")
        return web.json_response(
            {"order_id": order_id, "messages": {str(k): v.value for k, v in statuses.items()}}
        )

    app.router.add_post("/otp", send_otp)
    app.router.add_post("/otp/verify", verify_otp)
    app.router.add_get("/orders/{order_id}/deliveries", deliveries)
    # create_app matches the full request path, so its template repeats the mount prefix.
    # It answers 404 to a wrong token or method, 400 to a malformed body, and 500 when
    # on_report raises, so the report can be sent again.
    app.add_subapp(
        WEBHOOK_PREFIX,
        webhooks.create_app(app[DELIVERIES].record, token=webhook_token, path=WEBHOOK_PATH),
    )
    return app


# ---------------------------------------------------------------------- main


def client_from_env() -> im.Client:
    """A client from ILETIMERKEZI_API_KEY/_HASH, on ILETIMERKEZI_BASE_URL when set."""
    base_url = os.environ.get("ILETIMERKEZI_BASE_URL")
    return im.Client(base_url=base_url) if base_url else im.Client()


async def serve(args: argparse.Namespace) -> None:
    token = os.environ.get("ILETIMERKEZI_WEBHOOK_TOKEN")
    if not token:
        if not args.fake:
            log.warning("ILETIMERKEZI_WEBHOOK_TOKEN is not set: no one can reach the webhook")
        token = secrets.token_urlsafe(32)  # never printed: it is the webhook's only secret
    async with contextlib.AsyncExitStack() as stack:
        fake = None
        client_factory: Callable[[], im.Client] = client_from_env
        if args.fake:
            from iletimerkezi_async.testing import FakeIletiMerkezi

            fake = await stack.enter_async_context(
                FakeIletiMerkezi(senders=["APITEST", args.sender])
            )
            client_factory = fake.client
        # Share one secret (32+ bytes) between workers that share an OTP store.
        otp_secret = os.environ.get("ILETIMERKEZI_OTP_SECRET", "").encode() or None
        app = create_app(
            client_factory=client_factory,
            webhook_token=token,
            sender=args.sender,
            otp_secret=otp_secret,
        )
        # No access log: it would record the webhook's secret token, which is in the path.
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        stack.push_async_callback(runner.cleanup)  # closes the client, before the fake stops
        site = web.TCPSite(runner, args.host, args.port)
        await site.start()
        host, port = runner.addresses[0][:2]
        url = f"http://{host}:{port}"
        if fake is not None:
            # The fake posts delivery reports to the app, as iletiMerkezi would.
            fake.options.webhook_url = url + WEBHOOK_PATH.format(token=token)
            print(f"fake iletiMerkezi on {fake.url}, reporting to this app", flush=True)
        print(f"listening on {url}; Ctrl-C to stop", flush=True)
        stop = asyncio.Event()
        if sys.platform != "win32":
            for sig in (signal.SIGINT, signal.SIGTERM):
                asyncio.get_running_loop().add_signal_handler(sig, stop.set)
        await stop.wait()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    parser.add_argument("--sender", default=os.environ.get("ILETIMERKEZI_SENDER", "APITEST"))
    parser.add_argument("--fake", action="store_true", help="run an embedded fake server")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args))


if __name__ == "__main__":
    main()
