"""``sms.resolve``: the order an ambiguous send created, or proof that there is none.

Over loopback against the fake.  The client runs on a ``VirtualClock`` that
starts at the fake's time and moves the fake with it, so the settle time
passes without sleeping.  Every test also checks that resolve never sent
anything, and the call counts it asserts are the cost quoted in the docs.
"""

from __future__ import annotations

import json
import pickle
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import attrs
import pytest

import iletimerkezi_async as im
from iletimerkezi_async.testing import FakeIletiMerkezi, VirtualClock

A, B, C = "+905051234567", "+905321234567", "+905441234567"
TEXT = "Siparişiniz yola çıktı"


@pytest.fixture
async def fake() -> AsyncIterator[FakeIletiMerkezi]:
    async with FakeIletiMerkezi(rate_limit=None) as f:
        yield f


@pytest.fixture
def clock(fake: FakeIletiMerkezi) -> VirtualClock:
    return VirtualClock(start=fake.clock.now(), on_advance=fake.advance)


@pytest.fixture
async def client(fake: FakeIletiMerkezi, clock: VirtualClock) -> AsyncIterator[im.Client]:
    async with fake.client(
        timeout=0.5, send_limiter=None, default_sender="APITEST", clock=clock
    ) as c:
        yield c


def calls(fake: FakeIletiMerkezi) -> dict[str, int]:
    """Requests per endpoint since the log was last cleared."""
    counted: dict[str, int] = {}
    for request in fake.requests:
        counted[request.path] = counted.get(request.path, 0) + 1
    return counted


async def unknown_send(
    client: im.Client, to: list[str], text: str = TEXT, **kw: object
) -> im.PendingSend:
    with pytest.raises(im.SendOutcomeUnknownError) as caught:
        await client.sms.send(to, text, **kw)  # type: ignore[arg-type]
    assert caught.value.pending is not None
    return caught.value.pending


async def test_a_send_processed_then_dropped_is_found(
    fake: FakeIletiMerkezi, client: im.Client
) -> None:
    fake.drop("send-sms", when="after")
    pending = await unknown_send(client, [A, B])
    (created,) = fake.account.orders
    fake.requests.clear()
    order = await client.sms.resolve(pending)
    assert order == im.Order(id=created, recipients=2)
    # One window (page 1, then the count-0 page) and one report page: no waiting.
    assert calls(fake) == {"get-reports": 2, "get-report": 1}


async def test_a_send_dropped_unprocessed_is_none_only_once_settled(
    fake: FakeIletiMerkezi, client: im.Client, clock: VirtualClock
) -> None:
    fake.drop("send-sms", when="before")
    pending = await unknown_send(client, [A])
    assert not fake.account.orders
    fake.requests.clear()
    assert await client.sms.resolve(pending, settle=120) is None
    # It did not give up early: the last look came after the settle time.
    assert clock.now() >= pending.submitted_before + timedelta(seconds=120)
    assert clock.sleeps == [5.0, 10.0, 20.0, 30.0, 30.0, pytest.approx(25.0, abs=0.5)]
    assert calls(fake) == {"get-reports": 7}  # seven looks at an empty day, one page each


async def test_settle_zero_looks_once(fake: FakeIletiMerkezi, client: im.Client) -> None:
    fake.drop("send-sms", when="before")
    pending = await unknown_send(client, [A])
    fake.requests.clear()
    assert await client.sms.resolve(pending, settle=0) is None
    assert calls(fake) == {"get-reports": 1}  # one look at an empty day


async def test_two_indistinguishable_orders_are_ambiguous(
    fake: FakeIletiMerkezi, client: im.Client
) -> None:
    # Another process sent another text to the same number in the same seconds:
    # get-reports and get-report cannot tell the two orders apart.
    async with fake.client(send_limiter=None, default_sender="APITEST") as other:
        theirs = await other.sms.send(A, "Başka bir metin")
    fake.drop("send-sms", when="after")
    pending = await unknown_send(client, [A])
    ours = next(i for i in fake.account.orders if i != theirs.id)
    fake.requests.clear()
    with pytest.raises(im.AmbiguousSendError) as caught:
        await client.sms.resolve(pending)
    assert set(caught.value.candidates) == {ours, theirs.id}
    assert caught.value.pending == pending
    assert isinstance(caught.value, im.SendOutcomeUnknownError)
    assert "2 order(s) with the same recipients" in str(caught.value)
    assert calls(fake) == {"get-reports": 2, "get-report": 2}
    again = pickle.loads(pickle.dumps(caught.value))
    assert again.candidates == caught.value.candidates


