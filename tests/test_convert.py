"""Response conversion: golden 2026/legacy fixtures, hook edge cases, fuzzing."""

from __future__ import annotations

import contextlib
import json
import math
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Optional
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iletimerkezi_async import _lenient, _parse
from iletimerkezi_async._answers import BalanceAnswer, ReportAnswer, ReportsAnswer
from iletimerkezi_async._convert import converter
from iletimerkezi_async.errors import ResponseFormatError
from iletimerkezi_async.models import (
    Balance,
    Consent,
    ConsentStatus,
    ConsentType,
    DeliveryReport,
    DeliveryStatus,
    InboundMessage,
    Inbox,
    IysList,
    MessageReport,
    MessageStatus,
    Order,
    OrderReport,
    OrderStatus,
    OrderSummary,
)

from . import _answers as answers

IST = ZoneInfo("Europe/Istanbul")
GOLDEN = Path(__file__).parent / "fixtures" / "golden"


# The lenient parser the converter binds to a wire field of each kind.
_WIRE: dict[object, Callable[[Any, str], Any]] = {
    int: _lenient.integer,
    Decimal: _lenient.decimal,
    Decimal | None: _lenient.opt_decimal,
    Optional[Decimal]: _lenient.opt_decimal,  # noqa: UP045
    str: _lenient.identifier,
    datetime: _lenient.timestamp,
    datetime | None: _lenient.opt_timestamp,
    Optional[datetime]: _lenient.opt_timestamp,  # noqa: UP045
}


def wire(raw: object, kind: Any) -> Any:
    """``raw`` as a wire field of ``kind`` (enums: the converter's lenient enum hook)."""
    parse = _WIRE.get(kind)
    return converter.structure(raw, kind) if parse is None else parse(raw, "")


def load(era: str, name: str) -> Any:
    return json.loads((GOLDEN / era / f"{name}.json").read_text(encoding="utf-8"))


def response(era: str, name: str) -> Any:
    return load(era, name)["response"]


def ist(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, us: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, us, tzinfo=IST)


# --------------------------------------------------------------------------- golden: 2026


def test_golden_send_sms() -> None:
    assert answers.order(response("2026", "send-sms"), recipients=2) == Order(
        id="12323232", recipients=2
    )


REPORT_2026 = OrderReport(
    id="312891245",
    status=OrderStatus.COMPLETED,
    total=1,
    delivered=1,
    undelivered=0,
    waiting=0,
    submitted_at=ist(2026, 4, 29, 4, 32, 24),
    send_at=ist(2026, 4, 29, 4, 32, 24),
    sender="eMarka Test",
    price=Decimal("1"),
    messages=(MessageReport(number="+905333128320", status=MessageStatus.DELIVERED),),
)


def test_golden_get_report() -> None:
    report = answers.order_report(response("2026", "get-report"))
    assert report == REPORT_2026
    assert report.submitted_at is not None
    assert report.submitted_at.utcoffset() == timedelta(hours=3)
    assert report.submitted_at.tzinfo == IST


SUMMARY_2026 = OrderSummary(
    id="312988299",
    status=OrderStatus.COMPLETED,
    total=1,
    delivered=1,
    undelivered=0,
    waiting=0,
    submitted_at=ist(2026, 4, 29, 21, 49, 42),
    send_at=ist(2026, 4, 29, 21, 49, 42),
    sender="eMarka Test",
)


def test_golden_get_reports() -> None:
    assert answers.order_summaries(response("2026", "get-reports")) == (SUMMARY_2026,)


def test_golden_balance() -> None:
    bal = answers.balance(response("2026", "get-balance"))
    assert bal == Balance(amount=Decimal("10.584"), sms=67)
    assert str(bal.amount) == "10.584"  # exact, not Decimal(10.584)'s binary expansion


def test_golden_senders() -> None:
    assert answers.senders(response("2026", "get-sender")) == ("eMarka Test",)


