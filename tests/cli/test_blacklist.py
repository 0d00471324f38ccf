"""``blacklist list|add|remove``."""

from __future__ import annotations

from datetime import datetime

from iletimerkezi_async.cli import EXIT_API, EXIT_USAGE

from ._helpers import failed, json_doc, json_lines, ok
from .conftest import Invoke, ThreadedFake


def listed(fake: ThreadedFake) -> list[str]:
    return fake.call(lambda: list(fake.fake.account.blacklist))


def test_add_list_remove(cli: Invoke, fake: ThreadedFake) -> None:
    assert json_doc(cli("blacklist", "add", "5051234567", "0532 123 45 67", "--json")) == {
        "added": ["+905051234567", "+905321234567"]
    }
    assert sorted(listed(fake)) == ["+905051234567", "+905321234567"]
    assert ok(cli("blacklist", "add", "5051234567")).stdout.strip() == "1 number(s) added."
    rows = json_lines(cli("blacklist", "list", "--json"))
    assert sorted(rows, key=lambda r: r["number"]) == [
        {"number": "+905051234567"},
        {"number": "+905321234567"},
    ]
    assert json_doc(cli("blacklist", "remove", "+905051234567", "--json")) == {
        "removed": ["+905051234567"]
    }
    assert listed(fake) == ["+905321234567"]
    table = ok(cli("blacklist", "list")).stdout
    assert "+905321234567" in table and "+905051234567" not in table


def test_list_walks_every_page(cli: Invoke, fake: ThreadedFake) -> None:
    numbers = [f"+90505{i:07d}" for i in range(1205)]
    for i, number in enumerate(numbers):
        fake.call(
            fake.fake.account.add_blacklist, number, blocked_at=datetime(2025, 1, 1, 0, 0, i % 60)
        )
    rows = json_lines(cli("blacklist", "list", "--json"))
    assert sorted(r["number"] for r in rows) == numbers
    assert len(fake.call(fake.fake.sent_requests, "get-blacklist")) == 2


def test_removing_an_unlisted_number_names_progress_not_numbers(
    cli: Invoke, fake: ThreadedFake
) -> None:
    fake.call(fake.fake.account.add_blacklist, "+905051234567")
    line = failed(cli("blacklist", "remove", "5051234567", "5321234567"), EXIT_API)
    assert "474" in line and "Bu numara üzerindeki engelleme kaldırılamaz" in line
    assert "argument 2" in line and "1 of 2 number(s) removed" in line
    assert "1234567" not in line
    assert listed(fake) == []


def test_invalid_numbers_are_refused_before_any_request(cli: Invoke, fake: ThreadedFake) -> None:
    line = failed(cli("blacklist", "add", "5051234567", "hello"), EXIT_USAGE)
    assert "argument 2" in line
    assert fake.call(lambda: list(fake.fake.requests)) == []
    assert cli("blacklist", "add").exit_code == EXIT_USAGE
