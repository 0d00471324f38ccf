"""``sms.resolve``: find the order a send with an unknown outcome did or did not create.

send-sms has no idempotency key, so the only evidence is what the reports
show.  A candidate is an order of get-reports with the same sender, a
``submitAt`` inside the pending send's window widened by ``slack`` seconds
(the server's clock and its whole-second stamps), no more recipients than
were sent, and no owner in this client's :class:`~._claims.Claims`.  Each
candidate is then confirmed through get-report's recipients, every page:

* the same recipients → a match;
* fewer, all among those sent, the missing ones all on the account's
  blacklist → a match with recipients dropped by the server (checked through
  get-blacklist, so a different, smaller send is never taken for this one);
* anything else → not this send.

Exactly one match is the order; two or more, a candidate whose recipients
cannot be read yet (a scheduled order: 456) or a partial match that the
blacklist does not explain → :class:`AmbiguousSendError`; nothing once
``settle`` seconds have passed since ``submitted_before`` → ``None``.  Before
then, "nothing yet" is not proof (the order list may lag), so it looks again
on the client's clock until it is.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Final, Literal

from .. import _endpoints as api
from .. import _validate
from ..clock import ISTANBUL
from ..errors import AmbiguousSendError, InvalidRequestError, OrderNotReadyError
from ..pagination import Paginator
from ..pending import PendingSend
from ..phone import normalize_lenient
from ._reports_list import ReportPages
from .blacklist import BlacklistPages
from .reports import MessagePages

if TYPE_CHECKING:
    from .._transport import Transport
    from ..models import Order, OrderSummary
    from ._claims import Claims

__all__ = ["FIRST_PAUSE", "MAX_CANDIDATES", "MAX_PAUSE", "SLACK", "resolve"]

SLACK: Final = 60.0
"""Seconds the submit window is widened by on each side: a server clock up to
about a minute off, and ``submitAt``'s whole seconds."""

MAX_CANDIDATES: Final = 20
"""Candidates whose recipients are read at most; more raise AmbiguousSendError."""

MAX_UNLIKELY: Final = 200
"""Smaller orders read at most, once no likely candidate matched: orders missing more
recipients than the account has blacklisted (one-recipient sends of the same sender,
usually ruled out by their first page)."""

FIRST_PAUSE: Final = 5.0
MAX_PAUSE: Final = 30.0
"""Pauses between looks while the settle time runs (doubling from the first)."""

_Verdict = Literal["match", "partial", "unready", "other"]


def check(pending: object, settle: object, slack: object) -> tuple[PendingSend, float, float]:
    """The arguments of ``resolve``, refused before any request when they cannot work."""
    if not isinstance(pending, PendingSend):
        raise InvalidRequestError(
            "pending", "must be a PendingSend (SendOutcomeUnknownError.pending)"
        )
    for name, value in (("settle", settle), ("slack", slack)):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidRequestError(name, "must be a number of seconds")
        if not math.isfinite(value) or value < 0:
            raise InvalidRequestError(name, "must be zero or more seconds, finite")
    after, before = pending.submitted_after, pending.submitted_before
    if after.tzinfo is None or before.tzinfo is None:
        raise InvalidRequestError("pending", "submitted_after/submitted_before must be aware")
    if after > before:
        raise InvalidRequestError("pending", "submitted_after must not be after submitted_before")
    if not pending.recipients:
        raise InvalidRequestError("pending", "has no recipients")
    return pending, float(settle), float(slack)  # type: ignore[arg-type]


def known(exclude: object) -> list[str]:
    """``resolve(exclude=...)``: order ids, checked before any request."""
    if isinstance(exclude, str | bytes) or not isinstance(exclude, Iterable):
        raise InvalidRequestError("exclude", "must be an iterable of order ids")
    return [_validate.order_id(i, "exclude") for i in exclude]


def owner(pending: PendingSend) -> str:
    """What identifies one pending send among the claims (no number, no text)."""
    return "|".join(
        (
            pending.text_digest,
            pending.sender,
            pending.submitted_after.isoformat(),
            pending.submitted_before.isoformat(),
        )
    )


async def resolve(
    transport: Transport, claims: Claims, pending: PendingSend, settle: float, slack: float
) -> Order | None:
    clock = transport.clock
    settled_at = pending.submitted_before + timedelta(seconds=settle)
    pause = FIRST_PAUSE
    while True:
        # Judged before the look, so a "none" is only final from a look made after settle.
        settled = clock.now() >= settled_at
        found = await _look(transport, claims, pending, slack)
        if found is not None:
            return found
        if settled:
            return None
        remaining = (settled_at - clock.now()).total_seconds()
        await clock.sleep(max(0.0, min(pause, remaining)))
        pause = min(pause * 2, MAX_PAUSE)


