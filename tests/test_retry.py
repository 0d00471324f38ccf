"""Retry rules of design §3, driven through aioresponses on a VirtualClock (its sleeps recorded)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aioresponses import aioresponses
from yarl import URL

import iletimerkezi_async as im
from iletimerkezi_async.retry import RetryPolicy, parse_retry_after
from iletimerkezi_async.testing import VirtualClock

from .conftest import BASE, HASH, KEY

BALANCE = {
    "response": {"status": {"code": 200, "message": "ok"}, "balance": {"amount": 1, "sms": 2}}
}
SENT = {"response": {"status": {"code": 200, "message": "ok"}, "order": {"id": "42"}}}
UNAVAILABLE = {"response": {"status": {"code": 503, "message": "Sunucu geçici olarak servis dışı"}}}
DUPLICATE = {"response": {"status": {"code": 451, "message": "Tekrar eden sipariş"}}}


def url(endpoint: str) -> str:
    return f"{BASE}/v1/{endpoint}/json"


def attempts(mocked: aioresponses, endpoint: str) -> int:
    return len(mocked.requests.get(("POST", URL(url(endpoint))), []))


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


@pytest.fixture
async def client(clock: VirtualClock) -> AsyncIterator[im.Client]:
    """The shared aioresponses client (no limiter, no retry delays), on a virtual clock."""
    async with im.Client(
        KEY,
        HASH,
        send_limiter=None,
        retry=im.RetryPolicy(attempts=3, base=0.0, cap=0.0),
        default_sender="ACME",
        clock=clock,
    ) as c:
        yield c


@pytest.fixture
def sleeps(clock: VirtualClock) -> list[float]:
    """Every backoff the client's transport slept, in order."""
    return clock.sleeps


CONNECT_REFUSED = aiohttp.ClientConnectorError(
    aiohttp.client_reqrep.ConnectionKey("h", 443, True, True, None, None, None),
    OSError(111, "refused"),
)


@pytest.mark.parametrize(
    "fault",
    [
        {"status": 503, "payload": UNAVAILABLE},
        {"status": 500, "body": "<html>Internal Server Error</html>", "content_type": "text/html"},
        {"status": 502, "body": "<html>Bad Gateway</html>", "content_type": "text/html"},
        {"exception": aiohttp.ServerDisconnectedError()},
        {"exception": TimeoutError()},
        {"exception": aiohttp.ClientOSError(104, "Connection reset by peer")},
        {"exception": aiohttp.ClientPayloadError("truncated")},
        {"status": 200, "body": '{"response": {"stat'},
        {"exception": CONNECT_REFUSED},
    ],
)
async def test_reads_retry_transient_faults(
    client: im.Client, mocked: aioresponses, sleeps: list[float], fault: dict[str, Any]
) -> None:
    mocked.post(url("get-balance"), **fault)
    mocked.post(url("get-balance"), payload=BALANCE)
    balance = await client.account.balance()
    assert balance.sms == 2
    assert attempts(mocked, "get-balance") == 2
    assert len(sleeps) == 1


async def test_reads_give_up_after_attempts(
    client: im.Client, mocked: aioresponses, sleeps: list[float]
) -> None:
    for _ in range(3):
        mocked.post(url("get-balance"), status=503, payload=UNAVAILABLE)
    with pytest.raises(im.ServiceUnavailableError) as caught:
        await client.account.balance()
    assert caught.value.code == 503
    assert attempts(mocked, "get-balance") == 3
    assert len(sleeps) == 2


async def test_timeouts_become_transport_errors(
    client: im.Client, mocked: aioresponses, sleeps: list[float]
) -> None:
    for _ in range(3):
        mocked.post(url("get-balance"), exception=TimeoutError())
    with pytest.raises(im.TransportError) as caught:
        await client.account.balance()
    assert caught.value.maybe_sent is True
    assert not isinstance(caught.value, im.SendOutcomeUnknownError)
    assert isinstance(caught.value.__cause__, type(None)) or not isinstance(
        caught.value, asyncio.TimeoutError
    )


@pytest.mark.parametrize("code", [400, 401, 402, 404, 422, 455, 458])
async def test_client_errors_are_never_retried(
    client: im.Client, mocked: aioresponses, sleeps: list[float], code: int
) -> None:
    mocked.post(
        url("get-balance"),
        status=code,
        payload={"response": {"status": {"code": code, "message": "x"}}},
    )
    with pytest.raises(im.APIError) as caught:
        await client.account.balance()
    assert caught.value.code == code
    assert attempts(mocked, "get-balance") == 1
    assert sleeps == []


@pytest.mark.parametrize(
    "fault",
    [
        {"exception": aiohttp.ServerDisconnectedError()},
        {"exception": TimeoutError()},
        {"exception": aiohttp.ClientOSError(104, "Connection reset by peer")},
        {"exception": aiohttp.ClientPayloadError("truncated")},
        {"status": 500, "body": "<html>Internal Server Error</html>"},
        {"status": 502, "payload": {"response": {"status": {"code": 502, "message": "x"}}}},
        {"status": 200, "body": '{"response": {"status": {"code": 200'},
        {"status": 200, "body": ""},
    ],
)
async def test_ambiguous_send_is_reported_never_resent(
    client: im.Client, mocked: aioresponses, sleeps: list[float], fault: dict[str, Any]
) -> None:
    mocked.post(url("send-sms"), **fault)
    mocked.post(url("send-sms"), payload=SENT)
    with pytest.raises(im.SendOutcomeUnknownError) as caught:
        await client.sms.send("5051234567", "Kodunuz 1234")
    assert caught.value.maybe_sent is True
    assert attempts(mocked, "send-sms") == 1
    assert sleeps == []