def test_golden_blacklist() -> None:
    assert answers.blacklist_page(response("2026", "get-blacklist")) == (1, ("+905330000099",))


CONSENT_2026 = Consent(
    recipient="+905051234567",
    recipient_type=IysList.BIREYSEL,
    type=ConsentType.MESAJ,
    status=ConsentStatus.ONAY,
    source="HS_WEB",
    consent_date=ist(2025, 12, 10, 0, 0, 0),
)


def test_golden_iys_check() -> None:
    assert answers.consent(response("2026", "iys-check")) == CONSENT_2026


INBOX_2026 = Inbox(
    total=5,
    messages=(
        InboundMessage(
            id="5",
            received_at=ist(2026, 4, 9, 11, 18, 44),
            sender="7889",
            number="+905354104818",
            text="ILT AHKTEST RET",
        ),
    ),
)


def test_golden_inbox() -> None:
    box = answers.inbox(response("2026", "get-inbox"))
    assert box == INBOX_2026
    assert box.messages[0].matches("RET")


WEBHOOK_2026 = DeliveryReport(
    message_id=1599558518,
    order_id="104525848",
    status=DeliveryStatus.ACCEPTED,
    to="+905051234567",
    body="Message text",
)


def test_golden_webhook() -> None:
    assert answers.delivery_report(load("2026", "webhook")["report"]) == WEBHOOK_2026


@pytest.mark.parametrize("era", ["2026", "legacy"])
def test_golden_cancel_is_status_only(era: str) -> None:
    body = response(era, "cancel-order")
    assert set(body) == {"status"}
    assert wire(body["status"]["code"], int) == 200


ENVELOPED = sorted(p.stem for p in (GOLDEN / "legacy").glob("*.json") if p.stem != "webhook")


@pytest.mark.parametrize("era", ["2026", "legacy"])
@pytest.mark.parametrize("name", ENVELOPED)
def test_golden_status_codes_parse_as_200(era: str, name: str) -> None:
    if not (GOLDEN / era / f"{name}.json").exists():
        return  # a legacy-only variant
    code = response(era, name)["status"]["code"]
    assert code == (200 if era == "2026" else "200")
    assert wire(code, int) == 200


def test_every_golden_fixture_has_a_legacy_twin() -> None:
    names_2026 = {p.name for p in (GOLDEN / "2026").glob("*.json")}
    names_legacy = {p.name for p in (GOLDEN / "legacy").glob("*.json")}
    assert names_2026 <= names_legacy


# --------------------------------------------------------------------------- golden: legacy == 2026


def test_legacy_send_sms_int_id_equals_2026() -> None:
    assert answers.order(response("legacy", "send-sms"), recipients=2) == answers.order(
        response("2026", "send-sms"), recipients=2
    )


def test_legacy_get_report_minimal_shape() -> None:
    old = answers.order_report(response("legacy", "get-report"))
    new = answers.order_report(response("2026", "get-report"))
    # Same order, same recipients: int id and prefix-less int numbers normalise.
    assert (old.id, old.status, old.messages) == (new.id, new.status, new.messages)
    # The older shape has no counters, times, sender or price.
    assert (old.total, old.delivered, old.undelivered, old.waiting) == (0, 0, 0, 0)
    assert (old.submitted_at, old.send_at, old.sender, old.price) == (None, None, None, None)


def test_legacy_get_report_comma_price_equals_2026() -> None:
    old = answers.order_report(response("legacy", "get-report-go"))
    assert old == REPORT_2026
    assert old.price == Decimal("1.0000")


def test_legacy_get_reports_equals_2026() -> None:
    assert answers.order_summaries(response("legacy", "get-reports")) == (SUMMARY_2026,)


def test_legacy_balance_equals_2026() -> None:
    old = answers.balance(response("legacy", "get-balance"))
    assert old == answers.balance(response("2026", "get-balance"))
    assert old == Balance(amount=Decimal("10.584"), sms=67)


