"""iletimerkezi-async: the asyncio SDK for the iletiMerkezi SMS API.

import iletimerkezi_async as im

async with im.Client() as client:
    order = await client.sms.send("5051234567", "Kodunuz 1234", sender="ACME")

The result models (:mod:`.models`: ``Order``, ``Balance``, ``Page``…) are
imported on first use (PEP 562 ``__getattr__``), not with the package: their
attrs classes were the largest part of the import, and a program meets them
only once an answer is parsed, which imports them anyway.  Every public name
is importable exactly as before (``from iletimerkezi_async import Balance``),
listed by ``dir()`` and ``__all__``, and seen by type checkers.
"""

from typing import TYPE_CHECKING, Any

from ._convert import from_dict, to_dict
from ._enums import (
    ConsentStatus,
    ConsentType,
    DeliveryStatus,
    IysList,
    MessageStatus,
    OrderStatus,
)
from ._version import __version__
from .client import Client, ClientClosedError
from .clock import Clock, SystemClock
from .cursors import CursorStore, FileCursor, MemoryCursor, SharedCursorStore
from .errors import (
    CODES,
    AmbiguousSendError,
    APIError,
    AuthenticationError,
    BadRequestError,
    BlacklistError,
    BulkSendError,
    ConfigurationError,
    CursorError,
    DateRangeError,
    DuplicateOrderError,
    IletiMerkeziError,
    InsufficientBalanceError,
    InvalidRequestError,
    IysError,
    LeaseLostError,
    MessageError,
    NotFoundError,
    OrderNotFoundError,
    OrderNotReadyError,
    OtpCooldownError,
    OtpError,
    OtpLimitError,
    OtpLockedError,
    PageError,
    RateLimitError,
    RecipientError,
    RepeatedPageError,
    RequestValidationError,
    ResponseFormatError,
    ScheduleError,
    SenderError,
    SendOutcomeUnknownError,
    ServiceUnavailableError,
    SubscriptionError,
    TransportError,
    WaitTimeoutError,
    WebhookPayloadError,
)
from .pagination import Paginator
from .pending import PendingSend
from .phone import is_valid_number, normalize_number
from .polling import MAX_UNREADABLE, InboxPoller
from .ratelimit import RateLimiter, TokenBucket
from .retry import RetryPolicy
from .slidingwindow import SlidingWindowLimiter
from .text import Segments, segments

if TYPE_CHECKING:
    from .models import (
        Balance,
        Consent,
        DeliveryReport,
        InboundMessage,
        Inbox,
        MessageReport,
        Order,
        OrderReport,
        OrderSummary,
        Page,
    )

_LAZY = {
    "Balance": "models",
    "Consent": "models",
    "DeliveryReport": "models",
    "InboundMessage": "models",
    "Inbox": "models",
    "MessageReport": "models",
    "Order": "models",
    "OrderReport": "models",
    "OrderSummary": "models",
    "Page": "models",
}
"""Public name → the submodule that defines it, imported on first access."""


__all__ = [
    "CODES",
    "MAX_UNREADABLE",
    "APIError",
    "AmbiguousSendError",
    "AuthenticationError",
    "BadRequestError",
    "Balance",
    "BlacklistError",
    "BulkSendError",
    "Client",
    "ClientClosedError",
    "Clock",
    "ConfigurationError",
    "Consent",
    "ConsentStatus",
    "ConsentType",
    "CursorError",
    "CursorStore",
    "DateRangeError",
    "DeliveryReport",
    "DeliveryStatus",
    "DuplicateOrderError",
    "FileCursor",
    "IletiMerkeziError",
    "InboundMessage",
    "Inbox",
    "InboxPoller",
    "InsufficientBalanceError",
    "InvalidRequestError",
    "IysError",
    "IysList",
    "LeaseLostError",
    "MemoryCursor",
    "MessageError",
    "MessageReport",
    "MessageStatus",
    "NotFoundError",
    "Order",
    "OrderNotFoundError",
    "OrderNotReadyError",
    "OrderReport",
    "OrderStatus",
    "OrderSummary",
    "OtpCooldownError",
    "OtpError",
    "OtpLimitError",
    "OtpLockedError",
    "Page",
    "PageError",
    "Paginator",
    "PendingSend",
    "RateLimitError",
    "RateLimiter",
    "RecipientError",
    "RepeatedPageError",
    "RequestValidationError",
    "ResponseFormatError",
    "RetryPolicy",
    "ScheduleError",
    "Segments",
    "SendOutcomeUnknownError",
    "SenderError",
    "ServiceUnavailableError",
    "SharedCursorStore",
    "SlidingWindowLimiter",
    "SubscriptionError",
    "SystemClock",
    "TokenBucket",
    "TransportError",
    "WaitTimeoutError",
    "WebhookPayloadError",
    "__version__",
    "from_dict",
    "is_valid_number",
    "normalize_number",
    "segments",
    "to_dict",
]


def __getattr__(name: str) -> Any:
    """A name of :data:`_LAZY`: its module is imported now, and the name cached here."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
