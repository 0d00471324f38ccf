"""``send`` and ``cancel``: recipients from everywhere, the summary, the prompt, every outcome."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from iletimerkezi_async.cli import EXIT_ABORTED, EXIT_API, EXIT_OUTCOME_UNKNOWN, EXIT_TRANSPORT
from iletimerkezi_async.cli import EXIT_USAGE as USAGE

from ._helpers import failed, json_doc, ok
from .conftest import Invoke, ThreadedFake

SEND = ("send", "--sender", "ACME")


def order_of(fake: ThreadedFake, order_id: str) -> object:
    return fake.call(lambda: fake.fake.account.orders[order_id])


def test_send_json_holds_the_order_id_the_server_has(cli: Invoke, fake: ThreadedFake) -> None:
    doc = json_doc(
        cli(
            *SEND,
            "5051234567",
            "0532 123 45 67",
            "+905051234567",
            "--text",
            "Merhaba",
            "--yes",
            "--json",
        )
    )
    assert doc == {"id": doc["id"], "recipients": 2}  # the duplicate spelling counts once
    order = fake.call(lambda: fake.fake.account.orders[doc["id"]])
    assert set(order.recipients) == {"+905051234567", "+905321234567"}
    assert order.text == "Merhaba" and order.sender == "ACME" and order.iys == "0"


def test_human_output_and_summary_on_stderr(cli: Invoke) -> None:
    text = "Şubat kampanyası " * 10  # 170 characters with Turkish letters: 2 parts
    result = ok(cli(*SEND, "5051234567", "5321234567", "5431234567", "--text", text, "--yes"))
    assert result.stdout.startswith("Order ") and "3 recipient(s)" in result.stdout
    assert "Recipients: 3" in result.stderr
    assert "turkish, 2 part(s) of up to 148" in result.stderr
    assert "Estimated cost: 6 SMS credit(s)" in result.stderr and "estimate" in result.stderr


def test_numbers_from_a_file(cli: Invoke, fake: ThreadedFake, tmp_path: Path) -> None:
    numbers = tmp_path / "numbers.txt"
    numbers.write_text("# customers\n5051234567\n\n05321234567\n+905431234567\n", "utf-8")
    doc = json_doc(cli(*SEND, "--file", str(numbers), "--text", "Duyuru", "-y", "--json"))
    order = fake.call(lambda: fake.fake.account.orders[doc["id"]])
    assert sorted(order.recipients) == ["+905051234567", "+905321234567", "+905431234567"]


def test_numbers_from_stdin_dash_and_pipe(cli: Invoke, fake: ThreadedFake) -> None:
    dash = json_doc(
        cli(*SEND, "5051234567", "-", "--text", "a", "-y", "--json", input="5321234567\n")
    )
    piped = json_doc(cli(*SEND, "--text", "b", "-y", "--json", input="5431234567\n5551234567\n"))
    first = fake.call(lambda: fake.fake.account.orders[dash["id"]])
    second = fake.call(lambda: fake.fake.account.orders[piped["id"]])
    assert sorted(first.recipients) == ["+905051234567", "+905321234567"]
    assert sorted(second.recipients) == ["+905431234567", "+905551234567"]


def test_stdin_numbers_need_yes(cli: Invoke, fake: ThreadedFake) -> None:
    line = failed(cli(*SEND, "--text", "x", input="5051234567\n"), USAGE)
    assert "--yes" in line
    assert fake.call(lambda: len(fake.fake.account.orders)) == 0


def test_without_a_terminal_and_without_yes_nothing_is_sent(
    cli: Invoke, fake: ThreadedFake
) -> None:
    line = failed(cli(*SEND, "5051234567", "--text", "x"), USAGE)
    assert "not a terminal" in line and "--yes" in line
    assert fake.call(lambda: len(fake.fake.account.orders)) == 0


@pytest.mark.usefixtures("tty")
def test_declining_the_prompt_sends_nothing(cli: Invoke, fake: ThreadedFake) -> None:
    result = cli(*SEND, "5051234567", "--text", "x", input="n\n")
    assert result.exit_code == EXIT_ABORTED
    assert "Send to 1 recipient(s)? [y/N]" in result.stderr and "nothing was done" in result.stderr
    assert result.stdout == ""
    assert fake.call(lambda: len(fake.fake.account.orders)) == 0
    assert cli(*SEND, "5051234567", "--text", "x", input="").exit_code == EXIT_ABORTED  # EOF


@pytest.mark.usefixtures("tty")
def test_accepting_the_prompt_sends(cli: Invoke, fake: ThreadedFake) -> None:
    doc = json_doc(cli(*SEND, "5051234567", "--text", "x", "--json", input="y\n"))
    assert fake.call(lambda: doc["id"] in fake.fake.account.orders)


def test_commercial_send_carries_the_iys_list(cli: Invoke, fake: ThreadedFake) -> None:
    doc = json_doc(cli(*SEND, "5051234567", "--text", "İndirim", "--iys", "tacir", "-y", "--json"))
    order = fake.call(lambda: fake.fake.account.orders[doc["id"]])
    assert (order.iys, order.iys_list) == ("1", "TACIR")


def test_schedule_then_cancel(cli: Invoke, fake: ThreadedFake) -> None:
    now = fake.call(lambda: fake.fake.clock.now())
    when = (now + timedelta(hours=2)).astimezone(ZoneInfo("Europe/Istanbul"))
    naive = when.replace(tzinfo=None).isoformat(timespec="minutes")  # Istanbul wall time
    doc = json_doc(cli(*SEND, "5051234567", "--text", "later", "--schedule", naive, "-y", "--json"))
    order = fake.call(lambda: fake.fake.account.orders[doc["id"]])
    assert order.scheduled and order.send_at.replace(second=0) == when.replace(
        second=0, microsecond=0
    )
    assert json_doc(cli("cancel", doc["id"], "--json")) == {"id": doc["id"], "cancelled": True}
    assert fake.call(lambda: fake.fake.account.orders[doc["id"]].cancelled)
    assert "cancelled" in ok(cli("cancel", "--help")).stdout
    line = failed(cli("cancel", doc["id"]), EXIT_API)  # a second cancel: 455
    assert "455" in line and "Sipariş bulunamadı" in line and "no longer cancellable" in line


def test_cancel_human_output(cli: Invoke, fake: ThreadedFake) -> None:
    future = datetime.now(ZoneInfo("Europe/Istanbul")) + timedelta(days=1)
    doc = json_doc(
        cli(*SEND, "5051234567", "--text", "t", "--schedule", future.isoformat(), "-y", "--json")
    )
    assert ok(cli("cancel", doc["id"])).stdout.strip() == f"Order {doc['id']} cancelled."


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("5051234567", "--text", "a" * 1100), "at most 7"),
        (("5051234567", "--text", ""), "empty"),
        (("12345", "--text", "x"), "argument 1"),
        (("5051234567", "--text", "x", "--schedule", "tomorrow"), "tomorrow"),
        (("5051234567", "--text", "x", "--schedule", "2020-01-01T10:00"), "in the future"),
        (("5051234567", "--text", "x", "--iys", "HERKES"), "HERKES"),
        (("--text", "x", "--file", "/nonexistent/numbers.txt"), "does not exist"),
    ],
)
def test_usage_errors_send_nothing(
    cli: Invoke, fake: ThreadedFake, args: tuple[str, ...], needle: str
) -> None:
    result = cli(*SEND, *args, "-y")
    assert result.exit_code == USAGE, result.stderr
    assert needle in result.stderr
    assert "Traceback" not in result.stderr
    assert fake.call(lambda: len(fake.fake.requests)) == 0


def test_a_bad_number_is_named_by_position_not_shown(cli: Invoke, tmp_path: Path) -> None:
    numbers = tmp_path / "n.txt"
    numbers.write_text("5051234567\n0212 555 12 34\n", "utf-8")
    line = failed(cli(*SEND, "--file", str(numbers), "--text", "x", "-y"), USAGE)
    assert "n.txt line 2" in line and "555" not in line


def test_more_than_one_order_of_recipients_is_refused(cli: Invoke, tmp_path: Path) -> None:
    numbers = tmp_path / "many.txt"
    numbers.write_text("".join(f"50{i:08d}\n" for i in range(50_001)), "utf-8")
    line = failed(cli(*SEND, "--file", str(numbers), "--text", "x", "-y"), USAGE)
    assert "50,000" in line and "split" in line


def test_a_malformed_sender_is_refused_before_the_cost_summary(
    cli: Invoke, fake: ThreadedFake
) -> None:
    result = cli("send", "5051234567", "--sender", "ACME LONGER THAN 11", "--text", "x", "-y")
    line = failed(result, USAGE)
    assert line.startswith("Error: invalid --sender:")
    assert "Estimated cost" not in result.stderr  # no summary for a send that cannot happen
    assert fake.call(lambda: len(fake.fake.requests)) == 0


def test_unapproved_sender_is_an_api_error(cli: Invoke) -> None:
    line = failed(cli("send", "5051234567", "--sender", "NOPE", "--text", "x", "-y"), EXIT_API)
    assert "450" in line and "Gönderilen başlık kullanıma uygun değil" in line
    assert "sender not approved" in line


def test_duplicate_send_is_an_api_error_saying_nothing_was_sent(cli: Invoke) -> None:
    ok(cli(*SEND, "5051234567", "--text", "same", "-y"))
    line = failed(cli(*SEND, "5051234567", "--text", "same", "-y"), EXIT_API)
    assert "451" in line and "Tekrar eden sipariş" in line and "nothing was sent" in line


def test_unknown_outcome_exits_5_and_warns_against_resending(
    cli: Invoke, fake: ThreadedFake
) -> None:
    fake.call(fake.fake.drop, "send-sms", when="after")
    line = failed(cli(*SEND, "5051234567", "--text", "x", "-y", "--json"), EXIT_OUTCOME_UNKNOWN)
    assert "Do NOT resend" in line
    assert fake.call(lambda: len(fake.fake.account.orders)) == 1  # it did go through
    assert len(fake.call(fake.fake.sent_requests, "send-sms")) == 1  # and was not repeated


def test_unreachable_server_is_a_transport_error(bare: Invoke) -> None:
    env = {"ILETIMERKEZI_API_KEY": "k", "ILETIMERKEZI_API_HASH": "h"}
    line = failed(
        bare(*SEND, "5051234567", "--text", "x", "-y", "--base-url", "http://127.0.0.1:1", env=env),
        EXIT_TRANSPORT,
    )
    assert "send" in line


def test_sender_from_the_environment(cli: Invoke, fake: ThreadedFake) -> None:
    doc = json_doc(
        cli(
            "send", "5051234567", "--text", "x", "-y", "--json", env={"ILETIMERKEZI_SENDER": "ACME"}
        )
    )
    assert fake.call(lambda: fake.fake.account.orders[doc["id"]].sender) == "ACME"
