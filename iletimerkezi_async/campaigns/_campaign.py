"""``Campaign``: a bulk send whose every valid recipient ends in exactly one order.

Each chunk moves through the ledger as ``sending`` (written, and durable,
before its request) → ``sent``; or, when the outcome is unknown, →
``unknown`` → ``resolved`` (found by ``sms.resolve``) or, once proven
absent, ``sending`` again → ``resent``.  A crash leaves a chunk ``sending``
or ``unknown``; the next run resolves it before anything is resent.  A
chunk that failed before it could have been sent (a 402, a 450) stays
``sending`` too, which costs the next run one resolve: never a guess.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Final, Literal

import attrs

from .. import _validate
from .._log import get_logger
from ..errors import (
    CampaignMismatchError,
    ChunkClaimLostError,
    InvalidRequestError,
    SendOutcomeUnknownError,
)
from ..models import IysList, Order
from ..pending import PendingSend, text_digest
from ._chunks import Chunk, chunks
from ._ledger import ChunkRecord, Claim, Ledger

if TYPE_CHECKING:
    from ..client import Client

__all__ = ["PASS_PAUSE", "Campaign", "CampaignStatus", "ChunkResult"]

log = get_logger("iletimerkezi_async.campaigns")

_LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)
"""A "now" every schedule is after: ``_validate.schedule`` then checks all but the future."""

PASS_PAUSE = 1.0
"""Seconds between passes while chunks are held by other workers."""

ResultState = Literal["sent", "resolved", "resent", "skipped"]
DoneState = Literal["sent", "resolved", "resent"]


@attrs.frozen(kw_only=True)
class ChunkResult:
    """One chunk's outcome in this run; ``skipped``: it was done in an earlier run."""

    index: int
    state: ResultState
    order: Order
    recipients: int


@attrs.frozen(kw_only=True)
class CampaignStatus:
    """What the ledger says: chunks begun, done (``sent``), still ``unknown``, and counts."""

    chunks: int
    sent: int
    unknown: int
    invalid: int
    duplicates: int
    recipients_sent: int
    orders: tuple[str, ...]


class Campaign:
    """A named campaign on a ledger; :meth:`run` it again to resume after any failure.

    ``settle`` is the resolve settle time for an unknown chunk (seconds after
    its request during which an order may still show up); 120 s suits the
    live API, a test against the fake may use less.
    """

    def __init__(self, client: Client, name: str, *, ledger: Ledger, settle: float = 120.0) -> None:
        if not isinstance(name, str) or not name.strip() or len(name) > 200:
            raise InvalidRequestError("name", "must be a non-empty string of at most 200 chars")
        if not isinstance(ledger, Ledger):
            raise InvalidRequestError("ledger", "must be a Ledger (SqliteLedger, RedisLedger)")
        if isinstance(settle, bool) or not isinstance(settle, int | float) or not settle >= 0:
            raise InvalidRequestError("settle", "must be zero or more seconds")
        self.client = client
        self.name = name
        self.ledger = ledger
        self.settle = float(settle)

    def __repr__(self) -> str:
        return f"Campaign({self.name!r}, ledger={self.ledger!r})"

    def run(
        self,
        source: Iterable[object] | AsyncIterable[object],
        text: str | None = None,
        *,
        sender: str | None = None,
        iys: str | IysList | None = None,
        send_at: datetime | None = None,
        chunk_size: int = _validate.MAX_RECIPIENTS,
    ) -> AsyncIterator[ChunkResult]:
        """Send ``source`` in chunks, yielding one :class:`ChunkResult` per chunk.

        ``source`` yields numbers (all get ``text``) or ``(number, text)``
        pairs (``text`` is then None; each chunk is one multi-text order).
        Arguments are checked here, before anything is read or sent.  A
        ``send_at`` that has passed is refused too, but for a campaign that
        has begun chunks: resumed late, its remaining chunks go out at once.
        """
        if (
            isinstance(chunk_size, bool)
            or not isinstance(chunk_size, int)
            or not 1 <= chunk_size <= _validate.MAX_RECIPIENTS
        ):
            raise InvalidRequestError(
                "chunk_size", f"must be an integer from 1 to {_validate.MAX_RECIPIENTS:,}"
            )
        if isinstance(source, str | bytes) or not isinstance(source, Iterable | AsyncIterable):
            raise InvalidRequestError("source", "must be an iterable or async iterable")
        if text is not None:
            _validate.text(text)
        name = _validate.sender(sender, self.client.default_sender)
        # Every check but "in the future", which depends on the ledger (see _Run._pass).
        when = _validate.schedule(send_at, _LONG_AGO)
        late = when is not None and when <= self.client.clock.now()
        iys_list = _validate.iys_list(iys)
        settings = {
            "sender": name,
            "iys": iys_list or "",
            "send_at": when.isoformat() if when else "",
            "chunk_size": str(chunk_size),
            "text": text_digest([text]) if text is not None else "",
            # A check value of the digest key (never the key): new credentials, new digests.
            "key": hmac.new(self._key(), b"check", "sha256").hexdigest()[:16],
        }
        return _Run(self, settings, text, when, late=late).go(source)

    def _key(self) -> bytes:
        """The number-digest key: derived from the credentials and the campaign name."""
        return self.client.digest_key(f"iletimerkezi-campaign:{self.name}")

    async def status(self) -> CampaignStatus:
        records = await self.ledger.records(self.name)
        done = [r for r in records if r.final]
        return CampaignStatus(
            chunks=len(records),
            sent=len(done),
            unknown=len(records) - len(done),
            invalid=sum(r.invalid for r in records),
            duplicates=sum(r.duplicates for r in records),
            recipients_sent=sum(r.recipients for r in done),
            orders=tuple(r.order_id for r in done if r.order_id is not None),
        )


