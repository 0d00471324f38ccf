"""Hostile and broken traffic against the webhook receiver, over real loopback sockets.

``create_app`` bounds what a request may cost inside the app (its body and
``on_report``); ``webhook serve`` (:func:`serving`) also bounds the connection
(headers, idle keep-alive) and how many may be open.  Raw asyncio streams
play the attacker: headers or bodies sent a byte at a time, sockets that send
nothing, more sockets than allowed.  Server timeouts are set small through the
public options; assertions only say "closed within a generous bound".
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress

import aiohttp
import pytest
from aiohttp import web

from iletimerkezi_async import webhooks
from iletimerkezi_async.cli.webhook import Limits, serving
from iletimerkezi_async.models import DeliveryReport

TOKEN = "hostile-Token-0123456789"
PATH = f"/iletimerkezi/webhook/{TOKEN}"
BOUND = 10.0
"""Seconds within which a server with sub-second timeouts must have acted (generous)."""
FAST = 0.3
"""The servers' timeouts in these tests."""

Streams = tuple[asyncio.StreamReader, asyncio.StreamWriter]


def report(message_id: int = 1, status: str = "delivered") -> bytes:
    return json.dumps(
        {
            "report": {
                "id": message_id,
                "packet_id": 104525848,
                "status": status,
                "to": "+905051234567",
                "body": "Kodunuz 482913",
            }
        }
    ).encode()


def request(body: bytes, path: str = PATH, *, length: int | None = None) -> bytes:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body) if length is None else length}\r\n\r\n"
    )
    return head.encode() + body


@asynccontextmanager
async def plain_server(app: web.Application) -> AsyncIterator[int]:
    """``app`` on aiohttp's own runner and site, as a user would mount it; yields the port."""
    runner = web.AppRunner(app, shutdown_timeout=0.25)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        yield runner.addresses[0][1]
    finally:
        await runner.cleanup()


@asynccontextmanager
async def guarded_server(app: web.Application, limits: Limits) -> AsyncIterator[int]:
    async with serving(app, "127.0.0.1", 0, limits) as port:
        yield port


@asynccontextmanager
async def sockets(port: int, count: int) -> AsyncIterator[list[Streams]]:
    """``count`` raw connections, all closed on the way out."""
    opened: list[Streams] = []
    try:
        for _ in range(count):
            opened.append(await asyncio.open_connection("127.0.0.1", port))
        yield opened
    finally:
        for _, writer in opened:
            writer.close()
        for _, writer in opened:
            with suppress(OSError):
                await writer.wait_closed()


async def drip(writer: asyncio.StreamWriter, data: bytes, pause: float = 0.05) -> None:
    """Send ``data`` a byte at a time; stop quietly once the server has hung up."""
    with suppress(OSError):
        for i in range(len(data)):
            writer.write(data[i : i + 1])
            await writer.drain()
            await asyncio.sleep(pause)


async def until_closed(reader: asyncio.StreamReader) -> bytes:
    """Everything the server sends until it closes; fails if that takes over ``BOUND``.

    A reset counts as closed: a server that closes while the client is still
    sending makes the kernel reset the connection, which may drop its answer.
    """
    received = b""
    async with asyncio.timeout(BOUND):
        with suppress(ConnectionResetError):
            while chunk := await reader.read(65536):
                received += chunk
    return received


async def answer(port: int, body: bytes, path: str = PATH) -> int:
    """One honest request on its own connection: the status code (0 if reset or closed)."""
    async with sockets(port, 1) as [(reader, writer)]:
        writer.write(request(body, path))
        async with asyncio.timeout(BOUND):
            try:
                line = await reader.readline()
            except ConnectionResetError:
                return 0
    return status_of(line) or 0


def status_of(raw: bytes) -> int | None:
    return int(raw.split()[1]) if raw.startswith(b"HTTP/1.1 ") else None


# --------------------------------------------------------------------------- create_app: on_report


