"""Client lifecycle: credentials, owned vs borrowed sessions, close, URLs, repr."""

from __future__ import annotations

import json
from datetime import datetime

import aiohttp
import pytest
import yarl
from aioresponses import aioresponses

import iletimerkezi_async as im
from iletimerkezi_async.clock import ISTANBUL
from iletimerkezi_async.testing import VirtualClock

from .conftest import BASE, HASH, KEY

BALANCE = {
    "response": {"status": {"code": 200, "message": "ok"}, "balance": {"amount": 1, "sms": 2}}
}
SENT = {"response": {"status": {"code": 200, "message": "ok"}, "order": {"id": "42"}}}


async def test_credentials_from_environment(
    monkeypatch: pytest.MonkeyPatch, mocked: aioresponses
) -> None:
    monkeypatch.setenv("ILETIMERKEZI_API_KEY", KEY)
    monkeypatch.setenv("ILETIMERKEZI_API_HASH", HASH)
    mocked.post(f"{BASE}/v1/get-balance/json", payload=BALANCE)
    async with im.Client() as client:
        await client.account.balance()
    (call,) = mocked.requests[("POST", yarl.URL(f"{BASE}/v1/get-balance/json"))]
    sent = json.loads(call.kwargs["data"])["request"]["authentication"]
    assert sent == {"key": KEY, "hash": HASH}


@pytest.mark.parametrize(
    ("key", "hash_", "missing"),
    [(None, "h", "api_key"), ("k", None, "api_hash"), ("", " ", "api_key")],
)
def test_missing_credentials_raise_at_construction(
    monkeypatch: pytest.MonkeyPatch, key: str | None, hash_: str | None, missing: str
) -> None:
    monkeypatch.delenv("ILETIMERKEZI_API_KEY", raising=False)
    monkeypatch.delenv("ILETIMERKEZI_API_HASH", raising=False)
    with pytest.raises(im.ConfigurationError, match=missing):
        im.Client(key, hash_)


@pytest.mark.parametrize(
    "url",
    [
        "http://api.iletimerkezi.com",
        "http://10.0.0.5:8080",
        "ftp://x",
        "not a url",
        "https://u:p@h",
        "https://h/?q=1",
    ],
)
def test_unsafe_base_urls_are_refused(url: str) -> None:
    with pytest.raises(im.ConfigurationError):
        im.Client("k", "h", base_url=url)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8080", "http://localhost:1", "http://[::1]:9", "https://example.com/"]
)
def test_loopback_http_and_https_are_accepted(url: str) -> None:
    assert im.Client("k", "h", base_url=url).base_url == url.rstrip("/")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"timeout": 0},
        {"timeout": -1.0},
        {"timeout": "30"},
        {"retry": 3},
        {"send_limiter": object()},
        {"default_sender": "ÇOKUZUNBAŞLIK"},
        {"default_sender": "TOO LONG NAME"},
        {"session": "not a session"},
        {"clock": "not a clock"},
        {"clock": object()},
    ],
)
def test_bad_settings_raise_configuration_error(kwargs: dict[str, object]) -> None:
    with pytest.raises(im.ConfigurationError):
        im.Client("k", "h", **kwargs)  # type: ignore[arg-type]


async def test_repr_never_shows_secrets() -> None:
    async with im.Client(KEY, HASH, default_sender="ACME") as client:
        text = repr(client) + str(client) + repr(client.sms) + repr(client.send_limiter)
        assert KEY not in text and HASH not in text
        assert KEY[:4] not in text and HASH[:4] not in text
        assert "ACME" in text


async def test_owned_session_created_lazily_and_closed(mocked: aioresponses) -> None:
    mocked.post(f"{BASE}/v1/get-balance/json", payload=BALANCE)
    client = im.Client("k", "h")
    # Whether a session exists is not observable through the public API, and
    # this test is about exactly that: none before the first call, then closed.
    assert client._transport._pool.session is None  # noqa: SLF001  (nothing created outside the loop)
    await client.account.balance()
    session = client._transport._pool.session  # noqa: SLF001
    assert isinstance(session, aiohttp.ClientSession) and not session.closed
    await client.close()
    assert session.closed and client.closed
    await client.close()  # idempotent


