"""The one clock: what ``Client(clock=...)`` is given reaches every wait of the client."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest

import iletimerkezi_async as im
from iletimerkezi_async.clock import ISTANBUL, SYSTEM_CLOCK
from iletimerkezi_async.testing import FakeIletiMerkezi, VirtualClock


async def test_one_clock_drives_backoff_the_limiter_reports_wait_and_inbox_poll() -> None:
    async with FakeIletiMerkezi(rate_limit=None, delivery_delay=5.0) as fake:
        inbound: list[str] = []

        def advanced(seconds: float) -> None:
            fake.advance(seconds)  # the fake's deliveries follow the same clock
            if polling:
                inbound.append(fake.add_inbound("BAKIYE"))

        polling = False
        clock = VirtualClock(start=fake.clock.now(), on_advance=advanced)
        retry = im.RetryPolicy(attempts=2, base=0.0, cap=10.0)
        async with fake.client(retry=retry, default_sender="APITEST", clock=clock) as client:
            assert client.clock is clock

            # 1. The transport's backoff: a 429 with Retry-After 3 is waited out.
            fake.fail("get-balance", status=429, times=1, retry_after=3)
            await client.account.balance()
            assert clock.sleeps == [3.0]

            # 2. The default send limiter (100 per 1.02 s): 60 + 60 recipients do not
            # fit one window, so the second 60 wait for the first to leave it, held
            # 0.5 s longer as the first window after a quiet spell: 1.52 s.
            numbers = [f"50512{i:05d}" for i in range(60)]
            await client.sms.send(numbers, "Kodunuz 1234")
            order = await client.sms.send(numbers, "Kodunuz 5678")
            assert clock.sleeps[1:] == [pytest.approx(1.52)]

            # 3. reports.wait: polls at 0, 2 and 6 s; final after the 5 s delivery.
            final = await client.reports.wait(order.id, timeout=60, interval=2)
            assert final.status is im.OrderStatus.COMPLETED
            assert clock.sleeps[2:] == [2, 4]

            # 4. inbox.poll: an empty first poll, then one wait of ``interval``.
            polling = True
            async with client.inbox.poll(interval=5) as poller:
                message = await anext(poller)
            assert [message.id] == inbound[:1]
            assert clock.sleeps[4:] == [5]

    assert clock.sleeps == [3.0, pytest.approx(1.52), 2, 4, 5]


def test_system_clock_reads_istanbul_time_and_the_loop_clock() -> None:
    async def main() -> tuple[float, float]:
        return SYSTEM_CLOCK.monotonic(), asyncio.get_running_loop().time()

    ours, loops = asyncio.run(main())
    assert ours <= loops
    assert SYSTEM_CLOCK.now().tzinfo is ISTANBUL
    assert isinstance(SYSTEM_CLOCK, im.Clock)
    assert repr(SYSTEM_CLOCK) == "SystemClock()"


async def test_virtual_clock_moves_only_when_told() -> None:
    moved: list[float] = []
    start = datetime(2026, 4, 9, 11, 0, tzinfo=ISTANBUL)
    clock = VirtualClock(start=start, monotonic=50.0, on_advance=moved.append)
    assert isinstance(clock, im.Clock)
    await clock.sleep(1.5)
    clock.advance(0.5)
    await clock.sleep(-1)  # recorded as asked, but time never goes back
    assert clock.sleeps == [1.5, -1]
    assert moved == [1.5, 0.5, 0.0]
    assert clock.monotonic() == 52.0
    assert clock.now() == start + timedelta(seconds=2)
    with pytest.raises(ValueError, match="back"):
        clock.advance(-1)
    with pytest.raises(ValueError, match="aware"):
        VirtualClock(start=datetime(2026, 1, 1))
