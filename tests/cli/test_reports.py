"""``report`` (with --messages and --follow) and ``reports`` in every format."""

from __future__ import annotations

import csv
import io
import threading
import time
from datetime import datetime, timedelta

import pytest

import iletimerkezi_async as im
from iletimerkezi_async.cli import EXIT_ABORTED, EXIT_API, EXIT_USAGE

from ._helpers import failed, json_doc, json_lines, ok
from .conftest import Invoke, ThreadedFake

RANGE = ("--since", "2025-03-01", "--until", "2025-04-04")  # 35 days: 4 windows


def seed(fake: ThreadedFake) -> set[str]:
    """Orders in windows 1 (two pages), 2 and 4 of RANGE, none in 3, some outside it."""
    inside = [datetime(2025, 3, 1, 8) + timedelta(minutes=7 * i) for i in range(40)]
    inside += [datetime(2025, 3, 15, 12), datetime(2025, 3, 20, 23, 59)]
    inside += [datetime(2025, 4, 1, 0, 0), datetime(2025, 4, 4, 23, 59, 59)]
    outside = [datetime(2025, 2, 28, 23, 59), datetime(2025, 4, 5, 0, 0)]
    ids = fake.call(fake.fake.add_orders, inside, recipients=3)
    fake.call(fake.fake.add_orders, outside)
    return set(ids)


def test_reports_jsonl_matches_the_seeded_set_exactly(cli: Invoke, fake: ThreadedFake) -> None:
    expected = seed(fake)
    result = cli("reports", *RANGE, "--format", "jsonl")
    rows = json_lines(result)
    assert [r["id"] for r in rows].count(rows[0]["id"]) == 1
    assert {r["id"] for r in rows} == expected and len(rows) == len(expected)
    assert rows[0]["status"] == 114 and rows[0]["total"] == 3
    assert rows[0]["submitted_at"] == "2025-03-01T08:00:00+03:00"
    # Each line is im.to_dict of an OrderSummary, so it reads back as one.
    first = im.from_dict(im.OrderSummary, rows[0])
    assert first.status is im.OrderStatus.COMPLETED and im.to_dict(first) == rows[0]
    # The progress bar counted the four windows, on stderr only.
    assert "4/4" in result.stderr and "windows" in result.stderr
    assert "windows" not in result.stdout


def test_json_flag_is_jsonl_and_concurrency_keeps_the_order(
    cli: Invoke, fake: ThreadedFake
) -> None:
    seed(fake)
    plain = json_lines(cli("reports", *RANGE, "--json"))
    fast = json_lines(cli("reports", *RANGE, "--json", "--concurrency", "4", "--no-progress"))
    assert plain == fast and len(plain) == 44


def test_reports_csv(cli: Invoke, fake: ThreadedFake) -> None:
    expected = seed(fake)
    out = ok(cli("reports", *RANGE, "--format", "csv")).stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {r["id"] for r in rows} == expected
    assert list(rows[0]) == [
        "id",
        "status",
        "total",
        "delivered",
        "undelivered",
        "waiting",
        "submitted_at",
        "send_at",
        "sender",
    ]
    assert rows[-1]["submitted_at"] == "2025-04-04T23:59:59+03:00"
    assert rows[-1]["delivered"] == "3" and rows[-1]["sender"] == "APITEST"


def test_reports_table(cli: Invoke, fake: ThreadedFake) -> None:
    expected = seed(fake)
    out = ok(cli("reports", *RANGE, "--no-progress")).stdout
    assert all(order_id in out for order_id in expected)
    assert "COMPLETED" in out and "Orders 2025-03-01..2025-04-04" in out


def test_empty_range(cli: Invoke) -> None:
    assert (
        json_lines(cli("reports", "--since", "2025-01-01", "--until", "2025-01-05", "--json")) == []
    )


@pytest.mark.parametrize(
    "args",
    [
        ("--since", "2025-03-10", "--until", "2025-03-01"),
        ("--since", "01/03/2025", "--until", "2025-03-10"),
        ("--since", "2025-03-01"),
        ("--since", "2999-01-01", "--until", "2999-01-05"),
    ],
)
def test_reports_usage_errors(cli: Invoke, fake: ThreadedFake, args: tuple[str, ...]) -> None:
    result = cli("reports", *args)
    assert result.exit_code == EXIT_USAGE, result.stderr
    assert fake.call(fake.fake.sent_requests, "get-reports") == []