async def test_an_order_this_client_got_back_is_not_a_candidate(
    fake: FakeIletiMerkezi, client: im.Client
) -> None:
    returned = await client.sms.send(A, "Başka bir metin")
    fake.drop("send-sms", when="after")
    pending = await unknown_send(client, [A])
    order = await client.sms.resolve(pending)
    assert order is not None and order.id != returned.id
    assert order.id in fake.account.orders
    # Views share what the client accounts for.
    assert await client.with_options(timeout=2).sms.resolve(pending) == order


async def test_two_unknown_sends_resolve_to_their_own_orders(
    fake: FakeIletiMerkezi, client: im.Client
) -> None:
    fake.drop("send-sms", when="after")
    first = await unknown_send(client, [A, B])
    fake.drop("send-sms", when="before")
    second = await unknown_send(client, [A, B], "Yarın teslim")
    found = await client.sms.resolve(first)
    assert found is not None
    # The first order is now claimed by `first`, so it is not `second`'s.
    assert await client.sms.resolve(second, settle=0) is None
    assert await client.sms.resolve(first) == found  # resolving twice is stable


async def test_resolves_a_pending_send_from_another_process(
    fake: FakeIletiMerkezi, client: im.Client, clock: VirtualClock
) -> None:
    fake.drop("send-sms", when="after")
    pending = await unknown_send(client, [A, B, C])
    stored = json.dumps(im.to_dict(pending))
    async with fake.client(send_limiter=None, clock=clock) as fresh:
        order = await fresh.sms.resolve(im.from_dict(im.PendingSend, json.loads(stored)))
    assert order is not None
    assert fake.account.orders[order.id].recipients == (A, B, C)


async def test_another_sender_or_more_recipients_is_not_a_candidate(
    fake: FakeIletiMerkezi, client: im.Client
) -> None:
    fake.account.add_sender("ACME")
    await client.sms.send([A, B], "Başka", sender="ACME")  # other sender
    async with fake.client(send_limiter=None, default_sender="APITEST") as other:
        await other.sms.send([A, B, C], "Üçü birden")  # more recipients
    fake.drop("send-sms", when="before")
    pending = await unknown_send(client, [A, B])
    fake.requests.clear()
    assert await client.sms.resolve(pending, settle=0) is None
    assert calls(fake) == {"get-reports": 2}  # ruled out without a get-report


async def test_a_smaller_order_is_not_taken_for_the_send(
    fake: FakeIletiMerkezi, client: im.Client
) -> None:
    async with fake.client(send_limiter=None, default_sender="APITEST") as other:
        smaller = await other.sms.send([A, B], "İkisine")
    fake.drop("send-sms", when="before")
    pending = await unknown_send(client, [A, B, C])
    with pytest.raises(im.AmbiguousSendError) as caught:
        await client.sms.resolve(pending, settle=0)
    # C is not blacklisted, so nothing explains why the order would lack it.
    assert caught.value.candidates == (smaller.id,)
    assert "not explained by the blacklist" in str(caught.value)


async def test_a_stranger_in_the_recipients_rules_a_candidate_out(
    fake: FakeIletiMerkezi, client: im.Client
) -> None:
    async with fake.client(send_limiter=None, default_sender="APITEST") as other:
        await other.sms.send([A, C], "Başkasına")
    fake.drop("send-sms", when="after")
    pending = await unknown_send(client, [A, B])
    order = await client.sms.resolve(pending)
    assert order is not None
    assert fake.account.orders[order.id].recipients == (A, B)


async def test_a_scheduled_order_is_ambiguous_until_its_time(
    fake: FakeIletiMerkezi, client: im.Client, clock: VirtualClock
) -> None:
    send_at = (clock.now() + timedelta(hours=1)).replace(second=0, microsecond=0)
    fake.drop("send-sms", when="after")
    pending = await unknown_send(client, [A], send_at=send_at)
    (created,) = fake.account.orders
    with pytest.raises(im.AmbiguousSendError) as caught:
        await client.sms.resolve(pending)
    assert caught.value.candidates == (created,)
    assert "456" in str(caught.value)
    clock.advance(3600)
    order = await client.sms.resolve(pending)
    assert order is not None and order.id == created


