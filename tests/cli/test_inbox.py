"""``inbox`` once, and ``inbox --follow`` with --max, --timeout and a cursor file."""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path

from iletimerkezi_async.cli import EXIT_API, EXIT_USAGE

from ._helpers import failed, json_doc, json_lines, ok
from .conftest import Invoke, ThreadedFake


def test_inbox_table_and_json(cli: Invoke, fake: ThreadedFake) -> None:
    assert ok(cli("inbox")).stdout.strip() == "No inbound messages."
    fake.call(
        fake.fake.add_inbound, "ILT AHKTEST RET", received_at=datetime(2026, 4, 9, 11, 18, 44)
    )
    fake.call(fake.fake.add_inbound, "Merhaba\nnasılsınız", sender="+905361234571")
    doc = json_doc(cli("inbox", "--json"))
    assert doc["total"] == 2
    first = doc["messages"][0]
    assert first == {
        "id": first["id"],
        "received_at": "2026-04-09T11:18:44+03:00",
        "sender": "7889",
        "number": "+905000000000",
        "text": "ILT AHKTEST RET",
    }
    table = ok(cli("inbox")).stdout
    assert "ILT AHKTEST RET" in table and "2 shown of 2" in table


def test_follow_stops_after_max_and_the_cursor_file_resumes(
    cli: Invoke, fake: ThreadedFake, tmp_path: Path
) -> None:
    cursor = tmp_path / "inbox.cursor"
    for text in ("bir", "iki", "üç"):
        fake.call(fake.fake.add_inbound, text)
    follow = ("inbox", "--follow", "--interval", "0.01", "--cursor-file", str(cursor))
    first = json_lines(cli(*follow, "--max", "2", "--json"))
    assert [m["text"] for m in first] == ["bir", "iki"]
    assert cursor.exists()
    fake.call(fake.fake.add_inbound, "dört")
    second = ok(cli(*follow, "--max", "2"))
    lines = second.stdout.splitlines()
    assert len(lines) == 2 and lines[0].endswith(": üç") and lines[1].endswith(": dört")
    assert "from 7889" in lines[0]


def test_follow_prints_messages_that_arrive_later(cli: Invoke, fake: ThreadedFake) -> None:
    arrived = threading.Timer(0.2, lambda: fake.call(fake.fake.add_inbound, "geç geldi"))
    arrived.start()
    try:
        rows = json_lines(
            cli(
                "inbox",
                "--follow",
                "--interval",
                "0.02",
                "--max-interval",
                "0.05",
                "--max",
                "1",
                "--json",
            )
        )
    finally:
        arrived.join()
    assert [m["text"] for m in rows] == ["geç geldi"]


def test_follow_timeout_ends_quietly(cli: Invoke, fake: ThreadedFake) -> None:
    fake.call(fake.fake.add_inbound, "eski")
    result = ok(
        cli("inbox", "--follow", "--skip-existing", "--interval", "0.02", "--timeout", "0.2")
    )
    assert result.stdout == ""  # --skip-existing: what was there counts as seen
    assert fake.call(fake.fake.sent_requests, "get-inbox")


def test_follow_ends_on_authentication_error(cli: Invoke) -> None:
    line = failed(cli("inbox", "--follow", "--hash", "not-the-hash-SECRET"), EXIT_API)
    assert "401" in line and "not-the-hash" not in line


def test_an_unreadable_cursor_file_is_a_usage_error(
    cli: Invoke, fake: ThreadedFake, tmp_path: Path
) -> None:
    cursor = tmp_path / "inbox.cursor"
    cursor.write_text("not a cursor", "utf-8")
    fake.call(fake.fake.add_inbound, "bir")
    line = failed(cli("inbox", "--follow", "--cursor-file", str(cursor), "--max", "1"), EXIT_USAGE)
    assert "cursor" in line
    assert cursor.read_text("utf-8") == "not a cursor"  # left for the user to fix


def test_a_cursor_file_that_cannot_be_saved_fails_before_the_first_message(
    cli: Invoke, fake: ThreadedFake, tmp_path: Path
) -> None:
    """It used to print message #1, fail on the save, and print #1 again on every restart."""
    fake.call(fake.fake.add_inbound, "bir")
    cursor = tmp_path / "missing" / "dir" / "x.cursor"
    args = ("inbox", "--follow", "--interval", "0.01", "--cursor-file", str(cursor), "--max", "1")
    result = cli(*args)
    line = failed(result, EXIT_USAGE)
    assert "cannot be saved" in line and "x.cursor" in line
    assert "bir" not in result.stdout  # nothing handed out
    assert fake.call(fake.fake.sent_requests, "get-inbox") == []  # not even polled


def test_follow_options_without_follow_are_usage_errors(cli: Invoke, fake: ThreadedFake) -> None:
    line = failed(cli("inbox", "--max", "1", "--timeout", "2"), EXIT_USAGE)
    assert "--max, --timeout" in line and "--follow" in line
    assert fake.call(lambda: list(fake.fake.requests)) == []
