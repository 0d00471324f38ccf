"""The SDK hook the ``reports`` progress bar uses: ``reports.list(on_window=...)``."""

from __future__ import annotations

from datetime import date, datetime

import pytest

import iletimerkezi_async as im
from iletimerkezi_async.testing import FakeIletiMerkezi

FAST = im.RetryPolicy(attempts=3, base=0.0, cap=0.0)
START, END = date(2025, 3, 1), date(2025, 4, 4)  # windows: 03-01, 03-11, 03-21, 03-31


def seed(fake: FakeIletiMerkezi) -> None:
    fake.add_orders([datetime(2025, 3, 1, 9)] * 35)  # window 0, two pages
    fake.add_orders([datetime(2025, 3, 12, 9), datetime(2025, 4, 2, 9)])  # windows 1 and 3


@pytest.mark.parametrize("concurrency", [1, 3])
async def test_on_window_reports_start_and_every_finished_window(
    fake_iletimerkezi: FakeIletiMerkezi, concurrency: int
) -> None:
    seed(fake_iletimerkezi)
    calls: list[tuple[int, int]] = []
    seen_at: list[int] = []
    async with (
        fake_iletimerkezi.client(retry=FAST) as client,
        client.reports.list(
            START, END, concurrency=concurrency, on_window=lambda *a: calls.append(a)
        ) as orders,
    ):
        assert calls == []  # nothing before iteration starts
        async for _ in orders:
            seen_at.append(len(calls))
    assert calls == [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4)]
    assert len(seen_at) == 37
    assert seen_at[0] == 1 and seen_at[-1] == 4  # window 3's order came before its end


async def test_a_resumed_walk_starts_at_its_window(fake_iletimerkezi: FakeIletiMerkezi) -> None:
    seed(fake_iletimerkezi)
    async with fake_iletimerkezi.client(retry=FAST) as client:
        walk = client.reports.list(START, END)
        async for page in walk.pages():
            if page.window == ("2025-03-11", "2025-03-20"):
                break
        cursor = walk.cursor
        await walk.aclose()
        calls: list[tuple[int, int]] = []
        rest = client.reports.list(
            START, END, resume_from=cursor, on_window=lambda *a: calls.append(a)
        )
        assert [o.submitted_at and o.submitted_at.day async for o in rest] == [12, 2]
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]


async def test_what_the_callback_raises_propagates(fake_iletimerkezi: FakeIletiMerkezi) -> None:
    seed(fake_iletimerkezi)

    def stop(finished: int, total: int) -> None:
        if finished == 1:
            raise RuntimeError("stop here")

    async with fake_iletimerkezi.client(retry=FAST) as client:
        walk = client.reports.list(START, END, on_window=stop)
        with pytest.raises(RuntimeError, match="stop here"):
            async for _ in walk:
                pass
        await walk.aclose()


async def test_a_non_callable_is_refused(fake_iletimerkezi: FakeIletiMerkezi) -> None:
    async with fake_iletimerkezi.client() as client:
        with pytest.raises(im.InvalidRequestError, match="on_window"):
            client.reports.list(START, END, on_window=42)  # type: ignore[arg-type]
    assert fake_iletimerkezi.requests == []
