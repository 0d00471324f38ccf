"""What a send whose outcome is unknown leaves behind, so it can be resolved later.

The API has no idempotency key, so after a timeout or a dropped connection
the only way to learn whether the order exists is to look for it: same
sender, same recipients, submitted inside the window in which the request
was in flight.  :class:`PendingSend` holds exactly that, and never the
message text (KVKK): a SHA-256 digest lets the owner of the text recognise
it.  It is a plain frozen model, so it survives ``to_dict``/``from_dict``
and pickling and another process can resolve it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime

import attrs

from .phone import mask_number

__all__ = ["PendingSend", "text_digest"]

_SEPARATOR = "\x1f"
"""Unit separator between the texts of a multi-text order (it cannot occur in an SMS)."""


def text_digest(texts: Iterable[str]) -> str:
    """SHA-256 hex of the text, or of the texts in order joined by U+001F (send_many)."""
    return hashlib.sha256(_SEPARATOR.join(texts).encode("utf-8")).hexdigest()


def _masked_numbers(numbers: tuple[str, ...]) -> str:
    shown = ", ".join(repr(mask_number(n)) for n in numbers[:3])
    more = f", … {len(numbers) - 3} more" if len(numbers) > 3 else ""
    return f"({shown}{more})"


@attrs.frozen(kw_only=True)
class PendingSend:
    """One send-sms request that may or may not have created an order.

    ``recipients`` are normalised (``+90…``) as they were sent;
    ``submitted_after``/``submitted_before`` are aware Istanbul times taken
    on the client's clock just before the request went out and once its fate
    became unknown, so the order, if it exists, was submitted between them
    (allowing for the server's clock).  ``send_at`` is the schedule asked for.
    """

    sender: str
    recipients: tuple[str, ...] = attrs.field(repr=_masked_numbers)
    text_digest: str
    submitted_after: datetime
    submitted_before: datetime
    send_at: datetime | None = None
