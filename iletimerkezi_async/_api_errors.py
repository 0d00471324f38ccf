"""The API's own errors: one class per group of body codes, and the code table.

Every documented envelope code maps to one class here; :func:`error_for_code`
is the only place a code becomes an exception.  Re-exported (and named) as
:mod:`iletimerkezi_async.errors`, which is where users import them from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from ._codes import MESSAGES
from ._error_base import IletiMerkeziError

__all__ = [
    "CODES",
    "APIError",
    "AuthenticationError",
    "BadRequestError",
    "BlacklistError",
    "CodeInfo",
    "DateRangeError",
    "DuplicateOrderError",
    "InsufficientBalanceError",
    "IysError",
    "MessageError",
    "NotFoundError",
    "OrderNotFoundError",
    "OrderNotReadyError",
    "PageError",
    "RateLimitError",
    "RecipientError",
    "RequestValidationError",
    "ScheduleError",
    "SenderError",
    "ServiceUnavailableError",
    "SubscriptionError",
    "error_for_code",
]


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
    description: str | None = None,
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
    return cls(
        code,
        text,
        description=description,
        endpoint=endpoint,
        http_status=http_status,
        retry_after=retry_after,
    )


for _cls in (
    APIError,
    BadRequestError,
    AuthenticationError,
    InsufficientBalanceError,
    SubscriptionError,
    NotFoundError,
    RequestValidationError,
    SenderError,
    DuplicateOrderError,
    RecipientError,
    MessageError,
    OrderNotFoundError,
    OrderNotReadyError,
    ScheduleError,
    DateRangeError,
    PageError,
    IysError,
    BlacklistError,
    RateLimitError,
    ServiceUnavailableError,
    CodeInfo,
):
    # Named where users import them from, as tracebacks and pickles show them.
    _cls.__module__ = "iletimerkezi_async.errors"
