"""A campaign worker for the crash test (run by path, not collected).

    python _crash_worker.py --url URL --key K --hash H --ledger PATH
                            [--seed S] [--recipients N] [--chunk-size C] [--settle S]
                            [--timeout S] [--clock-offset S]

Runs the campaign ``crash`` of :func:`source` on a ``SqliteLedger`` at
``--ledger``, resuming whatever an earlier (killed) run left.  For every
chunk it works on, it prints ``CHUNK <index> <state> <order id>
<recipients>`` as soon as the campaign yields it (a chunk done in an
earlier run, ``skipped``, is only counted); at the end ``DONE`` and the
campaign's status as JSON.  Any exception ends it with a traceback and a
non-zero status.  ``--clock-offset`` puts its clock that far ahead of the
system's, in step with a fake whose clock was advanced.

The source is generated here and in the test from the same seed, so both
know exactly which numbers it holds: :func:`source` yields ``recipients``
distinct valid numbers in order, with repeats of earlier ones (in other
spellings) and invalid items mixed in, and :func:`expected` says what a
correct campaign must make of it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
from collections.abc import Iterator
from datetime import datetime, timedelta

import attrs

import iletimerkezi_async as im
from iletimerkezi_async.campaigns import Campaign, SqliteLedger
from iletimerkezi_async.clock import SystemClock

CAMPAIGN = "crash"
TEXT = "Bahar kampanyası: tüm ürünlerde %20 indirim"
DUPLICATE_RATE = 0.03
INVALID_RATE = 0.0005
_INVALID = ("5051234", "+902121234567", "abc-def", "", "+90 0505 123 45 67", "05051234567890")


def number(j: int, seed: int) -> str:
    """The ``j``-th distinct number: ``+90505`` and 7 digits, a permutation of ``j``."""
    return f"+90505{(j * 7919 + seed) % 10**7:07d}"  # 7919 is prime to 10**7: all distinct


def _spelling(n: str, how: int) -> str:
    national = n[3:]
    return (
        n,
        f"0{national}",
        national,
        f"+90 {national[:3]} {national[3:6]} {national[6:8]} {national[8:]}",
    )[how]


@attrs.frozen
class Expected:
    valid: frozenset[str]
    invalid: int
    duplicates: int
    items: int


def _items(seed: int, recipients: int) -> Iterator[tuple[str, str]]:
    """(kind, item) in source order: kind is ``new``, ``repeat`` or ``invalid``."""
    rng = random.Random(seed)
    made = 0
    while made < recipients:
        r = rng.random()
        if r < INVALID_RATE:
            yield "invalid", rng.choice(_INVALID)
        elif r < INVALID_RATE + DUPLICATE_RATE and made:
            yield "repeat", _spelling(number(rng.randrange(made), seed), rng.randrange(4))
        else:
            yield "new", number(made, seed)
            made += 1


def source(seed: int, recipients: int) -> Iterator[str]:
    """The campaign's source: the same items, in the same order, for the same arguments."""
    return (item for _, item in _items(seed, recipients))


def expected(seed: int, recipients: int) -> Expected:
    kinds = [kind for kind, _ in _items(seed, recipients)]
    return Expected(
        valid=frozenset(number(j, seed) for j in range(recipients)),
        invalid=kinds.count("invalid"),
        duplicates=kinds.count("repeat"),
        items=len(kinds),
    )


class OffsetClock(SystemClock):
    """The system clock, ``offset`` seconds ahead: in step with a fake that was advanced."""

    def __init__(self, offset: float) -> None:
        self.offset = timedelta(seconds=offset)

    def now(self) -> datetime:
        return super().now() + self.offset


async def run(args: argparse.Namespace) -> None:
    ledger = SqliteLedger(args.ledger)
    client = im.Client(
        args.key,
        args.hash,
        base_url=args.url,
        send_limiter=None,  # the fake's own limit is off too
        default_sender="APITEST",
        timeout=args.timeout,
        retry=im.RetryPolicy(attempts=6, base=0.05, cap=0.5),
        clock=OffsetClock(args.clock_offset),
    )
    try:
        async with client:
            campaign = Campaign(client, CAMPAIGN, ledger=ledger, settle=args.settle)
            skipped = 0
            chunks = campaign.run(
                source(args.seed, args.recipients), TEXT, chunk_size=args.chunk_size
            )
            async for chunk in chunks:
                if chunk.state == "skipped":
                    skipped += 1
                    continue
                print(
                    f"CHUNK {chunk.index} {chunk.state} {chunk.order.id} {chunk.recipients}",
                    flush=True,
                )
            status = attrs.asdict(await campaign.status())
            print("DONE " + json.dumps({**status, "skipped": skipped}), flush=True)
    finally:
        await ledger.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--hash", required=True)
    parser.add_argument("--ledger", required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--recipients", type=int, default=200_000)
    parser.add_argument("--chunk-size", type=int, default=1000)
    parser.add_argument("--settle", type=float, default=1.0)
    parser.add_argument("--timeout", type=float, default=3.0)
    parser.add_argument("--clock-offset", type=float, default=0.0)
    asyncio.run(run(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
