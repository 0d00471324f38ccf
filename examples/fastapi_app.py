r"""OTP by SMS in a FastAPI app, with delivery reports by webhook.

The app's lifespan owns one ``Client``: it is created when the server starts
(inside the running loop) and closed when it stops, so every request shares
one connection pool and one rate limiter.  The webhook route feeds the raw
body to ``iletimerkezi_async.webhooks.handle``.

Endpoints are the same as in ``aiohttp_app.py``: ``POST /otp``,
``POST /otp/verify``, ``GET /orders/{order_id}/deliveries`` and
``POST /iletimerkezi/webhook/<token>``.

Run it against the fake server, all in one process (needs ``pip install
fastapi uvicorn``)::

    python examples/fastapi_app.py --fake --port 8000

or against a separate fake server (or the real API: leave out the base URL and
set the Notification URL in the panel to https://<your host>/iletimerkezi/webhook/<token>)::

    export ILETIMERKEZI_WEBHOOK_TOKEN=$(python -c "import secrets; print(secrets.token_urlsafe())")
    python -m iletimerkezi_async.testing --port 8080 \
        --webhook-url http://127.0.0.1:8000/iletimerkezi/webhook/$ILETIMERKEZI_WEBHOOK_TOKEN &
    export ILETIMERKEZI_BASE_URL=http://127.0.0.1:8080
    export ILETIMERKEZI_API_KEY=test-key ILETIMERKEZI_API_HASH=test-hash
    python examples/fastapi_app.py --port 8000 --sender APITEST

then ``curl -X POST localhost:8000/otp -d '{"phone": "5051234567"}'``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hmac
import logging
import math
import os
import secrets
import socket
from collections.abc import AsyncIterator, Callable
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

import iletimerkezi_async as im
from iletimerkezi_async import webhooks
from iletimerkezi_async.otp import MemoryOtpStore, OtpService, OtpStore

log = logging.getLogger("examples.fastapi_app")

WEBHOOK_PATH = "/iletimerkezi/webhook/{token}"
MAX_WEBHOOK_BODY = 65536
"""A delivery report is a few hundred bytes; anything far larger is not one."""

OTP_TTL = 300
"""Seconds a code stays valid."""

OTP_TEMPLATE = "Dogrulama kodunuz: {code}. Kimseyle paylasmayin."


# --------------------------------------------------------------------- state


class DeliveryLog:
    """Last status per message and order; idempotent, never downgrades a final state."""

    def __init__(self) -> None:
        self._orders: dict[str, dict[int, im.DeliveryStatus]] = {}

    def record(self, report: im.DeliveryReport) -> bool:
        """Apply one report; False for a repeat of ``(message_id, status)`` or a late one."""
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


class OtpRequest(BaseModel):
    phone: str


class VerifyRequest(BaseModel):
    phone: str
    code: str


def _error(status: int, error: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": error, **extra}, status_code=status)


async def _read_limited(request: Request, limit: int) -> bytes | None:
    """The body, or None when it is larger than ``limit`` (checked while reading)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


async def send_code(otp: OtpService, phone: str) -> JSONResponse:
    """Send a new code to ``phone`` unless the cooldown or the daily limit forbids it."""
    try:
        challenge = await otp.send(phone)
    except (im.OtpCooldownError, im.OtpLimitError) as exc:
        error = "too_soon" if isinstance(exc, im.OtpCooldownError) else "daily_limit"
        return _error(429, error, retry_after=math.ceil(exc.retry_after))
    except im.InvalidRequestError as exc:  # e.g. a number outside Turkey
        return _error(400, "invalid_request", field=exc.field)
    except im.SendOutcomeUnknownError:
        # The SMS may be on its way: never resend; OtpService keeps the code valid.
        return JSONResponse({"status": "unknown", "expires_in": OTP_TTL}, status_code=202)
    except im.TransportError:
        return _error(503, "sms_unavailable")  # certainly never arrived
    except im.RecipientError:
        return _error(400, "phone_refused")
    except im.APIError as exc:
        log.error("OTP send refused: %s", exc.code)
        return _error(502, "sms_refused", code=exc.code)
    return JSONResponse(
        {"status": "sent", "order_id": challenge.order.id, "expires_in": OTP_TTL}, status_code=201
    )


async def verify_code(otp: OtpService, phone: str, code: str) -> JSONResponse:
    try:
        ok = await otp.verify(phone, code)
    except im.OtpLockedError:
        return _error(429, "too_many_attempts")
    except im.InvalidRequestError:  # a number outside Turkey
        return _error(400, "invalid_phone")
    if ok:
        return JSONResponse({"verified": True})
    return _error(400, "wrong_code")  # wrong, expired, used or never sent alike


