"""Minimal examples of the bugs the fuzz suite found, each fixed in the SDK."""

from __future__ import annotations

from typing import Any

import pytest

from iletimerkezi_async import webhooks
from iletimerkezi_async._wire import decode
from iletimerkezi_async.errors import (
    APIError,
    ResponseFormatError,
    ServiceUnavailableError,
    WebhookPayloadError,
)

from .. import _answers as answers


def envelope(code: str) -> bytes:
    return ('{"response":{"status":{"code":"' + code + '"}}}').encode()


# _wire._code took str.isdigit() for "a number": it is also true for "²" and
# "٣", which int() refuses (ValueError) or reads as ASCII digits, and for
# digit strings longer than sys.get_int_max_str_digits() (ValueError).
@pytest.mark.parametrize(
    "code",
    [
        "²",  # minimal: ValueError: invalid literal for int() with base 10: '²'
        "¹",
        "٣²",
        "1" * 5000,  # ValueError: Exceeds the limit (4300 digits) for integer string conversion
    ],
    ids=["superscript-2", "superscript-1", "arabic-indic-3-superscript-2", "5000-digits"],
)
def test_non_ascii_or_huge_status_code_string_is_a_response_format_error(code: str) -> None:
    with pytest.raises(ResponseFormatError, match=r"without a response\.status\.code envelope"):
        decode(envelope(code), endpoint="get-balance", http_status=200)


@pytest.mark.parametrize("code", ["٢٠٠", "２００"])  # Arabic-Indic and fullwidth 200
def test_status_code_in_other_scripts_is_not_success(code: str) -> None:
    # int() used to read these as 200, so a garbled body counted as a success.
    with pytest.raises(ResponseFormatError):
        decode(envelope(code), endpoint="cancel-order", http_status=200)


def test_bad_status_code_string_on_a_5xx_keeps_the_http_meaning() -> None:
    with pytest.raises(ServiceUnavailableError):
        decode(envelope("²"), endpoint="get-balance", http_status=502)


@pytest.mark.parametrize("code", [" 200 ", "200", "0200"])
def test_ascii_status_code_strings_still_parse(code: str) -> None:
    assert decode(envelope(code), endpoint="cancel-order", http_status=200)["status"]


@pytest.mark.parametrize("code", ["455", " 401"])
def test_ascii_error_code_strings_still_map_to_their_class(code: str) -> None:
    with pytest.raises(APIError) as info:
        decode(envelope(code), endpoint="cancel-order", http_status=200)
    assert info.value.code == int(code)


# json.loads raises RecursionError (not a ValueError) for JSON nested deeper
# than the interpreter's stack; decode let it escape.
@pytest.mark.parametrize(
    "body",
    [b"[" * 100_000, b'{"a":' * 100_000 + b"1" + b"}" * 100_000],
    ids=["unclosed-arrays", "nested-objects"],
)
def test_deeply_nested_body_is_a_response_format_error(body: bytes) -> None:
    with pytest.raises(ResponseFormatError, match="nested too deeply"):
        decode(body, endpoint="get-report", http_status=200)


def test_deeply_nested_body_on_a_5xx_keeps_the_http_meaning() -> None:
    with pytest.raises(ServiceUnavailableError):
        decode(b"[" * 100_000, endpoint="get-report", http_status=503)


def test_moderately_nested_body_still_decodes() -> None:
    body = b'{"response":{"status":{"code":200},"x":' + b"[" * 500 + b"]" * 500 + b"}}"
    assert decode(body, endpoint="get-report", http_status=200)["status"] == {"code": 200}


# A negative integer phone number went through as str(-5051234567), which
# normalize_number reads as a valid mobile ("-" is a separator): the model
# carried "-5051234567" where it promises "+905051234567".
@pytest.mark.parametrize(
    ("parse", "payload"),
    [
        (answers.blacklist_page, {"blacklist": {"count": 1, "number": [-5051234567]}}),
        (
            answers.order_report,
            {
                "order": {
                    "id": 1,
                    "status": 114,
                    "message": [{"number": -5051234567, "status": 111}],
                }
            },
        ),
        (
            answers.inbox,
            {
                "orders": {
                    "order": [
                        {
                            "id": "5",
                            "date": "2026-04-09 11:18:44",
                            "sender": -7889,
                            "number": "+905354104818",
                            "text": "RET",
                        }
                    ]
                }
            },
        ),
    ],
    ids=["blacklist", "get-report", "inbox"],
)
def test_negative_integer_phone_number_is_a_response_format_error(
    parse: Any, payload: dict[str, Any]
) -> None:
    with pytest.raises(ResponseFormatError, match="negative integer"):
        parse(payload)


def test_positive_integer_phone_numbers_are_still_normalised() -> None:
    count, numbers = answers.blacklist_page(
        {"blacklist": {"count": 2, "number": [5051234567, 7889]}}
    )
    assert (count, numbers) == (2, ("+905051234567", "7889"))


REPORT = {
    "id": 1599558518,
    "packet_id": 104525848,
    "status": "accepted",
    "to": "+905051234567",
    "body": "Message text",
}


# A parsed mapping can hold an int beyond sys.get_int_max_str_digits(): the
# report parsed, and then its repr (and the app's log line) raised ValueError.
@pytest.mark.parametrize(
    "message_id",
    [10**5000, -(10**5000), 10**18, 1e300],
    ids=["1e5000", "-1e5000", "1e18", "1e300f"],
)
def test_webhook_message_id_beyond_18_digits_is_refused(message_id: object) -> None:
    with pytest.raises(WebhookPayloadError, match="webhook: id: "):
        webhooks.parse({"report": {**REPORT, "id": message_id}})


def test_webhook_message_id_of_18_digits_still_parses() -> None:
    report = webhooks.parse({"report": {**REPORT, "id": 10**18 - 1}})
    assert report.message_id == 10**18 - 1
    assert str(10**18 - 1) in repr(report)


def test_huge_json_id_in_a_webhook_body_is_refused() -> None:
    body = b'{"report":{"id":1e300,"packet_id":1,"status":"accepted","to":"7889","body":""}}'
    with pytest.raises(WebhookPayloadError):
        webhooks.parse(body)