def test_legacy_senders_equal_2026() -> None:
    assert answers.senders(response("legacy", "get-sender")) == answers.senders(
        response("2026", "get-sender")
    )


def test_legacy_blacklist_string_count_equals_2026() -> None:
    assert answers.blacklist_page(response("legacy", "get-blacklist")) == (1, ("+905330000099",))


def test_legacy_iys_check_string_brand_code_equals_2026() -> None:
    assert answers.consent(response("legacy", "iys-check")) == CONSENT_2026


def test_legacy_iys_check_empty_array_means_no_record() -> None:
    assert answers.consent(response("legacy", "iys-check-empty")) is None


def test_legacy_inbox_equals_2026() -> None:
    assert answers.inbox(response("legacy", "get-inbox")) == INBOX_2026


def test_legacy_webhook_string_ids_equal_2026() -> None:
    assert answers.delivery_report(load("legacy", "webhook")["report"]) == WEBHOOK_2026


# --------------------------------------------------------------------------- hooks


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(5, 5), (0, 0), ("5", 5), (" 5 ", 5), ("-3", -3), ("+7", 7), (5.0, 5), ("007", 7)],
)
def test_int_hook_accepts(raw: object, expected: int) -> None:
    result = wire(raw, int)
    assert result == expected
    assert type(result) is int


@pytest.mark.parametrize(
    "raw",
    [
        *(True, False, 5.5, "5.5", "", " ", "abc", None, [], {}),
        *("1_000", "٥", "0x10", "1e3", math.inf, math.nan, "9" * 30),
    ],
)
def test_int_hook_refuses(raw: object) -> None:
    with pytest.raises(ValueError, match="integer"):
        wire(raw, int)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (10.584, "10.584"),
        ("10.584", "10.584"),
        (1, "1"),
        (0.1, "0.1"),
        ("0,0000", "0.0000"),
        ("12,5", "12.5"),
        (" 2.50 ", "2.50"),
        ("-1.5", "-1.5"),
        (".5", "0.5"),
        (1e-05, "0.00001"),
        (Decimal("3.14"), "3.14"),
    ],
)
def test_decimal_hook_accepts(raw: object, expected: str) -> None:
    result = wire(raw, Decimal)
    assert result == Decimal(expected)
    assert isinstance(result, Decimal)


def test_decimal_hook_goes_through_str_for_floats() -> None:
    binary = 10.584
    assert wire(binary, Decimal) != Decimal(binary)
    assert str(wire(10.584, Decimal)) == "10.584"


@pytest.mark.parametrize(
    "raw",
    [
        *(True, False, None, "", "abc", "1.234,56", "1,2,3", "NaN", "Infinity", "1_000", []),
        *({}, math.nan, math.inf, -math.inf, Decimal("NaN"), "1e99999"),
    ],
)
def test_decimal_hook_refuses(raw: object) -> None:
    with pytest.raises(ValueError, match="decimal"):
        wire(raw, Decimal)


@pytest.mark.parametrize(("raw", "expected"), [(None, None), ("", None), ("1,5", Decimal("1.5"))])
def test_optional_decimal_hook(raw: object, expected: Decimal | None) -> None:
    assert wire(raw, Decimal | None) == expected
    assert wire(raw, Optional[Decimal]) == expected  # noqa: UP045


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(312891245, "312891245"), ("312891245", "312891245"), (" 42 ", "42"), ("abc", "abc")],
)
def test_id_hook_accepts(raw: object, expected: str) -> None:
    assert wire(raw, str) == expected


