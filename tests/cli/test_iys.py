"""``iys register FILE.csv`` and ``iys check``."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from iletimerkezi_async.cli import EXIT_ABORTED, EXIT_API, EXIT_USAGE

from ._helpers import failed, json_doc, ok
from .conftest import Invoke, ThreadedFake

BRAND = ("--brand-code", "696422")
ISTANBUL = ZoneInfo("Europe/Istanbul")

CSV = """recipient,recipientType,type,status,source,consentDate
+905051234567,BIREYSEL,MESAJ,ONAY,HS_WEB,2026-01-07 23:50:00
05321234567,tacir,mesaj,ret,hs_fiziksel_ortam,
ali@example.com,BIREYSEL,EPOSTA,ONAY,HS_EORTAM,2025-12-10T00:00:00+03:00
"""


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "consents.csv"
    path.write_text(text, "utf-8")
    return str(path)


def test_register_a_csv(cli: Invoke, fake: ThreadedFake, tmp_path: Path) -> None:
    doc = json_doc(cli("iys", "register", write(tmp_path, CSV), *BRAND, "--yes", "--json"))
    assert doc == {"registered": 3, "requests": 1, "brand_code": 696422}
    consents = fake.call(lambda: dict(fake.fake.account.consents))
    first = consents[("+905051234567", "BIREYSEL", "MESAJ")]
    assert first.status == "ONAY" and first.source == "HS_WEB"
    assert first.consent_date == datetime(2026, 1, 7, 23, 50, tzinfo=ISTANBUL)
    assert consents[("+905321234567", "TACIR", "MESAJ")].status == "RET"
    assert consents[("ali@example.com", "BIREYSEL", "EPOSTA")].source == "HS_EORTAM"


@pytest.mark.usefixtures("tty")
def test_register_asks_first(cli: Invoke, fake: ThreadedFake, tmp_path: Path) -> None:
    result = cli("iys", "register", write(tmp_path, CSV), *BRAND, input="n\n")
    assert result.exit_code == EXIT_ABORTED and "Register 3 consent(s)?" in result.stderr
    assert fake.call(lambda: len(fake.fake.account.consents)) == 0
    result = ok(cli("iys", "register", write(tmp_path, CSV), *BRAND, input="evet\n"))
    assert result.stdout.strip() == "3 consent(s) registered in 1 request(s)."


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("", "is empty"),
        ("recipient,type,status,source\n", "missing: recipient_type"),
        ("recipient,recipient_type,type,status,source,colour\n", "unknown: colour"),
        ("recipient,recipient_type,type,status,source\n", "no consent rows"),
        (
            "recipient,recipient_type,type,status,source,consent_date\n"
            "5051234567,BIREYSEL,MESAJ,ONAY,HS_WEB,2026-01-01 10:00:00\n"
            "5051234568,BIREYSEL,MESAJ,BELKI,HS_WEB,2026-01-01 10:00:00\n",
            "line 3: status must be one of ONAY, RET",
        ),
        (
            "recipient,recipient_type,type,status,source,consent_date\n"
            "5051234567,BIREYSEL,MESAJ,ONAY,HS_WEB,\n",
            "line 2: consent_date is required for BIREYSEL",
        ),
        (
            "recipient,recipient_type,type,status,source,consent_date\n"
            "5051234567,BIREYSEL,MESAJ,ONAY,HS_WEB,dün\n",
            "line 2: consent_date must be",
        ),
    ],
)
def test_bad_files_are_refused_before_any_request(
    cli: Invoke, fake: ThreadedFake, tmp_path: Path, text: str, needle: str
) -> None:
    line = failed(cli("iys", "register", write(tmp_path, text), *BRAND, "-y"), EXIT_USAGE)
    assert needle in line
    assert fake.call(lambda: list(fake.fake.requests)) == []


def test_register_without_subscription_is_an_api_error(
    cli: Invoke, fake: ThreadedFake, tmp_path: Path
) -> None:
    fake.call(setattr, fake.fake.options, "iys_subscription", False)
    line = failed(cli("iys", "register", write(tmp_path, CSV), *BRAND, "-y"), EXIT_API)
    assert "403" in line and "Aktif abonelik bulunamadı" in line


def test_check(cli: Invoke, fake: ThreadedFake) -> None:
    fake.call(
        fake.fake.account.add_consent,
        "+905051234567",
        consent_date=datetime(2025, 12, 10, tzinfo=ISTANBUL),
    )
    doc = json_doc(cli("iys", "check", "5051234567", *BRAND, "--json"))
    assert doc == {
        "recipient": "+905051234567",
        "recipient_type": "BIREYSEL",
        "type": "MESAJ",
        "status": "ONAY",
        "source": "HS_WEB",
        "consent_date": "2025-12-10T00:00:00+03:00",
    }
    assert "HS_WEB" in ok(cli("iys", "check", "5051234567", *BRAND)).stdout
    assert json_doc(cli("iys", "check", "5321234567", *BRAND, "--json")) is None
    assert "No İYS record" in ok(cli("iys", "check", "5321234567", *BRAND)).stdout


def test_brand_code_from_the_environment_and_required(cli: Invoke) -> None:
    env = {"ILETIMERKEZI_BRAND_CODE": "696422"}
    assert json_doc(cli("iys", "check", "5051234567", "--json", env=env)) is None
    assert cli("iys", "check", "5051234567").exit_code == EXIT_USAGE
