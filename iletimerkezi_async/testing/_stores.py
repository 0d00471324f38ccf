"""The account's smaller stores: blacklist, İYS consents and the inbox.

Each reads as a plain read-only collection (what tests inspect) and changes
only through its named methods (what the endpoints and seeding call), so a
test cannot bypass the rules by assigning into it.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import overload

from ._models import ConsentRecord, InboundRecord

__all__ = ["Blacklist", "ConsentKey", "Consents", "Inbox"]

ConsentKey = tuple[str, str, str]
"""(recipient, recipientType, type): one İYS record per combination."""


class Blacklist(Mapping[str, datetime]):
    """Blacklisted ``+90…`` numbers and when they were blocked."""

    def __init__(self) -> None:
        self._blocked_at: dict[str, datetime] = {}

    def __getitem__(self, number: str) -> datetime:
        return self._blocked_at[number]

    def __iter__(self) -> Iterator[str]:
        return iter(self._blocked_at)

    def __len__(self) -> int:
        return len(self._blocked_at)

    def __repr__(self) -> str:
        return f"<Blacklist of {len(self)} numbers>"

    def block(self, number: str, at: datetime) -> None:
        """Idempotent: a number keeps the time it was first blocked."""
        self._blocked_at.setdefault(number, at)

    def unblock(self, number: str) -> bool:
        return self._blocked_at.pop(number, None) is not None

    def oldest_first(self) -> list[tuple[str, datetime]]:
        return sorted(self._blocked_at.items(), key=lambda item: item[1])


class Consents(Mapping[ConsentKey, ConsentRecord]):
    """İYS records keyed by (recipient, recipientType, type); the last write wins."""

    def __init__(self) -> None:
        self._records: dict[ConsentKey, ConsentRecord] = {}

    def __getitem__(self, key: ConsentKey) -> ConsentRecord:
        return self._records[key]

    def __iter__(self) -> Iterator[ConsentKey]:
        return iter(self._records)

    def __len__(self) -> int:
        return len(self._records)

    def __repr__(self) -> str:
        return f"<Consents of {len(self)} records>"

    def store(self, record: ConsentRecord) -> None:
        self._records[(record.recipient, record.recipient_type, record.type)] = record

    def keys_of(self, recipient: str) -> list[ConsentKey]:
        return [key for key in self._records if key[0] == recipient]


class Inbox(Sequence[InboundRecord]):
    """Inbound messages in the order they were added (ids increase from ``"1"``)."""

    def __init__(self) -> None:
        self._records: list[InboundRecord] = []
        self._ids = itertools.count(1)

    @overload
    def __getitem__(self, index: int) -> InboundRecord: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[InboundRecord]: ...

    def __getitem__(self, index: int | slice) -> InboundRecord | Sequence[InboundRecord]:
        if isinstance(index, slice):
            return tuple(self._records[index])
        return self._records[index]

    def __len__(self) -> int:
        return len(self._records)

    def __repr__(self) -> str:
        return f"<Inbox of {len(self)} messages>"

    def add(self, *, received_at: datetime, sender: str, number: str, text: str) -> str:
        record = InboundRecord(
            id=str(next(self._ids)),
            received_at=received_at,
            sender=sender,
            number=number,
            text=text,
        )
        self._records.append(record)
        return record.id

    def oldest_first(self) -> list[InboundRecord]:
        return sorted(self._records, key=lambda r: (r.received_at, int(r.id)))