async def _look(
    transport: Transport, claims: Claims, pending: PendingSend, slack: float
) -> Order | None:
    key = owner(pending)
    likely = await _candidates(transport, claims, pending, slack, key)
    unlikely: list[OrderSummary] = []
    wanted = len(set(pending.recipients))
    if any(c.total < wanted for c in likely):
        # A smaller order is this send only if the server dropped blacklisted numbers,
        # so one missing more than the account has blacklisted comes second.
        floor = wanted - await _blacklisted(transport)
        likely, unlikely = (
            [c for c in likely if c.total >= floor],
            [c for c in likely if c.total < floor],
        )
    found = await _judge(transport, likely, pending, MAX_CANDIDATES)
    if found is None and unlikely:
        # Nothing among the likely ones.  The smaller orders could still be this send
        # if numbers were unblocked since; that is never called "absent".
        await _judge(transport, unlikely, pending, MAX_UNLIKELY, explain=False)
    if found is not None:
        claims.resolved(found, key)
        from ..models import Order  # not at package import (see models)

        return Order(id=found, recipients=len(pending.recipients))
    return None


async def _judge(
    transport: Transport,
    candidates: list[OrderSummary],
    pending: PendingSend,
    cap: int,
    *,
    explain: bool = True,
) -> str | None:
    """The id of the one candidate that is this send, None when none is; else raise."""
    if len(candidates) > cap:
        raise AmbiguousSendError(
            f"{api.SEND_SMS.name} outcome unknown: {len(candidates)} orders of sender "
            f"{pending.sender!r} in the submit window, more than the {cap} that resolve checks",
            pending=pending,
            candidates=tuple(c.id for c in candidates),
            endpoint=api.SEND_SMS.name,
        )
    verdicts: dict[str, list[str]] = {"match": [], "partial": [], "unready": [], "other": []}
    shown: dict[str, set[str]] = {}
    for candidate in candidates:
        verdict, shown[candidate.id] = await _confirm(transport, candidate, pending)
        verdicts[verdict].append(candidate.id)
    matches, partial, unready = verdicts["match"], verdicts["partial"], verdicts["unready"]
    if explain and len(partial) == 1 and not matches and not unready:
        missing = set(pending.recipients) - shown[partial[0]]
        if await _all_blacklisted(transport, missing):
            matches, partial = partial, []
    doubtful = tuple(partial + unready)
    if len(matches) == 1 and not doubtful:
        return matches[0]
    if matches or doubtful:
        raise AmbiguousSendError(
            _why(matches, partial, unready),
            pending=pending,
            candidates=(*matches, *doubtful),
            endpoint=api.SEND_SMS.name,
        )
    return None


def _why(matches: list[str], partial: list[str], unready: list[str]) -> str:
    parts = []
    if matches:
        parts.append(f"{len(matches)} order(s) with the same recipients")
    if partial:
        parts.append(
            f"{len(partial)} with only some of them, the rest not explained by the blacklist"
        )
    if unready:
        parts.append(
            f"{len(unready)} scheduled order(s) whose recipients {api.GET_REPORT.name} shows "
            "only from their send time (456)"
        )
    head = f"{api.SEND_SMS.name} outcome unknown: cannot tell which order it created: "
    return head + "; ".join(parts)


async def _candidates(
    transport: Transport, claims: Claims, pending: PendingSend, slack: float, key: str
) -> list[OrderSummary]:
    widen = timedelta(seconds=slack)
    low, high = pending.submitted_after - widen, pending.submitted_before + widen
    # Whole seconds on the wire: an order stamped in the window's first second counts.
    low = low.replace(microsecond=0)
    days = (low.astimezone(ISTANBUL).date(), high.astimezone(ISTANBUL).date())
    source = ReportPages(transport, *days, concurrency=1)
    found: list[OrderSummary] = []
    async with Paginator(source) as orders:
        async for summary in orders:
            if _fits(summary, pending, low, high) and not claims.taken(summary.id, key):
                found.append(summary)
    return found


def _fits(summary: OrderSummary, pending: PendingSend, low: datetime, high: datetime) -> bool:
    if summary.sender != pending.sender:
        return False
    if summary.total > len(pending.recipients):
        return False
    when = summary.submitted_at
    # Without a submit time an order cannot be ruled out: it stays a candidate.
    return when is None or low <= when <= high


async def _confirm(
    transport: Transport, summary: OrderSummary, pending: PendingSend
) -> tuple[_Verdict, set[str]]:
    """Compare the order's recipients (every page) with those sent; stop at the first stranger."""
    wanted = set(pending.recipients)
    seen: set[str] = set()
    try:
        async with Paginator(MessagePages(transport, summary.id, 1000)) as messages:
            async for message in messages:
                number = normalize_lenient(message.number)
                if number not in wanted:
                    return "other", seen
                seen.add(number)
    except OrderNotReadyError:
        return "unready", seen
    if seen == wanted:
        return "match", seen
    return ("partial" if seen else "other"), seen


async def _blacklisted(transport: Transport) -> int:
    """How many numbers the account has blacklisted (get-blacklist's ``count``, one call)."""
    answer = await transport.call(api.GET_BLACKLIST, page=1, page_size=1, start=None, end=None)
    return int(answer.blacklist.total)


async def _all_blacklisted(transport: Transport, missing: set[str]) -> bool:
    """Whether every recipient an order lacks is blacklisted (so the server dropped it)."""
    missing = set(missing)
    async with Paginator(BlacklistPages(transport, start=None, end=None, page_size=1000)) as pages:
        async for number in pages:
            missing.discard(normalize_lenient(number))
            if not missing:
                return True
    return not missing