async def test_hanging_on_report_answers_503_and_its_redelivery_is_handled(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calls: list[DeliveryReport] = []
    entered = asyncio.Event()

    async def on_report(got: DeliveryReport) -> None:
        calls.append(got)
        if len(calls) == 1:
            entered.set()
            await asyncio.Event().wait()  # never returns

    app = webhooks.create_app(on_report, token=TOKEN, handler_timeout=FAST)
    async with plain_server(app) as port, aiohttp.ClientSession() as http:
        url = f"http://127.0.0.1:{port}{PATH}"

        async def post() -> int:
            async with http.post(url, data=report()) as resp:
                return resp.status

        with caplog.at_level(logging.ERROR, logger="iletimerkezi_async.webhooks"):
            async with asyncio.timeout(BOUND):
                first = asyncio.create_task(post())
                await entered.wait()
                redelivery = asyncio.create_task(post())  # waits behind the hanging call
                assert await first == 503
                assert await redelivery == 200
                assert await post() == 200  # now seen: a duplicate
    assert len(calls) == 2
    assert "still running after" in caplog.text
    assert "+905051234567" not in caplog.text and "482913" not in caplog.text


async def test_on_report_that_swallows_cancellation_cannot_hold_the_answer() -> None:
    swallowed = asyncio.Event()
    finished = asyncio.Event()

    async def on_report(_: DeliveryReport) -> None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            swallowed.set()
        try:
            await asyncio.Event().wait()  # ignores the deadline's cancellation...
        finally:
            finished.set()  # ...until the app's cleanup cancels it again

    app = webhooks.create_app(on_report, token=TOKEN, handler_timeout=FAST)
    async with plain_server(app) as port:
        assert await answer(port, report()) == 503
        assert swallowed.is_set() and not finished.is_set()
    assert finished.is_set()


async def test_a_deadline_shared_by_many_copies_of_one_hanging_event() -> None:
    calls = 0

    async def on_report(_: DeliveryReport) -> None:
        nonlocal calls
        calls += 1
        await asyncio.Event().wait()

    app = webhooks.create_app(on_report, token=TOKEN, handler_timeout=FAST)
    async with plain_server(app) as port:
        async with asyncio.timeout(BOUND):
            codes = await asyncio.gather(*(answer(port, report()) for _ in range(20)))
    # Every copy is answered (none waits behind the others forever); none is a 200.
    assert set(codes) == {503}
    assert 1 <= calls <= 20


def test_create_app_has_finite_default_deadlines() -> None:
    parameters = inspect.signature(webhooks.create_app).parameters
    assert 0 < parameters["handler_timeout"].default <= 30
    assert 0 < parameters["body_timeout"].default <= 30


@pytest.mark.parametrize("name", ["handler_timeout", "body_timeout"])
@pytest.mark.parametrize("value", [0, -1, float("nan"), float("inf"), "5"])
def test_create_app_validates_deadlines(name: str, value: object) -> None:
    with pytest.raises(ValueError, match=name):
        webhooks.create_app(lambda r: None, token=TOKEN, **{name: value})  # type: ignore[arg-type]


async def test_deadlines_can_be_turned_off() -> None:
    got: list[DeliveryReport] = []
    app = webhooks.create_app(got.append, token=TOKEN, handler_timeout=None, body_timeout=None)
    async with plain_server(app) as port:
        assert await answer(port, report()) == 200
    assert len(got) == 1


# --------------------------------------------------------------------------- create_app: bodies


async def test_slow_body_is_answered_503_and_closed() -> None:
    got: list[DeliveryReport] = []
    app = webhooks.create_app(got.append, token=TOKEN, body_timeout=FAST)
    body = report()
    async with plain_server(app) as port, sockets(port, 4) as conns:
        for _, writer in conns:
            writer.write(request(b"", length=len(body)))  # headers now, the body a byte at a time
        drips = [asyncio.create_task(drip(writer, body)) for _, writer in conns]
        try:
            received = [await until_closed(reader) for reader, _ in conns]
        finally:
            for task in drips:
                task.cancel()
    # Answered 503 and closed; a socket still sending may see the reset before the answer.
    assert {status_of(raw) for raw in received} <= {503, None}
    assert got == []


async def test_stalled_body_gets_its_503_before_the_close() -> None:
    got: list[DeliveryReport] = []
    app = webhooks.create_app(got.append, token=TOKEN, body_timeout=FAST)
    body = report()
    async with plain_server(app) as port, sockets(port, 1) as [(reader, writer)]:
        writer.write(request(body[:20], length=len(body)))  # then nothing more
        raw = await until_closed(reader)
    assert status_of(raw) == 503
    assert b"body not received in time" in raw and b"Connection: close" in raw
    assert got == []


async def test_a_body_in_time_is_accepted_even_in_pieces() -> None:
    got: list[DeliveryReport] = []
    app = webhooks.create_app(got.append, token=TOKEN, body_timeout=BOUND)
    body = report()
    async with plain_server(app) as port, sockets(port, 1) as [(reader, writer)]:
        writer.write(request(b"", length=len(body)))
        for i in range(0, len(body), 40):
            writer.write(body[i : i + 40])
            await writer.drain()
        async with asyncio.timeout(BOUND):
            assert status_of(await reader.readline()) == 200
    assert len(got) == 1


async def test_oversized_declared_body_is_refused_before_it_arrives() -> None:
    got: list[DeliveryReport] = []
    app = webhooks.create_app(got.append, token=TOKEN, max_body=1024)
    async with plain_server(app) as port, sockets(port, 1) as [(reader, writer)]:
        writer.write(request(b"x" * 1000, length=50_000_000))
        async with asyncio.timeout(BOUND):
            assert status_of(await reader.readline()) == 413
    assert got == []


@pytest.mark.parametrize(
    "token",
    [
        TOKEN[:-1] + ("x" if TOKEN[-1] != "x" else "y"),  # right length, last character wrong
        "x" * len(TOKEN),  # right length, all wrong
        TOKEN[:-1],  # one short
        TOKEN + TOKEN,  # too long
    ],
)
async def test_wrong_token_of_any_length_is_404(token: str) -> None:
    got: list[DeliveryReport] = []
    app = webhooks.create_app(got.append, token=TOKEN)
    async with plain_server(app) as port:
        assert await answer(port, report(), path=f"/iletimerkezi/webhook/{token}") == 404
        assert await answer(port, report()) == 200
    assert len(got) == 1


# --------------------------------------------------------------------------- serve: connections


def receiver(on_report: Callable[[DeliveryReport], Awaitable[None] | None]) -> web.Application:
    return webhooks.create_app(on_report, token=TOKEN, body_timeout=FAST, handler_timeout=FAST)


async def test_slowloris_headers_are_dropped() -> None:
    got: list[DeliveryReport] = []
    limits = Limits(header_timeout=FAST)
    async with guarded_server(receiver(got.append), limits) as port, sockets(port, 60) as conns:
        drips = [asyncio.create_task(drip(writer, request(report()))) for _, writer in conns]
        try:
            received = await asyncio.gather(*(until_closed(reader) for reader, _ in conns))
        finally:
            for task in drips:
                task.cancel()
        # The server is still there for honest traffic.
        assert await answer(port, report()) == 200
    assert received == [b""] * 60  # closed without an answer: no request ever arrived
    assert len(got) == 1


async def test_idle_and_silent_connections_are_dropped() -> None:
    got: list[DeliveryReport] = []
    limits = Limits(header_timeout=FAST)
    async with guarded_server(receiver(got.append), limits) as port, sockets(port, 2) as conns:
        (silent, _), (kept, writer) = conns
        writer.write(request(report(1)) + request(report(2)))  # two requests, kept alive
        async with asyncio.timeout(BOUND):
            assert status_of(await kept.readline()) == 200
        tail = await until_closed(kept)  # then idle: closed
        assert tail.count(b"HTTP/1.1 200") == 1
        assert await until_closed(silent) == b""
    assert [r.message_id for r in got] == [1, 2]


async def test_slow_body_under_serve_is_answered_and_dropped() -> None:
    got: list[DeliveryReport] = []
    body = report()
    limits = Limits(header_timeout=BOUND)  # only the body is slow
    async with guarded_server(receiver(got.append), limits) as port, sockets(port, 30) as conns:
        for _, writer in conns:
            writer.write(request(b"", length=len(body)))
        drips = [asyncio.create_task(drip(writer, body)) for _, writer in conns]
        try:
            received = await asyncio.gather(*(until_closed(reader) for reader, _ in conns))
        finally:
            for task in drips:
                task.cancel()
    assert {status_of(raw) for raw in received} <= {503, None}
    assert got == []


async def test_connections_over_the_cap_get_503_and_the_cap_recovers() -> None:
    got: list[DeliveryReport] = []
    limits = Limits(header_timeout=BOUND, max_connections=20)
    async with guarded_server(receiver(got.append), limits) as port:
        async with sockets(port, 20), sockets(port, 5) as extra:  # 20 idle ones hold every slot
            refused = await asyncio.gather(*(until_closed(reader) for reader, _ in extra))
        assert {status_of(raw) for raw in refused} == {503}
        assert all(b"too many connections" in raw for raw in refused)
        # Slots are given back as connections close: a full cap of honest posts gets through.
        for _ in range(100):  # the server releases them as it sees the closes
            if (first := await answer(port, report(0))) == 200:
                break
            await asyncio.sleep(0.05)
        codes = await asyncio.gather(*(answer(port, report(i)) for i in range(1, 20)))
    assert first == 200
    assert codes == [200] * 19
    assert sorted(r.message_id for r in got) == list(range(20))


async def test_hundreds_of_honest_posts_at_once_pass_the_default_cap() -> None:
    got: list[DeliveryReport] = []

    async def on_report(got_one: DeliveryReport) -> None:
        await asyncio.sleep(0.01)  # hold the request, so the connections overlap
        got.append(got_one)

    async with guarded_server(webhooks.create_app(on_report, token=TOKEN), Limits()) as port:
        async with asyncio.timeout(BOUND * 3):
            codes = await asyncio.gather(*(answer(port, report(i)) for i in range(500)))
    assert codes == [200] * 500
    assert len(got) == 500


async def test_honest_posts_get_through_while_slow_sockets_are_dropped() -> None:
    got: list[DeliveryReport] = []
    limits = Limits(header_timeout=FAST, max_connections=200)
    async with guarded_server(receiver(got.append), limits) as port, sockets(port, 150) as slow:
        drips = [asyncio.create_task(drip(writer, request(report()), 0.02)) for _, writer in slow]
        try:
            async with asyncio.timeout(BOUND):
                codes = await asyncio.gather(*(answer(port, report(i)) for i in range(40)))
            closed = await asyncio.gather(*(until_closed(reader) for reader, _ in slow))
        finally:
            for task in drips:
                task.cancel()
    assert codes == [200] * 40
    assert closed == [b""] * 150
