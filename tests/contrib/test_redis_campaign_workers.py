"""Four worker processes run one campaign on one RedisLedger and one RedisTokenBucket.

The fake server runs in this test's event loop with the account's limit
(``rate_limit=100`` recipients/s); the workers (``_campaign_worker.py``, run
by path) all run ``Campaign(...).run`` over the same list, so each one passes
over what the others hold and comes back for what a dead one left.  Mid-run:

1. the fake stalls one send's answer after creating its order, and the
   worker that sent it is SIGKILLed (its chunk stays ``sending``, the order
   exists: whoever takes it over must find it, not send it again);
2. a worker holding a claim is SIGSTOPped until its lease has lapsed in
   Redis, then SIGCONTed (it must notice and stand back);
3. another worker is SIGKILLed.

The two that are left finish.  Every valid number must be in exactly one
order at the fake; the ledger's status must agree with the fake; the budget
is judged on the Redis server's clock, where the bucket lives, as in
test_redis_workers.py (load delays grants and widens their brackets, it
never packs them tighter).  Every wait is bounded and generous; nothing
asserts speed.  About a minute on a quiet machine: 3,000 recipients at
100/s, plus the takeovers.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import signal
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import pytest
from redis.asyncio import Redis

import iletimerkezi_async
from iletimerkezi_async.campaigns import Campaign
from iletimerkezi_async.contrib.redis import RedisLedger
from iletimerkezi_async.testing import FakeIletiMerkezi

from .._redis import RedisServer
from ._campaign_worker import HEADER
from ._worker import server_time
from .test_redis_workers import BARRIER, Child, children

T = TypeVar("T")

WORKER = Path(__file__).with_name("_campaign_worker.py")
TREE = Path(__file__).resolve().parents[2]
"""The checkout (for ``tests.contrib``) and, first on the path, the package under test."""
PACKAGE_ROOT = Path(iletimerkezi_async.__file__).resolve().parents[1]

PROCESSES = 4
UNIQUE = 3_000
DUPLICATES = 200
INVALID = 100
CHUNK = 100
CHUNKS = UNIQUE // CHUNK
RATE = 100
LEASE_TTL = 2.0
STALL = 15.0
"""Seconds the fake holds the first victim's answer back (its order already made)."""
RUN_TIMEOUT = 600.0
WAIT = 120.0
"""Bound on each wait for something the run will do (an order count, a lapse)."""
CAMPAIGN = "bahar"
LEDGER_KEY, BUCKET_KEY = "test:ledger", "test:send-budget"
CLAIMS, GRANTS = "test:claims", "test:grants"
BAD = ["123", "abc", "55555555555", "4051234567", "3051234567", "50512345678", "+90", "x"]


def build_source() -> tuple[list[str], set[str]]:
    """A shuffled list: UNIQUE numbers in mixed spellings, DUPLICATES repeats, INVALID junk."""
    rng = random.Random(2026)
    national = [f"5{rng.choice('0345')}{i:08d}" for i in range(UNIQUE)]
    spell: list[Callable[[str], str]] = [
        lambda n: n,
        lambda n: "0" + n,
        lambda n: "+90" + n,
        lambda n: f"0 {n[:3]} {n[3:6]} {n[6:8]} {n[8:]}",
    ]
    items = [rng.choice(spell)(n) for n in national]
    items += [rng.choice(spell)(rng.choice(national)) for _ in range(DUPLICATES)]
    items += [rng.choice(BAD) for _ in range(INVALID)]
    rng.shuffle(items)
    return items, {"+90" + n for n in national}


async def until(what: str, check: Callable[[], Awaitable[T | None]], within: float = WAIT) -> T:
    deadline = time.monotonic() + within
    while True:
        value = await check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {within} s waiting for {what}")
        await asyncio.sleep(0.02)


@contextlib.asynccontextmanager
async def workers(
    tmp_path: Path, specs: Sequence[tuple[str, Sequence[str]]]
) -> AsyncIterator[dict[str, Child]]:
    """One ``_campaign_worker.py`` per ``(name, args)``; whatever still runs is killed on exit."""
    async with children(tmp_path, specs, worker=WORKER, pythonpath=(PACKAGE_ROOT, TREE)) as got:
        yield {child.name: child for child in got}


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


async def holders(redis: Redis) -> dict[str, tuple[int, str]]:
    """Who holds which lease right now: worker name → (chunk index, lease value)."""
    claimed: dict[tuple[int, str], str] = {}
    for entry in await redis.lrange(CLAIMS, 0, -1):
        who, index, fence = _text(entry).split(":")
        claimed[(int(index), fence)] = who
    found: dict[str, tuple[int, str]] = {}
    async for key in redis.scan_iter(match=f"{LEDGER_KEY}:*:lease:*"):
        value = await redis.get(key)
        if value is None:
            continue
        chunk = int(_text(key).rpartition(":")[2])
        holder = claimed.get((chunk, _text(value).rpartition(":")[2]))
        if holder is not None:
            found[holder] = (chunk, _text(value))
    return found