@pytest.mark.parametrize(
    "fault",
    [{"exception": CONNECT_REFUSED}, {"status": 503, "payload": UNAVAILABLE}],
)
async def test_send_retried_when_certainly_not_processed(
    client: im.Client, mocked: aioresponses, sleeps: list[float], fault: dict[str, Any]
) -> None:
    mocked.post(url("send-sms"), **fault)
    mocked.post(url("send-sms"), payload=SENT)
    order = await client.sms.send("5051234567", "Kodunuz 1234")
    assert order == im.Order(id="42", recipients=1)
    assert attempts(mocked, "send-sms") == 2


async def test_451_on_a_retried_send_is_outcome_unknown(
    client: im.Client, mocked: aioresponses, sleeps: list[float]
) -> None:
    mocked.post(url("send-sms"), status=503, payload=UNAVAILABLE)
    mocked.post(url("send-sms"), status=451, payload=DUPLICATE)
    with pytest.raises(im.SendOutcomeUnknownError, match="451"):
        await client.sms.send("5051234567", "Kodunuz 1234")
    assert attempts(mocked, "send-sms") == 2


async def test_451_on_a_first_send_is_a_duplicate_error(
    client: im.Client, mocked: aioresponses
) -> None:
    mocked.post(url("send-sms"), status=451, payload=DUPLICATE)
    with pytest.raises(im.DuplicateOrderError):
        await client.sms.send("5051234567", "Kodunuz 1234")


@pytest.mark.parametrize("endpoint", ["cancel-order", "delete-blacklist"])
async def test_writes_not_repeated_after_ambiguous_failure(
    client: im.Client, mocked: aioresponses, sleeps: list[float], endpoint: str
) -> None:
    mocked.post(url(endpoint), exception=aiohttp.ServerDisconnectedError())
    mocked.post(url(endpoint), payload={"response": {"status": {"code": 200, "message": "ok"}}})
    call = (
        client.sms.cancel("5")
        if endpoint == "cancel-order"
        else client.blacklist.remove("5051234567")
    )
    with pytest.raises(im.TransportError) as caught:
        await call
    assert caught.value.maybe_sent is True
    assert attempts(mocked, endpoint) == 1


async def test_add_blacklist_is_idempotent_so_retried(
    client: im.Client, mocked: aioresponses, sleeps: list[float]
) -> None:
    mocked.post(url("add-blacklist"), exception=aiohttp.ServerDisconnectedError())
    mocked.post(
        url("add-blacklist"), payload={"response": {"status": {"code": 200, "message": "ok"}}}
    )
    await client.blacklist.add("5051234567")
    assert attempts(mocked, "add-blacklist") == 2


async def test_retry_after_is_honoured_as_a_floor(mocked: aioresponses) -> None:
    mocked.post(url("get-balance"), status=503, payload=UNAVAILABLE, headers={"Retry-After": "7"})
    mocked.post(url("get-balance"), payload=BALANCE)
    clock = VirtualClock()
    policy = RetryPolicy(attempts=2, base=0.0, cap=10.0)
    async with im.Client("k", "h", retry=policy, clock=clock) as client:
        await client.account.balance()
    assert clock.sleeps == [7.0]


def test_full_jitter_delays_stay_within_the_exponential_ceiling() -> None:
    policy = RetryPolicy(attempts=6, base=0.5, cap=4.0, rng=random.Random(7))
    for retry in range(1, 6):
        ceiling = min(4.0, 0.5 * 2 ** (retry - 1))
        delays = [policy.delay(retry) for _ in range(200)]
        assert all(0.0 <= d <= ceiling for d in delays)
        assert max(delays) > ceiling * 0.8  # jitter spreads over the whole range
    assert policy.delay(1, retry_after=3.0) == 3.0
    assert policy.delay(1, retry_after=99.0) == 4.0


@pytest.mark.parametrize(
    ("header", "expected"),
    [("3", 3.0), ("0.5", 0.5), ("-2", 0.0), (None, None), ("soon", None), ("", None)],
)
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header) == expected


def test_parse_retry_after_http_date_in_the_past_is_zero() -> None:
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0


def test_policy_validates() -> None:
    with pytest.raises(ValueError, match="attempts"):
        RetryPolicy(attempts=0)
    assert RetryPolicy.none().attempts == 1


@pytest.mark.parametrize(
    "order",
    [{}, {"id": None}, {"id": ["1"]}, None, "12"],
    ids=["empty", "none", "list", "null", "str"],
)
async def test_send_accepted_without_a_readable_id_is_outcome_unknown(
    client: im.Client, mocked: aioresponses, order: object
) -> None:
    mocked.post(
        url("send-sms"),
        payload={"response": {"status": {"code": 200, "message": "ok"}, "order": order}},
    )
    with pytest.raises(im.SendOutcomeUnknownError, match="accepted"):
        await client.sms.send("5051234567", "Kodunuz 1234")
    assert attempts(mocked, "send-sms") == 1