@pytest.mark.parametrize("raw", [None, {}, [], True, 1.5, "", "   "])
def test_id_hook_refuses(raw: object) -> None:
    with pytest.raises(ValueError, match="id"):
        wire(raw, str)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-04-29 04:32:24", ist(2026, 4, 29, 4, 32, 24)),
        ("2026-04-29T04:32:24", ist(2026, 4, 29, 4, 32, 24)),
        ("2026-04-29 04:32:24.5", ist(2026, 4, 29, 4, 32, 24, 500000)),
        ("2026-04-29T04:32:24.123456", ist(2026, 4, 29, 4, 32, 24, 123456)),
        (" 2026-04-29 04:32:24 ", ist(2026, 4, 29, 4, 32, 24)),
        ("2015-07-01 12:00:00", ist(2015, 7, 1, 12, 0, 0)),
    ],
)
def test_datetime_hook_accepts(raw: str, expected: datetime) -> None:
    result = wire(raw, datetime)
    assert result == expected
    assert result.tzinfo == IST
    assert _parse.parse_timestamp(raw) == expected


def test_datetime_uses_istanbul_rules_not_a_fixed_offset() -> None:
    assert wire("2026-01-15 10:00:00", datetime).utcoffset() == timedelta(hours=3)
    # Turkey observed DST (UTC+3 in summer, UTC+2 in winter) before 2016.
    assert wire("2015-01-15 10:00:00", datetime).utcoffset() == timedelta(hours=2)


@pytest.mark.parametrize(
    "raw",
    [
        "2026-04-29",
        "29/04/2026 04:32",
        "2026-04-29 04:32",
        "2026-13-01 00:00:00",
        "2026-02-30 00:00:00",
        "2026-04-29 24:00:00",
        "2026-04-29 04:32:24+03:00",
        "2026-04-29 04:32:24Z",
        "2026-W17-3 04:32:24",
        "2026-04-29x04:32:24",
        "20260429T043224",
        "",
        None,
        123,
        1745890344.0,
        [],
    ],
)
def test_datetime_hook_refuses(raw: object) -> None:
    with pytest.raises(ValueError, match=r"HH:MM:SS|calendar"):
        wire(raw, datetime)


@pytest.mark.parametrize("raw", [None, "", "0000-00-00 00:00:00"])
def test_optional_datetime_is_none_when_empty(raw: object) -> None:
    assert wire(raw, datetime | None) is None
    assert wire(raw, Optional[datetime]) is None  # noqa: UP045
    assert _parse.parse_timestamp(raw) is None


@pytest.mark.parametrize("raw", ["yesterday", 5, [], "2026-04-29"])
def test_parse_timestamp_refuses_with_response_format_error(raw: object) -> None:
    with pytest.raises(ResponseFormatError):
        _parse.parse_timestamp(raw)


@pytest.mark.parametrize(
    ("raw", "cls", "expected"),
    [
        (114, OrderStatus, OrderStatus.COMPLETED),
        ("114", OrderStatus, OrderStatus.COMPLETED),
        (" 113 ", OrderStatus, OrderStatus.SENDING),
        (999, OrderStatus, OrderStatus.UNKNOWN),
        ("soon", OrderStatus, OrderStatus.UNKNOWN),
        (110, MessageStatus, MessageStatus.PENDING),
        ("112", MessageStatus, MessageStatus.UNDELIVERED),
        ("accepted", DeliveryStatus, DeliveryStatus.ACCEPTED),
        ("DELIVERED", DeliveryStatus, DeliveryStatus.DELIVERED),
        ("undelivered ", DeliveryStatus, DeliveryStatus.UNDELIVERED),
        (111, DeliveryStatus, DeliveryStatus.DELIVERED),
        ("112", DeliveryStatus, DeliveryStatus.UNDELIVERED),
        ("expired", DeliveryStatus, DeliveryStatus.UNKNOWN),
        ("tacir", IysList, IysList.TACIR),
        ("EPOSTA", ConsentType, ConsentType.EPOSTA),
        ("Ret", ConsentStatus, ConsentStatus.RET),
        ("MAYBE", ConsentStatus, ConsentStatus.UNKNOWN),
    ],
)
def test_enum_hooks_are_lenient(raw: object, cls: type, expected: object) -> None:
    assert converter.structure(raw, cls) is expected


