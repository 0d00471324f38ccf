"""``Campaign`` over loopback against the fake: every valid recipient in exactly one order.

The client runs on a ``VirtualClock`` that starts at the fake's time and moves
the fake with it, so the settle time of a chunk proven absent passes without
sleeping.  Each test checks what the fake received (orders, their recipients,
the send-sms requests), not only what the campaign says about itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

import iletimerkezi_async as im
from iletimerkezi_async.campaigns import (
    Campaign,
    CampaignMismatchError,
    CampaignStatus,
    ChunkResult,
    Claim,
    SqliteLedger,
)
from iletimerkezi_async.campaigns._chunks import READ_BATCH
from iletimerkezi_async.testing import FakeIletiMerkezi, VirtualClock

TEXT = "Bahar indirimi başladı: %20 indirim"
NUMBERS = [f"+90505{i:07d}" for i in range(1, 11)]  # 10 recipients, chunks of 3: 4 chunks
SETTLE = 30.0

Ledgers = Callable[[], Awaitable[SqliteLedger]]


@pytest.fixture
async def fake() -> AsyncIterator[FakeIletiMerkezi]:
    async with FakeIletiMerkezi(rate_limit=None, senders=("ACME",), sms_credits=10**6) as f:
        yield f


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "campaign.db"


@pytest.fixture
async def ledgers(db: Path) -> AsyncIterator[Ledgers]:
    """A new ``SqliteLedger`` on ``db`` per call, the previous one closed: a process resuming."""
    made: list[SqliteLedger] = []

    async def make() -> SqliteLedger:
        if made:
            await made[-1].close()
        made.append(SqliteLedger(db))
        return made[-1]

    yield make
    for ledger in made:
        await ledger.close()


@contextlib.asynccontextmanager
async def client_on(fake: FakeIletiMerkezi, **kw: Any) -> AsyncIterator[im.Client]:
    """A fresh client (no claims: another process) on a virtual clock at the fake's now."""
    clock = VirtualClock(start=fake.clock.now(), on_advance=fake.advance)
    kw.setdefault("default_sender", "APITEST")
    async with fake.client(send_limiter=None, clock=clock, **kw) as client:
        yield client


async def run_all(
    campaign: Campaign, source: Iterable[object], text: str | None = TEXT, **kw: Any
) -> list[ChunkResult]:
    kw.setdefault("chunk_size", 3)
    return [result async for result in campaign.run(source, text, **kw)]


def sends(fake: FakeIletiMerkezi) -> list[Any]:
    return fake.sent_requests("send-sms")


def received(fake: FakeIletiMerkezi) -> Counter[str]:
    """How many orders at the fake each number is in."""
    return Counter(n for order in fake.account.orders.values() for n in order.recipients)


def assert_agrees(
    status: CampaignStatus, fake: FakeIletiMerkezi, results: list[ChunkResult]
) -> None:
    """The ledger's orders are exactly the fake's, and so are the run's results."""
    assert sorted(status.orders) == sorted(fake.account.orders)
    assert sorted(r.order.id for r in results) == sorted(fake.account.orders)
    assert status.recipients_sent == sum(o.total for o in fake.account.orders.values())
    assert status.unknown == 0
    for result in results:
        assert fake.account.orders[result.order.id].total == result.recipients


# --------------------------------------------------------------------- states


