"""Property tests on the pure account state (no HTTP, so hypothesis stays fast)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from iletimerkezi_async.testing import Account, FakeClock, FakeOptions
from iletimerkezi_async.testing._endpoints import dispatch
from iletimerkezi_async.testing._fake_clock import ISTANBUL

AUTH = {"key": "test-key", "hash": "test-hash"}
EPOCH = datetime(2026, 1, 1)


def call(account: Account, endpoint: str, **blocks: Any) -> dict[str, Any]:
    reply = dispatch(account, endpoint, {"request": {"authentication": AUTH, **blocks}})
    response: dict[str, Any] = reply.body["response"]
    assert reply.code == int(response["status"]["code"])
    return response


@settings(max_examples=60, deadline=None)
@given(
    minutes=st.lists(st.integers(0, 60 * 24 * 30), max_size=120),
    first_day=st.integers(0, 30),
    span=st.integers(0, 10),
    page_size=st.integers(1, 40),
)
def test_walking_report_pages_yields_the_window_once_in_order(
    minutes: list[int], first_day: int, span: int, page_size: int
) -> None:
    account = Account(FakeOptions(reports_page_size=page_size))
    stamps = [EPOCH + timedelta(minutes=m) for m in minutes]
    ids = account.add_orders(stamps)
    start = EPOCH.date() + timedelta(days=first_day)
    end = start + timedelta(days=span)
    expected = sorted(
        (stamp, int(order_id))
        for stamp, order_id in zip(stamps, ids, strict=True)
        if start <= stamp.date() <= end
    )
    walked: list[int] = []
    page = 1
    while True:
        window = {"start": start.isoformat(), "end": end.isoformat(), "page": page}
        body = call(account, "get-reports", filter=window)
        assert body["count"] == len(body["orders"]) <= page_size
        if body["count"] == 0:
            break
        walked.extend(order["id"] for order in body["orders"])
        page += 1
    assert walked == [order_id for _, order_id in expected]


@settings(max_examples=40, deadline=None)
@given(
    count=st.integers(0, 60),
    rows=st.integers(1, 25),
    low=st.integers(0, 70),
    high=st.integers(0, 70),
)
def test_blacklist_pages_concatenate_to_the_filtered_list(
    count: int, rows: int, low: int, high: int
) -> None:
    account = Account()
    for i in range(count):
        account.add_blacklist(f"505{i:07d}", blocked_at=EPOCH + timedelta(hours=i))
    window = {
        "start": (EPOCH + timedelta(hours=low)).strftime("%Y-%m-%d %H:%M:%S"),
        "end": (EPOCH + timedelta(hours=high)).strftime("%Y-%m-%d %H:%M:%S"),
    }
    expected = [f"+90505{i:07d}" for i in range(count) if low <= i <= high]
    collected: list[str] = []
    page = 1
    while True:
        body = call(
            account, "get-blacklist", blacklist={"filter": window, "page": page, "rowCount": rows}
        )
        assert body["blacklist"]["count"] == len(expected)
        if not body["blacklist"]["number"]:
            break
        collected.extend(body["blacklist"]["number"])
        page += 1
    assert collected == expected


@settings(max_examples=40, deadline=None)
@given(
    waits=st.lists(st.floats(0, 900, allow_nan=False), min_size=1, max_size=6),
    texts=st.lists(
        st.sampled_from(["Kod", "Kod ", " Kod", "Kod  2", "Kod 2"]), min_size=1, max_size=6
    ),
)
def test_duplicate_guard_matches_a_reference_model(waits: list[float], texts: list[str]) -> None:
    clock = FakeClock()
    account = Account(FakeOptions(clock=clock, rate_limit=None))
    accepted: dict[str, float] = {}
    elapsed = 0.0
    for wait, text in zip(waits, texts, strict=False):
        clock.advance(wait)
        elapsed += wait
        key = " ".join(text.split())
        order = {
            "sender": "APITEST",
            "message": {"text": text, "receipents": {"number": ["5051234567"]}},
        }
        code = call(account, "send-sms", order=order)["status"]["code"]
        duplicate = key in accepted and elapsed - accepted[key] < 600
        assert code == (451 if duplicate else 200)
        if not duplicate:
            accepted[key] = elapsed


@given(day=st.dates(date(2020, 1, 1), date(2030, 12, 31)))
def test_report_days_are_istanbul_calendar_days(day: date) -> None:
    account = Account()
    midnight = datetime.combine(day, datetime.min.time(), ISTANBUL)
    inside = account.add_order(midnight)
    before = account.add_order(midnight - timedelta(seconds=1))
    body = call(account, "get-reports", filter={"start": day.isoformat(), "end": day.isoformat()})
    ids = [order["id"] for order in body["orders"]]
    assert int(inside) in ids
    assert int(before) not in ids
