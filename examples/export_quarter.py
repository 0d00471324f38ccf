"""Export a quarter of order summaries to CSV: streaming and resumable.

``client.reports.list(since, until)`` walks get-reports in 10-day windows
page by page; this job writes each page as it arrives, so memory holds one
page (plus what ``concurrency`` prefetches), never the whole quarter.

After every page it saves a small JSON file next to the CSV holding the
paginator's ``cursor`` and the CSV's size at that moment.  If the job dies,
the next run with the same arguments cuts the CSV back to that size (dropping
a half-written page) and continues with ``resume_from=cursor``: every order
ends up in the CSV exactly once.  The cursor file is deleted when the export
is complete.

Run it against the fake server, which this script can seed itself::

    python examples/export_quarter.py 2026Q1 --out q1.csv --fake

or against ``iletimerkezi fake-server`` (or the real API)::

    export ILETIMERKEZI_BASE_URL=http://127.0.0.1:8080   # omit for the real API
    export ILETIMERKEZI_API_KEY=test-key ILETIMERKEZI_API_HASH=test-hash
    python examples/export_quarter.py 2026Q1 --out q1.csv --concurrency 4
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import io
import json
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

import attrs

import iletimerkezi_async as im

COLUMNS = tuple(field.name for field in attrs.fields(im.OrderSummary))


def quarter(spec: str) -> tuple[date, date]:
    """``"2026Q1"`` as its first and last day."""
    match = re.fullmatch(r"(\d{4})[-_ ]?[Qq]([1-4])", spec.strip())
    if match is None:
        raise ValueError(f"not a quarter like 2026Q1: {spec!r}")
    year, q = int(match[1]), int(match[2])
    first = date(year, 3 * q - 2, 1)
    last = date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)
    return first, last - timedelta(days=1)


def row(summary: im.OrderSummary) -> list[str]:
    """One CSV record: ``im.to_dict``'s values (status by value, ISO 8601 times), empty for none."""
    return ["" if value is None else str(value) for value in im.to_dict(summary).values()]


@dataclass(frozen=True)
class Checkpoint:
    """Where a stopped export resumes: the paginator's cursor and the CSV size then."""

    since: date
    until: date
    cursor: str
    csv_bytes: int

    @classmethod
    def load(cls, path: Path) -> Checkpoint | None:
        try:
            doc = json.loads(path.read_text("utf-8"))
        except FileNotFoundError:
            return None
        return cls(
            since=date.fromisoformat(doc["since"]),
            until=date.fromisoformat(doc["until"]),
            cursor=doc["cursor"],
            csv_bytes=int(doc["csv_bytes"]),
        )

    def save(self, path: Path) -> None:
        doc = {
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "cursor": self.cursor,
            "csv_bytes": self.csv_bytes,
        }
        # Write beside, fsync, rename: after a crash the file is the old or the new one.
        tmp = path.with_name(f".{path.name}.tmp")
        with tmp.open("w", encoding="utf-8") as f:
            json.dump(doc, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)


class CsvSink:
    """The CSV file, written a page at a time and durable before each checkpoint.

    Binary, so that sizes are byte offsets a resumed run can truncate to.
    """

    def __init__(self, path: Path, resume_at: int | None) -> None:
        self._file: BinaryIO
        if resume_at is None:
            self._file = path.open("wb")
            self._file.write(self._encode([list(COLUMNS)]))
        else:
            self._file = path.open("r+b")
            # Drop whatever a crashed run wrote after its last checkpoint.
            self._file.truncate(resume_at)
            self._file.seek(resume_at)

    @staticmethod
    def _encode(rows: Iterable[list[str]]) -> bytes:
        text = io.StringIO(newline="")
        csv.writer(text).writerows(rows)
        return text.getvalue().encode("utf-8")

    def write(self, rows: Iterable[list[str]]) -> int:
        """Write rows and make them durable; returns the file's size after them."""
        self._file.write(self._encode(rows))
        self._file.flush()
        os.fsync(self._file.fileno())
        return self._file.tell()

    def close(self) -> None:
        self._file.close()


@dataclass
class ExportResult:
    rows: int
    pages: int
    resumed: bool
    complete: bool