async def test_each_chunk_is_sent_once_and_a_second_run_skips_them_all(
    fake: FakeIletiMerkezi, ledgers: Ledgers
) -> None:
    async with client_on(fake) as client:
        first = await run_all(Campaign(client, "spring", ledger=await ledgers()), NUMBERS)
    assert [(r.index, r.state, r.recipients) for r in first] == [
        (0, "sent", 3),
        (1, "sent", 3),
        (2, "sent", 3),
        (3, "sent", 1),
    ]
    assert received(fake) == Counter(NUMBERS)
    # Chunk by chunk, in the source's order.
    for result, start in zip(first, range(0, 10, 3), strict=True):
        assert fake.account.orders[result.order.id].recipients == tuple(NUMBERS[start : start + 3])
    assert len(sends(fake)) == 4

    fake.requests.clear()
    async with client_on(fake) as client:  # another process: a fresh client and ledger
        campaign = Campaign(client, "spring", ledger=await ledgers())
        second = await run_all(campaign, NUMBERS)
        status = await campaign.status()
    assert [r.state for r in second] == ["skipped"] * 4
    assert [r.order.id for r in second] == [r.order.id for r in first]
    assert [r.recipients for r in second] == [3, 3, 3, 1]
    assert sends(fake) == []
    assert fake.requests == []  # a finished campaign reads only its ledger
    assert status == CampaignStatus(
        chunks=4,
        sent=4,
        unknown=0,
        invalid=0,
        duplicates=0,
        recipients_sent=10,
        orders=tuple(r.order.id for r in first),
    )


async def test_a_chunk_dropped_after_processing_is_resolved_never_resent(
    fake: FakeIletiMerkezi, ledgers: Ledgers
) -> None:
    async with client_on(fake) as client:
        campaign = Campaign(client, "spring", ledger=await ledgers(), settle=SETTLE)
        results = []
        async for result in campaign.run(NUMBERS, TEXT, chunk_size=3):
            results.append(result)
            if result.index == 0:
                fake.drop("send-sms", when="after")  # chunk 1: the order exists, no answer
        status = await campaign.status()
    assert [r.state for r in results] == ["sent", "resolved", "sent", "sent"]
    dropped = [r for r in sends(fake) if r.fault == "drop:after"]
    assert len(dropped) == 1 and dropped[0].processed
    assert len(sends(fake)) == 4  # no resend
    # The resolved order is the one the dropped request created, with chunk 1's numbers.
    assert fake.account.orders[results[1].order.id].recipients == tuple(NUMBERS[3:6])
    assert received(fake) == Counter(NUMBERS)
    assert_agrees(status, fake, results)


async def test_a_chunk_dropped_before_processing_is_resent_after_the_settle_time(
    fake: FakeIletiMerkezi, ledgers: Ledgers
) -> None:
    clock = VirtualClock(start=fake.clock.now(), on_advance=fake.advance)
    async with fake.client(default_sender="APITEST", send_limiter=None, clock=clock) as client:
        campaign = Campaign(client, "spring", ledger=await ledgers(), settle=SETTLE)
        results = []
        async for result in campaign.run(NUMBERS, TEXT, chunk_size=3):
            results.append(result)
            if result.index == 1:
                fake.drop("send-sms", when="before")  # chunk 2: no order
        status = await campaign.status()
    assert [r.state for r in results] == ["sent", "sent", "resent", "sent"]
    # Proven absent only once the settle time had passed on the client's clock.
    assert sum(clock.sleeps) >= SETTLE
    chunk2 = [
        r
        for r in sends(fake)
        if r.body["request"]["order"]["message"]["receipents"]["number"] == NUMBERS[6:9]
    ]
    assert [(r.fault, r.processed) for r in chunk2] == [("drop:before", False), (None, True)]
    assert len(fake.account.orders) == 4
    assert received(fake) == Counter(NUMBERS)
    assert_agrees(status, fake, results)


def personal(numbers: list[str]) -> list[tuple[str, str]]:
    """(number, text) pairs: three texts, so each chunk of 3 is a multi-text order."""
    return [(n, f"Merhaba {i % 3}: kodunuz {i % 3:04d}") for i, n in enumerate(numbers)]