def test_a_future_since_names_the_option_and_a_future_until_is_today(
    cli: Invoke, fake: ThreadedFake
) -> None:
    line = failed(cli("reports", "--since", "2999-01-01", "--until", "2999-01-05"), EXIT_USAGE)
    assert "invalid --since: must not be in the future" in line
    assert "start" not in line
    today = fake.call(fake.fake.clock.now).date()
    result = ok(cli("reports", "--since", str(today), "--until", "2999-01-01", "--json"))
    assert json_lines(result) == []
    (request,) = fake.call(fake.fake.sent_requests, "get-reports")
    assert request.body["request"]["filter"]["end"] == str(today)


def send(cli: Invoke, *numbers: str, text: str = "x") -> str:
    doc = json_doc(cli("send", *numbers, "--sender", "ACME", "--text", text, "-y", "--json"))
    return str(doc["id"])


@pytest.mark.parametrize(
    "fake_options", [{"senders": ("ACME",), "rate_limit": None, "undeliverable": ["+905321234567"]}]
)
def test_report_table_json_and_messages(cli: Invoke, fake: ThreadedFake) -> None:
    order_id = send(cli, "5051234567", "5321234567")
    fake.call(fake.fake.advance, 5)
    doc = json_doc(cli("report", order_id, "--json"))
    assert doc["id"] == order_id and doc["status"] == 114
    assert (doc["total"], doc["delivered"], doc["undelivered"], doc["waiting"]) == (2, 1, 1, 0)
    assert doc["price"] == "2" and doc["sender"] == "ACME" and "messages" not in doc
    assert datetime.fromisoformat(doc["submitted_at"]).utcoffset() == timedelta(hours=3)
    full = json_doc(cli("report", order_id, "--json", "--messages"))
    assert sorted((m["number"], m["status"]) for m in full["messages"]) == [
        ("+905051234567", 111),
        ("+905321234567", 112),
    ]
    table = ok(cli("report", order_id, "--messages")).stdout
    assert f"Order {order_id}" in table and "UNDELIVERED" in table and "+905321234567" in table


def test_report_of_an_unknown_order(cli: Invoke) -> None:
    line = failed(cli("report", "999999999"), EXIT_API)
    assert "455" in line and "Sipariş bulunamadı" in line


@pytest.mark.parametrize(
    "fake_options", [{"senders": ("ACME",), "rate_limit": None, "delivery_delay": 3600.0}]
)
def test_report_follow_waits_until_final(cli: Invoke, fake: ThreadedFake) -> None:
    order_id = send(cli, "5051234567", "5321234567")

    def deliver_after_the_first_poll() -> None:
        # The fake clock, not the wall clock, decides delivery: move it once the
        # command has seen the order still sending.
        for _ in range(3000):
            if fake.call(fake.fake.sent_requests, "get-report"):
                fake.call(fake.fake.advance, 7200)
                return
            time.sleep(0.01)

    carrier = threading.Thread(target=deliver_after_the_first_poll)
    carrier.start()
    try:
        result = cli("report", order_id, "--follow", "--interval", "0.02", "--json")
    finally:
        carrier.join()
    doc = json_doc(result)
    assert doc["status"] == 114 and doc["delivered"] == 2 and doc["waiting"] == 0
    polls = fake.call(fake.fake.sent_requests, "get-report")
    assert len(polls) >= 2  # it saw the order sending, then final
    assert "2/2" in result.stderr and "messages final" in result.stderr


def test_report_follow_times_out_with_exit_1(cli: Invoke, fake: ThreadedFake) -> None:
    later = (fake.call(fake.fake.clock.now) + timedelta(hours=3)).isoformat()
    doc = json_doc(
        cli(
            "send",
            "5051234567",
            "--sender",
            "ACME",
            "--text",
            "x",
            "--schedule",
            later,
            "-y",
            "--json",
        )
    )
    result = cli("report", doc["id"], "--follow", "--interval", "0.05", "--timeout", "0.3")
    line = failed(result, EXIT_ABORTED)
    assert "not final" in line and doc["id"] in line
    assert "scheduled, not started" in result.stderr