async def test_too_many_candidates_are_not_checked_one_by_one(
    fake: FakeIletiMerkezi, client: im.Client, clock: VirtualClock
) -> None:
    fake.drop("send-sms", when="before")
    pending = await unknown_send(client, [A])
    fake.add_orders([pending.submitted_after] * 21, recipients=1, sender="APITEST")
    fake.requests.clear()
    with pytest.raises(im.AmbiguousSendError) as caught:
        await client.sms.resolve(pending, settle=0)
    assert len(caught.value.candidates) == 21
    assert "more than the 20" in str(caught.value)
    assert "get-report" not in calls(fake)


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        (("not a pending send",), "pending"),
        ((None,), "pending"),
    ],
)
async def test_bad_arguments_are_refused_before_any_request(
    fake: FakeIletiMerkezi, client: im.Client, arguments: tuple[object, ...], field: str
) -> None:
    fake.requests.clear()
    with pytest.raises(im.InvalidRequestError) as caught:
        await client.sms.resolve(*arguments)  # type: ignore[arg-type]
    assert caught.value.field == field
    assert fake.requests == []


@pytest.mark.parametrize(
    ("keyword", "value"),
    [("settle", -1), ("settle", float("nan")), ("settle", True), ("slack", float("inf"))],
)
async def test_bad_settle_or_slack_is_refused_before_any_request(
    fake: FakeIletiMerkezi, client: im.Client, keyword: str, value: object
) -> None:
    fake.drop("send-sms", when="before")
    pending = await unknown_send(client, [A])
    fake.requests.clear()
    with pytest.raises(im.InvalidRequestError) as caught:
        await client.sms.resolve(pending, **{keyword: value})  # type: ignore[arg-type]
    assert caught.value.field == keyword
    assert fake.requests == []


@pytest.mark.parametrize(
    "change",
    [
        lambda p: {"submitted_after": p.submitted_before + timedelta(seconds=1)},
        lambda p: {"submitted_before": p.submitted_before.replace(tzinfo=None)},
        lambda p: {"recipients": ()},
    ],
)
async def test_an_impossible_pending_send_is_refused(
    fake: FakeIletiMerkezi,
    client: im.Client,
    change: Callable[[im.PendingSend], dict[str, Any]],
) -> None:
    fake.drop("send-sms", when="before")
    pending = await unknown_send(client, [A])
    broken = attrs.evolve(pending, **change(pending))
    fake.requests.clear()
    with pytest.raises(im.InvalidRequestError) as caught:
        await client.sms.resolve(broken)
    assert caught.value.field == "pending"
    assert fake.requests == []


@pytest.mark.parametrize("skew", [30.0, -30.0])
async def test_a_server_clock_off_by_half_a_minute_is_within_the_slack(
    fake: FakeIletiMerkezi, client: im.Client, skew: float
) -> None:
    fake.options.clock_skew = skew
    fake.drop("send-sms", when="after")
    pending = await unknown_send(client, [A, B])
    (created,) = fake.account.orders
    stamped = fake.account.orders[created].submitted_at
    assert abs((stamped - pending.submitted_after).total_seconds() - skew) < 5
    order = await client.sms.resolve(pending)
    assert order is not None and order.id == created
    # The slack is what makes it work: without it the order falls outside the window.
    assert await client.sms.resolve(pending, slack=0, settle=0) is None
    assert [r.path for r in fake.requests].count("send-sms") == 1  # resolve never sent


async def test_an_order_listed_late_is_found_before_settle_runs_out(
    fake: FakeIletiMerkezi, client: im.Client, clock: VirtualClock
) -> None:
    fake.options.reports_delay = 30.0
    fake.drop("send-sms", when="after")
    pending = await unknown_send(client, [A])
    (created,) = fake.account.orders
    fake.requests.clear()
    order = await client.sms.resolve(pending, settle=120)
    assert order is not None and order.id == created
    # Looks at 0, 5, 15 s found nothing; the one at 35 s found it.
    assert clock.sleeps == [5.0, 10.0, 20.0]
    assert calls(fake) == {"get-reports": 5, "get-report": 1}


async def test_a_settle_shorter_than_the_lag_says_none(
    fake: FakeIletiMerkezi, client: im.Client
) -> None:
    """Why settle exists: a lagging order list looks empty (docs: raise settle then)."""
    fake.options.reports_delay = 300.0
    fake.drop("send-sms", when="after")
    pending = await unknown_send(client, [A])
    assert fake.account.orders  # the order exists...
    assert await client.sms.resolve(pending, settle=60) is None  # ...but not yet in the list


