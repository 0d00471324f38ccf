"""What a campaign ledger stores, and the few operations a runner needs from it.

A ledger is the campaign's memory across crashes: for each chunk, its state
and what resolving it takes; for the whole campaign, which number (as a
keyed digest, never in clear) belongs to which chunk.  Every write returns
only once it is durable, because the runner writes *before* the request it
guards.  Two implementations: :class:`~.SqliteLedger` (one machine) and
``contrib.redis.RedisLedger`` (many workers, fenced leases).
"""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Literal

import attrs

__all__ = ["ChunkRecord", "ChunkState", "Claim", "Ledger"]

ChunkState = Literal["sending", "unknown", "sent", "resolved", "resent"]
"""``sending``: made durable just before its request (a crash leaves it so);
``unknown``: the request's fate is unknown; the other three are final."""

FINAL: frozenset[str] = frozenset({"sent", "resolved", "resent"})


@attrs.frozen(kw_only=True)
class ChunkRecord:
    """One chunk as the ledger holds it: no number, no text, only counts and digests.

    ``digest`` covers the chunk's numbers, texts and order settings, so a
    changed source is caught on resume.  ``attempt`` counts the sends begun
    (2 or more: a resend after the first was proven absent).
    ``submitted_after``/``submitted_before`` bound the last send's request.
    """

    index: int
    digest: str
    state: ChunkState
    attempt: int = 1
    recipients: int = 0
    invalid: int = 0
    duplicates: int = 0
    order_id: str | None = None
    submitted_after: datetime | None = None
    submitted_before: datetime | None = None

    @property
    def final(self) -> bool:
        return self.state in FINAL


class Claim(abc.ABC):
    """The right to send one chunk; a ledger of one process grants it to one run at a time.

    ``valid()`` is checked right before each request: a holder whose lease
    may have passed to another worker must not send (the split-brain rule).
    """

    index: int

    @abc.abstractmethod
    def valid(self) -> bool:
        """Whether this holder may still send (a local deadline, no I/O)."""

    @abc.abstractmethod
    async def release(self) -> None:
        """Give the chunk up (done, or failed before sending)."""


class Ledger(abc.ABC):
    """Durable state of campaigns, each under its name."""

    @abc.abstractmethod
    async def open(self, campaign: str, settings: Mapping[str, str]) -> Mapping[str, str]:
        """Store ``settings`` on first use; afterwards return the stored ones unchanged."""

    @abc.abstractmethod
    async def owners(self, campaign: str, digests: Sequence[bytes]) -> list[int | None]:
        """The chunk each number digest was first assigned to (None: not yet seen)."""

    @abc.abstractmethod
    async def assign(self, campaign: str, index: int, digests: Sequence[bytes]) -> None:
        """Record ``digests`` as chunk ``index``'s (a digest assigned earlier keeps its chunk)."""

    @abc.abstractmethod
    async def claim(self, campaign: str, index: int) -> Claim | None:
        """The right to work on chunk ``index``, or None while another worker holds it."""

    @abc.abstractmethod
    async def get(self, campaign: str, index: int) -> ChunkRecord | None:
        """Chunk ``index``'s record, or None when it was never begun."""

    @abc.abstractmethod
    async def put(self, campaign: str, record: ChunkRecord, claim: Claim) -> None:
        """Write ``record`` durably; a claim no longer held raises ``ChunkClaimLostError``."""

    @abc.abstractmethod
    async def records(self, campaign: str) -> list[ChunkRecord]:
        """Every chunk record of the campaign, by index."""

    @abc.abstractmethod
    async def close(self) -> None:
        """Release what the ledger holds open (files, locks, leases)."""
