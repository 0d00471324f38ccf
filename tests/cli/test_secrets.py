"""No output of any command, success or failure, ever holds the key or the hash."""

from __future__ import annotations

from pathlib import Path

import pytest

from iletimerkezi_async.resources.account import AccountResource

from ._helpers import failed
from .conftest import HASH, KEY, Invoke, ThreadedFake

WRONG_HASH = "wrongHASH-41c9e0-SECRETW"


def everything(cli: Invoke, fake: ThreadedFake, tmp_path: Path) -> str:
    """Run a broad mix of commands and return everything they printed."""
    fake.call(fake.fake.add_inbound, "RET")
    consents = tmp_path / "c.csv"
    consents.write_text(
        "recipient,recipient_type,type,status,source,consent_date\n"
        "5051234567,BIREYSEL,MESAJ,ONAY,HS_WEB,2026-01-01 10:00:00\n",
        "utf-8",
    )
    wrong = {"ILETIMERKEZI_API_HASH": WRONG_HASH}
    runs = [
        cli("balance"),
        cli("balance", "--json"),
        cli("senders", "--json"),
        cli("send", "5051234567", "--sender", "ACME", "--text", "x", "-y", "--json"),
        cli("send", "5051234567", "--sender", "NOPE", "--text", "x", "-y"),
        cli("send", "5051234567", "--sender", "ACME", "--text", "x"),
        cli("report", "100000001", "--messages", "--json"),
        cli("report", "100000001", "--follow", "--interval", "0.01", "--timeout", "5"),
        cli("cancel", "100000001"),
        cli(
            "send",
            "5051234567",
            "--sender",
            "ACME",
            "--text",
            "y",
            "-y",
            "--schedule",
            "2099-01-01T10:00",
        ),
        cli("report", "100000002", "--follow", "--interval", "0.01", "--timeout", "0.05"),
        cli("reports", "--since", "2025-01-01", "--until", "2025-01-15"),
        cli("blacklist", "add", "5051234567"),
        cli("blacklist", "list"),
        cli("blacklist", "remove", "5321234567"),
        cli("inbox", "--json"),
        cli("inbox", "--follow", "--max", "1"),
        cli("iys", "register", str(consents), "--brand-code", "696422", "-y"),
        cli("iys", "check", "5051234567", "--brand-code", "696422"),
        cli("balance", env=wrong),
        cli("balance", "--key", KEY, "--hash", WRONG_HASH),
        cli("inbox", "--follow", env=wrong),
        cli("balance", "--base-url", "http://127.0.0.1:1"),
        cli("balance", "--base-url", f"http://{KEY}:{HASH}@127.0.0.1:1"),
        cli("balance", "--base-url", "http://example.com"),
        cli("balance", env={"ILETIMERKEZI_API_HASH": ""}),
        cli("balance", "--help"),
        cli("send", "--help"),
        cli("balance", "--no-such-option", KEY),
    ]
    assert {r.exit_code for r in runs} >= {0, 1, 2, 3, 4}  # every path was taken
    return "".join(r.stdout + r.stderr for r in runs)


def test_no_output_holds_a_secret(cli: Invoke, fake: ThreadedFake, tmp_path: Path) -> None:
    printed = everything(cli, fake, tmp_path)
    for secret in (KEY, HASH, WRONG_HASH, "SECRETK", "SECRETH", "SECRETW"):
        assert secret not in printed


def test_an_unexpected_error_is_one_scrubbed_line(
    cli: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def boom(self: AccountResource) -> None:
        raise RuntimeError(f"internal state with {KEY} and\n{HASH}")

    monkeypatch.setattr(AccountResource, "balance", boom)
    line = failed(cli("balance"), 1)
    assert line == "Error: unexpected RuntimeError: internal state with *** and ***"