async def test_an_order_the_server_dropped_blacklisted_numbers_from_is_found(
    fake: FakeIletiMerkezi, client: im.Client
) -> None:
    fake.options.drop_blacklisted = True
    fake.account.add_blacklist(B)
    fake.drop("send-sms", when="after")
    pending = await unknown_send(client, [A, B, C])
    (created,) = fake.account.orders
    assert fake.account.orders[created].recipients == (A, C)
    fake.requests.clear()
    order = await client.sms.resolve(pending)
    assert order == im.Order(id=created, recipients=3)  # as send would have returned it
    # The blacklist's size (may the gap be dropped numbers?), then its numbers.
    assert calls(fake) == {"get-reports": 2, "get-report": 1, "get-blacklist": 2}


async def test_a_dropped_number_that_is_not_blacklisted_is_not_explained(
    fake: FakeIletiMerkezi, client: im.Client
) -> None:
    fake.options.drop_blacklisted = True
    fake.account.add_blacklist(B)
    fake.drop("send-sms", when="after")
    pending = await unknown_send(client, [A, B, C])
    await client.blacklist.remove(B)  # unblocked since: the server's drop is no longer provable
    with pytest.raises(im.AmbiguousSendError) as caught:
        await client.sms.resolve(pending)
    assert caught.value.candidates == tuple(fake.account.orders)


async def test_orders_known_elsewhere_can_be_excluded(
    fake: FakeIletiMerkezi, client: im.Client
) -> None:
    async with fake.client(send_limiter=None, default_sender="APITEST") as other:
        theirs = await other.sms.send(A, "Başka bir metin")
    fake.drop("send-sms", when="after")
    pending = await unknown_send(client, [A])
    ours = next(i for i in fake.account.orders if i != theirs.id)
    with pytest.raises(im.InvalidRequestError) as caught:
        await client.sms.resolve(pending, exclude=theirs.id)  # a string, not a list of ids
    assert caught.value.field == "exclude"
    order = await client.sms.resolve(pending, exclude=[theirs.id])
    assert order is not None and order.id == ours
    # The exclusion held for that call only: without it, both orders match again.
    with pytest.raises(im.AmbiguousSendError):
        await client.sms.resolve(pending)


async def test_a_failing_read_is_retried_and_a_lasting_one_is_never_taken_for_absent(
    fake: FakeIletiMerkezi, client: im.Client
) -> None:
    fake.drop("send-sms", when="after")
    pending = await unknown_send(client, [A])
    fake.fail("get-reports", status=503, times=1)
    fake.drop("get-report", when="before")
    order = await client.sms.resolve(pending)  # both retried in place by the transport
    assert order is not None and order.id in fake.account.orders
    fake.fail("get-reports", status=503, times=10)
    with pytest.raises(im.ServiceUnavailableError):
        await client.sms.resolve(pending, settle=0)


async def test_busy_one_recipient_traffic_does_not_hide_a_bigger_send(
    fake: FakeIletiMerkezi, client: im.Client
) -> None:
    """25 OTP-like orders of the same sender in the window: more than the cap, but none
    can be a 3-recipient send while nothing is blacklisted, so they are read last."""
    fake.drop("send-sms", when="after")
    pending = await unknown_send(client, [A, B, C])
    (ours,) = fake.account.orders
    others = [f"+90532{i:07d}" for i in range(25)]
    async with fake.client(send_limiter=None, default_sender="APITEST") as other:
        for number in others:
            await other.sms.send(number, "Kodunuz 1234")
    fake.requests.clear()
    order = await client.sms.resolve(pending)
    assert order is not None and order.id == ours
    assert calls(fake) == {"get-reports": 2, "get-blacklist": 1, "get-report": 1}


async def test_busy_one_recipient_traffic_still_proves_a_send_absent(
    fake: FakeIletiMerkezi, client: im.Client
) -> None:
    fake.drop("send-sms", when="before")
    pending = await unknown_send(client, [A, B, C])
    async with fake.client(send_limiter=None, default_sender="APITEST") as other:
        for i in range(25):
            await other.sms.send(f"+90532{i:07d}", "Kodunuz 1234")
    fake.requests.clear()
    assert await client.sms.resolve(pending, settle=0) is None
    # Each smaller order ruled out by its first page (a recipient that was not sent).
    assert calls(fake) == {"get-reports": 2, "get-blacklist": 1, "get-report": 25}