async def lease_values(redis: Redis, index: int) -> list[str]:
    """The value of chunk ``index``'s lease (none when free)."""
    keys = [k async for k in redis.scan_iter(match=f"{LEDGER_KEY}:*:lease:{index}")]
    return [_text(v) for v in await redis.mget(keys) if v is not None] if keys else []


async def waiting_for_grants(redis: Redis, after: float) -> set[str]:
    """Workers whose last reservation is granted no earlier than ``after`` (server clock)."""
    last: dict[str, float] = {}
    for entry in await redis.lrange(GRANTS, 0, -1):
        earliest, _, _, name = json.loads(entry)
        last[name] = float(earliest)
    return {name for name, earliest in last.items() if earliest >= after}


def most_surely_within(grants: Sequence[Sequence[float]], width: float) -> float:
    """The most recipients whose grants surely lie inside one window ``[s, s + width)``.

    A grant counts for a window only when its whole bracket is inside (as in
    test_redis_workers.most_surely_within, weighted by each grant's cost).
    """
    brackets = sorted((float(lo), float(hi), float(cost)) for lo, hi, cost in grants)
    best = 0.0
    for i, (start, _, _) in enumerate(brackets):
        best = max(best, sum(c for _, hi, c in brackets[i:] if hi < start + width))
    return best


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and SIGSTOP are POSIX-only")
async def test_four_workers_send_one_campaign_once_through_kills_and_a_pause(
    redis: Redis, redis_server: RedisServer, tmp_path: Path
) -> None:
    source, expected = build_source()
    (tmp_path / "source.json").write_text(json.dumps(source))
    async with FakeIletiMerkezi(rate_limit=RATE, sms_credits=100_000) as fake:

        async def orders_at_least(n: int) -> bool:
            return len(fake.account.orders) >= n

        def mid_run(stage: str) -> None:
            assert len(fake.account.orders) < CHUNKS, f"{stage} must come mid-run"

        common = ["--redis", redis_server.url, "--fake", fake.url, "--source"]
        common += [str(tmp_path / "source.json"), "--campaign", CAMPAIGN]
        common += ["--ledger-key", LEDGER_KEY, "--bucket-key", BUCKET_KEY, "--rate", str(RATE)]
        common += ["--claims", CLAIMS, "--grants", GRANTS, "--barrier", BARRIER]
        common += ["--lease-ttl", str(LEASE_TTL), "--chunk-size", str(CHUNK), "--settle", "1"]
        names = [f"w{i}" for i in range(PROCESSES)]
        async with workers(tmp_path, [(n, common) for n in names]) as by_name:
            await asyncio.gather(*(w.ready() for w in by_name.values()))
            await redis.rpush(BARRIER, *(["go"] * PROCESSES))

            # 1. SIGKILL a worker whose order exists but whose answer has not come.
            await until("3 orders", lambda: orders_at_least(3))
            mid_run("the first kill")
            fake.stall("send-sms", STALL, when="after")

            async def stalled_send() -> Any:
                return next((r for r in fake.requests if r.fault == "stall:after"), None)

            stalled = await until("a stalled send", stalled_send)
            killed_stalled = stalled.headers[HEADER]
            by_name[killed_stalled].proc.kill()
            await asyncio.wait_for(by_name[killed_stalled].proc.wait(), 30)
            # Its order, unless the fake refused that send (the rate limit): then none.
            stalled_numbers = _numbers_of(stalled.body)
            stalled_order = next(
                (
                    o.id
                    for o in fake.account.orders.values()
                    if set(o.recipients) == stalled_numbers
                ),
                None,
            )

            # 2. SIGSTOP a worker that holds a lease, until the lease has lapsed in Redis.
            await until("10 orders", lambda: orders_at_least(10))
            mid_run("the pause")
            awake = [n for n in names if n != killed_stalled]

            async def stop_a_waiting_holder() -> tuple[str, int, str] | None:
                """SIGSTOP a worker that holds a lease and waits for a grant still at least
                0.5 s ahead (so it has not sent that chunk); None: none yet, look again."""
                found = await holders(redis)
                waiting = await waiting_for_grants(redis, await server_time(redis) + 0.5)
                for name in (n for n in awake if n in found and n in waiting):
                    index, value = found[name]
                    by_name[name].proc.send_signal(signal.SIGSTOP)
                    if value in await lease_values(redis, index):  # frozen while holding it
                        return name, index, value
                    by_name[name].proc.send_signal(signal.SIGCONT)
                return None

            stopped, stopped_index, lease_value = await until(
                "a worker to stop while it waits for its grant", stop_a_waiting_holder
            )
            try:

                async def lapsed() -> bool:
                    return lease_value not in await lease_values(redis, stopped_index)

                await until("the stopped worker's lease to lapse", lapsed, LEASE_TTL + WAIT)
                await asyncio.sleep(LEASE_TTL)  # well past it
            finally:
                by_name[stopped].proc.send_signal(signal.SIGCONT)

            # 3. SIGKILL one more, preferably while it holds a lease.
            await until("16 orders", lambda: orders_at_least(16))
            mid_run("the second kill")
            untouched = [n for n in awake if n != stopped]
            found = await holders(redis)
            killed = next((n for n in untouched if n in found), untouched[0])
            by_name[killed].proc.kill()

            survivors = [n for n in names if n not in (killed_stalled, killed)]
            results = dict(
                zip(
                    survivors,
                    await asyncio.gather(*(by_name[n].result(RUN_TIMEOUT) for n in survivors)),
                    strict=True,
                )
            )
        requests = [r for r in fake.requests if r.path == "send-sms"]
        orders = {o.id: o for o in fake.account.orders.values()}
        async with fake.client(default_sender="APITEST", send_limiter=None) as client:
            ledger = RedisLedger(redis, LEDGER_KEY)
            status = await Campaign(client, CAMPAIGN, ledger=ledger).status()
            records = {r.index: r for r in await ledger.records(CAMPAIGN)}
            await ledger.close()

    # Every valid number in exactly one order: none twice, none missing, nothing else.
    sent = Counter(n for o in orders.values() for n in o.recipients)
    duplicates = {n: c for n, c in sent.items() if c > 1}
    missing = expected - set(sent)
    assert not duplicates and not missing and set(sent) == expected

    # The ledger agrees with the fake.
    assert status.chunks == status.sent == CHUNKS and status.unknown == 0
    assert set(status.orders) == set(orders) and len(status.orders) == len(orders) == CHUNKS
    assert status.recipients_sent == UNIQUE == sum(len(o.recipients) for o in orders.values())
    assert (status.invalid, status.duplicates) == (INVALID, DUPLICATES)

    # The killed worker's stalled order was found by whoever took its chunk over.
    if stalled_order is not None:
        (chunk,) = [r for r in records.values() if r.order_id == stalled_order]
        assert chunk.state == "resolved"

    # The stopped worker woke past its deadline and gave its chunk up unsent.
    assert results[stopped]["lost_chunks"] >= 1
    claims = [_text(e).split(":") for e in await redis.lrange(CLAIMS, 0, -1)]
    claimers: dict[int, set[str]] = {}
    for name, index, _ in claims:
        claimers.setdefault(int(index), set()).add(name)
    fences = {int(_text(k)): int(v) for k, v in (await _fence_hash(redis)).items()}
    assert fences[stopped_index] >= 2  # its chunk was claimed again, by it or another

    # One budget for all: never more than the bucket allows in any window, on the
    # server's clock (a grant of a killed worker counts too: it is logged before its wait).
    grants = [json.loads(e)[:3] for e in await redis.lrange(GRANTS, 0, -1)]
    windows = {w: most_surely_within(grants, w) for w in (1.0, 2.0, 5.0, 10.0)}
    for width, most in windows.items():
        assert most <= RATE + RATE * width + 1, (width, most)
    total = sum(cost for _, _, cost in grants)
    span = max(hi for _, hi, _ in grants) - min(lo for lo, _, _ in grants)
    assert span >= (total - RATE) / RATE - 0.01
    refused = [r for r in requests if r.status in (429, 503)]

    taken_over = sorted(i for i, f in fences.items() if f >= 2)
    moved = sorted(i for i, who in claimers.items() if len(who) >= 2)
    print(
        f"\ncampaign workers: {len(orders)} orders, {sum(sent.values())} recipients "
        f"({len(expected)} expected), {len(duplicates)} duplicates, {len(missing)} missing; "
        f"{len(requests)} sends, {len(refused)} refused by the fake's rate limit; "
        f"chunk states {dict(Counter(r.state for r in records.values()))}; "
        f"claimed more than once: {len(taken_over)} chunks {taken_over}, "
        f"by more than one worker: {len(moved)}; "
        f"killed {killed_stalled} (stalled answer, order {stalled_order}) and {killed}, "
        f"stopped {stopped} on chunk {stopped_index} "
        f"(gave up {results[stopped]['lost_chunks']} chunk(s), "
        f"{results[stopped]['lost_leases']} lease(s) found lost); "
        f"budget: most recipients per window "
        + ", ".join(f"{w:g} s: {m:g}" for w, m in windows.items())
        + f"; {total:g} recipients granted over {span:.1f} s of the server's clock"
    )


def _numbers_of(body: Any) -> set[str]:
    numbers = body["request"]["order"]["message"]["receipents"]["number"]
    return {"+90" + str(n)[-10:] for n in ([numbers] if isinstance(numbers, str) else numbers)}


async def _fence_hash(redis: Redis) -> dict[Any, Any]:
    (key,) = [k async for k in redis.scan_iter(match=f"{LEDGER_KEY}:*:fence")]
    return dict(await redis.hgetall(key))
