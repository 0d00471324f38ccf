"""The account's fixed rules: limits, accepted values and how request values parse.

Kept apart from the handlers because seeding (``add_consent``,
``add_blacklist``) must accept exactly what the endpoints accept.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Final

from iletimerkezi_async.errors import InvalidRequestError
from iletimerkezi_async.phone import normalize_number

from ._envelope import Refusal
from ._fake_clock import ISTANBUL, TIMESTAMP
from ._models import ConsentRecord

__all__ = [
    "APITEST",
    "APITEST_TEXT",
    "CARRIER_PREFIXES",
    "CONSENT_STATUSES",
    "CONSENT_TYPES",
    "IYS_LISTS",
    "IYS_SOURCES",
    "MAX_ROWS",
    "any_number",
    "brand_code",
    "carrier_number",
    "consent_from_item",
    "consent_recipient",
    "int_field",
    "page_and_rows",
    "parse_day",
    "parse_timestamp",
    "turkish_mobile",
]

APITEST: Final = "APITEST"
APITEST_TEXT: Final = "Bu mesaj iletiMerkezi API test mesajidir."
"""The fixed verification text that replaces the body of every APITEST send."""

CARRIER_PREFIXES: Final[frozenset[str]] = frozenset(
    [f"50{d}" for d in range(10)]
    + [f"53{d}" for d in range(10)]
    + [f"54{d}" for d in range(10)]
    + [f"55{d}" for d in range(10)]
    + ["561"]
)
"""Three-digit operator prefixes (after +90) that the blacklist endpoints accept."""

IYS_SOURCES: Final[frozenset[str]] = frozenset(
    {
        "HS_FIZIKSEL_ORTAM",
        "HS_ISLAK_IMZA",
        "HS_WEB",
        "HS_CAGRI_MERKEZI",
        "HS_SOSYAL_MEDYA",
        "HS_EPOSTA",
        "HS_MESAJ",
        "HS_MOBIL",
        "HS_EORTAM",
        "HS_ETKINLIK",
        "HS_2015",
        "HS_ATM",
        "HS_KARAR",
    }
)

IYS_LISTS: Final = frozenset({"BIREYSEL", "TACIR"})
CONSENT_TYPES: Final = frozenset({"MESAJ", "EPOSTA", "ARAMA"})
CONSENT_STATUSES: Final = frozenset({"ONAY", "RET"})
MAX_ROWS: Final = 1000

_YMD = re.compile(r"\d{4}-\d{2}-\d{2}")
_YMD_HMS = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")
_NUMERIC = re.compile(r"-?\d+")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_TURKISH_MOBILE = re.compile(r"\+905\d{9}")


def int_field(value: object, default: int) -> int:
    """An int given as int or numeric string; anything else is a 400."""
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        raise Refusal(400)
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _NUMERIC.fullmatch(value.strip()):
        return int(value.strip())
    raise Refusal(400)


def page_and_rows(block: dict[str, Any]) -> tuple[int, int]:
    """``page`` (464 below 1) and ``rowCount`` (400 below 1, clamped to 1000)."""
    page = int_field(block.get("page"), 1)
    rows = int_field(block.get("rowCount"), MAX_ROWS)
    if page < 1:
        raise Refusal(464)
    if rows < 1:
        raise Refusal(400)
    return page, min(rows, MAX_ROWS)


def turkish_mobile(value: object) -> str | None:
    """``+905xxxxxxxxx`` for a Turkish mobile in any accepted spelling, else None."""
    number = any_number(value)
    return number if number is not None and _TURKISH_MOBILE.fullmatch(number) else None


def any_number(value: object) -> str | None:
    """Turkish mobile or E.164 international number, else None."""
    if not isinstance(value, str | int) or isinstance(value, bool):
        return None
    try:
        return normalize_number(value)
    except InvalidRequestError:
        return None


def carrier_number(value: object) -> str | None:
    """A Turkish mobile with a real operator prefix (blacklist endpoints), else None."""
    number = turkish_mobile(value)
    if number is None or number[3:6] not in CARRIER_PREFIXES:
        return None
    return number


def parse_timestamp(value: object) -> datetime | None:
    if not isinstance(value, str) or not _YMD_HMS.fullmatch(value):
        return None
    try:
        return datetime.strptime(value, TIMESTAMP).replace(tzinfo=ISTANBUL)
    except ValueError:
        return None


def parse_day(value: object) -> date | None:
    if not isinstance(value, str) or not _YMD.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def consent_recipient(value: object) -> str | None:
    """Normalised phone or case-folded e-mail, the key under which consents are stored."""
    if isinstance(value, str) and "@" in value:
        candidate = value.strip()
        return candidate.casefold() if _EMAIL.fullmatch(candidate) else None
    return turkish_mobile(value)


def brand_code(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def consent_from_item(item: object, *, brand: int, now: datetime) -> ConsentRecord | None:
    """One consent/create list item as a record, or None when anything is off."""
    if not isinstance(item, dict):
        return None
    recipient = consent_recipient(item.get("recipient"))
    recipient_type = item.get("recipientType")
    kind = item.get("type")
    if (
        recipient is None
        or recipient_type not in IYS_LISTS
        or kind not in CONSENT_TYPES
        or item.get("status") not in CONSENT_STATUSES
        or item.get("source") not in IYS_SOURCES
        or (kind == "EPOSTA") != ("@" in recipient)
    ):
        return None
    raw_date = item.get("consentDate")
    if raw_date in (None, "") and recipient_type == "TACIR":
        consent_date: datetime | None = now.replace(microsecond=0)
    else:
        consent_date = parse_timestamp(raw_date)
    if consent_date is None:
        return None
    return ConsentRecord(
        brand_code=brand,
        recipient=recipient,
        recipient_type=str(recipient_type),
        type=str(kind),
        status=str(item["status"]),
        source=str(item["source"]),
        consent_date=consent_date,
    )
