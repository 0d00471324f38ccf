"""The error -> exit code mapping, and Ctrl-C."""

from __future__ import annotations

import pytest

import iletimerkezi_async as im
from iletimerkezi_async.cli import (
    EXIT_ABORTED,
    EXIT_API,
    EXIT_INTERRUPTED,
    EXIT_OUTCOME_UNKNOWN,
    EXIT_TRANSPORT,
    EXIT_USAGE,
    _options,
)
from iletimerkezi_async.cli._run import describe
from iletimerkezi_async.errors import error_for_code
from iletimerkezi_async.resources.account import AccountResource

from ._helpers import failed
from .conftest import Invoke, ThreadedFake


@pytest.mark.parametrize(
    ("exc", "code", "needle"),
    [
        (error_for_code(401, endpoint="get-balance"), EXIT_API, 'API error 401 "Üyelik bilgileri'),
        (error_for_code(450), EXIT_API, "sender not approved"),
        (error_for_code(451), EXIT_API, "nothing was sent"),
        (error_for_code(503), EXIT_API, "503"),
        (error_for_code(429), EXIT_API, "429"),
        (
            im.TransportError("get-balance: timed out", maybe_sent=False),
            EXIT_TRANSPORT,
            "timed out",
        ),
        (im.ResponseFormatError("not JSON"), EXIT_TRANSPORT, "unreadable answer"),
        (im.SendOutcomeUnknownError("send-sms: timed out"), EXIT_OUTCOME_UNKNOWN, "Do NOT resend"),
        (im.InvalidRequestError("sender", "must be 1-11 characters"), EXIT_USAGE, "invalid sender"),
        (im.ConfigurationError("missing credentials"), EXIT_USAGE, "missing credentials"),
        (im.CursorError("unreadable inbox cursor"), EXIT_USAGE, "unreadable inbox cursor"),
        (
            im.WaitTimeoutError("order 1 not final", order_id="1", timeout=1.0, report=None),
            EXIT_ABORTED,
            "not final",
        ),
        (FileNotFoundError(2, "No such file or directory", "x.cursor"), EXIT_ABORTED, "x.cursor"),
        (ValueError("surprise"), EXIT_ABORTED, "unexpected ValueError: surprise"),
    ],
)
def test_describe(exc: Exception, code: int, needle: str) -> None:
    got, line = describe(exc)
    assert got == code and needle in line and "\n" not in line


def test_describe_appends_notes() -> None:
    exc = error_for_code(503)
    exc.add_note("100 of 7000 consents were registered before this chunk")
    assert describe(exc)[1].endswith("; 100 of 7000 consents were registered before this chunk")


def test_ctrl_c_inside_a_command_exits_130_quietly(
    cli: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def interrupted(self: AccountResource) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(AccountResource, "balance", interrupted)
    result = cli("balance")
    assert result.exit_code == EXIT_INTERRUPTED
    assert result.stdout == "" and result.stderr == ""


def test_ctrl_c_at_the_prompt_exits_130_quietly(
    cli: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted() -> bool:
        raise KeyboardInterrupt

    monkeypatch.setattr(_options, "stdin_is_tty", interrupted)
    result = cli("send", "5051234567", "--sender", "ACME", "--text", "x")
    assert result.exit_code == EXIT_INTERRUPTED
    assert "Aborted" not in result.stderr and "Traceback" not in result.stderr


def test_missing_credentials_is_one_usage_line(bare: Invoke) -> None:
    line = failed(bare("balance", "--key", "k"), EXIT_USAGE)
    assert line == "Error: missing credentials: pass --hash (or ILETIMERKEZI_API_HASH)"
    line = failed(bare("reports", "--since", "2025-01-01", "--until", "2025-01-02"), EXIT_USAGE)
    assert "--key (or ILETIMERKEZI_API_KEY) and --hash" in line


def test_wrong_hash_is_an_api_error(cli: Invoke) -> None:
    line = failed(cli("balance", "--hash", "nope"), EXIT_API)
    assert "401" in line and "Üyelik bilgileri hatalı" in line and "authentication failed" in line


def test_plain_http_to_a_remote_host_is_a_usage_error(cli: Invoke) -> None:
    line = failed(cli("balance", "--base-url", "http://api.example.com"), EXIT_USAGE)
    assert "https://" in line


def test_an_html_5xx_page_is_an_api_error_that_says_what_came_back(
    cli: Invoke, fake: ThreadedFake
) -> None:
    """One rule: the class decides (a 5xx page keeps its HTTP meaning, so exit 3)."""
    fake.call(fake.fake.malform, "get-sender", "html", times=4)
    line = failed(cli("senders"), EXIT_API)
    assert "the server answered HTTP 500 with a non-API body" in line
    assert "undocumented code" not in line
    assert "an HTTP error page" in line and "[get-sender]" in line


def test_unreachable_port_is_a_transport_error(cli: Invoke) -> None:
    line = failed(cli("senders", "--base-url", "http://127.0.0.1:1"), EXIT_TRANSPORT)
    assert "get-sender" in line