@pytest.mark.parametrize("kind", ["numbers", "pairs"])
async def test_a_run_cancelled_while_its_send_stalls_is_resolved_by_the_next(
    fake: FakeIletiMerkezi, ledgers: Ledgers, kind: str
) -> None:
    """A crash in all but name: the order exists, the ledger says ``sending``."""
    source: list[Any] = NUMBERS if kind == "numbers" else personal(NUMBERS)
    text = TEXT if kind == "numbers" else None
    seen: list[ChunkResult] = []
    async with client_on(fake, default_sender="ACME") as client:
        campaign = Campaign(client, "spring", ledger=await ledgers(), settle=SETTLE)

        async def consume() -> None:
            async for result in campaign.run(source, text, chunk_size=3):
                seen.append(result)
                if result.index == 0:
                    fake.stall("send-sms", 5, when="after")  # chunk 1: processed, then 5 s

        task = asyncio.create_task(consume())
        for _ in range(1000):
            if any(r.fault == "stall:after" and r.processed for r in sends(fake)):
                break
            await asyncio.sleep(0.01)
        else:
            pytest.fail("chunk 1's send never reached the fake")
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        before = await campaign.status()
    assert [r.state for r in seen] == ["sent"]
    assert before.chunks == 2 and before.sent == 1 and before.unknown == 1
    assert len(fake.account.orders) == 2  # chunk 1's order exists

    async with client_on(fake, default_sender="ACME") as client:
        campaign = Campaign(client, "spring", ledger=await ledgers(), settle=SETTLE)
        results = await run_all(campaign, source, text)
        status = await campaign.status()
    assert [r.state for r in results] == ["skipped", "resolved", "sent", "sent"]
    assert len(sends(fake)) == 4  # chunk 1 was never sent again
    assert received(fake) == Counter(NUMBERS)
    assert_agrees(status, fake, results)
    if kind == "pairs":
        expected = dict(personal(NUMBERS))
        for order in fake.account.orders.values():
            assert {m.number: m.text for m in order.messages} == {
                n: expected[n] for n in order.recipients
            }


# --------------------------------------------------------------------- the source


async def test_duplicates_and_invalid_numbers_are_counted_and_never_sent(
    fake: FakeIletiMerkezi, ledgers: Ledgers
) -> None:
    a, b, c, d, e = NUMBERS[:5]
    source: list[object] = [
        a,
        "05050000001",  # a again, another spelling
        "abc",
        b,
        "0505 000 00 02",  # b again
        "+902121234567",  # a landline
        c,
        None,
        5050000004,  # d, as an int
        "5051234",  # too short
        a,  # a, a third time
        e,
        True,
        "505-000-00-03",  # c again
        12.5,
    ]
    async with client_on(fake) as client:
        campaign = Campaign(client, "spring", ledger=await ledgers())
        results = await run_all(campaign, source, chunk_size=2)
        status = await campaign.status()
        again = await run_all(
            Campaign(client, "spring", ledger=await ledgers()), source, chunk_size=2
        )
    assert received(fake) == Counter([a, b, c, d, e])
    assert [fake.account.orders[r.order.id].recipients for r in results] == [(a, b), (c, d), (e,)]
    # Only normalised, valid numbers went out.
    numbers = [
        n
        for r in sends(fake)
        for n in r.body["request"]["order"]["message"]["receipents"]["number"]
    ]
    assert sorted(numbers) == sorted([a, b, c, d, e])
    assert status.invalid == 6
    assert status.duplicates == 4
    assert status.recipients_sent == 5
    assert status.chunks == status.sent == 3
    assert_agrees(status, fake, results)
    assert [r.state for r in again] == ["skipped"] * 3
    assert len(sends(fake)) == 3


@pytest.mark.parametrize("tail", ["full-at-the-batch-end", "invalid-at-the-batch-end"])
async def test_a_repeat_read_in_the_batch_after_its_chunk_filled_is_a_duplicate(
    fake: FakeIletiMerkezi, ledgers: Ledgers, tail: str
) -> None:
    """Chunk 0 fills at the end of a read batch and goes out early in the next one.

    Its owners were looked up before it was recorded, so a repeat of one of
    its numbers after it went out must still be known as chunk 0's.
    """
    size = READ_BATCH if tail == "full-at-the-batch-end" else READ_BATCH - 1
    numbers = [f"+90505{i:07d}" for i in range(size + 2)]
    source = numbers[:size] + (["invalid"] if size < READ_BATCH else []) + numbers[size:]
    source.insert(READ_BATCH + 1, numbers[5])  # right after chunk 1's first number
    async with client_on(fake) as client:
        campaign = Campaign(client, "spring", ledger=await ledgers())
        results = await run_all(campaign, source, chunk_size=size)
        status = await campaign.status()
        assert received(fake) == Counter(numbers)  # numbers[5] once, not in chunk 1 as well
        # A resume cuts the same chunks (with the repeat in chunk 1 it saw a mismatch).
        again = await run_all(
            Campaign(client, "spring", ledger=await ledgers()), source, chunk_size=size
        )
    assert [r.recipients for r in results] == [size, 2]
    assert status.duplicates == 1
    assert status.invalid == (1 if size < READ_BATCH else 0)
    assert_agrees(status, fake, results)
    assert [r.state for r in again] == ["skipped", "skipped"]


