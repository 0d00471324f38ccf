"""``inbox``: inbound SMS (replies, ``RET`` opt-outs), once or followed with a cursor file.

get-inbox is experimental (withdrawn from official support), so is this
command.  ``--follow`` is at-least-once like the SDK's poller: a message is
committed to ``--cursor-file`` only after it was printed and the next one was
asked for (or the command ended normally), so a crash repeats, never loses.
The cursor file is a :class:`~iletimerkezi_async.FileCursor` (an inbox cursor
store), unrelated to the resume token ``Paginator.cursor`` of paginated walks.
"""

from __future__ import annotations

import asyncio
from contextlib import suppress
from pathlib import Path

import click

from .. import FileCursor, InboundMessage, InboxPoller
from ._options import api_options, client, json_option
from ._output import echo_json, print_table
from ._run import fail, run

__all__ = ["inbox"]

_COLUMNS = ["id", "received_at", "sender", "number", "text"]


def _row(m: InboundMessage) -> list[object]:
    return [m.id, m.received_at, m.sender, m.number, m.text]


def _line(m: InboundMessage) -> str:
    return f"{m.received_at.isoformat()} #{m.id} from {m.sender}: {' '.join(m.text.split())}"


async def _stop_after(poller: InboxPoller, seconds: float) -> None:
    await asyncio.sleep(seconds)
    await poller.aclose()


@click.command()
@click.option("--follow", is_flag=True, help="Keep polling and print new messages as they come.")
@click.option(
    "--cursor-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="With --follow: remember the inbox position in this file (a FileCursor), "
    "so a restart prints only newer messages.",
)
@click.option(
    "--skip-existing",
    is_flag=True,
    help="With --follow and a new cursor: treat what the inbox already holds as seen.",
)
@click.option(
    "--interval",
    type=click.FloatRange(min=0.01),
    default=5.0,
    show_default=True,
    help="Seconds between polls; doubles while nothing arrives.",
)
@click.option(
    "--max-interval",
    type=click.FloatRange(min=0.01),
    default=300.0,
    show_default=True,
    help="Longest wait between polls.",
)
@click.option(
    "--max",
    "max_count",
    type=click.IntRange(min=1),
    help="With --follow: stop after this many messages.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    help="With --follow: stop after this many seconds (exit 0).",
)
@api_options
@json_option
def inbox(
    follow: bool,
    cursor_file: Path | None,
    skip_existing: bool,
    interval: float,
    max_interval: float,
    max_count: int | None,
    timeout: float | None,
    as_json: bool,
) -> None:
    """Show inbound messages (experimental endpoint).

    Without --follow: everything get-inbox returns (JSON: {"total": N,
    "messages": [...]}, "total" being the account's count).  With --follow:
    new messages oldest first, one line each (JSON Lines with --json), until
    --max messages, --timeout seconds or Ctrl-C.
    """
    if not follow:
        given = [
            name
            for name, value in (
                ("--cursor-file", cursor_file),
                ("--skip-existing", skip_existing),
                ("--max", max_count),
                ("--timeout", timeout),
            )
            if value
        ]
        if given:
            fail(f"{', '.join(given)} only make(s) sense with --follow")
    api = client()
    interval_max = max(max_interval, interval)

    async def once() -> None:
        async with api as c:
            result = await c.inbox.list()
        if as_json:
            echo_json(result)
        elif not result.messages:
            click.echo("No inbound messages.")
        else:
            title = f"{len(result.messages)} shown of {result.total} on the account"
            print_table(_COLUMNS, [_row(m) for m in result.messages], title=title)

    async def forever() -> None:
        cursor = FileCursor(cursor_file) if cursor_file is not None else None
        count = 0
        async with api as c:
            poller = c.inbox.poll(
                interval=interval,
                max_interval=interval_max,
                cursor=cursor,
                skip_existing=skip_existing,
            )
            stopper = asyncio.create_task(_stop_after(poller, timeout)) if timeout else None
            try:
                async with poller:
                    async for message in poller:
                        if as_json:
                            echo_json(message)
                        else:
                            click.echo(_line(message))
                        count += 1
                        if max_count is not None and count >= max_count:
                            break
            finally:
                if stopper is not None:
                    stopper.cancel()
                    with suppress(asyncio.CancelledError):
                        await stopper

    run(forever if follow else once)