@pytest.mark.parametrize("raw", [None, True, 1.5, [], {}])
@pytest.mark.parametrize("cls", [OrderStatus, DeliveryStatus, IysList])
def test_enum_hooks_refuse_wrong_types(raw: object, cls: type) -> None:
    with pytest.raises(ValueError, match="status code or name"):
        converter.structure(raw, cls)


def test_answer_hooks_are_registered_on_the_converter() -> None:
    order = response("2026", "get-reports")["orders"][0]
    assert converter.structure({"orders": [order]}, ReportsAnswer).orders == (SUMMARY_2026,)
    legacy = response("legacy", "get-report")["order"]
    assert converter.structure({"order": legacy}, ReportAnswer).order.id == "312891245"
    assert converter.structure(
        {"balance": {"amount": "0", "sms": "18343"}}, BalanceAnswer
    ).balance == Balance(amount=Decimal(0), sms=18343)
    with pytest.raises(ValueError, match="status"):
        converter.structure({"orders": [{"id": 1}]}, ReportsAnswer)


# --------------------------------------------------------------------------- functions


def test_order_accepts_int_id() -> None:
    assert answers.order({"order": {"id": 7}}, recipients=1) == Order(id="7", recipients=1)


@pytest.mark.parametrize(
    "payload",
    [{}, {"order": None}, {"order": {}}, {"order": {"id": None}}, {"order": {"id": ""}}],
)
def test_order_refuses_missing_id(payload: object) -> None:
    with pytest.raises(ResponseFormatError, match="send-sms: ") as info:
        answers.order(payload, recipients=1)
    assert info.value.endpoint == "send-sms"


@pytest.mark.parametrize(
    "payload",
    [
        *({}, {"orders": []}, {"orders": None}, {"orders": {}}),
        *({"count": 0, "orders": []}, {"count": "0", "orders": []}),
    ],
)
def test_order_summaries_empty(payload: object) -> None:
    assert answers.order_summaries(payload) == ()


def test_order_summaries_validate_count() -> None:
    with pytest.raises(ResponseFormatError, match="count"):
        answers.order_summaries({"count": "many", "orders": []})


def test_order_summaries_error_names_the_position() -> None:
    good = response("2026", "get-reports")["orders"][0]
    with pytest.raises(ResponseFormatError) as info:
        answers.order_summaries({"orders": [good, dict(good, status=None)]})
    assert str(info.value).startswith("get-reports: orders[1].status: ")


def test_order_summaries_scheduled_order_has_distinct_send_at() -> None:
    good = dict(response("2026", "get-reports")["orders"][0], sendAt="2026-05-01 09:00:00")
    (summary,) = answers.order_summaries({"orders": [good]})
    assert summary.send_at == ist(2026, 5, 1, 9, 0, 0)
    assert summary.submitted_at == ist(2026, 4, 29, 21, 49, 42)


def test_order_summaries_lenient_optional_fields() -> None:
    (summary,) = answers.order_summaries(
        {"orders": [{"id": 1, "status": "115", "total": "3", "waiting": None, "sendAt": ""}]}
    )
    assert summary == OrderSummary(id="1", status=OrderStatus.FAILED, total=3)


def test_order_report_empty_message_list_variants() -> None:
    empty: object
    for empty in ([], {}, None):
        report = answers.order_report({"order": {"id": "1", "status": 113, "message": empty}})
        assert report.messages == ()


def test_order_report_keeps_unparseable_numbers_verbatim() -> None:
    report = answers.order_report(
        {"order": {"id": "1", "status": 114, "message": [{"number": "4917", "status": 112}]}}
    )
    assert report.messages == (MessageReport(number="4917", status=MessageStatus.UNDELIVERED),)


def test_error_messages_do_not_contain_numbers() -> None:
    payload = {"order": {"id": "1", "status": 114, "message": [{"number": 5051234567.0}]}}
    with pytest.raises(ResponseFormatError) as info:
        answers.order_report(payload)
    assert "5051234567" not in str(info.value)
    assert "order.message[0]" in str(info.value)


