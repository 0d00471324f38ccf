"""Unit tests of the pure parts: clock, bucket, paths, envelopes."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from iletimerkezi_async import testing
from iletimerkezi_async.testing import Account, FakeClock, FakeIletiMerkezi, FakeOptions
from iletimerkezi_async.testing._endpoints import (
    ENDPOINTS,
    dispatch,
    endpoint_of_path,
    error_reply,
    resolve_endpoint,
)
from iletimerkezi_async.testing._envelope import envelope
from iletimerkezi_async.testing._rate_limit import RateBucket


def test_clock_is_aware_istanbul_and_only_moves_forward() -> None:
    clock = FakeClock()
    now = clock.now()
    assert str(now.tzinfo) == "Europe/Istanbul"
    assert now.utcoffset() == timedelta(hours=3)
    moved = clock.advance(3600)
    assert timedelta(minutes=59) < moved - now < timedelta(minutes=61)
    clock.advance(timedelta(seconds=30))
    assert clock.offset == 3630
    with pytest.raises(ValueError, match="forward"):
        clock.advance(-1)
    with pytest.raises(ValueError, match="forward"):
        clock.advance(float("nan"))
    with pytest.raises(ValueError, match="offset"):
        FakeClock(-5)
    assert "3630" in repr(clock)


class ManualTime:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_bucket_refill_capacity_and_big_costs() -> None:
    t = ManualTime()
    bucket = RateBucket(rate=10, capacity=20, grace=0, now=t)
    assert bucket.try_take(15)
    assert not bucket.try_take(6)
    assert bucket.try_take(5)
    t.now = 0.5
    assert bucket.tokens == pytest.approx(5)
    t.now = 100
    assert bucket.tokens == pytest.approx(20)
    assert bucket.try_take(50_000)
    assert bucket.tokens == pytest.approx(0)
    assert not bucket.try_take(1)


def test_bucket_grace_borrows_refill() -> None:
    t = ManualTime()
    bucket = RateBucket(rate=100, capacity=100, grace=0.05, now=t)
    assert bucket.try_take(100)
    accepted = sum(bucket.try_take(1) for _ in range(10))
    assert accepted == 5
    with pytest.raises(ValueError, match="positive"):
        RateBucket(rate=0, capacity=1, grace=0, now=t)


def test_endpoint_of_path_is_the_registered_name() -> None:
    assert endpoint_of_path("/v1/get-report/json") == "get-report"
    assert endpoint_of_path("/v1/consent/show/json") == "consent/show"
    assert endpoint_of_path("/v1/get-group/json") is None
    assert endpoint_of_path("/v1/get-report/xml") is None
    assert endpoint_of_path("/x") is None
    assert len(ENDPOINTS) == len(set(ENDPOINTS)) == 12


def test_legacy_string_codes_come_from_the_registration() -> None:
    account = Account(FakeOptions(legacy_types=True))
    stringly = {
        e
        for e in ENDPOINTS
        if error_reply(account, e, 503).body["response"]["status"]["code"] == "503"
    }
    assert stringly == {"send-sms", "cancel-order"}
    assert error_reply(account, None, 404).body["response"]["status"]["code"] == 404
    assert error_reply(Account(), "send-sms", 503).body["response"]["status"]["code"] == 503


def test_every_endpoint_name_is_written_in_one_module_only() -> None:
    package = Path(testing.__file__).parent
    sources = {path.name: path.read_text(encoding="utf-8") for path in package.glob("*.py")}
    for name in ENDPOINTS:
        holders = [module for module, text in sources.items() if f'"{name}"' in text]
        assert len(holders) == 1, (name, holders)


def test_options_are_checked_and_unknown_ones_named() -> None:
    with pytest.raises(TypeError, match=r"unknown option.*rate_limt"):
        FakeIletiMerkezi(rate_limt=5)
    with pytest.raises(ValueError, match="webhook_duplicates"):
        FakeIletiMerkezi(webhook_duplicates=2)
    fake = FakeIletiMerkezi("k", "h", legacy_types=True)
    assert (fake.options.api_key, fake.options.api_hash, fake.options.legacy_types) == (
        "k",
        "h",
        True,
    )
    with pytest.raises(AttributeError):
        fake.webhook_url = "http://127.0.0.1:1/"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("send-sms", "send-sms"),
        ("/v1/send-sms/json", "send-sms"),
        ("send-sms/json", "send-sms"),
        ("consent/create", "consent/create"),
        ("/v1/consent/show/json", "consent/show"),
        ("*", "*"),
    ],
)
def test_resolve_endpoint(given: str, expected: str) -> None:
    assert resolve_endpoint(given) == expected


@pytest.mark.parametrize("bad", ["", "sms", "/v1/send-sms", "consent", "get-group"])
def test_resolve_endpoint_refuses_typos(bad: str) -> None:
    with pytest.raises(ValueError, match="unknown endpoint"):
        resolve_endpoint(bad)


def test_envelopes() -> None:
    assert envelope(200, {"x": 1}) == {
        "response": {"status": {"code": 200, "message": "İşlem başarılı"}, "x": 1}
    }
    assert envelope(452, {"x": 1}) == {
        "response": {"status": {"code": 452, "message": "Mesaj alıcıları hatalı"}}
    }
    assert envelope(200, string_code=True)["response"]["status"]["code"] == "200"
    assert envelope(429)["response"]["status"]["message"] == "Too Many Requests"
    assert envelope(599)["response"]["status"]["message"] == "Hata"


def test_account_without_http() -> None:
    account = Account()
    auth = {"key": "test-key", "hash": "test-hash"}
    reply = dispatch(account, "get-balance", {"request": {"authentication": auth}})
    assert reply.code == 200
    assert reply.body["response"]["balance"]["sms"] == 10_000
    assert dispatch(account, "get-balance", {"request": {}}).code == 401
    assert dispatch(account, "get-balance", []).code == 400
    with pytest.raises(ValueError, match="undeliverable"):
        FakeOptions(undeliverable=["nope"])
    with pytest.raises(ValueError, match="page_size"):
        FakeOptions(reports_page_size=0)