async def export(
    client: im.Client,
    since: date,
    until: date,
    out: Path,
    *,
    cursor_file: Path | None = None,
    concurrency: int = 1,
    max_pages: int | None = None,
) -> ExportResult:
    """Write every order submitted from ``since`` to ``until`` (inclusive) to ``out``.

    ``max_pages`` stops after that many pages, leaving a checkpoint, so a run can
    be bounded (and tests can interrupt it); the next call resumes.
    ``cursor_file`` is that checkpoint (default ``OUT.cursor``): a JSON file with
    the paginator's ``cursor`` resume token and the CSV size, written here, not
    an inbox cursor store such as :class:`~iletimerkezi_async.FileCursor`.
    """
    cursor_file = cursor_file or out.with_name(out.name + ".cursor")
    checkpoint = await asyncio.to_thread(Checkpoint.load, cursor_file)
    if checkpoint is not None and (checkpoint.since, checkpoint.until) != (since, until):
        raise ValueError(
            f"{cursor_file} belongs to an export of {checkpoint.since}..{checkpoint.until}; "
            "delete it to start over"
        )
    if checkpoint is not None and not await asyncio.to_thread(out.exists):
        raise ValueError(f"{cursor_file} exists but {out} does not; delete it to start over")
    resumed = checkpoint is not None
    sink = await asyncio.to_thread(CsvSink, out, checkpoint.csv_bytes if checkpoint else None)
    rows = pages = 0
    try:
        walk = client.reports.list(
            since,
            until,
            concurrency=concurrency,
            resume_from=checkpoint.cursor if checkpoint else None,
        )
        # Leaving the block (done, max_pages, an error) closes the paginator,
        # which stops any prefetching.
        async with walk:
            async for page in walk.pages():
                # Disk I/O (fsync) in a thread: prefetching goes on meanwhile.
                size = await asyncio.to_thread(sink.write, map(row, page.items))
                done = Checkpoint(since, until, page.cursor, size)
                await asyncio.to_thread(done.save, cursor_file)
                rows += len(page.items)
                pages += 1
                if max_pages is not None and pages >= max_pages:
                    return ExportResult(rows, pages, resumed, complete=False)
    finally:
        await asyncio.to_thread(sink.close)
    await asyncio.to_thread(cursor_file.unlink, missing_ok=True)
    return ExportResult(rows, pages, resumed, complete=True)


# ---------------------------------------------------------------------- main


def client_from_env() -> im.Client:
    base_url = os.environ.get("ILETIMERKEZI_BASE_URL")
    return im.Client(base_url=base_url) if base_url else im.Client()


def seed_quarter(fake: Any, since: date, until: date, per_day: int = 3) -> list[str]:
    """Historical orders spread over the range, for ``--fake`` runs."""
    when = [
        datetime(d.year, d.month, d.day, 9 + 4 * i, 15)
        for n in range((until - since).days + 1)
        for d in [since + timedelta(days=n)]
        for i in range(per_day)
    ]
    ids: list[str] = fake.add_orders(when, recipients=2)
    return ids


async def run(args: argparse.Namespace) -> ExportResult:
    since, until = args.quarter
    async with contextlib.AsyncExitStack() as stack:
        client_factory: Callable[[], im.Client] = client_from_env
        if args.fake:
            from iletimerkezi_async.testing import FakeIletiMerkezi

            fake = await stack.enter_async_context(FakeIletiMerkezi())
            seed_quarter(fake, since, until)
            client_factory = fake.client
        client = await stack.enter_async_context(client_factory())
        return await export(
            client,
            since,
            until,
            Path(args.out),
            cursor_file=Path(args.cursor_file) if args.cursor_file else None,
            concurrency=args.concurrency,
            max_pages=args.max_pages,
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("quarter", type=quarter, help="e.g. 2026Q1")
    parser.add_argument("--out", required=True, help="CSV file to write")
    parser.add_argument("--cursor-file", help="checkpoint file (default: OUT.cursor)")
    parser.add_argument("--concurrency", type=int, default=1, help="windows fetched at once")
    parser.add_argument("--max-pages", type=int, help="stop after N pages (resume later)")
    parser.add_argument("--fake", action="store_true", help="seed and use an embedded fake")
    args = parser.parse_args(argv)
    result = asyncio.run(run(args))
    state = "complete" if result.complete else "stopped; run again to resume"
    print(f"{result.rows} orders in {result.pages} pages written to {args.out} ({state})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
