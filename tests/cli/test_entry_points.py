"""The entry points, ``--help`` of every command, ``demo`` and ``fake-server``."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest

from iletimerkezi_async import __version__
from iletimerkezi_async.cli import (
    EXIT_ABORTED,
    EXIT_API,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_OUTCOME_UNKNOWN,
    EXIT_TRANSPORT,
    EXIT_USAGE,
    main,
)

from ._helpers import json_doc, ok
from ._proc import child, wait_for_line
from .conftest import Invoke

COMMANDS = [
    ("balance",),
    ("senders",),
    ("send",),
    ("cancel",),
    ("report",),
    ("reports",),
    ("blacklist",),
    ("blacklist", "list"),
    ("blacklist", "add"),
    ("blacklist", "remove"),
    ("inbox",),
    ("iys",),
    ("iys", "register"),
    ("iys", "check"),
    ("webhook",),
    ("webhook", "serve"),
    ("demo",),
    ("fake-server",),
]


def test_exit_codes_are_distinct_and_stable() -> None:
    codes = [EXIT_OK, EXIT_ABORTED, EXIT_USAGE, EXIT_API, EXIT_TRANSPORT, EXIT_OUTCOME_UNKNOWN]
    assert codes == [0, 1, 2, 3, 4, 5] and EXIT_INTERRUPTED == 130


def test_python_dash_m_help_lists_every_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "iletimerkezi_async", "--help"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    for name in {c[0] for c in COMMANDS}:
        assert f"  {name} " in done.stdout
    assert "Exit codes" in done.stdout


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_help(bare: Invoke, command: tuple[str, ...]) -> None:
    result = ok(bare(*command, "--help"))
    assert result.stdout.startswith("Usage: ")
    leaf = command[-1] not in ("blacklist", "iys", "webhook")
    api = command[0] not in ("demo", "fake-server", "webhook")
    if leaf and api:
        assert "ILETIMERKEZI_API_KEY" in result.stdout and "--base-url" in result.stdout


def test_version(bare: Invoke) -> None:
    assert __version__ in ok(bare("--version")).stdout


def test_main_runs_the_group(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0 and __version__ in capsys.readouterr().out


def test_unknown_command_is_a_usage_error(bare: Invoke) -> None:
    assert bare("sned").exit_code == EXIT_USAGE


@pytest.mark.parametrize(("args", "pause"), [((), 0.4), (("--fast",), 0.0)])
def test_demo_runs_the_tour(
    bare: Invoke, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...], pause: float
) -> None:
    """The command's wiring only: the tour itself is tested in ``tests/test_demo.py``."""
    import iletimerkezi_async.cli._demo as demo_module

    calls: list[float] = []

    async def fake_tour(*, pause: float = 0.4, console: object = None) -> dict[str, str]:
        calls.append(pause)
        print("tour ran")
        return {}

    monkeypatch.setattr(demo_module, "run_demo", fake_tour)
    assert ok(bare("demo", *args)).stdout == "tour ran\n"
    assert calls == [pause]


def test_fake_server_serves_the_other_commands(cli: Invoke) -> None:
    with child("fake-server", "--port", "0") as proc:
        found, _ = wait_for_line(proc.stdout, r"listening on (http://127\.0\.0\.1:\d+)")
        env = {
            "ILETIMERKEZI_BASE_URL": found.group(1),
            "ILETIMERKEZI_API_KEY": "test-key",
            "ILETIMERKEZI_API_HASH": "test-hash",
        }
        assert json_doc(cli("balance", "--json", env=env)) == {"amount": "1000.0", "sms": 10000}
        assert cli("balance", "--json", env={**env, "ILETIMERKEZI_API_HASH": "x"}).exit_code == (
            EXIT_API
        )
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0 and "stopped" in out


def test_fake_server_reports_a_busy_port(cli: Invoke) -> None:
    with child("fake-server", "--port", "0") as proc:
        found, _ = wait_for_line(proc.stdout, r"http://127\.0\.0\.1:(\d+)")
        with child("fake-server", "--port", found.group(1)) as second:
            _, err = second.communicate(timeout=30)
        assert second.returncode == 1 and "cannot start" in err
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)


def test_main_without_the_extra_explains_how_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "rich", None)  # import rich -> ImportError(name="rich")
    with pytest.raises(SystemExit) as exit_info:
        main(["balance"])
    assert exit_info.value.code == EXIT_USAGE
    assert 'pip install "iletimerkezi-async[cli]"' in capsys.readouterr().err