@pytest.mark.parametrize(
    "payload",
    [{}, {"senders": None}, {"senders": []}, {"senders": {}}, {"senders": {"sender": []}}],
)
def test_senders_empty(payload: object) -> None:
    assert answers.senders(payload) == ()


def test_senders_are_kept_verbatim() -> None:
    assert answers.senders({"senders": {"sender": ["APITEST", " eMarka "]}}) == (
        "APITEST",
        " eMarka ",
    )


def test_blacklist_numbers_normalised() -> None:
    payload = {
        "blacklist": {"count": "7906", "number": ["905330000099", 5330000098, "+905330000097"]}
    }
    assert answers.blacklist_page(payload) == (
        7906,
        ("+905330000099", "+905330000098", "+905330000097"),
    )


@pytest.mark.parametrize(
    "payload", [{"blacklist": {"count": 3}}, {"blacklist": {"count": 3, "number": []}}]
)
def test_blacklist_past_the_end(payload: object) -> None:
    assert answers.blacklist_page(payload) == (3, ())


@pytest.mark.parametrize("payload", [{}, {"blacklist": {}}, {"blacklist": {"count": "x"}}])
def test_blacklist_refuses(payload: object) -> None:
    with pytest.raises(ResponseFormatError, match="get-blacklist"):
        answers.blacklist_page(payload)


@pytest.mark.parametrize("block", [[], {}, None])
def test_consent_empty_means_none(block: object) -> None:
    assert answers.consent({"consent": block}) is None
    assert answers.consent({}) is None


def test_consent_email_recipient_kept() -> None:
    block = dict(
        response("2026", "iys-check")["consent"], recipient="ali@example.com", type="EPOSTA"
    )
    result = answers.consent({"consent": block})
    assert result is not None
    assert (result.recipient, result.type) == ("ali@example.com", ConsentType.EPOSTA)


def test_consent_as_a_list_of_one_is_that_record() -> None:
    record = response("2026", "iys-check")["consent"]
    assert answers.consent({"consent": [record]}) == answers.consent({"consent": record})


def test_consent_refuses_a_list_of_several() -> None:
    record = response("2026", "iys-check")["consent"]
    with pytest.raises(ResponseFormatError, match="expected one consent record, got 2"):
        answers.consent({"consent": [record, record]})


@pytest.mark.parametrize(
    ("orders", "expected"),
    [
        (None, Inbox(total=0)),
        ([], Inbox(total=0)),
        ({}, Inbox(total=0)),
        ({"totalRows": "12"}, Inbox(total=12)),
        ({"totalRows": "12", "order": []}, Inbox(total=12)),
    ],
)
def test_inbox_empty(orders: object, expected: Inbox) -> None:
    assert answers.inbox({"orders": orders}) == expected


def test_inbox_missing_orders() -> None:
    assert answers.inbox({}) == Inbox(total=0)


@pytest.mark.parametrize(
    ("sender", "expected"),
    [
        (" 7889 ", "7889"),
        ("ACME", "ACME"),
        ("05051234567", "+905051234567"),
        (905051234567, "+905051234567"),
        (7889, "7889"),
    ],
)
def test_inbox_sender_normalised_only_when_a_phone(sender: object, expected: str) -> None:
    message = dict(response("2026", "get-inbox")["orders"]["order"][0], sender=sender)
    box = answers.inbox({"orders": {"totalRows": "1", "order": [message]}})
    assert box.messages[0].sender == expected


def test_inbox_total_defaults_to_list_length() -> None:
    message = response("2026", "get-inbox")["orders"]["order"][0]
    assert answers.inbox({"orders": {"order": [message, message]}}).total == 2


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"id": "1599558518"}, {"message_id": 1599558518}),
        ({"packet_id": "104525848 "}, {"order_id": "104525848"}),
        ({"status": "DELIVERED"}, {"status": DeliveryStatus.DELIVERED}),
        ({"status": 112}, {"status": DeliveryStatus.UNDELIVERED}),
        ({"status": "new-state"}, {"status": DeliveryStatus.UNKNOWN}),
        ({"to": "05051234567"}, {"to": "+905051234567"}),
    ],
)
def test_delivery_report_variants(changes: dict[str, Any], expected: dict[str, Any]) -> None:
    report = answers.delivery_report(dict(load("2026", "webhook")["report"], **changes))
    for field, value in expected.items():
        assert getattr(report, field) == value