def receive_report(raw: bytes | None, deliveries: DeliveryLog) -> JSONResponse:
    """The webhook's answer to a body read with :func:`_read_limited` (``None``: too large)."""
    if raw is None:
        return JSONResponse({"ok": False, "error": "body too large"}, status_code=413)
    try:
        report = webhooks.handle(raw)
    except im.WebhookPayloadError as exc:
        # The message names fields and types, never the number or the text.
        return JSONResponse({"ok": False, "error": str(exc)}, status_code=400)
    deliveries.record(report)  # a repeat is a no-op, still answered 200
    return JSONResponse({"ok": True})


def create_app(
    *,
    client_factory: Callable[[], im.Client],
    webhook_token: str,
    sender: str,
    otps: OtpStore | None = None,
    otp_secret: bytes | None = None,
) -> FastAPI:
    """The web app; ``client_factory`` is called once, inside the loop, at startup.

    ``otp_secret`` keys the HMACs the OTP store holds; the default, random per
    process, only suits the in-memory store.
    """
    if not webhook_token:
        raise ValueError("webhook_token must not be empty")
    store = MemoryOtpStore() if otps is None else otps
    otp_key = otp_secret or secrets.token_bytes(32)
    deliveries = DeliveryLog()
    secret = webhook_token.encode()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with client_factory() as client:
            app.state.client = client
            # A bad sender or template fails here, at startup, not on a request.
            app.state.otp = OtpService(
                client,
                sender=sender,
                secret=otp_key,
                store=store,
                template=OTP_TEMPLATE,
                ttl=OTP_TTL,
            )
            yield

    app = FastAPI(lifespan=lifespan)
    app.state.otps = store
    app.state.deliveries = deliveries

    @app.post("/otp")
    async def send_otp(body: OtpRequest, request: Request) -> JSONResponse:
        try:
            phone = im.normalize_number(body.phone)
        except im.InvalidRequestError:
            return _error(400, "invalid_phone")
        otp: OtpService = request.app.state.otp
        return await send_code(otp, phone)

    @app.post("/otp/verify")
    async def verify_otp(body: VerifyRequest, request: Request) -> JSONResponse:
        try:
            phone = im.normalize_number(body.phone)
        except im.InvalidRequestError:
            return _error(400, "invalid_phone")
        return await verify_code(request.app.state.otp, phone, body.code)

    @app.get("/orders/{order_id}/deliveries")
    async def order_deliveries(order_id: str) -> JSONResponse:
        statuses = deliveries.statuses(order_id)
        if statuses is None:
            return _error(404, "no_reports")
        return JSONResponse(
            {"order_id": order_id, "messages": {str(k): v.value for k, v in statuses.items()}}
        )

    # Every method, and no OpenAPI entry: a wrong token, path or method all look the
    # same (404), so the route does not reveal itself.
    @app.api_route(
        WEBHOOK_PATH,
        methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        include_in_schema=False,
    )
    async def delivery_webhook(token: str, request: Request) -> JSONResponse:
        if request.method != "POST" or not hmac.compare_digest(token.encode(), secret):
            return JSONResponse({"ok": False}, status_code=404)
        return receive_report(await _read_limited(request, MAX_WEBHOOK_BODY), deliveries)

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
        # Bind first, so the port is known before the fake needs the webhook URL.
        sock = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((args.host, args.port))
        sock.listen(128)  # connections wait in the backlog until uvicorn accepts them
        host, port = sock.getsockname()[:2]
        url = f"http://{host}:{port}"
        client_factory: Callable[[], im.Client] = client_from_env
        if args.fake:
            from iletimerkezi_async.testing import FakeIletiMerkezi

            fake = await stack.enter_async_context(
                FakeIletiMerkezi(
                    senders=["APITEST", args.sender],
                    webhook_url=url + WEBHOOK_PATH.format(token=token),
                )
            )
            client_factory = fake.client
            print(f"fake iletiMerkezi on {fake.url}, reporting to this app", flush=True)
        # Share one secret (32+ bytes) between workers that share an OTP store.
        otp_secret = os.environ.get("ILETIMERKEZI_OTP_SECRET", "").encode() or None
        app = create_app(
            client_factory=client_factory,
            webhook_token=token,
            sender=args.sender,
            otp_secret=otp_secret,
        )
        # No access log: it would record the webhook's secret token, which is in the path.
        config = uvicorn.Config(app, log_level="info", lifespan="on", access_log=False)
        server = uvicorn.Server(config)
        print(f"listening on {url}; Ctrl-C to stop", flush=True)
        await server.serve(sockets=[sock])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    parser.add_argument("--sender", default=os.environ.get("ILETIMERKEZI_SENDER", "APITEST"))
    parser.add_argument("--fake", action="store_true", help="run an embedded fake server")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    # uvicorn shuts down gracefully on SIGINT/SIGTERM, then re-raises the signal.
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args))


if __name__ == "__main__":
    main()
