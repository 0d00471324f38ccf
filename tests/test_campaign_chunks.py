"""A campaign's chunks: every valid number in exactly one chunk, across read batches.

The source is read ``READ_BATCH`` items at a time and each batch's numbers are
looked up in the ledger at once.  A full chunk is held back until the next
number comes (so the invalid numbers and duplicates after it are counted on
it), which means it reaches the ledger only after the next batch was looked
up: a repeat of one of its numbers in that batch must still be a duplicate.
"""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest

from iletimerkezi_async.campaigns import Campaign, SqliteLedger, _chunks
from iletimerkezi_async.testing import FakeIletiMerkezi


def _number(i: int) -> str:
    return f"505{i:07d}"


async def _send(tmp_path: Path, source: list[str], chunk_size: int) -> tuple[Counter[str], int]:
    """(how often each number is in an order, duplicates the ledger counted)."""
    ledger = SqliteLedger(tmp_path / "c.db")
    try:
        async with FakeIletiMerkezi(rate_limit=None) as fake:
            async with fake.client(default_sender="APITEST", send_limiter=None) as client:
                campaign = Campaign(client, "c", ledger=ledger, settle=0.5)
                async for _ in campaign.run(source, "Merhaba", chunk_size=chunk_size):
                    pass
                status = await campaign.status()
            sent = Counter(n for o in fake.account.orders.values() for n in o.recipients)
    finally:
        await ledger.close()
    return sent, status.duplicates


async def test_a_repeat_of_the_held_back_chunk_in_the_next_batch_is_a_duplicate(
    tmp_path: Path,
) -> None:
    # 2,000 numbers fill chunks 0-19 and the first batch; chunk 19 is held back.
    # The next batch brings a new number (chunk 19 goes out) and then one of chunk 19's.
    source = [_number(i) for i in range(_chunks.READ_BATCH)] + [_number(9_999), _number(1_950)]
    sent, duplicates = await _send(tmp_path, source, chunk_size=100)
    assert max(sent.values()) == 1
    assert len(sent) == _chunks.READ_BATCH + 1
    assert duplicates == 1


@pytest.mark.parametrize("seed", range(16))
async def test_every_number_in_one_order_whatever_the_batch_boundaries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    monkeypatch.setattr(_chunks, "READ_BATCH", 7)
    rng = random.Random(seed)
    pool = [_number(i) for i in range(60)]
    source = [rng.choice(pool) if rng.random() < 0.4 else _number(100 + i) for i in range(150)]
    source += ["12", "not a number"]
    rng.shuffle(source)
    sent, duplicates = await _send(tmp_path, source, chunk_size=rng.choice([1, 3, 5, 7, 10]))
    valid = [s for s in source if s.startswith("505")]
    assert set(sent) == {f"+90{n}" for n in valid}
    assert max(sent.values()) == 1
    assert duplicates == len(valid) - len(set(valid))
