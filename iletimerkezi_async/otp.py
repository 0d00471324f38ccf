"""One-time passwords by SMS: send a code, verify it once.

    otp = OtpService(client, sender="ACME", secret=secret, store=MemoryOtpStore())
    challenge = await otp.send("5051234567")       # Challenge(expires_at, resend_at, order)
    ok = await otp.verify("5051234567", "123456")  # True once, then False

Codes come from :mod:`secrets` and are never stored: a store holds only an
HMAC-SHA256 of (normalised number, code) under ``secret``, keyed by an HMAC of
the number, so a dump of the store yields neither numbers nor codes.  A code
verifies once, for ``ttl`` seconds; ``max_attempts`` wrong codes lock the
challenge until it expires (or a new code is sent after ``resend_after``):
:meth:`OtpService.verify` then raises :class:`OtpLockedError`, even for the
right code, so the caller can tell "too many attempts" from "wrong code".
Per number at most one code per ``resend_after`` seconds
(:class:`OtpCooldownError`) and ``daily_limit`` codes per Istanbul day
(:class:`OtpLimitError`).  Numbers outside Turkey are refused unless
``allow_international=True``: paying for SMS to premium foreign ranges is the
classic OTP fraud (SMS pumping).

The challenge is stored *before* the SMS is sent, so two racing requests
cannot both send.  When the outcome of the send is unknown
(:class:`SendOutcomeUnknownError`) the SMS may be on its way: the challenge
is kept (its code still verifies, the cooldown and the daily count stand) and
the error is re-raised; never resend at once.  When the send certainly failed
(an :class:`APIError`, or a :class:`TransportError` that is not an unknown
outcome) the challenge is removed with its cooldown and daily count, so the
user may ask again at once.

Stores: :class:`MemoryOtpStore` for one process, and
``iletimerkezi_async.contrib.redis.RedisOtpStore`` for many.
"""

from __future__ import annotations

import abc
import hashlib
import hmac
import re
import secrets
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Literal

import attrs

from . import _validate
from ._log import get_logger
from .clock import ISTANBUL
from .errors import (
    ConfigurationError,
    InvalidRequestError,
    OtpCooldownError,
    OtpLimitError,
    OtpLockedError,
    SendOutcomeUnknownError,
)
from .models import Order
from .phone import mask_number

if TYPE_CHECKING:
    from .client import Client

__all__ = [
    "Attempt",
    "Challenge",
    "Issue",
    "MemoryOtpStore",
    "OtpService",
    "OtpStore",
]

log = get_logger("iletimerkezi_async.otp")

MIN_SECRET = 32
"""Bytes a ``secret`` must have at least."""

Attempt = Literal["ok", "wrong", "locked", "missing"]
"""What :meth:`OtpStore.attempt` found: the right code (now consumed), a wrong one,
a locked challenge, or none at all (never sent, expired or already used)."""

_CODE_FIELD = re.compile(r"\{code\}")


@attrs.frozen(kw_only=True)
class Challenge:
    """A code on its way: valid until ``expires_at``; the next may go at ``resend_at``."""

    expires_at: datetime
    resend_at: datetime
    order: Order


@attrs.frozen(kw_only=True)
class Issue:
    """What :meth:`OtpStore.issue` did: ``"issued"``, ``"cooldown"`` or ``"limited"``.

    ``retry_after`` is the cooldown's remaining seconds (0 otherwise).
    """

    status: Literal["issued", "cooldown", "limited"]
    retry_after: float = 0.0


class OtpStore(abc.ABC):
    """Where challenges live; every method is one atomic step.

    ``key`` is an HMAC of the number and ``digest`` one of (number, code), both
    hex; times are POSIX seconds of the service's clock (so virtual clocks work);
    ``day`` is the Istanbul date (``YYYY-MM-DD``) the daily count belongs to.
    """

    @abc.abstractmethod
    async def issue(
        self,
        key: str,
        digest: str,
        *,
        now: float,
        expires_at: float,
        resend_at: float,
        day: str,
        daily_limit: int,
    ) -> Issue:
        """Replace ``key``'s challenge unless its cooldown runs or ``day``'s count is full.

        On ``"issued"`` the attempts start at 0 and the day's count goes up by one.
        """

    @abc.abstractmethod
    async def attempt(self, key: str, digest: str, *, now: float, max_attempts: int) -> Attempt:
        """Check ``digest``: consume the challenge when right, count a wrong try."""

    @abc.abstractmethod
    async def discard(self, key: str, digest: str, *, day: str) -> None:
        """Undo an issue that certainly sent nothing: drop the challenge (when it is still
        ``digest``'s), its cooldown, and its place in ``day``'s count."""


