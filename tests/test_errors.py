"""Every documented code maps to its class; the body code decides; no raw exception escapes."""

from __future__ import annotations

import pickle
from datetime import datetime

import pytest

import iletimerkezi_async as im
from iletimerkezi_async import _wire, errors
from iletimerkezi_async.clock import ISTANBUL
from iletimerkezi_async.errors import CODES, error_for_code
from iletimerkezi_async.testing import FakeIletiMerkezi

EXPECTED = {
    400: im.BadRequestError,
    401: im.AuthenticationError,
    402: im.InsufficientBalanceError,
    403: im.SubscriptionError,
    404: im.NotFoundError,
    422: im.RequestValidationError,
    450: im.SenderError,
    451: im.DuplicateOrderError,
    452: im.RecipientError,
    453: im.MessageError,
    454: im.MessageError,
    455: im.OrderNotFoundError,
    456: im.OrderNotReadyError,
    457: im.ScheduleError,
    458: im.DateRangeError,
    459: im.SenderError,
    460: im.SenderError,
    461: im.RequestValidationError,
    462: im.RequestValidationError,
    463: im.NotFoundError,
    464: im.PageError,
    465: im.NotFoundError,
    466: im.RecipientError,
    467: im.RequestValidationError,
    468: im.IysError,
    469: im.IysError,
    470: im.IysError,
    471: im.RequestValidationError,
    472: im.RequestValidationError,
    473: im.NotFoundError,
    474: im.BlacklistError,
    503: im.ServiceUnavailableError,
}


def test_table_covers_every_documented_code() -> None:
    assert set(CODES) == set(EXPECTED)
    for code in range(450, 475):
        assert code in CODES


@pytest.mark.parametrize(("code", "cls"), sorted(EXPECTED.items()))
@pytest.mark.parametrize("as_string", [False, True])
def test_body_code_maps_to_class(code: int, cls: type[im.APIError], as_string: bool) -> None:
    info = CODES[code]
    body = {
        "response": {"status": {"code": str(code) if as_string else code, "message": info.message}}
    }
    raw = __import__("json").dumps(body).encode()
    # The HTTP status does not matter: the live API may answer 200 with an error body.
    with pytest.raises(cls) as caught:
        _wire.decode(raw, endpoint="get-balance", http_status=200)
    err = caught.value
    assert type(err) is cls
    assert err.code == code
    assert err.message == info.message
    assert err.description == info.description
    assert err.endpoint == "get-balance"
    assert info.message in str(err) and info.description in str(err)
    assert isinstance(err, im.APIError) and isinstance(err, im.IletiMerkeziError)


def test_authentication_error_names_three_causes() -> None:
    text = str(error_for_code(401, "API erişim izniniz yok"))
    assert "key or hash" in text
    assert "Allow API access" in text
    assert "IP" in text and "whitelist" in text


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        (500, im.ServiceUnavailableError),
        (502, im.ServiceUnavailableError),
        (429, im.RateLimitError),
        (418, im.BadRequestError),
        (499, im.BadRequestError),
    ],
)
def test_undocumented_codes_fall_back_by_range(code: int, cls: type[im.APIError]) -> None:
    assert type(error_for_code(code)) is cls


def test_success_body_returns_response() -> None:
    raw = (
        b'{"response":{"status":{"code":"200","message":"ok"},"balance":{"amount":"0","sms":"1"}}}'
    )
    response = _wire.decode(raw, endpoint="get-balance", http_status=200)
    assert response["balance"] == {"amount": "0", "sms": "1"}


def test_error_body_wins_over_http_200_and_success_body_over_http_error() -> None:
    raw = b'{"response":{"status":{"code":200,"message":"ok"}}}'
    assert _wire.decode(raw, endpoint="x", http_status=500)["status"]["code"] == 200


@pytest.mark.parametrize(
    ("raw", "status", "cls"),
    [
        (b"<html><body>Bad gateway</body></html>", 502, im.ServiceUnavailableError),
        (b"<html>oops</html>", 500, im.ServiceUnavailableError),
        (b"<html>oops</html>", 200, im.ResponseFormatError),
        (b"", 200, im.ResponseFormatError),
        (b'{"response": {"status": {"co', 200, im.ResponseFormatError),
        (b"[1, 2]", 200, im.ResponseFormatError),
        (b'{"response": {"status": {"code": "abc"}}}', 200, im.ResponseFormatError),
        (b'{"response": {"status": {"code": true}}}', 200, im.ResponseFormatError),
        (b'{"response": []}', 200, im.ResponseFormatError),
        (b'{"other": 1}', 404, im.ResponseFormatError),
        (b"\xff\xfe\x00garbage", 200, im.ResponseFormatError),
        (b"not json", 429, im.RateLimitError),
    ],
)
def test_unreadable_bodies_become_typed_errors(
    raw: bytes, status: int, cls: type[Exception]
) -> None:
    with pytest.raises(cls):
        _wire.decode(raw, endpoint="get-balance", http_status=status)


def test_errors_never_hold_secrets_in_repr() -> None:
    err = error_for_code(401, endpoint="get-balance")
    assert "get-balance" in repr(err)
    t = im.SendOutcomeUnknownError("send-sms: timed out")
    assert t.maybe_sent is True and "maybe_sent=True" in repr(t)
    assert isinstance(t, im.TransportError)


def test_invalid_request_error_names_field_and_rule() -> None:
    err = im.InvalidRequestError("sender", "must be at most 11 characters")
    assert err.field == "sender" and err.rule == "must be at most 11 characters"
    assert str(err) == "sender: must be at most 11 characters"
    assert isinstance(err, ValueError)


