"""The recipients-per-second bucket on send-sms (counts, never durations)."""

from __future__ import annotations

import aiohttp
import pytest

from iletimerkezi_async.errors import CODES
from iletimerkezi_async.testing import FakeIletiMerkezi

from .conftest import Api


def numbers(n: int, base: int = 0) -> list[str]:
    return [f"505{base + i:07d}" for i in range(n)]


async def codes(api: Api, count: int, recipients: int = 1, tag: str = "") -> list[int]:
    return [
        await api.send_code(numbers(recipients, i * recipients), f"Kod {tag}{i}")
        for i in range(count)
    ]


@pytest.mark.fake_iletimerkezi(rate_limit=1, rate_limit_burst=3, rate_limit_grace=0)
async def test_burst_then_reject_without_creating_orders(api: Api, fake: FakeIletiMerkezi) -> None:
    results = await codes(api, 6)
    assert results.count(200) == 3
    assert results.count(503) == 3
    assert results[:3] == [200, 200, 200]
    assert len(fake.account.orders) == 3
    assert fake.account.sms_credits == 10_000 - 3
    rejected = [r for r in fake.requests if r.status == 503]
    assert len(rejected) == 3
    fake.advance(1)
    assert await codes(api, 2, tag="b") == [200, 503]


@pytest.mark.fake_iletimerkezi(rate_limit=1, rate_limit_burst=3, rate_limit_grace=0)
async def test_rejection_is_the_503_envelope(api: Api) -> None:
    await codes(api, 3)
    status, body = await api.post(
        "send-sms",
        api.body(
            order={
                "sender": "APITEST",
                "iys": "0",
                "message": {"text": "son", "receipents": {"number": ["5051234567"]}},
            }
        ),
    )
    assert status == 503
    assert body == {"response": {"status": {"code": 503, "message": CODES[503].message}}}


@pytest.mark.fake_iletimerkezi(rate_limit=1, rate_limit_burst=5, rate_limit_grace=0)
async def test_cost_is_recipients_and_big_orders_drain_a_full_bucket(
    api: Api, fake: FakeIletiMerkezi
) -> None:
    assert await api.send_code(numbers(3), "a") == 200
    assert await api.send_code(numbers(3, 10), "b") == 503
    assert await api.send_code(numbers(2, 20), "c") == 200
    fake.advance(5)
    assert await api.send_code(numbers(8, 30), "d") == 200
    assert await api.send_code(numbers(1, 40), "e") == 503
    fake.advance(4)
    assert await api.send_code(numbers(8, 50), "f") == 503
    fake.advance(1)
    assert await api.send_code(numbers(8, 50), "f") == 200


@pytest.mark.fake_iletimerkezi(rate_limit=2, rate_limit_burst=1, rate_limit_grace=2.0)
async def test_grace_lets_a_little_jitter_through(api: Api) -> None:
    results = await codes(api, 8)
    assert results.count(200) == 5
    assert results[5:] == [503, 503, 503]


@pytest.mark.fake_iletimerkezi(
    rate_limit=1, rate_limit_burst=1, rate_limit_grace=0, rate_limit_status=429
)
async def test_status_is_configurable(api: Api) -> None:
    assert await codes(api, 2) == [200, 429]


@pytest.mark.fake_iletimerkezi(rate_limit=1, rate_limit_burst=1, rate_limit_grace=0)
async def test_rejected_send_does_not_arm_duplicate_guard_and_other_endpoints_are_free(
    api: Api, fake: FakeIletiMerkezi
) -> None:
    assert await api.send_code(numbers(1), "ilk") == 200
    assert await api.send_code(numbers(1, 5), "ikinci") == 503
    assert [await api.code("get-balance") for _ in range(5)] == [200] * 5
    fake.advance(1)
    assert await api.send_code(numbers(1, 5), "ikinci") == 200


@pytest.mark.fake_iletimerkezi(rate_limit=None)
async def test_none_disables(api: Api) -> None:
    assert set(await codes(api, 150)) == {200}


async def test_default_is_100_per_second(api: Api, fake: FakeIletiMerkezi) -> None:
    assert fake.options.rate_limit == 100
    assert fake.options.rate_limit_burst is None
    assert await api.send_code(numbers(100), "yüz") == 200
    assert await api.send_code(numbers(50, 200), "elli") == 503


async def test_runtime_reconfiguration(session: aiohttp.ClientSession) -> None:
    async with FakeIletiMerkezi(rate_limit_grace=0) as fake:
        api = Api(fake, session)
        fake.options.rate_limit = 1
        assert await codes(api, 2) == [200, 503]
        fake.options.rate_limit_burst = 2
        assert await codes(api, 3, tag="x") == [200, 200, 503]
        fake.options.rate_limit = None
        assert set(await codes(api, 5, tag="y")) == {200}


def test_bad_options() -> None:
    with pytest.raises(ValueError, match="rate_limit_status"):
        FakeIletiMerkezi(rate_limit_status=200)
    with pytest.raises(ValueError, match="positive"):
        FakeIletiMerkezi(rate_limit=0)
