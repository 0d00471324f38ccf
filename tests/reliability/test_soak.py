"""Soak: 5,000 sends through random faults; no duplicate order, and every send accounted for.

Two kinds of fault run together:

* the fake's random injector (``fault_rate=0.05``, fixed seed): a 503 envelope
  before processing, which a send may retry (with two attempts, a few sends
  meet two in a row and fail with ``ServiceUnavailableError``);
* about 1% of the sends queue one *ambiguous* fault (connection dropped before
  or after processing, HTML 500 before or after, an unreadable 200, a stall
  past the client timeout before or after processing), which a send must
  never retry.

Every logical send has a unique text, so the fake's request log and orders
can be matched to it.  The audit then classifies each send:

* returned an ``Order``: exactly one order with its text exists, with that id;
* ``SendOutcomeUnknownError``: its order exists (unknown but sent) or does not
  (unknown, not sent): at most one either way;
* any other typed error: no order with its text exists (it provably did not send).

and checks that they add up to 5,000 and that the fake holds exactly
"returned + unknown-but-sent" orders, all with distinct texts.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import Callable

import attrs

import iletimerkezi_async as im
from iletimerkezi_async.testing import FakeIletiMerkezi

from ._support import guarded

SENDS = 5000
WORKERS = 50
AMBIGUOUS_SHARE = 0.01
TIMEOUT = 1.5
STALL = 2.0

AMBIGUOUS: list[Callable[[FakeIletiMerkezi], None]] = [
    lambda f: f.drop("send-sms", when="before"),
    lambda f: f.drop("send-sms", when="after"),
    lambda f: f.malform("send-sms", "html"),
    lambda f: f.malform("send-sms", "html_after"),
    lambda f: f.malform("send-sms", "invalid_json"),
    lambda f: f.malform("send-sms", "truncated"),
    lambda f: f.malform("send-sms", "empty"),
    lambda f: f.stall("send-sms", STALL, when="before"),
    lambda f: f.stall("send-sms", STALL, when="after"),
]


@attrs.define
class Outcome:
    text: str
    order: im.Order | None = None
    error: BaseException | None = None


def _text(i: int) -> str:
    return f"Siparisiniz {i:05d} yola cikti, takip kodu {random.Random(i).randrange(10**6):06d}"


async def test_five_thousand_sends_through_random_faults() -> None:
    rng = random.Random(20260101)
    outcomes = [Outcome(_text(i)) for i in range(SENDS)]
    work: asyncio.Queue[int] = asyncio.Queue()
    for i in range(SENDS):
        work.put_nowait(i)

    async with FakeIletiMerkezi(
        senders=("ACME",), rate_limit=None, sms_credits=10**7, fault_rate=0.05, seed=5
    ) as fake:
        # Two attempts: a send meets two 503s in a row about once in 400, so a dozen or
        # so fail plainly, and the audit proves that none of those created an order.
        retry = im.RetryPolicy(attempts=2, base=0.001, cap=0.005, rng=random.Random(5))
        bucket = im.TokenBucket(rate=100_000, per=1.0)
        async with fake.client(retry=retry, timeout=TIMEOUT, send_limiter=bucket) as client:

            async def worker() -> None:
                while not work.empty():
                    i = work.get_nowait()
                    if rng.random() < AMBIGUOUS_SHARE:
                        rng.choice(AMBIGUOUS)(fake)
                    number = f"5{rng.choice('0345')}{i % 10}{i:07d}"
                    try:
                        outcomes[i].order = await client.sms.send(
                            number, outcomes[i].text, sender="ACME"
                        )
                    except Exception as exc:
                        outcomes[i].error = exc

            await guarded(asyncio.gather(*(worker() for _ in range(WORKERS))), 120)
        assert client.closed
        assert fake.pending_faults("send-sms") == 0

    # The fake is closed: no request is still being handled, so its state is final.
    orders_by_text: dict[str, list[str]] = {}
    for order in fake.account.orders.values():
        orders_by_text.setdefault(order.text, []).append(order.id)
    processed = Counter(
        r.body["request"]["order"]["message"]["text"]
        for r in fake.sent_requests("send-sms")
        if r.processed
    )
    kinds: Counter[str] = Counter()
    for outcome in outcomes:
        made = orders_by_text.get(outcome.text, [])
        assert len(made) == processed[outcome.text] <= 1, f"{outcome.text!r}: orders {made}"
        if outcome.order is not None:
            assert outcome.error is None
            assert made == [outcome.order.id]
            kinds["returned"] += 1
        elif isinstance(outcome.error, im.SendOutcomeUnknownError):
            assert outcome.error.maybe_sent is True
            kinds["unknown, sent" if made else "unknown, not sent"] += 1
        else:
            assert isinstance(outcome.error, im.IletiMerkeziError), f"raw {outcome.error!r}"
            assert made == [], f"{outcome.error!r} but an order exists"
            kinds["failed, not sent"] += 1

    assert kinds.total() == SENDS, kinds
    assert len(fake.account.orders) == kinds["returned"] + kinds["unknown, sent"], kinds
    # No two orders for one logical send: every text at the fake is distinct.
    assert len(orders_by_text) == len(fake.account.orders)
    # Both fault kinds really happened, so the accounting above was exercised.
    faults = Counter(r.fault for r in fake.sent_requests("send-sms") if r.fault is not None)
    assert faults["fail:503"] >= SENDS * 0.03, faults
    assert kinds["unknown, sent"] >= 1 and kinds["unknown, not sent"] >= 1, kinds
    assert kinds["failed, not sent"] >= 1, kinds
    assert kinds["returned"] >= SENDS * 0.95, kinds