@attrs.define
class _Record:
    digest: str  # "" once consumed: the cooldown outlives a used code
    expires_at: float
    resend_at: float
    attempts: int = 0


class MemoryOtpStore(OtpStore):
    """Challenges in this process's memory: one worker only, lost on restart.

    Atomic under asyncio because no method awaits between reading and writing.
    Old records are pruned as new ones are issued.
    """

    def __init__(self) -> None:
        self._records: dict[str, _Record] = {}
        self._counts: dict[tuple[str, str], int] = {}

    async def issue(
        self,
        key: str,
        digest: str,
        *,
        now: float,
        expires_at: float,
        resend_at: float,
        day: str,
        daily_limit: int,
    ) -> Issue:
        self._prune(now, day)
        record = self._records.get(key)
        if record is not None and record.resend_at > now:
            return Issue(status="cooldown", retry_after=record.resend_at - now)
        count = self._counts.get((key, day), 0)
        if count >= daily_limit:
            return Issue(status="limited")
        self._counts[key, day] = count + 1
        self._records[key] = _Record(digest=digest, expires_at=expires_at, resend_at=resend_at)
        return Issue(status="issued")

    async def attempt(self, key: str, digest: str, *, now: float, max_attempts: int) -> Attempt:
        record = self._records.get(key)
        if record is None or not record.digest or record.expires_at <= now:
            return "missing"
        if record.attempts >= max_attempts:
            return "locked"
        if hmac.compare_digest(record.digest, digest):
            record.digest = ""
            return "ok"
        record.attempts += 1
        return "wrong"

    async def discard(self, key: str, digest: str, *, day: str) -> None:
        record = self._records.get(key)
        if record is None or not hmac.compare_digest(record.digest, digest):
            return
        del self._records[key]
        count = self._counts.get((key, day), 0)
        if count > 1:
            self._counts[key, day] = count - 1
        else:
            self._counts.pop((key, day), None)

    def _prune(self, now: float, day: str) -> None:
        for key in [k for k, r in self._records.items() if max(r.expires_at, r.resend_at) <= now]:
            del self._records[key]
        for entry in [e for e in self._counts if e[1] != day]:
            del self._counts[entry]

    def __repr__(self) -> str:
        return f"MemoryOtpStore(challenges={len(self._records)})"


