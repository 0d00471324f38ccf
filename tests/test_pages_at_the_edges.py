"""Walks a drifted or broken server could end early: each raises or walks on, never stops short.

Over aioresponses, since the fake implements the 2026 answers faithfully and
these are the answers it never gives: a get-report without ``total`` (the
older shape) and a server that ignores the page number.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any, TypeVar

import pytest
import yarl
from aioresponses import aioresponses

import iletimerkezi_async as im

from .conftest import BASE

OK = {"code": 200, "message": "OK"}
T = TypeVar("T")


def answer(**response: Any) -> dict[str, Any]:
    return {"response": {"status": OK, **response}}


def pages_asked(mocked: aioresponses, endpoint: str, block: str) -> list[int]:
    calls = mocked.requests.get(("POST", yarl.URL(f"{BASE}/v1/{endpoint}/json")), [])
    return [json.loads(c.kwargs["data"])["request"][block]["page"] for c in calls]


async def collect(walk: AsyncIterator[T], into: list[T]) -> None:
    """Every item of ``walk`` into ``into``, so what came before a failure can be checked."""
    async for item in walk:
        into.append(item)


def old_report(first: int, count: int) -> dict[str, Any]:
    """The older get-report answer: ``id``, ``status`` and ``message[]`` only, no ``total``."""
    messages = [{"number": 5050000000 + n, "status": 111} for n in range(first, first + count)]
    return answer(order={"id": "428", "status": 114, "message": messages})


async def test_messages_without_total_walk_until_a_short_page(
    mocked: aioresponses, client: im.Client
) -> None:
    url = f"{BASE}/v1/get-report/json"
    for first, count in ((0, 1000), (1000, 1000), (2000, 300)):
        mocked.post(url, payload=old_report(first, count))
    got = [m async for m in client.reports.messages("428")]
    assert len(got) == 2300 and len({m.number for m in got}) == 2300
    assert got[-1].number == "+905050002299"
    assert pages_asked(mocked, "get-report", "order") == [1, 2, 3]


async def test_messages_without_total_end_on_an_empty_page(
    mocked: aioresponses, client: im.Client
) -> None:
    url = f"{BASE}/v1/get-report/json"
    mocked.post(url, payload=old_report(0, 1000))
    mocked.post(url, payload=answer(order={"id": "428", "status": 114, "message": []}))
    pages = [p async for p in client.reports.messages("428").pages()]
    assert [len(p.items) for p in pages] == [1000]  # the empty page ends the walk, unshown
    assert pages[0].total is None  # unknown, not 0
    assert pages_asked(mocked, "get-report", "order") == [1, 2]


async def test_messages_of_a_server_ignoring_page_raise(
    mocked: aioresponses, client: im.Client
) -> None:
    mocked.post(f"{BASE}/v1/get-report/json", payload=old_report(0, 1000), repeat=True)
    got: list[im.MessageReport] = []
    with pytest.raises(im.RepeatedPageError) as caught:
        await collect(client.reports.messages("428"), got)
    assert len(got) == 1000
    assert caught.value.endpoint == "get-report" and caught.value.page == 2
    assert isinstance(caught.value, im.ResponseFormatError)


async def test_blacklist_of_a_server_ignoring_page_raises_instead_of_ending(
    mocked: aioresponses, client: im.Client
) -> None:
    page = answer(blacklist={"count": 5, "number": ["+905051111111", "+905052222222"]})
    mocked.post(f"{BASE}/v1/get-blacklist/json", payload=page, repeat=True)
    walk = client.blacklist.list(page_size=2)
    got: list[str] = []
    with pytest.raises(im.RepeatedPageError, match="page 2 repeats page 1") as caught:
        await collect(walk, got)
    assert got == ["+905051111111", "+905052222222"]  # 2 of 5, and it says so loudly
    assert caught.value.endpoint == "get-blacklist" and caught.value.page == 2
    assert "5051111111" not in str(caught.value)
    assert pages_asked(mocked, "get-blacklist", "blacklist") == [1, 2]
