"""The exception hierarchy and the table of every documented status code.

Branch on the class (or on ``APIError.code``), never on the Turkish message:
the wording differs between the provider's own tables.  No error ever holds
the API key or hash, so ``str()`` and ``repr()`` are safe to log.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from ._codes import MESSAGES

if TYPE_CHECKING:
    from .models import Order, OrderReport
    from .pending import PendingSend

__all__ = [
    "CODES",
    "APIError",
    "AuthenticationError",
    "BadRequestError",
    "BlacklistError",
    "BulkSendError",
    "ClientClosedError",
    "CodeInfo",
    "ConfigurationError",
    "CursorError",
    "DateRangeError",
    "DuplicateOrderError",
    "IletiMerkeziError",
    "InsufficientBalanceError",
    "InvalidRequestError",
    "IysError",
    "LeaseLostError",
    "MessageError",
    "NotFoundError",
    "OrderNotFoundError",
    "OrderNotReadyError",
    "PageError",
    "RateLimitError",
    "RecipientError",
    "RepeatedPageError",
    "RequestValidationError",
    "ResponseFormatError",
    "ScheduleError",
    "SendOutcomeUnknownError",
    "SenderError",
    "ServiceUnavailableError",
    "SubscriptionError",
    "TransportError",
    "WaitTimeoutError",
    "WebhookPayloadError",
    "error_for_code",
]


def _rebuild(
    cls: type[BaseException], args: tuple[object, ...], state: dict[str, object]
) -> BaseException:
    """Unpickle an error without calling its constructor (see ``IletiMerkeziError``)."""
    err = cls.__new__(cls)
    err.args = args
    err.__dict__.update(state)
    return err


class IletiMerkeziError(Exception):
    """Base of every error this package raises.

    Every subclass pickles with all its attributes (multiprocessing,
    pytest-xdist, ``copy``): the default ``BaseException`` pickling calls
    ``cls(*args)``, which fails or loses state for constructors that take
    keyword-only arguments, so errors are rebuilt from their ``args`` and
    instance ``__dict__`` instead, whatever their constructor looks like.
    """

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild, (type(self), self.args, dict(self.__dict__)))


class ConfigurationError(IletiMerkeziError, ValueError):
    """The client was built with settings that cannot work (no credentials, bad URL…)."""


class InvalidRequestError(IletiMerkeziError, ValueError):
    """An argument was refused before any network I/O.

    ``field`` names the argument (``"to[3]"``, ``"sender"``, ``"send_at"``) and
    ``rule`` says what it must satisfy, so the message can be shown to a user.
    """

    def __init__(self, field: str, rule: str) -> None:
        self.field = field
        self.rule = rule
        super().__init__(f"{field}: {rule}")


class WebhookPayloadError(IletiMerkeziError, ValueError):
    """A webhook body that is not a delivery report of the documented shape."""


class ClientClosedError(IletiMerkeziError, RuntimeError):
    """The client was used after ``close()``."""


class CursorError(IletiMerkeziError, ValueError):
    """An inbox cursor store holds a position that cannot be read.

    Raised instead of starting over from nothing, which would deliver the
    whole inbox again; fix or delete the stored token deliberately.  (About
    the inbox cursor stores of :mod:`iletimerkezi_async.cursors`, not the
    paginator's ``cursor`` resume token.)
    """


class LeaseLostError(CursorError):
    """This poller no longer holds the shared store's lease, so it may not commit.

    Another poller took over (the lease expired, e.g. after a long pause); the
    poller drops what it had not committed, which the new holder delivers
    again, and waits for its turn.
    """


class TransportError(IletiMerkeziError):
    """The request did not produce an answer (connection, timeout, TLS…).

    ``maybe_sent`` is true when the request may have reached the server, so a
    side effect (an order, a cancel) may have happened although no answer came.
    """

    def __init__(self, message: str, *, maybe_sent: bool, endpoint: str | None = None) -> None:
        self.maybe_sent = maybe_sent
        self.endpoint = endpoint
        super().__init__(message)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({str(self)!r}, maybe_sent={self.maybe_sent}, "
            f"endpoint={self.endpoint!r})"
        )


class SendOutcomeUnknownError(TransportError):
    """A send that may have created an order although no order id came back.

    The SDK never resends in this case (send-sms has no idempotency key): look
    for the order in the day's reports or the panel before sending again.  The
    message says what happened (a timeout, a dropped connection, a 451 on a
    retry, an answer without a readable order id); ``pending`` says what was
    sent and when (sender, recipients, a digest of the text, the submit
    window), which is what finding the order takes.
    """

    def __init__(
        self, message: str, *, endpoint: str | None = None, pending: PendingSend | None = None
    ) -> None:
        super().__init__(message, maybe_sent=True, endpoint=endpoint)
        self.pending = pending


class BulkSendError(IletiMerkeziError):
    """``sms.send_bulk`` stopped at a chunk; what was sent and where to resume.

    ``orders`` are the orders created before the failure, in input order.
    ``next_index`` is the index in the input of the first recipient that was
    not sent: resume with the input from there.  When the failed chunk's
    outcome is unknown (``__cause__`` is a :class:`SendOutcomeUnknownError`),
    ``maybe_sent`` is true and the recipients from ``maybe_sent_index`` up to
    ``next_index`` may have received the message: ``next_index`` already skips
    them so a resume never sends twice; check the day's reports for them.
    The original error is ``__cause__``.
    """

    def __init__(
        self,
        message: str,
        *,
        orders: tuple[Order, ...],
        next_index: int,
        maybe_sent_index: int | None = None,
        pending: PendingSend | None = None,
    ) -> None:
        self.orders = orders
        self.next_index = next_index
        self.maybe_sent_index = maybe_sent_index
        self.pending = pending
        """The unknown chunk's :class:`PendingSend`, when ``maybe_sent``."""
        super().__init__(message)

    @property
    def maybe_sent(self) -> bool:
        return self.maybe_sent_index is not None


class WaitTimeoutError(IletiMerkeziError, TimeoutError):
    """``reports.wait`` ran out of time before the order became final (114/115).

    A :class:`TimeoutError` (``asyncio.TimeoutError`` since Python 3.11), so
    ``except TimeoutError`` catches it.  ``report`` is the last report seen, or
    ``None`` when no poll succeeded (a scheduled order not started yet: 456).
    """

    def __init__(
        self, message: str, *, order_id: str, timeout: float, report: OrderReport | None
    ) -> None:
        self.order_id = order_id
        self.timeout = timeout
        self.report = report
        super().__init__(message)


class ResponseFormatError(IletiMerkeziError):
    """The server answered, but not with the documented JSON envelope."""

    def __init__(
        self, message: str, *, endpoint: str | None = None, http_status: int | None = None
    ) -> None:
        self.endpoint = endpoint
        self.http_status = http_status
        super().__init__(message)


class RepeatedPageError(ResponseFormatError):
    """A paginated walk got the same page twice: the server ignored the page number.

    The walk stops here instead of ending as if it were complete (what it
    yielded so far is all it could prove); ``page`` is the page that came back
    as a repeat, and the paginator's cursor still points before it.
    """

    def __init__(self, message: str, *, endpoint: str, page: int) -> None:
        super().__init__(message, endpoint=endpoint)
        self.page = page


class APIError(IletiMerkeziError):
    """The body's ``status.code`` was not 200.

    ``message`` is the server's Turkish text, ``description`` its English
    meaning from the documented code table.
    """

    def __init__(
        self,
        code: int,
        message: str,
        *,
        description: str | None = None,
        endpoint: str | None = None,
        http_status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.code = code
        self.message = message
        info = CODES.get(code)
        self.description = description or (info.description if info else "undocumented code")
        self.endpoint = endpoint
        self.http_status = http_status
        self.retry_after = retry_after
        super().__init__(code, message)

    def __str__(self) -> str:
        where = f" on {self.endpoint}" if self.endpoint else ""
        return f"{self.code} {self.message} ({self.description}){where}"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(code={self.code}, message={self.message!r}, "
            f"endpoint={self.endpoint!r})"
        )


class BadRequestError(APIError):
    """400: the server could not parse the request."""


class AuthenticationError(APIError):
    """401: the credentials were refused."""

    CAUSES = (
        "the API key or hash is wrong or mismatched",
        'the panel toggle "Allow API access" (Settings → Security → Access Permissions) is off',
        "the request came from an IP outside the account's static-IP whitelist",
    )

    def __str__(self) -> str:
        causes = "; ".join(f"({i}) {c}" for i, c in enumerate(self.CAUSES, 1))
        return f"{super().__str__()}. Possible causes: {causes}"


class InsufficientBalanceError(APIError):
    """402: not enough balance for the order."""


class SubscriptionError(APIError):
    """403: no active İYS subscription or brand code."""


class NotFoundError(APIError):
    """404: unknown method or wrong URL."""


class RequestValidationError(APIError):
    """422: the server refused the values in the request."""


class SenderError(APIError):
    """450, 459, 460: the sender (header) is not approved, empty or malformed."""


class DuplicateOrderError(APIError):
    """451: the same text to the same recipients within ten minutes."""


class RecipientError(APIError):
    """452, 466: recipients missing, invalid or blacklisted."""


class MessageError(APIError):
    """453, 454: the text is empty or longer than seven parts."""


class OrderNotFoundError(APIError):
    """455: no such order on this account, or it can no longer be cancelled."""


class OrderNotReadyError(APIError):
    """456: the order is scheduled and its time has not come yet."""


class ScheduleError(APIError):
    """457: the ``sendDateTime`` format was refused."""


class DateRangeError(APIError):
    """458: bad date format, or a range longer than ten days."""


class PageError(APIError):
    """464: ``page`` must start from 1."""


class IysError(APIError):
    """468, 469, 470: the İYS fields of a send are missing or not configured."""


class BlacklistError(APIError):
    """474: the block on this number cannot be removed (it is not on the list)."""


class RateLimitError(APIError):
    """The account was throttled (HTTP 429); ``retry_after`` says when to come back."""


class ServiceUnavailableError(APIError):
    """503 and any other 5xx: the service is temporarily unavailable."""


@dataclass(frozen=True, slots=True)
class CodeInfo:
    """One row of the provider's status table."""

    code: int
    cls: type[APIError]
    message: str
    description: str


_CODES_OF: Final[dict[type[APIError], tuple[int, ...]]] = {
    BadRequestError: (400,),
    AuthenticationError: (401,),
    InsufficientBalanceError: (402,),
    SubscriptionError: (403,),
    NotFoundError: (404, 463, 465, 473),
    RequestValidationError: (422, 461, 462, 467, 471, 472),
    SenderError: (450, 459, 460),
    DuplicateOrderError: (451,),
    RecipientError: (452, 466),
    MessageError: (453, 454),
    OrderNotFoundError: (455,),
    OrderNotReadyError: (456,),
    ScheduleError: (457,),
    DateRangeError: (458,),
    PageError: (464,),
    IysError: (468, 469, 470),
    BlacklistError: (474,),
    ServiceUnavailableError: (503,),
}


def _table() -> dict[int, CodeInfo]:
    cls_of = {code: cls for cls, codes in _CODES_OF.items() for code in codes}
    return {
        code: CodeInfo(code, cls_of[code], message, description)
        for code, (message, description) in MESSAGES.items()
    }


CODES: dict[int, CodeInfo] = _table()
"""Every documented envelope code (400–474, 503) with its class, Turkish message and meaning."""


def error_for_code(
    code: int,
    message: str | None = None,
    *,
    endpoint: str | None = None,
    http_status: int | None = None,
    retry_after: float | None = None,
) -> APIError:
    """The typed error for a body code; undocumented codes fall back by range."""
    info = CODES.get(code)
    if info is not None:
        cls: type[APIError] = info.cls
    elif code == 429:
        cls = RateLimitError
    elif code >= 500:
        cls = ServiceUnavailableError
    elif code >= 400:
        cls = BadRequestError
    else:
        cls = APIError
    text = message if message else (info.message if info else f"HTTP {code}")
    return cls(code, text, endpoint=endpoint, http_status=http_status, retry_after=retry_after)