_EMPTY: Final = object()


async def _peek(
    source: Iterable[object] | AsyncIterable[object],
) -> tuple[object, Iterable[object] | AsyncIterable[object]]:
    """The source's first item (``_EMPTY``: none), and a source that still yields it."""
    if isinstance(source, AsyncIterator):
        first = await anext(source, _EMPTY)
        return first, _chain(first, source)
    if isinstance(source, Iterator):
        first = next(source, _EMPTY)
        return first, _chain(first, source)
    if isinstance(source, AsyncIterable):
        return await anext(aiter(source), _EMPTY), source
    return next(iter(source), _EMPTY), source


async def _chain(
    first: object, rest: Iterator[object] | AsyncIterator[object]
) -> AsyncIterator[object]:
    if first is not _EMPTY:
        yield first
    if isinstance(rest, AsyncIterator):
        async for item in rest:
            yield item
    else:
        for item in rest:
            yield item


class _Run:
    """One ``run`` call: its settings, the view it sends through, the orders known."""

    def __init__(
        self,
        campaign: Campaign,
        settings: dict[str, str],
        text: str | None,
        when: datetime | None,
        *,
        late: bool,
    ) -> None:
        self.campaign = campaign
        self.settings = settings
        self.text = text
        self.send_at = when
        self.late = late
        self.limiter = campaign.client.send_limiter
        # The limiter is acquired here, so the claim can be checked right before the POST.
        self.view = campaign.client.with_options(send_limiter=None)
        self.known: set[str] = set()
        self.passed_over = 0
        self.signature = hashlib.sha256(
            "\x1f".join(f"{k}={v}" for k, v in sorted(settings.items())).encode()
        ).hexdigest()

    async def go(
        self, source: Iterable[object] | AsyncIterable[object]
    ) -> AsyncIterator[ChunkResult]:
        """Passes over the source until no chunk is left to another worker.

        A chunk another worker holds is passed over; when the source can be
        read again (a list, not an iterator), the run reads it again after a
        pause, so a chunk whose holder died is taken over once its lease
        lapses.  A one-shot iterator gets one pass.
        """
        again = not isinstance(source, AsyncIterator | Iterator)
        first, source = await _peek(source)
        if first is not _EMPTY:
            # Checked before the ledger stores anything, so a corrected run is not a mismatch.
            if isinstance(first, tuple) and self.text is not None:
                raise InvalidRequestError("text", "must be None for (number, text) pairs")
            if not isinstance(first, tuple) and self.text is None:
                raise InvalidRequestError("text", "is needed for a source of numbers")
        while True:
            self.passed_over = 0
            async for result in self._pass(source):
                yield result
            if not self.passed_over or not again:
                return
            await self.campaign.client.clock.sleep(PASS_PAUSE)

    async def _pass(
        self, source: Iterable[object] | AsyncIterable[object]
    ) -> AsyncIterator[ChunkResult]:
        c = self.campaign
        records = await c.ledger.records(c.name)
        if self.late and not records:
            # Nothing went out yet: a schedule in the past is refused, as sms.send does.  Once
            # chunks are begun, some of their orders may be waiting for that time, and the
            # others must still go out: _send sends them at once.
            raise InvalidRequestError(
                "send_at", "must be in the future (the API schedules to the whole minute)"
            )
        stored = await c.ledger.open(c.name, self.settings)
        for field, value in self.settings.items():
            if stored.get(field) != value:
                raise CampaignMismatchError(
                    field, f"differs from what campaign {c.name!r} was started with"
                )
        self.known = {r.order_id for r in records if r.order_id}
        personal: list[bool | None] = [None]
        async for chunk in chunks(
            source,
            ledger=c.ledger,
            campaign=c.name,
            key=c._key(),  # noqa: SLF001 (the run is part of the campaign)
            size=int(self.settings["chunk_size"]),
            personal=personal,
        ):
            if personal[0] and self.text is not None:
                raise InvalidRequestError("text", "must be None for (number, text) pairs")
            if not personal[0] and self.text is None:
                raise InvalidRequestError("text", "is needed for a source of numbers")
            if not chunk.numbers:
                raise InvalidRequestError(
                    "source", f"holds no valid phone number ({chunk.invalid} invalid)"
                )
            result = await self._chunk(chunk)
            if result is not None:
                yield result

    async def _chunk(self, chunk: Chunk) -> ChunkResult | None:
        c = self.campaign
        digest = chunk.digest(self.signature)
        record = await self._record(chunk, digest)
        if record is not None and record.final:
            return self._skipped(record)
        # Its numbers are recorded as this chunk's before the claim, by whichever worker
        # cuts it: a chunk passed over still owns them, so a repeat of one of them later
        # in the source is a duplicate and not a number of a later chunk.
        await c.ledger.assign(c.name, chunk.index, chunk.digests)
        claim = await c.ledger.claim(c.name, chunk.index)
        if claim is None:
            self.passed_over += 1  # another worker holds it
            return None
        try:
            # Read again under the claim: the chunk may have been finished by the worker
            # that held it between the first read and this claim.
            record = await self._record(chunk, digest)
            if record is not None and record.final:
                return self._skipped(record)
            return await self._work(chunk, record, digest, claim)
        except ChunkClaimLostError as exc:
            log.warning("%s", exc)
            self.passed_over += 1
            return None
        finally:
            await claim.release()

    async def _record(self, chunk: Chunk, digest: str) -> ChunkRecord | None:
        """The chunk's record, None when never begun; one of another source is a mismatch."""
        c = self.campaign
        record = await c.ledger.get(c.name, chunk.index)
        if record is not None and record.digest != digest:
            raise CampaignMismatchError(
                "source", f"chunk {chunk.index} differs from the one the ledger recorded"
            )
        return record

    def _skipped(self, record: ChunkRecord) -> ChunkResult:
        if record.order_id is not None:
            self.known.add(record.order_id)  # done by another worker during this pass, maybe
        return self._result(record, "skipped")

    async def _work(
        self, chunk: Chunk, record: ChunkRecord | None, digest: str, claim: Claim
    ) -> ChunkResult:
        c = self.campaign
        if record is None:
            record = ChunkRecord(
                index=chunk.index,
                digest=digest,
                state="sending",
                attempt=0,
                recipients=len(chunk.numbers),
                invalid=chunk.invalid,
                duplicates=chunk.duplicates,
            )
        elif record.state in ("sending", "unknown"):
            order = await self._resolve(chunk, record)
            if order is not None:
                found_state: DoneState = "resent" if record.attempt > 1 else "resolved"
                return await self._done(record, found_state, order, claim)
        while True:
            record = attrs.evolve(
                record,
                state="sending",
                attempt=record.attempt + 1,
                submitted_after=c.client.clock.now(),
                submitted_before=None,
            )
            await c.ledger.put(c.name, record, claim)
            try:
                order = await self._send(chunk, claim.valid)
            except SendOutcomeUnknownError as exc:
                pending = exc.pending
                if pending is None:
                    raise
                record = attrs.evolve(
                    record,
                    state="unknown",
                    submitted_after=pending.submitted_after,
                    submitted_before=pending.submitted_before,
                )
                await c.ledger.put(c.name, record, claim)
                found = await self._resolve_pending(pending)
                if found is None:
                    continue  # proven absent: send again
                # The first send's order, found: "resolved"; a resend's: still "resent".
                state: DoneState = "resolved" if record.attempt == 1 else "resent"
                return await self._done(record, state, found, claim)
            state = "sent" if record.attempt == 1 else "resent"
            return await self._done(record, state, order, claim)

    async def _send(self, chunk: Chunk, valid: Callable[[], bool]) -> Order:
        if self.limiter is not None:
            await self.limiter.acquire(len(chunk.numbers))
        if not valid():
            raise ChunkClaimLostError(
                f"campaign {self.campaign.name!r}: the lease on chunk {chunk.index} lapsed "
                "before its request; another worker resolves it"
            )
        now = self.campaign.client.clock.now()
        send_at = self.send_at if self.send_at is not None and self.send_at > now else None
        options = {"sender": self.settings["sender"], "iys": self.settings["iys"] or None}
        if chunk.texts is None:
            assert self.text is not None
            return await self.view.sms.send(chunk.numbers, self.text, send_at=send_at, **options)
        pairs = list(zip(chunk.numbers, chunk.texts, strict=True))
        return await self.view.sms.send_many(pairs, send_at=send_at, **options)

    async def _resolve(self, chunk: Chunk, record: ChunkRecord) -> Order | None:
        """The order of a chunk a crash left ``sending``/``unknown``, or None when absent."""
        after = record.submitted_after
        if after is None:  # never got as far as its request
            return None
        before = record.submitted_before or self.campaign.client.clock.now()
        groups: dict[str, list[str]] = {}
        for i, number in enumerate(chunk.numbers):
            groups.setdefault(chunk.texts[i] if chunk.texts else (self.text or ""), []).append(
                number
            )
        pending = PendingSend(
            sender=self.settings["sender"],
            recipients=tuple(n for numbers in groups.values() for n in numbers),
            text_digest=text_digest(groups),
            submitted_after=after,
            submitted_before=max(before, after),
            send_at=self.send_at,
        )
        return await self._resolve_pending(pending)

    async def _resolve_pending(self, pending: PendingSend) -> Order | None:
        c = self.campaign
        # Other workers' orders since this pass began are the ledger's too: without
        # them, a few minutes of their sends outnumber what resolve can check.
        self.known |= {r.order_id for r in await c.ledger.records(c.name) if r.order_id}
        return await c.client.sms.resolve(pending, settle=c.settle, exclude=sorted(self.known))

    async def _done(
        self, record: ChunkRecord, state: DoneState, order: Order, claim: Claim
    ) -> ChunkResult:
        c = self.campaign
        final = attrs.evolve(record, state=state, order_id=order.id)
        await c.ledger.put(c.name, final, claim)
        self.known.add(order.id)
        return self._result(final, state)

    @staticmethod
    def _result(record: ChunkRecord, state: ResultState) -> ChunkResult:
        assert record.order_id is not None
        return ChunkResult(
            index=record.index,
            state=state,
            order=Order(id=record.order_id, recipients=record.recipients),
            recipients=record.recipients,
        )
