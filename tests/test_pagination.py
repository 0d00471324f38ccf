"""Paginator semantics on an in-memory page source (no server, no sleeps)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import pytest

import iletimerkezi_async as im
from iletimerkezi_async.pagination import Fetched, PageSource, Paginator, Position


class Boom(Exception):
    pass


class ListSource(PageSource[int]):
    """Pages of ints; ``fail`` maps a page number to how many times it fails first."""

    kind = "test.list"

    def __init__(self, pages: list[list[int]], fail: dict[int, int] | None = None) -> None:
        self.pages = pages
        self.fail = dict(fail or {})
        self.fetched: list[int] = []

    def scope(self) -> Mapping[str, Any]:
        return {"n": len(self.pages)}

    async def fetch(self, position: Position) -> Fetched[int]:
        (page,) = position
        self.fetched.append(page)
        if self.fail.get(page, 0) > 0:
            self.fail[page] -= 1
            raise Boom(page)
        items = tuple(self.pages[page - 1])
        last = page == len(self.pages)
        return Fetched(items=items, next=None if last else (page + 1,), number=page)


PAGES = [[1, 2, 3], [4, 5], [6], [7, 8, 9]]
ALL = [x for page in PAGES for x in page]


async def test_items_pages_and_cursor_positions() -> None:
    p = Paginator(ListSource(PAGES))
    assert p.cursor is None
    seen: list[tuple[int, str | None]] = []
    async for item in p:
        seen.append((item, p.cursor))
    assert [item for item, _ in seen] == ALL
    # While page k is handled, the cursor points after page k-1 (None for the first page).
    by_item = dict(seen)
    assert by_item[1] is None and by_item[3] is None
    assert by_item[4] == by_item[5] != by_item[3]
    assert len({by_item[1], by_item[4], by_item[6], by_item[7]}) == 4
    # After the walk the cursor is past the last page: resuming yields nothing.
    assert p.done
    assert [x async for x in Paginator(ListSource(PAGES), resume_from=p.cursor)] == []


async def test_resuming_from_every_cursor_yields_exactly_the_rest() -> None:
    p = Paginator(ListSource(PAGES))
    marks: list[tuple[str | None, int]] = []
    consumed = 0
    async for page in p.pages():
        marks.append((p.cursor, consumed))
        consumed += len(page.items)
    for cursor, before in marks:
        if cursor is None:
            continue
        rest = [x async for x in Paginator(ListSource(PAGES), resume_from=cursor)]
        assert rest == ALL[before:]


async def test_page_cursor_is_the_token_after_that_page() -> None:
    p = Paginator(ListSource(PAGES))
    pages = [page async for page in p.pages()]
    assert [page.items for page in pages] == [tuple(x) for x in PAGES]
    assert [page.number for page in pages] == [1, 2, 3, 4]
    assert pages[-1].cursor == p.cursor
    rest = [x async for x in Paginator(ListSource(PAGES), resume_from=pages[1].cursor)]
    assert rest == [6, 7, 8, 9]


async def test_failed_page_is_fetched_again_in_place() -> None:
    source = ListSource(PAGES, fail={3: 1})
    p = Paginator(source)
    got: list[int] = []

    async def drain() -> None:
        async for x in p:
            got.append(x)

    with pytest.raises(Boom):
        await drain()
    assert got == [1, 2, 3, 4, 5]
    cursor = p.cursor
    # A new ``async for`` continues at the failed page, not from the start.
    async for x in p:
        got.append(x)
    assert got == ALL
    assert source.fetched == [1, 2, 3, 3, 4]
    # The cursor taken at the failure resumes at the failed page too.
    assert [x async for x in Paginator(ListSource(PAGES), resume_from=cursor)] == [6, 7, 8, 9]


async def test_empty_pages_are_skipped_but_move_the_cursor() -> None:
    pages = [[], [1], [], [], [2], []]
    p = Paginator(ListSource(pages))
    got = [page async for page in p.pages()]
    assert [page.items for page in got] == [(1,), (2,)]
    assert [page.number for page in got] == [2, 5]
    assert [x async for x in Paginator(ListSource(pages), resume_from=p.cursor)] == []


async def test_break_and_iterate_again_continues_with_the_rest_of_the_page() -> None:
    p = Paginator(ListSource(PAGES))
    first = []
    async for x in p:
        first.append(x)
        if x == 2:
            break
    # pages() hands over the rest of the partly consumed page first.
    pages = [page.items async for page in p.pages()]
    assert first == [1, 2]
    assert pages == [(3,), (4, 5), (6,), (7, 8, 9)]


async def test_resume_from_is_checked_before_any_fetch() -> None:
    source = ListSource(PAGES)
    with pytest.raises(im.InvalidRequestError) as info:
        Paginator(source, resume_from="garbage")
    assert info.value.field == "resume_from"
    other = Paginator(ListSource([[1]]))
    await other.__anext__()
    with pytest.raises(StopAsyncIteration):
        await other.__anext__()
    with pytest.raises(im.InvalidRequestError, match="other arguments"):
        Paginator(source, resume_from=other.cursor)
    assert source.fetched == []


async def test_resumed_paginator_reports_its_start_as_cursor() -> None:
    p = Paginator(ListSource(PAGES))
    pages = [page async for page in p.pages()]
    resumed = Paginator(ListSource(PAGES), resume_from=pages[0].cursor)
    assert resumed.cursor == pages[0].cursor


async def test_aclose_ends_iteration_and_keeps_the_cursor() -> None:
    async with Paginator(ListSource(PAGES)) as p:
        assert await p.__anext__() == 1
        assert await p.__anext__() == 2
        assert await p.__anext__() == 3
        assert await p.__anext__() == 4
        cursor = p.cursor
    assert p.done
    assert [x async for x in p] == []
    assert p.cursor == cursor
    assert [x async for x in Paginator(ListSource(PAGES), resume_from=cursor)] == ALL[3:]


class SlowSource(ListSource):
    def __init__(self) -> None:
        super().__init__(PAGES)
        self.gate = asyncio.Event()

    async def fetch(self, position: Position) -> Fetched[int]:
        await self.gate.wait()
        return await super().fetch(position)


async def test_two_tasks_cannot_fetch_at_once() -> None:
    source = SlowSource()
    p = Paginator(source)
    first = asyncio.create_task(p.__anext__())
    await asyncio.sleep(0)
    with pytest.raises(RuntimeError, match="already fetching"):
        await p.__anext__()
    source.gate.set()
    assert await first == 1


def test_paginator_is_exported() -> None:
    assert im.Paginator is Paginator
    assert "Paginator" in im.__all__
    assert "test.list" in repr(Paginator(ListSource(PAGES)))