@pytest.mark.parametrize(
    "changes",
    [{"id": "abc"}, {"id": None}, {"packet_id": ""}, {"status": None}, {"to": None}, {"body": 5}],
)
def test_delivery_report_refuses(changes: dict[str, Any]) -> None:
    with pytest.raises(ResponseFormatError, match="webhook: "):
        answers.delivery_report(dict(load("2026", "webhook")["report"], **changes))


PUBLIC: list[Callable[[Any], object]] = [
    lambda p: answers.order(p, recipients=1),
    answers.order_report,
    answers.order_summaries,
    answers.balance,
    answers.senders,
    answers.blacklist_page,
    answers.consent,
    answers.inbox,
    answers.delivery_report,
]
PUBLIC_IDS = [
    "order",
    "order_report",
    "order_summaries",
    "balance",
    "senders",
    "blacklist_page",
    "consent",
    "inbox",
    "delivery_report",
]


@pytest.mark.parametrize("parse", PUBLIC, ids=PUBLIC_IDS)
@pytest.mark.parametrize("payload", [None, [], "x", 1, 1.5, True, b"{}"])
def test_non_object_payload_is_a_response_format_error(
    parse: Callable[[Any], object], payload: object
) -> None:
    with pytest.raises(ResponseFormatError, match="expected a JSON object"):
        parse(payload)


# --------------------------------------------------------------------------- fuzzing

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)