class HeldOnce(SqliteLedger):
    """Chunk ``held`` is another worker's on the first try (a holder that died early)."""

    def __init__(self, path: Path, held: int) -> None:
        super().__init__(path)
        self.held = held
        self.refused = 0

    async def claim(self, campaign: str, index: int) -> Claim | None:
        if index == self.held and not self.refused:
            self.refused += 1
            return None
        return await super().claim(campaign, index)


async def test_a_chunk_passed_over_still_owns_its_numbers(fake: FakeIletiMerkezi, db: Path) -> None:
    """A repeat of a number of a chunk held elsewhere, read batches later, is a duplicate.

    Chunk 1 is passed over on the first pass and taken on the second (as
    when its holder's lease lapses); a repeat of one of its numbers read
    after the next look-up of owners must not go out in chunk 4 as well.
    """
    numbers = [f"+90505{i:07d}" for i in range(2 * READ_BATCH + 2)]
    source = [*numbers[: 2 * READ_BATCH + 1], numbers[1500], *numbers[2 * READ_BATCH + 1 :]]
    ledger = HeldOnce(db, held=1)
    try:
        async with client_on(fake) as client:
            campaign = Campaign(client, "spring", ledger=ledger)
            results = await run_all(campaign, source, chunk_size=READ_BATCH // 2)
            status = await campaign.status()
    finally:
        await ledger.close()
    assert ledger.refused == 1
    assert received(fake) == Counter(numbers)  # numbers[1500] once, in chunk 1 only
    assert [(r.index, r.state) for r in results if r.state != "skipped"] == [
        (0, "sent"),
        (2, "sent"),
        (3, "sent"),
        (4, "sent"),
        (1, "sent"),
    ]
    assert status.duplicates == 1
    assert status.recipients_sent == len(numbers)


class Overtaken(SqliteLedger):
    """While this worker waits for chunk 1's claim, another one runs the whole campaign."""

    def __init__(self, path: Path, other: Callable[[], Awaitable[object]]) -> None:
        super().__init__(path)
        self.other: Callable[[], Awaitable[object]] | None = other

    async def claim(self, campaign: str, index: int) -> Claim | None:
        if index == 1 and self.other is not None:
            other, self.other = self.other, None
            await other()
        return await super().claim(campaign, index)


async def test_a_chunk_finished_by_another_worker_before_the_claim_is_skipped(
    fake: FakeIletiMerkezi, db: Path
) -> None:
    async with client_on(fake) as client, client_on(fake) as other_client:

        async def other_worker() -> None:
            results = await run_all(Campaign(other_client, "spring", ledger=ledger), NUMBERS)
            assert [r.state for r in results] == ["skipped", "sent", "sent", "sent"]
            fake.advance(601)  # past the server's duplicate guard: a resend would be an order

        ledger = Overtaken(db, other_worker)
        try:
            results = await run_all(Campaign(client, "spring", ledger=ledger), NUMBERS)
        finally:
            await ledger.close()
    assert ledger.other is None  # the other worker ran
    assert received(fake) == Counter(NUMBERS)  # chunk 1 not sent a second time
    assert len(sends(fake)) == 4
    assert [r.state for r in results] == ["sent", "skipped", "skipped", "skipped"]


async def test_two_runs_of_one_campaign_at_once_send_each_chunk_once(ledgers: Ledgers) -> None:
    """Two tasks run the same campaign on one ledger: each passes over the other's chunks."""
    numbers = [f"+90505{i:07d}" for i in range(40)]
    # 10 ms per answer, so the two runs are in the middle of their chunks together.
    async with FakeIletiMerkezi(rate_limit=None, latency=0.01) as fake, client_on(fake) as client:
        ledger = await ledgers()
        first, second = await asyncio.gather(
            run_all(Campaign(client, "spring", ledger=ledger), numbers, chunk_size=5),
            run_all(Campaign(client, "spring", ledger=ledger), numbers, chunk_size=5),
        )
        assert received(fake) == Counter(numbers)
        assert len(sends(fake)) == 8
        status = await Campaign(client, "spring", ledger=ledger).status()
    done = [r for r in (*first, *second) if r.state != "skipped"]
    assert sorted(r.index for r in done) == list(range(8))
    assert {r.state for r in done} == {"sent"}
    assert status.sent == 8 and status.recipients_sent == 40


async def test_pairs_make_multi_text_orders_with_each_numbers_own_text(
    fake: FakeIletiMerkezi, ledgers: Ledgers
) -> None:
    pairs = personal(NUMBERS)
    pairs.insert(4, (NUMBERS[0], "ikinci metin"))  # a duplicate number: the first text wins
    async with client_on(fake, default_sender="ACME") as client:
        campaign = Campaign(client, "spring", ledger=await ledgers())
        results = await run_all(campaign, pairs, None)
        status = await campaign.status()
    expected = dict(personal(NUMBERS))
    assert [r.state for r in results] == ["sent"] * 4
    for result in results:
        order = fake.account.orders[result.order.id]
        assert order.sender == "ACME"
        assert {m.number: m.text for m in order.messages} == {
            n: expected[n] for n in order.recipients
        }
    first = fake.account.orders[results[0].order.id]
    assert sorted(first.texts) == sorted({expected[n] for n in NUMBERS[:3]})
    assert received(fake) == Counter(NUMBERS)
    assert status.duplicates == 1
    assert_agrees(status, fake, results)


# --------------------------------------------------------------------- mismatches


async def test_a_number_swapped_in_a_begun_chunk_is_a_mismatch_and_nothing_is_sent(
    fake: FakeIletiMerkezi, ledgers: Ledgers
) -> None:
    async with client_on(fake) as client:
        async for result in Campaign(client, "spring", ledger=await ledgers()).run(
            NUMBERS, TEXT, chunk_size=3
        ):
            assert result.index == 0
            break  # chunk 0 done, the rest never begun
        fake.requests.clear()
        changed = [*NUMBERS]
        changed[1] = "+905329999999"
        with pytest.raises(CampaignMismatchError) as caught:
            await run_all(Campaign(client, "spring", ledger=await ledgers()), changed)
        # The same source still resumes.
        results = await run_all(Campaign(client, "spring", ledger=await ledgers()), NUMBERS)
    assert caught.value.field == "source"
    assert "chunk 0" in caught.value.rule
    assert [r.state for r in results] == ["skipped", "sent", "sent", "sent"]
    assert received(fake) == Counter(NUMBERS)


async def test_a_swap_in_a_chunk_left_sending_is_a_mismatch(
    fake: FakeIletiMerkezi, ledgers: Ledgers
) -> None:
    async with client_on(fake) as client:
        campaign = Campaign(client, "spring", ledger=await ledgers(), settle=SETTLE)
        fake.fail("send-sms", 400)  # chunk 0 refused: its record stays "sending"
        with pytest.raises(im.IletiMerkeziError):
            await run_all(campaign, NUMBERS)
        assert (await campaign.status()).unknown == 1
        fake.requests.clear()
        changed = [*NUMBERS]
        changed[2] = "+905329999999"
        with pytest.raises(CampaignMismatchError) as caught:
            await run_all(campaign, changed)
    assert caught.value.field == "source"
    assert fake.requests == []


@pytest.mark.parametrize(
    ("field", "change"),
    [
        ("text", {"text": "Başka bir metin"}),
        ("sender", {"sender": "ACME"}),
        ("chunk_size", {"chunk_size": 4}),
    ],
)
async def test_changed_settings_are_a_mismatch_before_any_request(
    fake: FakeIletiMerkezi, ledgers: Ledgers, field: str, change: dict[str, Any]
) -> None:
    async with client_on(fake) as client:
        async for _ in Campaign(client, "spring", ledger=await ledgers()).run(
            NUMBERS, TEXT, chunk_size=3
        ):
            break
        fake.requests.clear()
        kw: dict[str, Any] = {"text": TEXT, "chunk_size": 3, **change}
        text = kw.pop("text")
        with pytest.raises(CampaignMismatchError) as caught:
            await run_all(Campaign(client, "spring", ledger=await ledgers()), NUMBERS, text, **kw)
        # Another campaign name on the same ledger is another campaign (another text too,
        # or the server's duplicate guard would refuse chunk 0: 451).
        other = await run_all(
            Campaign(client, "autumn", ledger=await ledgers()), NUMBERS, f"{text} (2)", **kw
        )
    assert caught.value.field == field
    assert [r.state for r in other] == ["sent"] * len(other)
    assert len(sends(fake)) == len(other)


# --------------------------------------------------------------------- bad arguments

BAD_RUNS: list[tuple[str, Any, dict[str, Any]]] = [
    ("chunk_size", NUMBERS, {"chunk_size": 0}),
    ("chunk_size", NUMBERS, {"chunk_size": 50_001}),
    ("chunk_size", NUMBERS, {"chunk_size": True}),
    ("chunk_size", NUMBERS, {"chunk_size": "3"}),
    ("source", "+905050000001", {}),
    ("source", 5050000001, {}),
    ("text", NUMBERS, {"text": ""}),
    ("text", NUMBERS, {"text": 7}),
    ("sender", NUMBERS, {"sender": "A" * 12}),
    ("send_at", NUMBERS, {"send_at": "tomorrow"}),
    ("send_at", NUMBERS, {"send_at_naive": True}),
    ("send_at", NUMBERS, {"send_at_past": True}),
    ("iys", NUMBERS, {"iys": "XYZ"}),
    ("text", personal(NUMBERS), {}),  # pairs, and a text as well
    ("text", NUMBERS, {"text": None}),  # numbers without a text
    ("source[3]", [*NUMBERS[:3], (NUMBERS[3], "x")], {}),  # mixed
    ("source[1]", [(NUMBERS[0], "x"), (NUMBERS[1], 5)], {"text": None}),
    ("source[1].text", [(NUMBERS[0], "x"), (NUMBERS[1], " ")], {"text": None}),
]


@pytest.mark.parametrize(
    ("field", "source", "kw"), BAD_RUNS, ids=[f"{f}-{i}" for i, (f, _, _) in enumerate(BAD_RUNS)]
)
async def test_bad_run_arguments_are_refused_before_any_request(
    fake: FakeIletiMerkezi,
    ledgers: Ledgers,
    field: str,
    source: Any,
    kw: dict[str, Any],
) -> None:
    async with client_on(fake) as client:
        kw = {"text": TEXT, **kw}
        if kw.pop("send_at_naive", False):
            kw["send_at"] = client.clock.now().replace(tzinfo=None) + timedelta(hours=1)
        if kw.pop("send_at_past", False):
            kw["send_at"] = client.clock.now() - timedelta(minutes=5)
        text = kw.pop("text")
        ledger = await ledgers()
        with pytest.raises(im.InvalidRequestError) as caught:
            await run_all(Campaign(client, "spring", ledger=ledger), source, text, **kw)
        status = await Campaign(client, "spring", ledger=ledger).status()
    assert caught.value.field == field
    assert not isinstance(caught.value, CampaignMismatchError)
    assert fake.requests == []
    assert status.chunks == 0  # nothing begun


@pytest.mark.parametrize(
    ("field", "kw"),
    [
        ("name", {"name": ""}),
        ("name", {"name": "   "}),
        ("name", {"name": "x" * 201}),
        ("name", {"name": 7}),
        ("ledger", {"ledger": "campaign.db"}),
        ("settle", {"settle": -1}),
        ("settle", {"settle": True}),
        ("settle", {"settle": float("nan")}),
        ("settle", {"settle": "30"}),
    ],
)
async def test_bad_campaign_arguments_are_refused(
    fake: FakeIletiMerkezi, ledgers: Ledgers, field: str, kw: dict[str, Any]
) -> None:
    async with client_on(fake) as client:
        args: dict[str, Any] = {"name": "spring", "ledger": await ledgers(), **kw}
        with pytest.raises(im.InvalidRequestError) as caught:
            Campaign(client, args.pop("name"), **args)
    assert caught.value.field == field
    assert fake.requests == []


# --------------------------------------------------------------------- the ledger


async def test_a_second_ledger_on_the_same_file_is_refused_while_the_first_is_open(
    fake: FakeIletiMerkezi, db: Path
) -> None:
    first, second = SqliteLedger(db), SqliteLedger(db)
    try:
        async with client_on(fake) as client:
            await run_all(Campaign(client, "spring", ledger=first), NUMBERS[:3])
            fake.requests.clear()
            with pytest.raises(im.ConfigurationError, match="another process"):
                await run_all(Campaign(client, "spring", ledger=second), NUMBERS[:3])
            with pytest.raises(im.ConfigurationError):
                await second.records("spring")
            assert fake.requests == []
            await first.close()
            # Once the first lets go, the second opens and sees the campaign.
            again = await run_all(Campaign(client, "spring", ledger=second), NUMBERS[:3])
    finally:
        await first.close()
        await second.close()
    assert [r.state for r in again] == ["skipped"]


@pytest.fixture
def broken_db(db: Path) -> Path:
    db.write_bytes(b"not a database " * 300)
    return db


async def test_a_ledger_file_that_fails_to_open_fails_the_same_way_again(broken_db: Path) -> None:
    """Not "another process": the lock this ledger took on the first try is its own."""
    ledger = SqliteLedger(broken_db)
    try:
        for _ in range(2):
            with pytest.raises(sqlite3.DatabaseError):
                await ledger.records("spring")
        # While it is open, another ledger on the file is still refused.
        other = SqliteLedger(broken_db)
        with pytest.raises(im.ConfigurationError):
            await other.records("spring")
        await other.close()
    finally:
        await ledger.close()
    # Closed, it lets go: the next one gets as far as the file.
    after = SqliteLedger(broken_db)
    try:
        with pytest.raises(sqlite3.DatabaseError):
            await after.records("spring")
    finally:
        await after.close()


def _files(db: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in db.parent.iterdir() if p.name.startswith(db.name)}


async def test_the_ledger_file_holds_no_phone_number_and_no_text(
    fake: FakeIletiMerkezi, db: Path
) -> None:
    numbers = [f"+9053{i:08d}" for i in range(7, 7_000_000, 350_003)]  # 20 numbers
    pairs = [(n, f"Sayın müşterimiz {n[-4:]} no'lu siparişiniz") for n in numbers]
    ledger = SqliteLedger(db)
    try:
        async with client_on(fake, default_sender="ACME") as client:
            fake.drop("send-sms", when="after")  # an "unknown" record, resolved
            await run_all(
                Campaign(client, "plain", ledger=ledger, settle=SETTLE), numbers, TEXT, chunk_size=7
            )
            fake.drop("send-sms", when="before")  # an absent one, resent
            await run_all(
                Campaign(client, "personal", ledger=ledger, settle=SETTLE),
                pairs,
                None,
                chunk_size=7,
            )
        open_files = _files(db)
    finally:
        await ledger.close()
    closed_files = _files(db)
    assert f"{db.name}-wal" in open_files  # the WAL was there to be searched
    assert received(fake) == Counter(numbers * 2)
    needles = [n[3:].encode() for n in numbers]  # the national digits, 5xxxxxxxxx
    needles += [TEXT.encode(), "Sayın müşterimiz".encode(), "siparişiniz".encode()]
    for files in (open_files, closed_files):
        assert files
        for name, data in files.items():
            found = [needle for needle in needles if needle in data]
            assert found == [], name


async def test_a_scheduled_campaign_passes_its_send_at_to_every_order(
    fake: FakeIletiMerkezi, ledgers: Ledgers
) -> None:
    async with client_on(fake) as client:
        send_at = client.clock.now() + timedelta(hours=2, minutes=30, seconds=42)
        campaign = Campaign(client, "spring", ledger=await ledgers())
        results = await run_all(campaign, NUMBERS, send_at=send_at)
        again = await run_all(
            Campaign(client, "spring", ledger=await ledgers()), NUMBERS, send_at=send_at
        )
    minute = send_at.replace(second=0, microsecond=0)
    assert [r.state for r in results] == ["sent"] * 4
    assert [r.state for r in again] == ["skipped"] * 4
    for order in fake.account.orders.values():
        assert order.scheduled
        assert not order.schedule_dropped
        assert order.send_at == minute
    assert received(fake) == Counter(NUMBERS)


async def test_a_scheduled_campaign_resumes_after_its_send_at_has_passed(
    fake: FakeIletiMerkezi, ledgers: Ledgers
) -> None:
    """Cut short before its time, resumed after it: the rest goes out at once.

    Chunk 1 is left ``sending`` with its (scheduled) order at the fake; its
    recipients can be read, and so the order found, once its time has come.
    """
    async with client_on(fake) as client:
        send_at = client.clock.now() + timedelta(minutes=10)
        campaign = Campaign(client, "spring", ledger=await ledgers(), settle=SETTLE)

        async def consume() -> None:
            async for result in campaign.run(NUMBERS, TEXT, chunk_size=3, send_at=send_at):
                assert result.index == 0
                fake.stall("send-sms", 5, when="after")

        task = asyncio.create_task(consume())
        for _ in range(1000):
            if any(r.fault == "stall:after" and r.processed for r in sends(fake)):
                break
            await asyncio.sleep(0.01)
        else:
            pytest.fail("chunk 1's send never reached the fake")
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert len(fake.account.orders) == 2
    fake.advance(timedelta(minutes=15))  # the process is back after send_at

    async with client_on(fake) as client:
        campaign = Campaign(client, "spring", ledger=await ledgers(), settle=SETTLE)
        results = await run_all(campaign, NUMBERS, send_at=send_at)
        status = await campaign.status()
    assert [r.state for r in results] == ["skipped", "resolved", "sent", "sent"]
    assert received(fake) == Counter(NUMBERS)
    assert_agrees(status, fake, results)
    minute = send_at.replace(second=0, microsecond=0)
    orders = [fake.account.orders[r.order.id] for r in results]
    assert [o.scheduled for o in orders] == [True, True, False, False]
    assert [o.send_at == minute for o in orders] == [True, True, False, False]
    # Sent late, so at once: at the server's now, after the schedule.
    assert all(o.send_at > minute for o in orders[2:])


async def test_a_past_send_at_is_refused_while_nothing_is_begun_and_leaves_no_trace(
    fake: FakeIletiMerkezi, ledgers: Ledgers
) -> None:
    async with client_on(fake) as client:
        campaign = Campaign(client, "spring", ledger=await ledgers())
        past = client.clock.now() - timedelta(minutes=1)
        with pytest.raises(im.InvalidRequestError) as caught:
            await run_all(campaign, NUMBERS, send_at=past)
        assert caught.value.field == "send_at"
        assert fake.requests == []
        # Its settings were not stored: the same name with a future time is not a mismatch.
        future = client.clock.now() + timedelta(hours=1)
        results = await run_all(campaign, NUMBERS, send_at=future)
    assert [r.state for r in results] == ["sent"] * 4
