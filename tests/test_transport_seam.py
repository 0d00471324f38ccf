"""The transport's one I/O seam, ``Transport._post``, driven by a script instead of a server.

Like gidgethub's ``_request``: a subclass answers each POST from a list, so
the loop around ``retry.decide`` (limiter, attempts, sleeps on the clock, the
structured answer) is tested without aiohttp internals or a socket.
Behaviour over real HTTP is tests/test_retry.py and tests/reliability/.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from typing import Any

import aiohttp
import pytest

import iletimerkezi_async as im
from iletimerkezi_async import _endpoints as api
from iletimerkezi_async._transport import Transport
from iletimerkezi_async.testing import VirtualClock

Answer = tuple[int, bytes, float | None] | BaseException


def body(code: int, **response: Any) -> bytes:
    return json.dumps({"response": {"status": {"code": code, "message": "x"}, **response}}).encode()


class Scripted(Transport):
    """Answers each POST with the next scripted answer, recording what was sent."""

    def __init__(self, answers: list[Answer], clock: VirtualClock) -> None:
        super().__init__(
            api_key="k",
            api_hash="h",
            base_url="https://api.example",
            session=None,
            timeout=aiohttp.ClientTimeout(total=1),
            retry=im.RetryPolicy(attempts=3, base=1.0, cap=1.0),
            limiter=None,
            clock=clock,
        )
        self.answers = answers
        self.posts: list[tuple[str, dict[str, Any]]] = []

    async def _post(self, url: str, body: bytes) -> tuple[int, bytes, float | None]:
        self.posts.append((url, json.loads(body)))
        answer = self.answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        return answer


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


@pytest.fixture
async def scripted(clock: VirtualClock) -> AsyncIterator[Callable[[list[Answer]], Scripted]]:
    made: list[Scripted] = []

    def make(answers: list[Answer]) -> Scripted:
        made.append(Scripted(answers, clock))
        return made[-1]

    yield make
    for transport in made:
        await transport.close()
        assert transport.answers == [], "every scripted answer was used"


SEND = ([("Merhaba", ["+905051234567"])],)
SEND_OPTIONS: dict[str, Any] = {"sender": "ACME", "schedule": None, "iys_list": None}


async def test_a_503_is_retried_after_a_sleep_on_the_clock(
    scripted: Callable[[list[Answer]], Scripted], clock: VirtualClock
) -> None:
    ok = body(200, balance={"amount": "1,5", "sms": "3"})
    transport = scripted([(200, body(503), 5.0), (200, ok, None)])
    answer = await transport.call(api.GET_BALANCE)
    assert answer.balance == im.Balance(amount=Decimal("1.5"), sms=3)
    assert [url for url, _ in transport.posts] == ["https://api.example/v1/get-balance/json"] * 2
    assert transport.posts[0][1]["request"]["authentication"] == {"key": "k", "hash": "h"}
    assert clock.sleeps == [1.0]  # Retry-After (5 s) is the floor, held to the policy's cap


async def test_a_send_that_may_have_arrived_is_posted_once(
    scripted: Callable[[list[Answer]], Scripted], clock: VirtualClock
) -> None:
    transport = scripted([aiohttp.ServerDisconnectedError()])
    with pytest.raises(im.SendOutcomeUnknownError, match="not sent again") as caught:
        await transport.call(api.SEND_SMS, *SEND, **SEND_OPTIONS)
    assert caught.value.endpoint == api.SEND_SMS.name
    assert len(transport.posts) == 1 and clock.sleeps == []


async def test_an_accepted_send_without_a_readable_id_is_unknown(
    scripted: Callable[[list[Answer]], Scripted], clock: VirtualClock
) -> None:
    transport = scripted([(200, body(200, order={}), None)])
    with pytest.raises(im.SendOutcomeUnknownError, match="accepted but its id"):
        await transport.call(api.SEND_SMS, *SEND, **SEND_OPTIONS)
    assert len(transport.posts) == 1 and clock.sleeps == []


async def test_a_connection_that_never_opened_is_retried_until_attempts_run_out(
    scripted: Callable[[list[Answer]], Scripted], clock: VirtualClock
) -> None:
    transport = scripted([aiohttp.ConnectionTimeoutError() for _ in range(3)])
    with pytest.raises(im.TransportError, match="timed out while connecting") as caught:
        await transport.call(api.GET_INBOX)
    assert caught.value.maybe_sent is False
    assert len(transport.posts) == 3 and len(clock.sleeps) == 2