def field(plausible: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly a plausible wire value, sometimes any JSON value at all."""
    return st.one_of(plausible, plausible, plausible, plausible, plausible, json_values)


def obj(
    required: dict[str, st.SearchStrategy[Any]],
    optional: dict[str, st.SearchStrategy[Any]] | None = None,
) -> st.SearchStrategy[Any]:
    """A JSON object of plausible fields; keys may go missing and values go wrong."""
    shaped = st.fixed_dictionaries(
        {k: field(v) for k, v in required.items()},
        optional={k: field(v) for k, v in (optional or {}).items()},
    )
    dropped = shaped.flatmap(
        lambda d: st.sets(st.sampled_from(sorted(d)) if d else st.nothing()).map(
            lambda keys: {k: v for k, v in d.items() if k not in keys}
        )
    )
    return field(st.one_of(shaped, shaped, shaped, dropped))


def lists(element: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return field(st.lists(element, max_size=4))


ids = st.one_of(st.integers(0, 10**12), st.integers(0, 10**12).map(str), st.text(max_size=5))
counts = st.one_of(st.integers(-5, 10**6), st.integers(0, 10**6).map(str), st.text(max_size=3))
stamps = st.one_of(
    st.datetimes().map(lambda d: d.strftime("%Y-%m-%d %H:%M:%S")),
    st.datetimes().map(lambda d: d.isoformat()),
    st.sampled_from(["", "0000-00-00 00:00:00", "2026-04-29 04:32:24"]),
    st.text(max_size=22),
)
phones = st.one_of(
    st.from_regex(r"(\+90|0|90)?5[0-9]{9}", fullmatch=True),
    st.integers(5000000000, 5999999999),
    st.text(max_size=14),
)
prices = st.one_of(
    st.floats(), st.integers(), st.from_regex(r"[0-9]{1,4}[.,][0-9]{0,4}", fullmatch=True)
)
order_codes = st.one_of(st.sampled_from([110, 111, 112, 113, 114, 115, "114"]), st.text(max_size=4))
envelope = {"status": obj({"code": st.sampled_from([200, "200"])})}

summary_obj = obj(
    {"id": ids, "status": order_codes},
    {
        "total": counts,
        "delivered": counts,
        "undelivered": counts,
        "waiting": counts,
        "submitAt": stamps,
        "sendAt": stamps,
        "sender": st.text(max_size=11),
    },
)
report_obj = obj(
    {"id": ids, "status": order_codes},
    {
        "total": counts,
        "submitAt": stamps,
        "sendAt": stamps,
        "sender": st.text(max_size=11),
        "price": prices,
        "message": lists(obj({"number": phones, "status": order_codes})),
    },
)
payloads: dict[str, st.SearchStrategy[Any]] = {
    "order": obj({**envelope, "order": obj({"id": ids})}),
    "order_report": obj({**envelope, "order": report_obj}),
    "order_summaries": obj(envelope, {"count": counts, "orders": lists(summary_obj)}),
    "balance": obj({**envelope, "balance": obj({"amount": prices, "sms": counts})}),
    "senders": obj(envelope, {"senders": obj({}, {"sender": lists(st.text(max_size=11))})}),
    "blacklist_page": obj(
        {**envelope, "blacklist": obj({"count": counts}, {"number": lists(phones)})}
    ),
    "consent": obj(
        envelope,
        {
            "consent": obj(
                {
                    "recipient": st.one_of(phones, st.emails()),
                    "recipientType": st.sampled_from(["BIREYSEL", "TACIR", "x"]),
                    "type": st.sampled_from(["MESAJ", "EPOSTA", "ARAMA", 1]),
                    "status": st.sampled_from(["ONAY", "RET", ""]),
                    "source": st.sampled_from(["HS_WEB", "HS_KARAR"]),
                },
                {"brandCode": ids, "consentDate": stamps},
            )
        },
    ),
    "inbox": obj(
        envelope,
        {
            "orders": obj(
                {},
                {
                    "totalRows": counts,
                    "order": lists(
                        obj(
                            {
                                "id": ids,
                                "date": stamps,
                                "sender": phones,
                                "number": phones,
                                "text": st.text(),
                            }
                        )
                    ),
                },
            )
        },
    ),
    "delivery_report": obj(
        {
            "id": ids,
            "packet_id": ids,
            "status": st.sampled_from(["accepted", "delivered", "undelivered", 111, "x"]),
            "to": phones,
            "body": st.text(max_size=10),
        }
    ),
}
RESULT_TYPES: dict[str, tuple[type, ...]] = {
    "order": (Order,),
    "order_report": (OrderReport,),
    "order_summaries": (tuple,),
    "balance": (Balance,),
    "senders": (tuple,),
    "blacklist_page": (tuple,),
    "consent": (Consent, type(None)),
    "inbox": (Inbox,),
    "delivery_report": (DeliveryReport,),
}


@pytest.mark.parametrize(("name", "parse"), list(zip(PUBLIC_IDS, PUBLIC, strict=True)))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_fuzz_parses_or_raises_response_format_error(
    name: str, parse: Callable[[Any], object], data: st.DataObject
) -> None:
    payload = data.draw(st.one_of(payloads[name], json_values), label="payload")
    try:
        result = parse(payload)
    except ResponseFormatError:
        return
    assert isinstance(result, RESULT_TYPES[name])


@settings(max_examples=300, deadline=None)
@given(st.one_of(json_values, stamps))
def test_fuzz_parse_timestamp(raw: object) -> None:
    try:
        result = _parse.parse_timestamp(raw)
    except ResponseFormatError:
        return
    assert result is None or result.tzinfo == IST


@settings(max_examples=200, deadline=None)
@given(st.one_of(json_values, prices, counts, ids, stamps))
def test_fuzz_hooks_raise_only_value_error(raw: object) -> None:
    for target in (int, Decimal, str, datetime, datetime | None, OrderStatus, DeliveryStatus):
        with contextlib.suppress(ValueError):
            wire(raw, target)
