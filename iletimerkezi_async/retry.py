"""When to try a request again, and how long to wait first.

iletiMerkezi has no idempotency keys, so what may be retried depends on what a
repeat would do: reads are free to repeat, ``add-blacklist`` is idempotent,
while ``send-sms`` may only be repeated when the first attempt certainly never
reached the server (see :class:`RetryClass`).
"""

from __future__ import annotations

import enum
import random
from email.utils import parsedate_to_datetime
from time import time as _wall_time
from typing import NamedTuple

import attrs

from .errors import (
    APIError,
    IletiMerkeziError,
    RateLimitError,
    ResponseFormatError,
    SendOutcomeUnknownError,
    ServiceUnavailableError,
    TransportError,
)

__all__ = [
    "Failure",
    "RetryClass",
    "RetryPolicy",
    "Unreadable",
    "Verdict",
    "decide",
    "parse_retry_after",
]


class RetryClass(enum.Enum):
    """How safe it is to repeat a request whose outcome is unknown."""

    READ = "read"
    """No side effect (get-*, consent/show, inbox): retried on any transient failure."""
    IDEMPOTENT = "idempotent"
    """A repeat does no harm (add-blacklist): retried like a read."""
    WRITE = "write"
    """A side effect that must not run twice (cancel, delete-blacklist, consent/create):
    retried only when the request certainly was not processed."""
    SEND = "send"
    """send-sms: like WRITE, and an ambiguous failure is a SendOutcomeUnknownError."""

    @property
    def repeatable(self) -> bool:
        return self in (RetryClass.READ, RetryClass.IDEMPOTENT)


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """Full-jitter exponential backoff (AWS style): ``uniform(0, min(cap, base * 2**n))``.

    ``attempts`` counts every try, the first included, so ``attempts=1`` never
    retries.  A ``Retry-After`` from the server is honoured as a floor, up to
    ``cap``.  Pass ``rng`` for reproducible delays in tests.
    """

    attempts: int = attrs.field(default=4, validator=attrs.validators.ge(1))
    base: float = attrs.field(default=0.5, validator=attrs.validators.ge(0))
    cap: float = attrs.field(default=30.0, validator=attrs.validators.ge(0))
    rng: random.Random | None = attrs.field(default=None, eq=False, repr=False)

    def delay(self, retry: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number ``retry`` (1 for the first retry)."""
        ceiling = min(self.cap, self.base * (2 ** (retry - 1)))
        uniform = self.rng.uniform if self.rng is not None else random.uniform
        wait = uniform(0.0, ceiling)
        if retry_after is not None and retry_after > 0:
            wait = max(wait, min(retry_after, self.cap))
        return wait

    @classmethod
    def none(cls) -> RetryPolicy:
        """A policy that never retries."""
        return cls(attempts=1)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        seconds = when.timestamp() - _wall_time()
    if seconds != seconds or seconds < 0:  # NaN or in the past
        return 0.0
    return seconds


# --------------------------------------------------------------------------- the decision
#
# What happened to one attempt, and what to do about it: a pure function, so the
# whole policy (every send-outcome rule included) is one table of unit tests
# without a server, and the transport's loop only sleeps and repeats.


class Failure(NamedTuple):
    """No answer came: ``maybe_sent`` when the request may have reached the server.

    The transport classifies its exceptions into this (it is the only module
    that knows aiohttp); ``transient`` is false for what a repeat cannot fix
    (TLS verification, an invalid URL).
    """

    text: str
    maybe_sent: bool
    transient: bool = True


class Unreadable(NamedTuple):
    """An answer came but could not be read.

    ``accepted`` is true when the envelope said 200 and only the answer's
    shape was wrong (so a send certainly created its order); false when the
    body was not the envelope at all.
    """

    error: ResponseFormatError
    accepted: bool = False


Outcome = Failure | APIError | Unreadable
"""One attempt that did not return a usable answer."""


class Verdict(NamedTuple):
    """``retry``: try again after the policy's backoff, raising ``error`` when no attempt
    is left; otherwise give up now with ``error``.

    NamedTuples here: one or two are built per failed attempt, and they never leave
    the transport.
    """

    retry: bool
    error: IletiMerkeziError


def _retry(error: IletiMerkeziError) -> Verdict:
    return Verdict(True, error)


def _fail(error: IletiMerkeziError) -> Verdict:
    return Verdict(False, error)


def decide(endpoint: str, retry: RetryClass, attempt: int, outcome: Outcome) -> Verdict:
    """Whether attempt number ``attempt`` (1 for the first) of ``endpoint`` may be repeated.

    The send rules live here and nowhere else: a send that may have reached
    the server is never repeated and becomes a :class:`SendOutcomeUnknownError`,
    and so does a 451 (duplicate order) seen on a retry, since the first
    attempt most likely went through.
    """
    if isinstance(outcome, Failure):
        return _failed(endpoint, retry, outcome)
    if isinstance(outcome, Unreadable):
        return _unreadable(endpoint, retry, outcome)
    return _refused(endpoint, retry, attempt, outcome)


def _unknown(endpoint: str, what: object) -> Verdict:
    return _fail(
        SendOutcomeUnknownError(
            f"{endpoint}: {what}; the order may have been created, so it was not sent again",
            endpoint=endpoint,
        )
    )


def _failed(endpoint: str, retry: RetryClass, failure: Failure) -> Verdict:
    if retry is RetryClass.SEND and failure.maybe_sent:
        return _unknown(endpoint, failure.text)
    error = TransportError(
        f"{endpoint}: {failure.text}", maybe_sent=failure.maybe_sent, endpoint=endpoint
    )
    if failure.transient and (not failure.maybe_sent or retry.repeatable):
        return _retry(error)
    return _fail(error)


def _unreadable(endpoint: str, retry: RetryClass, outcome: Unreadable) -> Verdict:
    if retry is RetryClass.SEND:
        if outcome.accepted:
            # The API said 200, so the order exists; only its id is unreadable.
            return _fail(
                SendOutcomeUnknownError(
                    f"{endpoint}: the order was accepted but its id could not be read "
                    f"({outcome.error})",
                    endpoint=endpoint,
                )
            )
        return _unknown(endpoint, outcome.error)
    # A body that is not the envelope may be a proxy's hiccup, unless its status is
    # a 4xx (a wrong URL, a WAF page): that refusal repeats.  A 200 whose shape is
    # wrong will be wrong again.
    status = outcome.error.http_status
    refused = status is not None and 400 <= status < 500
    if retry.repeatable and not outcome.accepted and not refused:
        return _retry(outcome.error)
    return _fail(outcome.error)


def _refused(endpoint: str, retry: RetryClass, attempt: int, error: APIError) -> Verdict:
    if retry is RetryClass.SEND:
        if error.code == 451 and attempt > 1:
            return _fail(
                SendOutcomeUnknownError(
                    f"{endpoint}: 451 duplicate order on a retry: the first attempt most "
                    "likely went through",
                    endpoint=endpoint,
                )
            )
        if isinstance(error, ServiceUnavailableError) and error.code != 503:
            return _unknown(endpoint, error)
    if isinstance(error, RateLimitError):
        return _retry(error)
    if isinstance(error, ServiceUnavailableError):
        # 503 means not processed; other 5xx only for requests that may repeat.
        return _retry(error) if error.code == 503 or retry.repeatable else _fail(error)
    return _fail(error)