@pytest.mark.parametrize(
    "err",
    [
        im.InvalidRequestError("to[2]", "must be a mobile"),
        im.TransportError("get-balance: reset", maybe_sent=True, endpoint="get-balance"),
        im.SendOutcomeUnknownError("send-sms: timed out"),
        im.ResponseFormatError("x: not JSON", endpoint="x", http_status=200),
        error_for_code(455, endpoint="cancel-order", http_status=455),
        error_for_code(401),
        error_for_code(503, retry_after=2.0),
    ],
    ids=lambda e: type(e).__name__,
)
def test_errors_survive_pickling(err: Exception) -> None:
    copy = pickle.loads(pickle.dumps(err))
    assert type(copy) is type(err)
    assert str(copy) == str(err)
    assert copy.__dict__ == err.__dict__


def test_non_ascii_digits_are_not_codes() -> None:
    # Codes also arrive as strings from the wire, which the enum's _missing_ handles.
    assert im.OrderStatus("١١٤") is im.OrderStatus.UNKNOWN  # type: ignore[arg-type]
    assert im.OrderStatus(" 114 ") is im.OrderStatus.COMPLETED  # type: ignore[arg-type]


def _every_error_class() -> list[type[im.IletiMerkeziError]]:
    """``IletiMerkeziError`` and all its subclasses defined in ``iletimerkezi_async.errors``."""
    found: list[type[im.IletiMerkeziError]] = []
    todo: list[type[im.IletiMerkeziError]] = [errors.IletiMerkeziError]
    while todo:
        cls = todo.pop()
        if cls.__module__ == errors.__name__ and cls not in found:
            found.append(cls)
        todo.extend(cls.__subclasses__())
    return sorted(found, key=lambda c: c.__name__)


def _sample(cls: type[im.IletiMerkeziError]) -> im.IletiMerkeziError:
    """An instance with every constructor argument set to a value unlike its default."""
    order = im.Order(id="42", recipients=3)
    report = im.OrderReport(id="42", status=im.OrderStatus.SENDING, total=3, waiting=3)
    pending = im.PendingSend(
        sender="ACME",
        recipients=("+905051234567",),
        text_digest="0" * 64,
        submitted_after=datetime(2026, 5, 1, 12, 0, tzinfo=ISTANBUL),
        submitted_before=datetime(2026, 5, 1, 12, 0, 5, tzinfo=ISTANBUL),
    )
    if issubclass(cls, errors.APIError):
        return cls(
            455,
            "Sipariş bulunamadı",
            description="custom description",
            endpoint="cancel-order",
            http_status=418,
            retry_after=2.5,
        )
    if issubclass(cls, errors.InvalidRequestError):
        return cls("to[3]", "must be a Turkish mobile")
    if issubclass(cls, errors.AmbiguousSendError):
        return cls("two orders", pending=pending, candidates=("1", "2"), endpoint="send-sms-alt")
    if issubclass(cls, errors.SendOutcomeUnknownError):
        return cls("send-sms: timed out", endpoint="send-sms-alt")
    if issubclass(cls, errors.TransportError):
        return cls("get-balance: reset", maybe_sent=True, endpoint="get-balance")
    if issubclass(cls, errors.BulkSendError):
        return cls("stopped", orders=(order, order), next_index=7, maybe_sent_index=5)
    if issubclass(cls, errors.WaitTimeoutError):
        return cls("waited", order_id="42", timeout=1.5, report=report)
    if issubclass(cls, errors.RepeatedPageError):
        return cls("get-blacklist page 2 repeats page 1", endpoint="get-blacklist", page=2)
    if issubclass(cls, errors.ResponseFormatError):
        return cls("get-report: not JSON", endpoint="get-report", http_status=502)
    if issubclass(cls, errors.OtpCooldownError | errors.OtpLimitError):
        return cls("wait", retry_after=42.5)
    return cls(f"a {cls.__name__}")


def test_walk_finds_the_whole_hierarchy() -> None:
    names = {cls.__name__ for cls in _every_error_class()}
    assert {"IletiMerkeziError", "APIError", "CursorError", "LeaseLostError"} <= names
    assert {"ClientClosedError", "BulkSendError", "WaitTimeoutError"} <= names
    assert len(names) >= 32


@pytest.mark.parametrize("cls", _every_error_class(), ids=lambda c: c.__name__)
def test_every_error_class_round_trips_through_pickle(cls: type[im.IletiMerkeziError]) -> None:
    err = _sample(cls)
    err.add_note("a note travels too")
    copy = pickle.loads(pickle.dumps(err))
    assert type(copy) is cls
    assert copy.args == err.args
    assert vars(copy) == vars(err)
    assert str(copy) == str(err) and repr(copy) == repr(err)
    for name in dir(err):  # properties computed from the state (maybe_sent…) as well
        # OSError's characters_written (WaitTimeoutError) is unset on both: None.
        value = getattr(err, name, None)
        if not name.startswith("__") and not callable(value):
            assert getattr(copy, name, None) == value, name


async def test_455_says_what_fits_the_call(fake_iletimerkezi: FakeIletiMerkezi) -> None:
    """A report of an unknown id is not 'no longer cancellable'; a late cancel may be."""
    async with fake_iletimerkezi.client(send_limiter=None) as client:
        with pytest.raises(im.OrderNotFoundError) as report:
            await client.reports.get("123")
        with pytest.raises(im.OrderNotFoundError) as cancel:
            await client.sms.cancel("123")
    assert "cancel" not in str(report.value)
    assert report.value.description.startswith("no such order on this account")
    assert "cancellable" in cancel.value.description
