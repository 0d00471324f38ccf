"""How a campaign's source is cut into chunks: the same chunks on every run.

The cutter runs against an in-memory ``Ledger`` (only ``owners``/``assign``
matter here), under hypothesis: for any source of valid, invalid and
repeated numbers and any chunk size, the chunks hold each valid number once,
in first-appearance order; invalid numbers and repeats are counted, never
sent; and reading the source again after the chunks were assigned (a resume)
cuts exactly the same chunks.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from iletimerkezi_async.campaigns import ChunkRecord, Claim, Ledger
from iletimerkezi_async.campaigns._chunks import Chunk, chunks

KEY = b"k" * 32


class MemoryLedger(Ledger):
    """Just the seen-set, in memory (a test double: not durable)."""

    def __init__(self) -> None:
        self.seen: dict[bytes, int] = {}

    async def open(self, campaign: str, settings: Mapping[str, str]) -> Mapping[str, str]:
        raise NotImplementedError

    async def owners(self, campaign: str, digests: Sequence[bytes]) -> list[int | None]:
        return [self.seen.get(d) for d in digests]

    async def assign(self, campaign: str, index: int, digests: Sequence[bytes]) -> None:
        for d in digests:
            self.seen.setdefault(d, index)

    async def claim(self, campaign: str, index: int) -> Claim | None:
        raise NotImplementedError

    async def get(self, campaign: str, index: int) -> ChunkRecord | None:
        raise NotImplementedError

    async def put(self, campaign: str, record: ChunkRecord, claim: Claim) -> None:
        raise NotImplementedError

    async def records(self, campaign: str) -> list[ChunkRecord]:
        raise NotImplementedError

    async def close(self) -> None:
        return None


def cut(source: list[object], ledger: MemoryLedger, size: int) -> list[Chunk]:
    async def run() -> list[Chunk]:
        out = []
        async for chunk in chunks(
            source, ledger=ledger, campaign="c", key=KEY, size=size, personal=[None]
        ):
            await ledger.assign("c", chunk.index, chunk.digests)  # as the runner does
            out.append(chunk)
        return out

    return asyncio.run(run())


items = st.one_of(
    st.integers(0, 40).map(lambda i: f"+90505{i:07d}"),  # few distinct: many repeats
    st.sampled_from(["123", "abc", "+90999", ""]),  # invalid
    st.integers(0, 40).map(lambda i: f"0505 {i:07d}"),  # same numbers, another spelling
)


@settings(max_examples=150, deadline=None)
@given(source=st.lists(items, max_size=300), size=st.integers(1, 17))
def test_every_valid_number_once_and_the_same_chunks_on_a_resume(
    source: list[object], size: int
) -> None:
    ledger = MemoryLedger()
    first = cut(source, ledger, size)
    normal = [
        f"+90505{s[-7:]}" if isinstance(s, str) and s[-7:].isdigit() and len(s) > 8 else None
        for s in source
    ]
    distinct = list(dict.fromkeys(n for n in normal if n is not None))
    if not distinct:  # nothing valid: one empty chunk carries the counts (the run refuses it)
        assert [(c.numbers, c.invalid) for c in first] == (
            [([], normal.count(None))] if source else []
        )
        return
    assert [n for c in first for n in c.numbers] == distinct
    assert all(len(c.numbers) == size for c in first[:-1])
    assert [c.index for c in first] == list(range(len(first)))
    assert sum(c.invalid for c in first) == normal.count(None)
    valid = len(normal) - normal.count(None)
    assert sum(c.duplicates for c in first) == valid - len(distinct)
    again = cut(source, ledger, size)  # the ledger now knows every number's chunk
    assert [(c.numbers, c.invalid, c.duplicates) for c in again] == [
        (c.numbers, c.invalid, c.duplicates) for c in first
    ]
    assert [c.digest("s") for c in again] == [c.digest("s") for c in first]


def test_what_follows_the_last_full_chunk_is_counted_on_it() -> None:
    source: list[object] = ["+905050000001", "+905050000002", "bad", "+905050000001"]
    (chunk,) = cut(source, MemoryLedger(), 2)
    assert chunk.numbers == ["+905050000001", "+905050000002"]
    assert (chunk.invalid, chunk.duplicates) == (1, 1)


def test_a_changed_chunk_has_another_digest() -> None:
    a = cut(["+905050000001", "+905050000002"], MemoryLedger(), 2)[0]
    b = cut(["+905050000001", "+905050000003"], MemoryLedger(), 2)[0]
    assert a.digest("s") != b.digest("s")
    assert a.digest("s") != a.digest("other settings")
