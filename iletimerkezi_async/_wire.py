"""Pure wire functions: request bodies, date formats, the response envelope.

Nothing here does I/O, so every byte the SDK sends can be tested without a
server (as gidgethub's ``sansio`` does).  Field names follow the reference to
the letter, including its misspelling ``receipents``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from types import MappingProxyType
from typing import Any, Final, NamedTuple

from . import _json
from .clock import ISTANBUL
from .errors import APIError, ResponseFormatError, error_for_code

__all__ = [
    "Request",
    "decode",
    "encode",
    "encoder",
    "format_day",
    "format_schedule",
    "format_timestamp",
]


class Request(NamedTuple):
    """One request body, without credentials or endpoint name (the table pairs them).

    ``body`` holds the endpoint blocks that sit beside ``authentication``;
    ``cost`` is the number of recipients charged to the send limiter.  A
    NamedTuple, since one is built per call.
    """

    body: Mapping[str, Any]
    cost: int = 0


# Built once: json.dumps with any non-default option builds a new encoder per call.
_dumps: Final = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def encode(body: Mapping[str, Any], key: str, hash_: str) -> bytes:
    """The JSON envelope; credentials live only in ``request.authentication``."""
    request: dict[str, Any] = {"authentication": {"key": key, "hash": hash_}}
    request.update(body)
    return _dumps({"request": request}).encode()


def encoder(key: str, hash_: str) -> Callable[[Mapping[str, Any]], bytes]:
    """:func:`encode` with the credentials bound: the same bytes, their JSON made once.

    Every request starts ``{"request":{"authentication":{...}`` and ends
    ``}}``, so a transport keeps that head and encodes only the endpoint's
    blocks per call (none at all for get-balance).  Whatever this shortcut
    cannot vouch for takes :func:`encode` itself, so the bytes and errors
    never differ: a body that is not a plain dict or would replace
    ``authentication`` (none does), and anything UTF-8 refuses (a lone
    surrogate: the error then says the same, at the same position, when the
    request is made, not when the client is).  The head is in a closure, not
    an attribute, so no repr shows it.
    """
    try:
        whole = encode({}, key, hash_)
    except UnicodeEncodeError:
        return lambda body: encode(body, key, hash_)
    head = whole[:-2]  # without the closing "}}" of request and envelope

    def encode_bound(body: Mapping[str, Any]) -> bytes:
        if not body:
            return whole
        if type(body) is not dict or "authentication" in body:
            return encode(body, key, hash_)
        try:
            blocks = _dumps(body).encode()
        except UnicodeEncodeError:
            return encode(body, key, hash_)
        # {"order":{...}} without its "{": its closing brace closes request.
        return b"".join((head, b",", blocks[1:], b"}"))

    return encode_bound


# ASCII digits only: str.isdigit() also accepts "²" and "٣", which int() refuses or
# misreads, and a bounded length keeps int() under sys.get_int_max_str_digits().
_CODE_RE = re.compile(r"[0-9]{1,9}")


def _code(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _CODE_RE.fullmatch(text := value.strip()):
        return int(text)
    return None


def _status_meaning(http_status: int, endpoint: str, retry_after: float | None) -> APIError | None:
    """What an answer without the envelope means by its HTTP status alone, if anything.

    5xx/429 (a proxy's error page) keep their meaning so they are retried
    like any other unavailability; a 401/403 page comes from a front proxy
    or WAF refusing the caller, which is the API's 401 (the IP whitelist
    cause), with the HTTP status kept on the error.
    """
    honest = f"the server answered HTTP {http_status} with a non-API body"
    page = "no API envelope: an HTTP error page (a proxy, gateway or firewall)"
    if http_status >= 500 or http_status == 429:
        return error_for_code(
            http_status,
            honest,
            endpoint=endpoint,
            http_status=http_status,
            retry_after=retry_after,
            description=page,
        )
    if http_status in (401, 403):
        return error_for_code(
            401, honest, endpoint=endpoint, http_status=http_status, description=page
        )
    return None


def decode(
    raw: bytes,
    *,
    endpoint: str,
    http_status: int,
    retry_after: float | None = None,
    scrub: Callable[[str], str] | None = None,
    meanings: Mapping[int, str] | None = None,
) -> dict[str, Any]:
    """The ``response`` object of a successful answer, or the typed error.

    The body's ``status.code`` decides, whatever the HTTP status.  A body that
    is not the JSON envelope is a :class:`ResponseFormatError`, unless its
    HTTP status says more (:func:`_status_meaning`).  ``scrub`` cleans the
    server's ``status.message`` before it reaches an error: a server or proxy
    that echoes the request would otherwise put credentials, numbers and
    texts into ``str(exc)`` and every log line showing it.
    """
    try:
        data = _json.loads(raw)  # orjson when installed, with the stdlib's results
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        # RecursionError: valid JSON nested deeper than the interpreter's stack allows.
        meaning = _status_meaning(http_status, endpoint, retry_after)
        if meaning is not None:
            raise meaning from None
        if not raw.strip():
            what = "an empty body"
        elif isinstance(exc, RecursionError):
            what = "a body nested too deeply"
        else:
            what = "a body that is not JSON"
        raise ResponseFormatError(
            f"{endpoint}: HTTP {http_status} with {what}",
            endpoint=endpoint,
            http_status=http_status,
        ) from exc
    response = data.get("response") if isinstance(data, dict) else None
    status = response.get("status") if isinstance(response, dict) else None
    code = _code(status.get("code")) if isinstance(status, dict) else None
    if response is None or code is None or not isinstance(status, dict):
        meaning = _status_meaning(http_status, endpoint, retry_after)
        if meaning is not None:
            raise meaning
        raise ResponseFormatError(
            f"{endpoint}: HTTP {http_status} without a response.status.code envelope",
            endpoint=endpoint,
            http_status=http_status,
        )
    assert isinstance(response, dict)
    if code != 200:
        message = status.get("message")
        text = message if isinstance(message, str) else None
        if text is not None and scrub is not None:
            text = scrub(text)
        err: APIError = error_for_code(
            code,
            text,
            endpoint=endpoint,
            http_status=http_status,
            retry_after=retry_after,
            description=meanings.get(code) if meanings else None,
        )
        raise err
    return response


def format_schedule(when: datetime) -> str:
    """``dd/MM/yyyy HH:mm`` in Istanbul time: with seconds the API drops the schedule."""
    return when.astimezone(ISTANBUL).strftime("%d/%m/%Y %H:%M")


def format_day(day: date) -> str:
    """``Y-m-d`` for get-reports."""
    return day.strftime("%Y-%m-%d")


def format_timestamp(when: datetime) -> str:
    """``Y-m-d H:i:s`` in Istanbul time (get-blacklist filter, İYS consentDate)."""
    return when.astimezone(ISTANBUL).strftime("%Y-%m-%d %H:%M:%S")


# Request bodies, one per endpoint (the table in _endpoints names them) --------------------


def send_sms(
    messages: Sequence[tuple[str, Sequence[str]]],
    *,
    sender: str,
    schedule: str | None,
    iys_list: str | None,
) -> Request:
    """One order; several ``(text, numbers)`` pairs make ``message`` an array."""
    parts = [{"text": text, "receipents": {"number": list(numbers)}} for text, numbers in messages]
    order: dict[str, Any] = {"sender": sender}
    if schedule is not None:
        order["sendDateTime"] = schedule
    order["iys"] = "1" if iys_list is not None else "0"
    if iys_list is not None:
        order["iysList"] = iys_list
    order["message"] = parts[0] if len(parts) == 1 else parts
    return Request({"order": order}, sum(len(numbers) for _, numbers in messages))


def cancel_order(order_id: str) -> Request:
    return Request({"order": {"id": order_id}})


def get_report(order_id: str, *, page: int, page_size: int) -> Request:
    return Request({"order": {"id": order_id, "page": page, "rowCount": page_size}})


def get_reports(start: date, end: date, *, page: int) -> Request:
    return Request(
        {"filter": {"start": format_day(start), "end": format_day(end), "page": page}},
    )


# The endpoints without a block share one request: read-only, so no call can
# change what another sends.
_NO_BLOCKS: Final = Request(MappingProxyType({}))


def get_balance() -> Request:
    return _NO_BLOCKS


def get_sender() -> Request:
    return _NO_BLOCKS


def get_blacklist(
    *, page: int, page_size: int, start: datetime | None = None, end: datetime | None = None
) -> Request:
    block: dict[str, Any] = {}
    if start is not None or end is not None:
        window: dict[str, str] = {}
        if start is not None:
            window["start"] = format_timestamp(start)
        if end is not None:
            window["end"] = format_timestamp(end)
        block["filter"] = window
    block["page"] = page
    block["rowCount"] = page_size
    return Request({"blacklist": block})


def add_blacklist(number: str) -> Request:
    return Request({"blacklist": {"number": number}})


def delete_blacklist(number: str) -> Request:
    return Request({"blacklist": {"number": number}})


def consent_create(brand_code: int, records: Sequence[Mapping[str, str]]) -> Request:
    return Request({"consent": {"brandCode": brand_code, "list": list(records)}})


def consent_record(
    *,
    recipient: str,
    recipient_type: str,
    type: str,
    status: str,
    source: str,
    consent_date: datetime | None,
) -> dict[str, str]:
    record = {
        "recipient": recipient,
        "recipientType": recipient_type,
        "type": type,
        "status": status,
        "source": source,
    }
    if consent_date is not None:
        record["consentDate"] = format_timestamp(consent_date)
    return record


def consent_show(brand_code: int, *, recipient: str, recipient_type: str, type: str) -> Request:
    return Request(
        {
            "consent": {
                "brandCode": brand_code,
                "recipient": recipient,
                "recipientType": recipient_type,
                "type": type,
            }
        }
    )


def get_inbox() -> Request:
    return _NO_BLOCKS
