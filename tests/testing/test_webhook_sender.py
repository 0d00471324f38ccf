"""The fake's webhook sender: what it posts, how it retries, how it stops."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import aiohttp
import pytest
from aiohttp import web

from iletimerkezi_async.testing import APITEST_TEXT, FakeIletiMerkezi

from .conftest import Api

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@asynccontextmanager
async def endpoint(handler: Handler) -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_route("*", "/hook", handler)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        yield f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    finally:
        await runner.cleanup()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.mark.fake_iletimerkezi(webhook_interval=3600, delivery_delay=5)
async def test_posts_the_documented_body_once_per_status(fake: FakeIletiMerkezi, api: Api) -> None:
    bodies: list[dict[str, object]] = []
    headers: list[str] = []

    async def handler(request: web.Request) -> web.Response:
        headers.append(request.headers["Content-Type"])
        bodies.append(json.loads(await request.read()))
        return web.Response(status=204)

    async with endpoint(handler) as url:
        fake.options.webhook_url = url
        order_id = await api.send_id(["5051234567", "5051234568"], "Merhaba")
        first = await fake.deliver_webhooks()
        fake.advance(5)
        second = await fake.deliver_webhooks()

    assert [d.event.status for d in first] == ["accepted", "accepted"]
    assert [d.event.status for d in second] == ["delivered", "delivered"]
    assert all(d.delivered and d.status == 204 and d.attempts == 1 for d in first + second)
    assert headers == ["application/json"] * 4
    first_id = fake.account.orders[order_id].messages[0].message_id
    assert {
        "report": {
            "id": first_id,
            "packet_id": int(order_id),
            "status": "accepted",
            "to": "+905051234567",
            "body": APITEST_TEXT,  # the APITEST sender always sends this text
        }
    } in bodies
    assert sorted((b["report"]["id"], b["report"]["status"]) for b in bodies) == [  # type: ignore[index]
        (first_id, "accepted"),
        (first_id, "delivered"),
        (first_id + 1, "accepted"),
        (first_id + 1, "delivered"),
    ]
    assert fake.webhook_deliveries == first + second


@pytest.mark.fake_iletimerkezi(webhook_interval=3600, legacy_types=True)
async def test_legacy_types_send_string_ids(fake: FakeIletiMerkezi, api: Api) -> None:
    bodies: list[dict[str, dict[str, object]]] = []

    async def handler(request: web.Request) -> web.Response:
        bodies.append(await request.json())
        return web.Response()

    async with endpoint(handler) as url:
        fake.options.webhook_url = url
        order_id = await api.send_id()
        await fake.deliver_webhooks()
    assert bodies[0]["report"]["packet_id"] == order_id
    assert isinstance(bodies[0]["report"]["id"], str)


@pytest.mark.fake_iletimerkezi(webhook_interval=3600, webhook_retry_delay=0.001)
async def test_5xx_is_retried_and_4xx_is_final(fake: FakeIletiMerkezi, api: Api) -> None:
    answers = [503, 500, 200, 410]

    async def handler(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(status=answers.pop(0))

    async with endpoint(handler) as url:
        fake.options.webhook_url = url
        await api.send_id()
        (retried,) = await fake.deliver_webhooks()
        fake.advance(fake.options.delivery_delay)
        (refused,) = await fake.deliver_webhooks()

    assert (retried.attempts, retried.status, retried.delivered) == (3, 200, True)
    assert (refused.attempts, refused.status, refused.delivered) == (1, 410, False)
    assert answers == []


@pytest.mark.fake_iletimerkezi(webhook_interval=3600, webhook_retries=2, webhook_retry_delay=0.001)
async def test_unreachable_url_gives_up_after_the_retries(fake: FakeIletiMerkezi, api: Api) -> None:
    fake.options.webhook_url = f"http://127.0.0.1:{free_port()}/hook"
    await api.send_id()
    (delivery,) = await fake.deliver_webhooks()
    assert (delivery.attempts, delivery.status, delivery.delivered) == (3, None, False)


@pytest.mark.fake_iletimerkezi(webhook_interval=3600)
async def test_flush_without_a_url_is_an_error(fake: FakeIletiMerkezi, api: Api) -> None:
    await api.send_id()
    with pytest.raises(RuntimeError, match="webhook_url"):
        await fake.deliver_webhooks()


@pytest.mark.fake_iletimerkezi(webhook_interval=3600)
async def test_events_from_before_the_url_was_set_are_posted_later(
    fake: FakeIletiMerkezi, api: Api
) -> None:
    await api.send_id()
    got: list[str] = []

    async def handler(request: web.Request) -> web.Response:
        got.append((await request.json())["report"]["status"])
        return web.Response()

    async with endpoint(handler) as url:
        fake.options.webhook_url = url
        await fake.deliver_webhooks()
    assert got == ["accepted"]


async def test_close_abandons_a_stalled_post_without_hanging(
    session: aiohttp.ClientSession,
) -> None:
    entered = asyncio.Event()

    async def handler(request: web.Request) -> web.Response:
        entered.set()
        await asyncio.sleep(3600)
        return web.Response()  # pragma: no cover - never reached

    async with endpoint(handler) as url:
        fake = FakeIletiMerkezi(webhook_url=url, webhook_interval=0.01)
        await fake.start()
        await Api(fake, session).send_id()
        await asyncio.wait_for(entered.wait(), 10)
        await asyncio.wait_for(fake.close(), 5)
        (delivery,) = fake.webhook_deliveries
        assert not delivery.delivered
        assert [t for t in asyncio.all_tasks() if "webhook" in t.get_name()] == []


def test_duplicates_must_be_a_probability() -> None:
    with pytest.raises(ValueError, match="probability"):
        FakeIletiMerkezi(webhook_duplicates=1.5)
