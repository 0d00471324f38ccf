"""``SqliteLedger``: a campaign's memory in one SQLite file, for one machine.

The standard library's ``sqlite3`` runs in one thread of its own, so the
event loop never waits on the disk.  The database is in WAL mode with
``synchronous=FULL``: a commit is on disk before the call returns, which is
what "durable before the request it guards" needs.  One process at a time:
an exclusive ``flock`` on ``<path>.lock`` (released by the kernel when the
process dies, even by SIGKILL) refuses a second runner loudly.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from .._convert import from_dict, to_dict
from ..errors import ConfigurationError
from ._ledger import ChunkRecord, Claim, Ledger

__all__ = ["SqliteLedger"]

T = TypeVar("T")

_BATCH = 900
"""Digests per ``IN (...)`` query, under SQLite's oldest limit of 999 variables."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS settings (
    campaign TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (campaign, key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS seen (
    campaign TEXT NOT NULL, digest BLOB NOT NULL, chunk INTEGER NOT NULL,
    PRIMARY KEY (campaign, digest)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS chunks (
    campaign TEXT NOT NULL, idx INTEGER NOT NULL, record TEXT NOT NULL,
    PRIMARY KEY (campaign, idx)) WITHOUT ROWID;
"""


class _Held(Claim):
    """One process owns the whole ledger (the file lock); within it, one run per chunk.

    Held until released, with no lease to lapse: ``valid`` is always true.
    """

    def __init__(self, held: set[tuple[str, int]], campaign: str, index: int) -> None:
        self.index = index
        self._held = held
        self._key = (campaign, index)

    def valid(self) -> bool:
        return True

    async def release(self) -> None:
        self._held.discard(self._key)


class SqliteLedger(Ledger):
    """Campaign state in the SQLite file ``path`` (created when missing).

    Stores, per campaign name: its settings, a 16-byte keyed digest of each
    number with the chunk it belongs to, and one JSON record per chunk (state,
    order id, counts, submit window).  No phone number and no message text.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="iletimerkezi-ledger")
        self._db: sqlite3.Connection | None = None
        self._lock: int | None = None
        self._held: set[tuple[str, int]] = set()
        """Chunks claimed by a run in this process (two runs of one campaign at once)."""

    def __repr__(self) -> str:
        return f"SqliteLedger({str(self.path)!r})"

    async def _run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._thread, self._call, work)

    def _call(self, work: Callable[[sqlite3.Connection], T]) -> T:
        if self._db is None:
            self._db = self._connect()
        return work(self._db)

    def _connect(self) -> sqlite3.Connection:
        # The lock is this object's until close(), also when the file failed to open: a
        # second try must not take its own lock for another process's.
        if self._lock is None:
            self._lock = _lock(Path(f"{self.path}.lock"))
        db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            db.executescript(_SCHEMA)
        except BaseException:
            db.close()
            raise
        return db

    async def open(self, campaign: str, settings: Mapping[str, str]) -> Mapping[str, str]:
        def work(db: sqlite3.Connection) -> dict[str, str]:
            with _transaction(db):
                rows = db.execute(
                    "SELECT key, value FROM settings WHERE campaign = ?", (campaign,)
                ).fetchall()
                if rows:
                    return dict(rows)
                db.executemany(
                    "INSERT INTO settings VALUES (?, ?, ?)",
                    [(campaign, k, v) for k, v in settings.items()],
                )
                return dict(settings)

        return await self._run(work)

    async def owners(self, campaign: str, digests: Sequence[bytes]) -> list[int | None]:
        def work(db: sqlite3.Connection) -> list[int | None]:
            found: dict[bytes, int] = {}
            for start in range(0, len(digests), _BATCH):
                part = digests[start : start + _BATCH]
                marks = ",".join("?" * len(part))
                # Only "?" marks are formatted in; every value is a bound parameter.
                query = f"SELECT digest, chunk FROM seen WHERE campaign = ? AND digest IN ({marks})"  # noqa: S608
                found.update(db.execute(query, (campaign, *part)).fetchall())
            return [found.get(d) for d in digests]

        return await self._run(work)

    async def assign(self, campaign: str, index: int, digests: Sequence[bytes]) -> None:
        def work(db: sqlite3.Connection) -> None:
            with _transaction(db):
                db.executemany(
                    "INSERT OR IGNORE INTO seen VALUES (?, ?, ?)",
                    [(campaign, d, index) for d in digests],
                )

        await self._run(work)

    async def claim(self, campaign: str, index: int) -> Claim | None:
        if (campaign, index) in self._held:
            return None  # another run in this process works on it
        self._held.add((campaign, index))
        return _Held(self._held, campaign, index)

    async def get(self, campaign: str, index: int) -> ChunkRecord | None:
        def work(db: sqlite3.Connection) -> str | None:
            row = db.execute(
                "SELECT record FROM chunks WHERE campaign = ? AND idx = ?", (campaign, index)
            ).fetchone()
            return None if row is None else str(row[0])

        raw = await self._run(work)
        return None if raw is None else _record(raw)

    async def put(self, campaign: str, record: ChunkRecord, claim: Claim) -> None:
        raw = json.dumps(to_dict(record), separators=(",", ":"))

        def work(db: sqlite3.Connection) -> None:
            with _transaction(db):
                db.execute(
                    "INSERT OR REPLACE INTO chunks VALUES (?, ?, ?)",
                    (campaign, record.index, raw),
                )

        await self._run(work)

    async def records(self, campaign: str) -> list[ChunkRecord]:
        def work(db: sqlite3.Connection) -> list[str]:
            rows = db.execute(
                "SELECT record FROM chunks WHERE campaign = ? ORDER BY idx", (campaign,)
            ).fetchall()
            return [str(r[0]) for r in rows]

        return [_record(raw) for raw in await self._run(work)]

    async def close(self) -> None:
        def work(db: sqlite3.Connection) -> None:
            db.close()

        if self._db is not None:
            await self._run(work)
            self._db = None
        if self._lock is not None:
            os.close(self._lock)  # closing the descriptor drops the flock
            self._lock = None
        self._thread.shutdown(wait=False)
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="iletimerkezi-ledger")


def _record(raw: str) -> ChunkRecord:
    data: Any = json.loads(raw)
    return from_dict(ChunkRecord, data)


class _transaction:
    """``BEGIN IMMEDIATE`` … ``COMMIT`` (``ROLLBACK`` on error) on an autocommit connection."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: object, value: object, tb: object) -> None:
        self._db.execute("COMMIT" if kind is None else "ROLLBACK")


def _lock(path: Path) -> int | None:
    """An exclusive, non-blocking ``flock`` on ``path``; None where there is no flock."""
    try:
        import fcntl
    except ImportError:  # Windows: one process per ledger is then up to the caller
        return None
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise ConfigurationError(
            f"{path.name}: another process is running a campaign on this ledger; "
            "SqliteLedger serves one process at a time (RedisLedger serves many)"
        ) from None
    return fd
