"""``SendOutcomeUnknownError.pending``: what an ambiguous send leaves to resolve it with.

Over loopback against the fake: the stalled answer of a send that the server
processed, and the same for a bulk chunk.  The pending record names sender,
recipients, a digest of the text and the submit window, survives to_dict,
JSON and pickling, and never holds the text or shows a number (KVKK).
"""

from __future__ import annotations

import hashlib
import json
import pickle
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

import iletimerkezi_async as im
from iletimerkezi_async.clock import ISTANBUL
from iletimerkezi_async.testing import FakeIletiMerkezi

TEXT = "Kampanya: bugün %20 indirim"


@pytest.fixture
async def fake() -> AsyncIterator[FakeIletiMerkezi]:
    async with FakeIletiMerkezi(rate_limit=None) as f:
        yield f


@pytest.fixture
async def client(fake: FakeIletiMerkezi) -> AsyncIterator[im.Client]:
    async with fake.client(timeout=0.3, send_limiter=None, default_sender="APITEST") as c:
        yield c


async def test_an_unknown_send_says_what_was_sent_and_when(
    fake: FakeIletiMerkezi, client: im.Client
) -> None:
    fake.stall("send-sms", 1.0, when="after")  # processed, then no answer in time
    before = client.clock.now()
    with pytest.raises(im.SendOutcomeUnknownError) as caught:
        await client.sms.send(["05051234567", "+90 532 123 45 67"], TEXT)
    after = client.clock.now()
    pending = caught.value.pending
    assert pending is not None
    assert pending.sender == "APITEST"
    assert pending.recipients == ("+905051234567", "+905321234567")
    assert pending.text_digest == hashlib.sha256(TEXT.encode()).hexdigest()
    assert before <= pending.submitted_after <= pending.submitted_before <= after
    assert pending.submitted_after.tzinfo is ISTANBUL
    assert pending.send_at is None
    # The order the server did create lies in the window (the fake's clock is real time).
    (order,) = fake.account.orders.values()
    assert order.recipients == pending.recipients
    assert pending.submitted_after <= order.submitted_at <= pending.submitted_before


async def test_pending_survives_to_dict_json_and_pickling(
    fake: FakeIletiMerkezi, client: im.Client
) -> None:
    fake.stall("send-sms", 1.0, when="after")
    with pytest.raises(im.SendOutcomeUnknownError) as caught:
        await client.sms.send("5051234567", TEXT)
    pending = caught.value.pending
    assert pending is not None
    data = json.loads(json.dumps(im.to_dict(pending)))
    assert im.from_dict(im.PendingSend, data) == pending
    assert pickle.loads(pickle.dumps(pending)) == pending
    error = pickle.loads(pickle.dumps(caught.value))
    assert error.pending == pending


async def test_pending_never_shows_a_number_or_holds_the_text(
    fake: FakeIletiMerkezi, client: im.Client
) -> None:
    fake.stall("send-sms", 1.0, when="after")
    with pytest.raises(im.SendOutcomeUnknownError) as caught:
        await client.sms.send("5051234567", TEXT)
    pending = caught.value.pending
    assert pending is not None
    for shown in (repr(pending), str(caught.value), repr(caught.value)):
        assert "5051234567" not in shown and TEXT not in shown
    assert TEXT not in json.dumps(im.to_dict(pending))
    assert "+90505*****67" in repr(pending)


async def test_a_multi_text_send_digests_its_texts_in_order(
    fake: FakeIletiMerkezi, client: im.Client
) -> None:
    fake.stall("send-sms", 1.0, when="after")
    with pytest.raises(im.SendOutcomeUnknownError) as caught:
        await client.sms.send_many({"5051234567": "Merhaba Ali", "5321234567": "Merhaba Ayşe"})
    pending = caught.value.pending
    assert pending is not None
    joined = "Merhaba Ali\x1fMerhaba Ayşe"
    assert pending.text_digest == hashlib.sha256(joined.encode()).hexdigest()
    assert pending.recipients == ("+905051234567", "+905321234567")


async def test_a_scheduled_send_keeps_its_schedule(
    fake: FakeIletiMerkezi, client: im.Client
) -> None:
    when = (client.clock.now() + timedelta(hours=2)).replace(second=0, microsecond=0)
    fake.stall("send-sms", 1.0, when="after")
    with pytest.raises(im.SendOutcomeUnknownError) as caught:
        await client.sms.send("5051234567", TEXT, send_at=when)
    assert caught.value.pending is not None and caught.value.pending.send_at == when


async def test_an_unknown_bulk_chunk_carries_its_pending(
    fake: FakeIletiMerkezi, client: im.Client
) -> None:
    numbers = [f"50500000{i:02d}" for i in range(6)]
    fake.stall("send-sms", 1.0, when="after")
    with pytest.raises(im.BulkSendError) as caught:
        async for _ in client.sms.send_bulk(numbers, TEXT, chunk_size=3):
            pass
    error = caught.value
    assert error.maybe_sent and error.pending is not None
    assert error.pending.recipients == tuple(f"+90{n}" for n in numbers[:3])
    assert error.pending == error.__cause__.pending  # type: ignore[union-attr]