async def test_borrowed_session_is_never_closed(mocked: aioresponses) -> None:
    mocked.post(f"{BASE}/v1/get-balance/json", payload=BALANCE)
    async with aiohttp.ClientSession() as session:
        async with im.Client("k", "h", session=session) as client:
            await client.account.balance()
        assert client.closed
        assert not session.closed


async def test_use_after_close_raises() -> None:
    client = im.Client("k", "h")
    await client.close()
    with pytest.raises(im.ClientClosedError):
        await client.account.balance()
    with pytest.raises(im.ClientClosedError):
        async with client:
            pass


async def test_closed_borrowed_session_is_a_configuration_error() -> None:
    session = aiohttp.ClientSession()
    await session.close()
    async with im.Client("k", "h", session=session) as client:
        with pytest.raises(im.ConfigurationError, match="closed"):
            await client.account.balance()


async def test_default_limiter_is_a_private_100_per_second_window() -> None:
    a, b = im.Client("k", "h"), im.Client("k", "h")
    assert isinstance(a.send_limiter, im.SlidingWindowLimiter)
    assert a.send_limiter is not b.send_limiter
    assert a.send_limiter.limit == 100 and a.send_limiter.window == 1.0
    assert im.Client("k", "h", send_limiter=None).send_limiter is None
    bucket = im.TokenBucket(rate=100)
    assert im.Client("k", "h", send_limiter=bucket).send_limiter is bucket
    await a.close()
    await b.close()


async def test_clock_defaults_to_the_system_clock_and_reaches_the_default_limiter() -> None:
    plain = im.Client("k", "h")
    assert isinstance(plain.clock, im.SystemClock)
    assert isinstance(plain.send_limiter, im.SlidingWindowLimiter)
    assert plain.send_limiter.clock is None  # the loop's own timers, as without a clock
    vc = VirtualClock()
    virtual = im.Client("k", "h", clock=vc)
    assert virtual.clock is vc
    assert isinstance(virtual.send_limiter, im.SlidingWindowLimiter)
    assert virtual.send_limiter.clock is vc
    with pytest.raises(AttributeError):
        virtual.clock = im.SystemClock()  # type: ignore[misc]
    await plain.close()
    await virtual.close()


async def test_send_at_is_judged_on_the_client_clock(mocked: aioresponses) -> None:
    vc = VirtualClock(start=datetime(2030, 6, 1, 12, 0, tzinfo=ISTANBUL))
    mocked.post(f"{BASE}/v1/send-sms/json", payload=SENT)
    at_noon_40 = datetime(2030, 6, 1, 12, 0, 40, tzinfo=ISTANBUL)
    at_12_01 = datetime(2030, 6, 1, 12, 1, tzinfo=ISTANBUL)
    async with im.Client(KEY, HASH, clock=vc, send_limiter=None, default_sender="ACME") as client:
        with pytest.raises(im.InvalidRequestError) as caught:
            await client.sms.send("5051234567", "Kodunuz 1234", send_at=at_noon_40)
        assert caught.value.field == "send_at"  # the current minute, on the virtual clock
        order = await client.sms.send("5051234567", "Kodunuz 1234", send_at=at_12_01)
        assert order.id == "42"
        vc.advance(120)
        with pytest.raises(im.InvalidRequestError):
            await client.sms.send("5051234567", "Kodunuz 1234", send_at=at_12_01)


async def test_borrowed_session_that_raises_for_status_still_maps_body_codes(
    mocked: aioresponses,
) -> None:
    mocked.post(
        f"{BASE}/v1/get-balance/json",
        status=401,
        payload={"response": {"status": {"code": 401, "message": "Üyelik bilgileri hatalı"}}},
    )
    async with (
        aiohttp.ClientSession(raise_for_status=True) as session,
        im.Client("k", "h", session=session) as client,
    ):
        with pytest.raises(im.AuthenticationError):
            await client.account.balance()
    assert len(mocked.requests[("POST", yarl.URL(f"{BASE}/v1/get-balance/json"))]) == 1
