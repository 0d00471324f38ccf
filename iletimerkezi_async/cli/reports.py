"""``report`` (one order, optionally followed until final) and ``reports`` (a date range).

``reports`` streams: csv and jsonl rows are written as pages arrive, while a
progress bar counts the 10-day windows the API forces on the range (on
stderr, so the data on stdout stays clean).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from typing import Any

import attrs
import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from .. import (
    Client,
    OrderNotReadyError,
    OrderReport,
    OrderSummary,
    RateLimitError,
    ServiceUnavailableError,
    TransportError,
)
from .._convert import to_dict
from ._exit import EXIT_ABORTED
from ._options import api_options, client, json_option, parse_day
from ._output import echo_json, print_table, stderr_console, write_csv_row
from ._run import fail, name_options, run

__all__ = ["SUMMARY_FIELDS", "report", "reports"]

SUMMARY_FIELDS = tuple(field.name for field in attrs.fields(OrderSummary))
"""Columns of ``reports`` (csv header, table) and of the ``report`` summary: the model's."""

_NOT_YET = (OrderNotReadyError, ServiceUnavailableError, RateLimitError, TransportError)
"""While following: a scheduled order not started (456) or a transient failure."""


def _row(order: OrderSummary | OrderReport) -> list[Any]:
    return [getattr(order, name) for name in SUMMARY_FIELDS]


def _report_json(rep: OrderReport, messages: list[Any] | None) -> dict[str, Any]:
    shown = {*SUMMARY_FIELDS, "price"}
    doc: dict[str, Any] = {k: v for k, v in to_dict(rep).items() if k in shown}
    if messages is not None:
        doc["messages"] = messages
    return doc


def _show_report(rep: OrderReport, messages: list[Any] | None, as_json: bool) -> None:
    if as_json:
        echo_json(_report_json(rep, messages))
        return
    print_table([*SUMMARY_FIELDS, "price"], [[*_row(rep), rep.price]], title=f"Order {rep.id}")
    if messages is not None:
        print_table(["number", "status"], [(m.number, m.status) for m in messages])


async def _follow(c: Client, order_id: str, interval: float, limit: float | None) -> OrderReport:
    """Poll the order's counters until 114/115, with a progress bar of final messages.

    The same rules as ``reports.wait`` (456 and transient failures mean "not
    yet"), drawn as it goes; ``limit`` seconds end it with exit 1.
    """
    deadline = None if limit is None else time.monotonic() + limit
    last: OrderReport | None = None
    with Progress(
        TextColumn("order {task.fields[order]}: {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("messages final"),
        console=stderr_console(),
    ) as progress:
        task = progress.add_task("waiting", total=None, order=order_id)
        while True:
            try:
                rep = await c.reports.get(order_id, page=1, page_size=1)
            except _NOT_YET as exc:
                state = (
                    "scheduled, not started" if isinstance(exc, OrderNotReadyError) else "retrying"
                )
                progress.update(task, description=state)
            else:
                last = rep
                progress.update(
                    task,
                    description=rep.status.name,
                    total=rep.total,
                    completed=rep.delivered + rep.undelivered,
                )
                if rep.status.is_final:
                    return rep
            if deadline is not None and time.monotonic() >= deadline:
                state = (
                    f"status {last.status.name}, {last.waiting} waiting" if last else "no report"
                )
                fail(f"order {order_id} is not final after {limit:g} s ({state})", EXIT_ABORTED)
            pause = interval if deadline is None else min(interval, deadline - time.monotonic())
            await asyncio.sleep(max(pause, 0.0))


@click.command()
@click.argument("order_id")
@click.option("--messages", "-m", is_flag=True, help="Also list every recipient's status.")
@click.option("--follow", is_flag=True, help="Poll until the order is final, showing progress.")
@click.option(
    "--interval",
    type=click.FloatRange(min=0.01),
    default=2.0,
    show_default=True,
    help="Seconds between polls with --follow.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Give up following after this many seconds (exit 1). Default: no limit.",
)
@api_options
@json_option
def report(
    order_id: str,
    messages: bool,
    follow: bool,
    interval: float,
    timeout: float | None,
    as_json: bool,
) -> None:
    """Show one order's delivery report: status and counters, optionally recipients.

    Status 114 (COMPLETED) means the order finished, not that everything was
    delivered: read the delivered/undelivered counters.  JSON: the counters
    with status by name, dates in ISO 8601, price as a string, and with
    --messages a "messages" list of {"number", "status"}.
    """

    async def body() -> None:
        async with client() as c:
            if follow:
                rep = await _follow(c, order_id, interval, timeout)
            else:
                rep = await c.reports.get(order_id, page=1, page_size=1)
            found = [m async for m in c.reports.messages(order_id)] if messages else None
        _show_report(rep, found, as_json)

    run(body)


@click.command()
@click.option(
    "--since",
    metavar="YYYY-MM-DD",
    required=True,
    callback=parse_day,
    help="First day (Istanbul), inclusive.",
)
@click.option(
    "--until",
    metavar="YYYY-MM-DD",
    required=True,
    callback=parse_day,
    help="Last day (Istanbul), inclusive.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "jsonl"]),
    default="table",
    show_default=True,
    help="table (rich, printed at the end), csv or jsonl (streamed).",
)
@click.option(
    "--concurrency",
    type=click.IntRange(1, 16),
    default=1,
    show_default=True,
    help="10-day windows fetched at once (orders still come in date order).",
)
@click.option("--no-progress", is_flag=True, help="No progress bar on stderr.")
@api_options
@json_option
def reports(
    since: dt.date,
    until: dt.date,
    fmt: str,
    concurrency: int,
    no_progress: bool,
    as_json: bool,
) -> None:
    """Every order submitted from --since to --until, one row per order.

    The API answers at most 10 days per call, so the range is walked window
    by window; the progress bar on stderr counts windows.  --json is
    --format jsonl: one JSON object per order with its "id".
    """
    name_options(start="--since", end="--until", concurrency="--concurrency")
    if since > until:
        fail("--since must not be after --until")
    if as_json:
        fmt = "jsonl"
    api = client()

    async def body() -> None:
        rows: list[list[Any]] = []
        count = 0
        progress = Progress(
            TextColumn("reports {task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("windows · {task.fields[orders]} orders"),
            console=stderr_console(),
            disable=no_progress,
        )
        task = progress.add_task(f"{since}..{until}", total=None, orders=0)

        def on_window(finished: int, total: int) -> None:
            progress.update(task, completed=finished, total=total)

        if fmt == "csv":
            write_csv_row(SUMMARY_FIELDS)
        with progress:
            async with (
                api as c,
                c.reports.list(
                    since, until, concurrency=concurrency, on_window=on_window
                ) as orders,
            ):
                async for order in orders:
                    count += 1
                    progress.update(task, orders=count)
                    if fmt == "jsonl":
                        echo_json(order)
                    elif fmt == "csv":
                        write_csv_row(list(to_dict(order).values()))
                    else:
                        rows.append(_row(order))
        if fmt == "table":
            print_table(SUMMARY_FIELDS, rows, title=f"Orders {since}..{until}")

    run(body)
