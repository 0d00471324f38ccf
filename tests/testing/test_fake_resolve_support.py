"""The options that make ``sms.resolve`` testable: a skewed server clock, a lagging
order list and a server that drops blacklisted recipients.

Everything goes over real loopback HTTP; the SDK client is used where it can
reach the behaviour, raw requests (:class:`Api`) where the client's own
checks would refuse to ask (a day that is in the future for the client).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import aiohttp
import pytest

import iletimerkezi_async as im
from iletimerkezi_async.clock import ISTANBUL
from iletimerkezi_async.models import OrderSummary
from iletimerkezi_async.testing import FakeClock, FakeIletiMerkezi, VirtualClock
from iletimerkezi_async.testing.__main__ import main
from iletimerkezi_async.testing._runner import build_parser, fake_keywords

from .conftest import Api

A, B, C = "+905051234567", "+905051234568", "+905051234569"


def clock_at(wall: time) -> FakeClock:
    """A fake clock whose now is the next ``wall`` time of day in Istanbul (to the ms)."""
    now = datetime.now(ISTANBUL)
    target = datetime.combine(now.date(), wall, ISTANBUL)
    if target <= now:
        target += timedelta(days=1)
    return FakeClock(offset=(target - now).total_seconds())


async def listed(client: im.Client, day: date) -> list[OrderSummary]:
    return [summary async for summary in client.reports.list(day, day)]


async def listed_ids(api: Api, day: date) -> list[str]:
    body = await api.call("get-reports", filter={"start": str(day), "end": str(day)})
    return [str(order["id"]) for order in body["orders"]]


# ------------------------------------------------------------------------ clock_skew


@pytest.mark.parametrize("skew", [30.0, -30.0])
async def test_submit_at_is_the_server_time(skew: float) -> None:
    async with FakeIletiMerkezi(rate_limit=None, clock=clock_at(time(12, 0, 30))) as fake:
        fake.options.clock_skew = skew  # read on every request
        client_now = fake.clock.now()
        clock = VirtualClock(start=client_now)
        async with fake.client(default_sender="APITEST", send_limiter=None, clock=clock) as client:
            order = await client.sms.send(A, "Merhaba")
            (summary,) = await listed(client, client_now.date())
        assert summary.id == order.id
        assert summary.submitted_at is not None
        server_now = client_now + timedelta(seconds=skew)
        assert abs((summary.submitted_at - server_now).total_seconds()) < 2
        snapshot = fake.account.orders[order.id]
        assert snapshot.submitted_at.replace(microsecond=0) == summary.submitted_at
        assert abs((fake.account.now() - fake.clock.now()).total_seconds() - skew) < 0.01


@pytest.mark.parametrize(("skew", "scheduled"), [(0.0, True), (30.0, False)])
async def test_a_schedule_the_server_has_passed_sends_at_once(skew: float, scheduled: bool) -> None:
    # Client and fake clock at hh:00:45; the next whole minute is 15 s ahead,
    # which a server 30 s ahead has already passed.
    fake_clock = clock_at(time(12, 0, 45))
    async with FakeIletiMerkezi(rate_limit=None, clock=fake_clock, clock_skew=skew) as fake:
        client_now = fake.clock.now()
        send_at = client_now.replace(second=0, microsecond=0) + timedelta(minutes=1)
        clock = VirtualClock(start=client_now)
        async with fake.client(default_sender="APITEST", send_limiter=None, clock=clock) as client:
            order = await client.sms.send(A, "Merhaba", send_at=send_at)
            snapshot = fake.account.orders[order.id]
            assert snapshot.scheduled is scheduled
            if scheduled:
                assert snapshot.send_at == send_at
                with pytest.raises(im.OrderNotReadyError):
                    await client.reports.get(order.id)
            else:
                assert snapshot.send_at == snapshot.submitted_at
                report = await client.reports.get(order.id)
                assert report.status is im.OrderStatus.SENDING
                with pytest.raises(im.OrderNotFoundError):  # nothing left to cancel
                    await client.sms.cancel(order.id)


@pytest.mark.parametrize(("skew", "cancellable"), [(0.0, False), (-30.0, True)])
async def test_the_cancel_window_follows_the_server_clock(skew: float, cancellable: bool) -> None:
    # Scheduled 15 s ahead of the client; 20 s later the client's send time has
    # passed, but a server 30 s behind still has 25 s to go.
    fake_clock = clock_at(time(12, 0, 45))
    async with FakeIletiMerkezi(rate_limit=None, clock=fake_clock, clock_skew=skew) as fake:
        client_now = fake.clock.now()
        send_at = client_now.replace(second=0, microsecond=0) + timedelta(minutes=1)
        clock = VirtualClock(start=client_now)
        async with fake.client(default_sender="APITEST", send_limiter=None, clock=clock) as client:
            order = await client.sms.send([A, B], "Merhaba", send_at=send_at)
            fake.advance(20)
            if cancellable:
                await client.sms.cancel(order.id)
                assert fake.account.orders[order.id].cancelled
                assert fake.account.orders[order.id].price == 0
            else:
                with pytest.raises(im.OrderNotFoundError):
                    await client.sms.cancel(order.id)
                assert not fake.account.orders[order.id].cancelled


async def test_snapshots_and_events_follow_the_server_clock() -> None:
    fake_clock = clock_at(time(12, 0, 45))
    async with FakeIletiMerkezi(rate_limit=None, clock=fake_clock, clock_skew=-30) as fake:
        client_now = fake.clock.now()
        send_at = client_now.replace(second=0, microsecond=0) + timedelta(minutes=1)
        clock = VirtualClock(start=client_now)
        async with fake.client(default_sender="APITEST", send_limiter=None, clock=clock) as client:
            order = await client.sms.send(A, "Merhaba", send_at=send_at)
            fake.advance(20)  # past send_at on the fake clock, 25 s before it on the server's
            assert fake.clock.now() > send_at
            assert fake.account.orders[order.id].waiting == 1
            assert fake.account.collect_events() == []
            with pytest.raises(im.OrderNotReadyError):
                await client.reports.get(order.id)
            fake.advance(30)
            assert [e.status for e in fake.account.collect_events()] == ["accepted", "delivered"]
            assert fake.account.orders[order.id].status == 114
            assert (await client.reports.get(order.id)).status is im.OrderStatus.COMPLETED


@pytest.mark.parametrize(
    ("wall", "skew", "days"), [(time(23, 59, 50), 30.0, 1), (time(0, 0, 10), -30.0, -1)]
)
async def test_get_reports_lists_an_order_under_the_server_day(
    session: aiohttp.ClientSession, wall: time, skew: float, days: int
) -> None:
    async with FakeIletiMerkezi(rate_limit=None, clock=clock_at(wall), clock_skew=skew) as fake:
        client_day = fake.clock.now().date()
        server_day = client_day + timedelta(days=days)
        clock = VirtualClock(start=fake.clock.now())
        async with fake.client(default_sender="APITEST", send_limiter=None, clock=clock) as client:
            order = await client.sms.send(A, "Merhaba")
            assert await listed(client, client_day) == []
        api = Api(fake, session)
        assert await listed_ids(api, client_day) == []
        assert await listed_ids(api, server_day) == [order.id]
        assert fake.account.orders[order.id].submitted_at.date() == server_day


async def test_seeds_default_to_the_server_time() -> None:
    async with FakeIletiMerkezi(rate_limit=None, clock_skew=-3600) as fake:
        blocked = fake.account.blacklist[fake.account.add_blacklist(A)]
        inbound_id = fake.add_inbound("RET")
        (inbound,) = (r for r in fake.account.inbound if r.id == inbound_id)
        consent = fake.account.add_consent(B, recipient_type="TACIR")
        for stamped in (blocked, inbound.received_at, consent.consent_date):
            assert abs((stamped - fake.account.now()).total_seconds()) < 2
            assert (fake.clock.now() - stamped).total_seconds() > 3500


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
def test_clock_skew_must_be_finite(bad: float) -> None:
    with pytest.raises(ValueError, match="clock_skew"):
        FakeIletiMerkezi(clock_skew=bad)
    fake = FakeIletiMerkezi(clock_skew=-5)
    assert fake.options.clock_skew == -5.0
    with pytest.raises(ValueError, match="clock_skew"):
        fake.options.clock_skew = bad
    assert fake.options.clock_skew == -5.0


# --------------------------------------------------------------------- reports_delay


async def test_a_sent_order_is_listed_only_after_the_reports_delay() -> None:
    async with FakeIletiMerkezi(
        rate_limit=None, clock=clock_at(time(12, 0)), reports_delay=10
    ) as fake:
        clock = VirtualClock(start=fake.clock.now())
        today = clock.now().date()
        async with fake.client(default_sender="APITEST", send_limiter=None, clock=clock) as client:
            order = await client.sms.send([A, B], "Merhaba")
            assert await listed(client, today) == []
            report = await client.reports.get(order.id)  # by id: at once
            assert report.id == order.id and report.total == 2
            assert {m.number async for m in client.reports.messages(order.id)} == {A, B}
            fake.advance(8)
            assert await listed(client, today) == []
            fake.advance(2)
            (summary,) = await listed(client, today)
            assert summary.id == order.id and summary.total == 2


async def test_the_delay_is_the_one_in_force_and_hidden_orders_take_no_page_slot() -> None:
    async with FakeIletiMerkezi(
        rate_limit=None, clock=clock_at(time(12, 0)), reports_delay=10, reports_page_size=1
    ) as fake:
        clock = VirtualClock(start=fake.clock.now())
        today = clock.now().date()
        async with fake.client(default_sender="APITEST", send_limiter=None, clock=clock) as client:
            lagging = await client.sms.send(A, "bir")
            fake.options.reports_delay = 0
            second = await client.sms.send(A, "iki")
            third = await client.sms.send(A, "üç")
            # One order per page: the lagging one, first by submitAt, must not
            # take page 1 and end the walk with an empty page.
            assert [s.id for s in await listed(client, today)] == [second.id, third.id]
            fake.advance(10)
            assert [s.id for s in await listed(client, today)] == [
                lagging.id,
                second.id,
                third.id,
            ]


async def test_seeded_orders_are_not_delayed() -> None:
    async with FakeIletiMerkezi(rate_limit=None, reports_delay=3600) as fake:
        seeded = fake.add_order(fake.account.now() - timedelta(seconds=1))
        day = fake.account.orders[seeded].submitted_at.date()
        clock = VirtualClock(start=fake.clock.now())
        async with fake.client(default_sender="APITEST", send_limiter=None, clock=clock) as client:
            assert [s.id for s in await listed(client, day)] == [seeded]


@pytest.mark.parametrize("bad", [-1.0, float("nan"), float("inf")])
def test_reports_delay_must_be_finite_and_not_negative(bad: float) -> None:
    with pytest.raises(ValueError, match="reports_delay"):
        FakeIletiMerkezi(reports_delay=bad)
    fake = FakeIletiMerkezi(reports_delay=2)
    with pytest.raises(ValueError, match="reports_delay"):
        fake.options.reports_delay = bad
    assert fake.options.reports_delay == 2.0


# ------------------------------------------------------------------ drop_blacklisted


@pytest.mark.parametrize("drop", [True, False])
async def test_blacklisted_recipients_are_dropped_or_end_112(drop: bool) -> None:
    async with FakeIletiMerkezi(rate_limit=None, drop_blacklisted=drop) as fake:
        fake.account.add_blacklist(B)
        credits = fake.account.sms_credits
        async with fake.client(default_sender="APITEST", send_limiter=None) as client:
            order = await client.sms.send([A, B, C], "Merhaba")
            report = await client.reports.get(order.id)
            fake.advance(fake.options.delivery_delay)
            final = [(m.number, m.status) async for m in client.reports.messages(order.id)]
        snapshot = fake.account.orders[order.id]
        events = fake.account.collect_events()
        if drop:
            assert report.total == 2 and report.price == 2
            assert final == [(A, im.MessageStatus.DELIVERED), (C, im.MessageStatus.DELIVERED)]
            assert snapshot.recipients == (A, C)
            assert (snapshot.total, snapshot.price, snapshot.undelivered) == (2, 2, 0)
            assert credits - fake.account.sms_credits == 2
            assert {e.to for e in events} == {A, C} and len(events) == 4
        else:
            assert report.total == 3 and report.price == 3
            assert [s for n, s in final if n == B] == [im.MessageStatus.UNDELIVERED]
            assert snapshot.recipients == (A, B, C)
            assert (snapshot.total, snapshot.price, snapshot.undelivered) == (3, 3, 1)
            assert credits - fake.account.sms_credits == 3
            assert [e.status for e in events if e.to == B] == ["accepted", "undelivered"]


async def test_all_blacklisted_is_still_452() -> None:
    async with FakeIletiMerkezi(rate_limit=None, drop_blacklisted=True) as fake:
        fake.account.add_blacklist(A)
        fake.account.add_blacklist(B)
        credits = fake.account.sms_credits
        async with fake.client(default_sender="APITEST", send_limiter=None) as client:
            with pytest.raises(im.RecipientError) as caught:
                await client.sms.send([A, B], "Merhaba")
        assert caught.value.code == 452
        assert len(fake.account.orders) == 0
        assert fake.account.sms_credits == credits


async def test_dropping_keeps_each_text_with_its_recipient() -> None:
    long_text = "x" * 200  # two GSM-7 parts
    async with FakeIletiMerkezi(
        rate_limit=None, drop_blacklisted=True, senders=["APITEST", "ACME"]
    ) as fake:
        fake.account.add_blacklist(B)
        async with fake.client(default_sender="ACME", send_limiter=None) as client:
            order = await client.sms.send_many({A: "bir", B: long_text, C: "üç"})
            report = await client.reports.get(order.id)
        snapshot = fake.account.orders[order.id]
        assert [(m.number, m.text) for m in snapshot.messages] == [(A, "bir"), (C, "üç")]
        assert report.total == 2 and [m.number for m in report.messages] == [A, C]
        assert snapshot.price == 2  # B's two-part text is not charged
        fake.advance(fake.options.delivery_delay)
        bodies = {(e.to, e.body) for e in fake.account.collect_events()}
        assert bodies == {(A, "bir"), (C, "üç")}


async def test_dropped_recipients_still_count_for_the_duplicate_guard() -> None:
    async with FakeIletiMerkezi(rate_limit=None, drop_blacklisted=True) as fake:
        fake.account.add_blacklist(B)
        async with fake.client(default_sender="APITEST", send_limiter=None) as client:
            await client.sms.send([A, B], "Merhaba")
            with pytest.raises(im.DuplicateOrderError):
                await client.sms.send([A, B], "Merhaba")
            await client.sms.send([A], "Merhaba")  # another recipient set
        assert len(fake.account.orders) == 2


# ------------------------------------------------------------------ standalone runner


def test_the_runner_offers_the_three_options() -> None:
    args = build_parser().parse_args(
        ["--clock-skew", "-30", "--reports-delay", "2.5", "--drop-blacklisted"]
    )
    options = FakeIletiMerkezi(**fake_keywords(args)).options
    assert (options.clock_skew, options.reports_delay, options.drop_blacklisted) == (
        -30.0,
        2.5,
        True,
    )
    defaults = FakeIletiMerkezi(**fake_keywords(build_parser().parse_args([]))).options
    assert (defaults.clock_skew, defaults.reports_delay, defaults.drop_blacklisted) == (
        0.0,
        0.0,
        False,
    )


@pytest.mark.parametrize(
    ("argv", "complaint"),
    [
        (["--clock-skew", "nan"], "--clock-skew: not a finite number"),
        (["--clock-skew", "soon"], "--clock-skew: not a finite number"),
        (["--reports-delay", "-1"], "--reports-delay: must not be negative"),
        (["--reports-delay", "inf"], "--reports-delay: not a finite number"),
    ],
)
def test_the_runner_refuses_bad_seconds(
    argv: list[str], complaint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    assert complaint in capsys.readouterr().err
