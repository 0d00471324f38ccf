"""The models' enums, apart from the attrs classes so that they cost no class creation.

Validation, the lenient parsers and the resources' defaults need the enums
when the package is imported; the result classes of :mod:`.models` are only
needed once an answer is parsed, so :mod:`.models` is imported on first use
(see the package's ``__getattr__``) and these stay cheap to import on their
own.  Each enum's ``__module__`` is :mod:`iletimerkezi_async.models`, where
they are documented and re-exported, so pickles and reprs of the class stay
what they were.
"""

from __future__ import annotations

import enum

__all__ = [
    "ConsentStatus",
    "ConsentType",
    "DeliveryStatus",
    "IysList",
    "MessageStatus",
    "OrderStatus",
]


class _IntCodeEnum(enum.IntEnum):
    """Integer codes that also arrive as numeric strings; unknown codes map to UNKNOWN."""

    @classmethod
    def _missing_(cls, value: object) -> _IntCodeEnum:
        text = value.strip() if isinstance(value, str) else ""
        if text.isascii() and text.lstrip("-").isdigit():
            try:
                return cls(int(text))
            except ValueError:
                pass
        return cls["UNKNOWN"]


class _StrEnum(enum.StrEnum):
    """Wire strings, compared case-insensitively; unknown values map to UNKNOWN."""

    @classmethod
    def _missing_(cls, value: object) -> _StrEnum:
        if isinstance(value, str):
            wanted = value.strip().casefold()
            for member in cls:
                if member.value.casefold() == wanted:
                    return member
        return cls["UNKNOWN"]


class OrderStatus(_IntCodeEnum):
    """``order.status`` of get-report / get-reports."""

    SENDING = 113
    COMPLETED = 114
    """The pipeline finished; it does not mean every message was delivered."""
    FAILED = 115
    """Rejected in pre-validation, or cancelled."""
    UNKNOWN = -1

    @property
    def is_final(self) -> bool:
        return self in (OrderStatus.COMPLETED, OrderStatus.FAILED)


class MessageStatus(_IntCodeEnum):
    """``message[].status`` of get-report."""

    PENDING = 110
    DELIVERED = 111
    UNDELIVERED = 112
    UNKNOWN = -1


class DeliveryStatus(_StrEnum):
    """``report.status`` of a delivery-report webhook."""

    ACCEPTED = "accepted"
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    UNKNOWN = "unknown"

    @property
    def is_final(self) -> bool:
        return self in (DeliveryStatus.DELIVERED, DeliveryStatus.UNDELIVERED)


class IysList(_StrEnum):
    """The İYS recipient type: individual or merchant."""

    BIREYSEL = "BIREYSEL"
    TACIR = "TACIR"
    UNKNOWN = "UNKNOWN"


class ConsentType(_StrEnum):
    MESAJ = "MESAJ"
    EPOSTA = "EPOSTA"
    ARAMA = "ARAMA"
    UNKNOWN = "UNKNOWN"


class ConsentStatus(_StrEnum):
    ONAY = "ONAY"
    RET = "RET"
    UNKNOWN = "UNKNOWN"


for _enum in (
    OrderStatus,
    MessageStatus,
    DeliveryStatus,
    IysList,
    ConsentType,
    ConsentStatus,
):
    _enum.__module__ = "iletimerkezi_async.models"
del _enum
