"""Inbox cursor stores: where ``inbox.poll`` keeps its position, in memory or in a file.

A store only keeps one token; what the token means belongs to whoever saves
it (the inbox poller saves JSON, see :mod:`iletimerkezi_async.polling`).  Any
object with async ``load()`` and ``save(token)`` is a store, so a shared one
(Redis, a database row) can replace these two without touching the poller.

Three things in this package are called "cursor"; this module holds one:

- a *cursor store* (here, and ``RedisCursor`` in
  :mod:`iletimerkezi_async.contrib.redis`): an object that persists the
  inbox poller's position, passed as ``inbox.poll(cursor=...)``;
- ``Paginator.cursor``: a plain ``str`` resume token of a paginated walk
  (``reports.list``, ``blacklist.list``…), passed back as ``resume_from=``;
  nothing stores it for you;
- the command line's ``inbox --cursor-file PATH``: the file of a
  :class:`FileCursor`, i.e. a cursor store on disk.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
import threading
from pathlib import Path
from typing import Protocol, runtime_checkable

# Defined with every other error; re-exported here, where they were first.
from .errors import CursorError, LeaseLostError

__all__ = [
    "CursorError",
    "CursorStore",
    "FileCursor",
    "LeaseLostError",
    "MemoryCursor",
    "SharedCursorStore",
]


@runtime_checkable
class CursorStore(Protocol):
    """Keeps one opaque token; ``load()`` is ``None`` until the first ``save``."""

    async def load(self) -> str | None: ...

    async def save(self, token: str) -> None: ...


@runtime_checkable
class SharedCursorStore(CursorStore, Protocol):
    """A store that several pollers share, of which only one may poll at a time.

    The poller calls :meth:`turn` before each poll and before handing out each
    message it fetched, and :meth:`release` when it closes.  ``turn()``
    returns once this poller holds the store (waiting as long as another
    does) and says whether the turn was newly gained, in which case the poller
    reloads the position another holder may have moved (and drops what it
    fetched in the old turn, uncommitted).  A store must answer True again
    when its turn may have lapsed unnoticed (a process frozen past a lease),
    so ``turn()`` is cheap while the turn is surely held (no I/O for
    ``RedisCursor``).  ``save()`` raises :class:`LeaseLostError` once the
    turn is gone.
    """

    async def turn(self) -> bool: ...

    async def release(self) -> None: ...


class MemoryCursor:
    """A store that lives as long as the object: position survives pollers, not processes."""

    def __init__(self, token: str | None = None) -> None:
        self._token = token

    @property
    def token(self) -> str | None:
        """The last saved token (for inspection and tests)."""
        return self._token

    async def load(self) -> str | None:
        return self._token

    async def save(self, token: str) -> None:
        self._token = token

    def __repr__(self) -> str:
        return "MemoryCursor()" if self._token is None else "MemoryCursor(<token>)"


class FileCursor:
    """A store in one UTF-8 file, replaced atomically so a crash never leaves half a token.

    Each save writes a temporary file in the same directory, fsyncs it and
    ``os.replace``-s it over ``path`` (then fsyncs the directory where the
    platform allows), so after a crash the file holds either the previous or
    the new token.  The blocking I/O runs in a thread.  A missing file means
    "no position yet"; an unreadable or empty one raises :class:`CursorError`.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self._path = Path(path)
        # A save cancelled by its caller still finishes in its thread; the
        # generation check stops it from overwriting a newer save that raced it.
        self._lock = threading.Lock()
        self._issued = 0
        self._written = 0

    @property
    def path(self) -> Path:
        return self._path

    async def load(self) -> str | None:
        return await asyncio.to_thread(self._read)

    async def save(self, token: str) -> None:
        self._issued += 1
        await asyncio.to_thread(self._write, token, self._issued)

    def _read(self) -> str | None:
        self._check_writable()
        try:
            raw = self._path.read_bytes()
        except FileNotFoundError:
            return None
        try:
            token = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise CursorError(f"cursor file {str(self._path)!r} is not UTF-8 text") from None
        if not token.strip():
            raise CursorError(
                f"cursor file {str(self._path)!r} is empty; delete it to start from scratch"
            )
        return token

    def _check_writable(self) -> None:
        """Fail before the first poll, not after the first message.

        A cursor that cannot be saved would let the poller hand out message
        #1, fail on the save, and hand it out again on every restart.  So a
        load first makes (and removes) a temporary file where saves put theirs.
        """
        try:
            fd, tmp = tempfile.mkstemp(
                dir=self._path.parent, prefix=f".{self._path.name}.", suffix=".check"
            )
        except OSError as exc:
            raise CursorError(
                f"cursor file {str(self._path)!r} cannot be saved: "
                f"{exc.strerror or type(exc).__name__}"
            ) from None
        os.close(fd)
        os.unlink(tmp)

    def _write(self, token: str, generation: int) -> None:
        with self._lock:
            if generation <= self._written:
                return
            directory = self._path.parent
            fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{self._path.name}.", suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(token.encode("utf-8"))
                    fh.flush()
                    os.fsync(fh.fileno())
                os.replace(tmp, self._path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
            self._written = generation
            _fsync_directory(directory)

    def __repr__(self) -> str:
        return f"FileCursor({str(self._path)!r})"


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable; not every platform can open a directory."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)
