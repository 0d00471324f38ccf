"""``iletimerkezi fake-server`` and ``python -m iletimerkezi_async.testing``: one flag table."""

from __future__ import annotations

import argparse
import signal
from datetime import datetime
from decimal import Decimal

import attrs
import pytest

import iletimerkezi_async.cli.fake_server as command
from iletimerkezi_async.cli import EXIT_USAGE
from iletimerkezi_async.testing import FakeIletiMerkezi, FakeOptions
from iletimerkezi_async.testing._runner import FLAGS, build_parser, fake_options, seed_history

from ._helpers import ok
from ._proc import child, wait_for_line
from .conftest import Invoke

EVERY_FLAG = [
    "--key", "K-123456", "--hash", "H-123456", "--sender", "ACME", "--sender", "APITEST",
    "--port", "0", "--host", "127.0.0.1", "--legacy-types", "--latency", "0.25",
    "--fault-rate", "0.1", "--webhook-url", "http://127.0.0.1:9/hook", "--clock-skew", "-30",
    "--reports-delay", "2.5", "--drop-blacklisted", "--balance", "12.5", "--sms-credits", "7",
    "--rate-limit", "0", "--delivery-delay", "3", "--seed", "42",
    "--orders", "5", "--days", "2", "--inbound", "3",
]  # fmt: skip


def _clicked(bare: Invoke, monkeypatch: pytest.MonkeyPatch, *args: str) -> argparse.Namespace:
    """What the click command hands the runner for ``args``."""
    seen: list[argparse.Namespace] = []

    def fake_run(namespace: argparse.Namespace) -> int:
        seen.append(namespace)
        return 0

    monkeypatch.setattr(command, "run", fake_run)
    ok(bare("fake-server", *args))
    [namespace] = seen
    return namespace


def _same_clock(options: FakeOptions, other: FakeOptions) -> FakeOptions:
    return attrs.evolve(options, clock=other.clock)


def test_every_flag_becomes_the_options_it_names() -> None:
    options = fake_options(build_parser().parse_args(EVERY_FLAG))
    expected = FakeOptions.from_keywords(
        {
            "api_key": "K-123456",
            "api_hash": "H-123456",
            "senders": ("ACME", "APITEST"),
            "port": 0,
            "host": "127.0.0.1",
            "legacy_types": True,
            "latency": 0.25,
            "fault_rate": 0.1,
            "webhook_url": "http://127.0.0.1:9/hook",
            "clock_skew": -30,
            "reports_delay": 2.5,
            "drop_blacklisted": True,
            "balance": Decimal("12.5"),
            "sms_credits": 7,
            "rate_limit": None,
            "delivery_delay": 3,
            "seed": 42,
        }
    )
    assert options == _same_clock(expected, options)


def test_no_flags_are_the_default_options() -> None:
    options = fake_options(build_parser().parse_args([]))
    assert options == _same_clock(FakeOptions(rate_limit=100.0), options)


@pytest.mark.parametrize("argv", [EVERY_FLAG, [], ["--sender", "X", "--port", "5"]])
def test_the_cli_command_parses_exactly_like_the_module(
    bare: Invoke, monkeypatch: pytest.MonkeyPatch, argv: list[str]
) -> None:
    clicked = _clicked(bare, monkeypatch, *argv, *([] if "--port" in argv else ["--port", "0"]))
    parsed = build_parser().parse_args([*argv, *([] if "--port" in argv else ["--port", "0"])])
    assert vars(clicked) == vars(parsed)
    from_click = fake_options(clicked)
    assert from_click == _same_clock(fake_options(parsed), from_click)


def test_the_cli_defaults_to_port_8765(bare: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _clicked(bare, monkeypatch).port == command.DEFAULT_PORT == 8765


def test_both_help_texts_list_every_flag(bare: Invoke) -> None:
    clicked = ok(bare("fake-server", "--help")).stdout
    module = build_parser().format_help()
    for flag in FLAGS:
        assert flag.name in clicked and flag.name in module
    assert "test-key" not in clicked + module and "test-hash" not in clicked + module


@pytest.mark.parametrize(
    ("argv", "complaint"),
    [
        (["--days", "0"], "must be more than 0"),
        (["--orders", "-1"], "must not be negative"),
        (["--fault-rate", "2"], "between 0 and 1"),
        (["--latency", "-1"], "must not be negative"),
        (["--seed", "x"], "not a whole number"),
    ],
)
def test_bad_values_are_usage_errors_in_both(
    bare: Invoke, capsys: pytest.CaptureFixture[str], argv: list[str], complaint: str
) -> None:
    result = bare("fake-server", *argv)
    assert result.exit_code == EXIT_USAGE and complaint in result.output
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(argv)
    assert exited.value.code == EXIT_USAGE and complaint in capsys.readouterr().err


def _history(argv: list[str]) -> tuple[list[tuple[float, int, int]], list[tuple[float, str, str]]]:
    """The seeded history as (age, recipients, status) and (age, number, text), oldest first."""
    args = build_parser().parse_args(argv)
    fake = FakeIletiMerkezi(**{"seed": args.seed})
    orders, inbound = seed_history(fake, args)
    now = fake.account.now()

    def age(at: datetime) -> float:
        return round((now - at).total_seconds())

    snapshots = [fake.account.orders[order_id] for order_id in orders]
    messages = {m.id: m for m in fake.account.inbound}
    return (
        [(age(o.submitted_at), o.total, o.status) for o in snapshots],
        [(age(messages[i].received_at), messages[i].number, messages[i].text) for i in inbound],
    )


def test_the_same_seed_seeds_the_same_history() -> None:
    argv = ["--orders", "40", "--inbound", "6", "--days", "5", "--seed", "7"]
    orders, inbound = _history(argv)
    assert (orders, inbound) == _history(argv)
    assert len(orders) == 40 and len(inbound) == 6
    assert all(0 <= age <= 5 * 86_400 + 5 for age, _, _ in orders)
    assert [age for age, _, _ in orders] == sorted((age for age, _, _ in orders), reverse=True)
    assert {status for _, _, status in orders} <= {113, 114, 115}
    assert _history([*argv[:-1], "8"]) != (orders, inbound)


def test_no_seeding_flags_seed_nothing() -> None:
    assert _history([]) == ([], [])


def test_the_command_seeds_before_serving() -> None:
    with child(
        "fake-server", "--port", "0", "--orders", "5", "--inbound", "2", "--seed", "1"
    ) as proc:
        wait_for_line(proc.stdout, r"listening on http://127\.0\.0\.1:\d+")
        found, _ = wait_for_line(proc.stdout, r"seeded (\d+) orders and (\d+) inbound")
        assert found.groups() == ("5", "2")
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0 and "stopped" in out