def _positive_int(value: object, name: str, *, low: int = 1, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ConfigurationError(f"{name} must be an integer of at least {low}")
    if high is not None and value > high:
        raise ConfigurationError(f"{name} must be at most {high}")
    return value


def _seconds(value: object, name: str) -> float:
    try:
        return _validate.seconds(value, name)
    except InvalidRequestError as exc:
        raise ConfigurationError(f"{name}: {exc.rule}") from None


class OtpService:
    """Send and verify one-time codes through ``client`` (its limiter, retries and clock).

    ``template`` must hold ``{code}`` exactly once; ``sender=None`` uses the
    client's ``default_sender``.  Every argument is checked here, so a bad
    setting fails at startup instead of on a user's request.
    """

    def __init__(
        self,
        client: Client,
        *,
        secret: bytes,
        store: OtpStore,
        sender: str | None = None,
        template: str = "Doğrulama kodunuz: {code}",
        digits: int = 6,
        ttl: float = 180,
        max_attempts: int = 5,
        resend_after: float = 60,
        daily_limit: int = 10,
        allow_international: bool = False,
    ) -> None:
        if not isinstance(secret, bytes | bytearray) or len(secret) < MIN_SECRET:
            raise ConfigurationError(f"secret must be at least {MIN_SECRET} random bytes")
        if not isinstance(store, OtpStore):
            raise ConfigurationError("store must be an OtpStore (e.g. MemoryOtpStore())")
        self._digits = _positive_int(digits, "digits", low=4, high=10)
        self._ttl = _seconds(ttl, "ttl")
        self._resend_after = _seconds(resend_after, "resend_after")
        self._max_attempts = _positive_int(max_attempts, "max_attempts")
        self._daily_limit = _positive_int(daily_limit, "daily_limit")
        if not isinstance(template, str) or len(_CODE_FIELD.findall(template)) != 1:
            raise ConfigurationError("template must contain {code} exactly once")
        try:
            self._sender = _validate.sender(sender, client.default_sender)
            _validate.text(self._text("0" * self._digits, template), field="template")
        except InvalidRequestError as exc:
            raise ConfigurationError(f"{exc.field}: {exc.rule}") from None
        self._client = client
        self._secret = bytes(secret)
        self._store = store
        self._template = template
        self._international = bool(allow_international)

    @staticmethod
    def _text(code: str, template: str) -> str:
        # Not str.format: other braces in the template are text, not fields.
        return _CODE_FIELD.sub(lambda _: code, template)

    def _mac(self, *parts: str) -> str:
        message = "\0".join(parts).encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def _number(self, number: object) -> str:
        normalised = _validate.number(number)
        if not self._international and not normalised.startswith("+90"):
            raise InvalidRequestError(
                "number",
                "must be a Turkish mobile (+905xxxxxxxxx); codes to other countries "
                "need OtpService(allow_international=True)",
            )
        return normalised

    async def send(self, number: str) -> Challenge:
        """Send a new code to ``number``; raises the cooldown, limit and send errors.

        On :class:`SendOutcomeUnknownError` the code stays valid (see the module
        docstring): tell the user to wait for the SMS, do not send again.
        """
        normalised = self._number(number)
        clock = self._client.clock
        now_dt = clock.now().astimezone(ISTANBUL)
        now = now_dt.timestamp()
        day = now_dt.date().isoformat()
        code = f"{secrets.randbelow(10**self._digits):0{self._digits}d}"
        key = self._mac("otp-key", normalised)
        digest = self._mac("otp-code", normalised, code)
        issue = await self._store.issue(
            key,
            digest,
            now=now,
            expires_at=now + self._ttl,
            resend_at=now + self._resend_after,
            day=day,
            daily_limit=self._daily_limit,
        )
        if issue.status == "cooldown":
            raise OtpCooldownError(
                f"a code was sent to this number less than {self._resend_after:g} seconds ago",
                retry_after=issue.retry_after,
            )
        if issue.status == "limited":
            midnight = datetime.combine(now_dt.date() + timedelta(days=1), time(), ISTANBUL)
            raise OtpLimitError(
                f"this number already had {self._daily_limit} codes today",
                retry_after=(midnight - now_dt).total_seconds(),
            )
        masked = mask_number(normalised)
        try:
            order = await self._client.sms.send(
                normalised, self._text(code, self._template), sender=self._sender
            )
        except SendOutcomeUnknownError:
            log.warning("OTP to %s: send outcome unknown; the code stays valid", masked)
            raise
        except Exception:
            # Certainly not sent.  A cancellation (BaseException) keeps the
            # challenge: the request may have reached the server.
            await self._store.discard(key, digest, day=day)
            raise
        log.info("OTP sent to %s in order %s", masked, order.id)
        return Challenge(
            expires_at=now_dt + timedelta(seconds=self._ttl),
            resend_at=now_dt + timedelta(seconds=self._resend_after),
            order=order,
        )

    async def verify(self, number: str, code: str) -> bool:
        """True once for the right, unexpired code; False for a wrong or no code.

        Raises :class:`OtpLockedError` once ``max_attempts`` wrong codes were
        tried, until the challenge expires.  Every call counts as an attempt.
        """
        normalised = self._number(number)
        if not isinstance(code, str):
            raise InvalidRequestError("code", "must be a string")
        now = self._client.clock.now().timestamp()
        key = self._mac("otp-key", normalised)
        digest = self._mac("otp-code", normalised, code.strip())
        outcome = await self._store.attempt(key, digest, now=now, max_attempts=self._max_attempts)
        if outcome == "locked":
            raise OtpLockedError("too many wrong codes: request a new code later")
        return outcome == "ok"

    def __repr__(self) -> str:
        return (
            f"OtpService(sender={self._sender!r}, digits={self._digits}, ttl={self._ttl:g}, "
            f"max_attempts={self._max_attempts}, resend_after={self._resend_after:g}, "
            f"daily_limit={self._daily_limit}, store={self._store!r})"
        )
