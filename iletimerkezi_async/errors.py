"""The exception hierarchy and the table of every documented status code.

Branch on the class (or on ``APIError.code``), never on the Turkish message:
the wording differs between the provider's own tables.  No error ever holds
the API key or hash, so ``str()`` and ``repr()`` are safe to log.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._api_errors import (
    CODES,
    APIError,
    AuthenticationError,
    BadRequestError,
    BlacklistError,
    CodeInfo,
    DateRangeError,
    DuplicateOrderError,
    InsufficientBalanceError,
    IysError,
    MessageError,
    NotFoundError,
    OrderNotFoundError,
    OrderNotReadyError,
    PageError,
    RateLimitError,
    RecipientError,
    RequestValidationError,
    ScheduleError,
    SenderError,
    ServiceUnavailableError,
    SubscriptionError,
    error_for_code,
)
from ._error_base import IletiMerkeziError

if TYPE_CHECKING:
    from .models import Order, OrderReport
    from .pending import PendingSend

__all__ = [
    "CODES",
    "APIError",
    "AmbiguousSendError",
    "AuthenticationError",
    "BadRequestError",
    "BlacklistError",
    "BulkSendError",
    "CampaignMismatchError",
    "ChunkClaimLostError",
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
    "OtpCooldownError",
    "OtpError",
    "OtpLimitError",
    "OtpLockedError",
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


class CampaignMismatchError(InvalidRequestError):
    """A campaign resumed with another source or other settings than its ledger holds.

    ``field`` names what differs (``"source"`` with the chunk index in
    ``rule``, ``"text"``, ``"sender"``…).  Nothing was sent: resuming with
    other chunks could send someone twice or skip them, so start a new
    campaign name for a new list.
    """


class ChunkClaimLostError(IletiMerkeziError):
    """This worker no longer holds the lease on a campaign chunk, so it must not send it.

    Another worker took the chunk over (the lease expired, e.g. after a
    pause); it resolves the chunk before sending anything, so stopping here
    loses nothing.
    """


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


class AmbiguousSendError(SendOutcomeUnknownError):
    """``sms.resolve`` found orders that may be this send and cannot tell which, if any.

    ``candidates`` are their ids (no number, no text).  Nothing was sent;
    docs/exactly-once.md lists the causes and what to do about each.
    """

    def __init__(
        self,
        message: str,
        *,
        pending: PendingSend,
        candidates: tuple[str, ...],
        endpoint: str | None = None,
    ) -> None:
        super().__init__(message, endpoint=endpoint, pending=pending)
        self.candidates = candidates


class BulkSendError(IletiMerkeziError):
    """``sms.send_bulk`` stopped at a chunk; what was sent and where to resume.

    ``orders`` are the orders created before the failure, in input order.
    ``next_index`` is the index in the input of the first recipient that was
    not sent: resume with the input from there.  When the failed chunk's
    outcome is unknown (``__cause__`` is a :class:`SendOutcomeUnknownError`),
    ``maybe_sent`` is true and the recipients from ``maybe_sent_index`` up to
    ``next_index`` may have received the message: ``next_index`` skips them so
    a resume never sends twice, and ``pending`` says what that chunk was.
    Resolve it before resuming (``await client.sms.resolve(err.pending)``)
    and resume from ``err.resume_index(resolved)``: that sends the chunk again
    only when it was proven absent (docs/exactly-once.md).
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

    def resume_index(self, resolved: Order | None) -> int:
        """Where to resume once ``sms.resolve(self.pending)`` answered ``resolved``.

        After the unknown chunk when its order was found, at its start when it
        was proven absent (``None``); ``next_index`` when no chunk was unknown.
        """
        if self.maybe_sent_index is None or resolved is not None:
            return self.next_index
        return self.maybe_sent_index


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


class OtpError(IletiMerkeziError):
    """A one-time-password rule refused the call (:mod:`iletimerkezi_async.otp`).

    The message never holds the number, the code or the secret.
    """


class OtpCooldownError(OtpError):
    """A code went to this number less than ``resend_after`` seconds ago.

    ``retry_after`` is the seconds until a new one may be sent.
    """

    def __init__(self, message: str, *, retry_after: float) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class OtpLimitError(OtpError):
    """This number already had ``daily_limit`` codes today (Istanbul time).

    ``retry_after`` is the seconds until the next Istanbul midnight.
    """

    def __init__(self, message: str, *, retry_after: float) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class OtpLockedError(OtpError):
    """``max_attempts`` wrong codes were tried: every code is refused until it expires."""
