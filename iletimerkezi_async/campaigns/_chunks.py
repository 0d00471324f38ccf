"""Cutting a campaign's source into chunks, the same way on every run.

A number belongs to the first chunk it appears in.  The ledger remembers
that (as a keyed digest), so re-reading the same source after a crash
yields the same chunks: a number whose digest the ledger already gives to
an earlier chunk is a duplicate, one it gives to this chunk (or not at all)
is this chunk's.  Invalid numbers and duplicates are counted on the chunk
being filled when they are read; those after the last full chunk go to it.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import AsyncIterable, AsyncIterator, Iterable
from typing import TYPE_CHECKING

import attrs

from .. import _validate
from ..errors import InvalidRequestError

if TYPE_CHECKING:
    from ._ledger import Ledger

__all__ = ["Chunk", "chunks"]

READ_BATCH = 2_000
"""Source items looked up in the ledger at once."""


@attrs.define(kw_only=True)
class Chunk:
    """One chunk as read from the source: numbers in clear, only in memory."""

    index: int
    numbers: list[str] = attrs.field(factory=list, repr=False)
    texts: list[str] | None = attrs.field(default=None, repr=False)
    digests: list[bytes] = attrs.field(factory=list, repr=False)
    invalid: int = 0
    duplicates: int = 0

    def digest(self, settings: str) -> str:
        """SHA-256 of the settings, every number's digest and every personal text."""
        h = hashlib.sha256(settings.encode())
        for i, d in enumerate(self.digests):
            h.update(d)
            if self.texts is not None:
                h.update(hashlib.sha256(self.texts[i].encode()).digest())
        return h.hexdigest()


async def _items(source: Iterable[object] | AsyncIterable[object]) -> AsyncIterator[object]:
    if isinstance(source, AsyncIterable):
        async for item in source:
            yield item
    else:
        for item in source:
            yield item


async def _batches(
    source: Iterable[object] | AsyncIterable[object],
) -> AsyncIterator[list[object]]:
    batch: list[object] = []
    async for item in _items(source):
        batch.append(item)
        if len(batch) == READ_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _split(item: object, position: int, personal: bool | None) -> tuple[object, str | None, bool]:
    """(number, text or None, personal) of one source item; a mixed source is refused."""
    if not isinstance(item, tuple):
        if personal:
            raise InvalidRequestError(
                f"source[{position}]", "mixes numbers and (number, text) pairs"
            )
        return item, None, False
    if personal is False:
        raise InvalidRequestError(f"source[{position}]", "mixes numbers and (number, text) pairs")
    if len(item) != 2 or not isinstance(item[1], str):
        raise InvalidRequestError(f"source[{position}]", "must be a (number, text) pair")
    _validate.text(item[1], field=f"source[{position}].text")
    return item[0], item[1], True


_Entry = tuple[str, str | None, bytes] | None
"""A parsed source item: (normalised number, personal text, digest), None when invalid."""


def _parse(number: object, text: str | None, key: bytes) -> _Entry:
    if isinstance(number, bool) or not isinstance(number, str | int):
        return None
    try:
        normal = _validate.number(number)
    except InvalidRequestError:
        return None
    return normal, text, hmac.new(key, normal.encode(), "sha256").digest()[:16]


class _Cutter:
    """The chunk being filled, and the full one held back for the counts after it."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.current = Chunk(index=0)
        self.members: set[bytes] = set()
        self.full: Chunk | None = None
        self.held: set[bytes] = set()
        self.recent: dict[bytes, int] = {}  # completed, but maybe not yet in the ledger

    def add(self, entry: _Entry, owner: int | None) -> Chunk | None:
        """Take one entry; return a chunk that is now complete, if any."""
        counting = self.full if self.full is not None else self.current
        if entry is None:
            counting.invalid += 1
            return None
        number, text, digest = entry
        owner = self.recent.get(digest, owner)
        earlier = owner is not None and owner < self.current.index
        if digest in self.members or digest in self.held or earlier:
            counting.duplicates += 1
            return None
        done, self.full, self.held = self.full, None, set()
        chunk = self.current
        chunk.numbers.append(number)
        chunk.digests.append(digest)
        self.members.add(digest)
        if text is not None:
            if chunk.texts is None:
                chunk.texts = []
            chunk.texts.append(text)
        if len(chunk.numbers) == self.size:
            for d in chunk.digests:
                self.recent[d] = chunk.index
            self.full, self.held = chunk, self.members
            self.current, self.members = Chunk(index=chunk.index + 1), set()
        return done

    def next_batch(self) -> None:
        """Start a batch whose owners were just looked up in the ledger.

        Chunks handed out before the look-up are in the ledger now (the
        caller records each chunk's digests before asking for the next).
        The full one held back is not: it is handed out during this batch,
        after the look-up, so its digests stay in ``recent`` or a repeat of
        one of its numbers later in this batch would go into a later chunk.
        """
        held = self.full
        self.recent = dict.fromkeys(held.digests, held.index) if held is not None else {}

    def last(self) -> Chunk | None:
        """The chunk still held at the end; an empty one only if nothing valid came at all.

        (The campaign refuses that empty chunk rather than lose its counts.)
        """
        if self.full is not None:
            return self.full
        current = self.current
        if current.numbers or (current.index == 0 and (current.invalid or current.duplicates)):
            return current
        return None


async def chunks(
    source: Iterable[object] | AsyncIterable[object],
    *,
    ledger: Ledger,
    campaign: str,
    key: bytes,
    size: int,
    personal: list[bool | None],
) -> AsyncIterator[Chunk]:
    """The source's chunks in order; ``personal[0]`` is set from the first item.

    The caller records each chunk's digests in the ledger (``assign``)
    before it asks for the next chunk: the next batch's owners are read then.
    """
    cutter = _Cutter(size)
    position = 0
    async for batch in _batches(source):
        entries: list[_Entry] = []
        for item in batch:
            number, text, personal[0] = _split(item, position, personal[0])
            position += 1
            entries.append(_parse(number, text, key))
        valid = [e[2] for e in entries if e is not None]
        owner_of = dict(zip(valid, await ledger.owners(campaign, valid), strict=True))
        cutter.next_batch()
        for entry in entries:
            done = cutter.add(entry, owner_of[entry[2]] if entry is not None else None)
            if done is not None:
                yield done
    last = cutter.last()
    if last is not None:
        yield last
