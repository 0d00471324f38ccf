"""``send`` and ``cancel``: the two commands that change what the account sends.

``send`` shows what an order will cost before asking, and refuses to guess:
without a terminal to ask on it needs ``--yes``, and an order whose outcome
is unknown exits 5 with a warning not to resend.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

import click

from .. import InvalidRequestError, IysList, _validate, normalize_number, segments
from ..text import MAX_PARTS
from ._options import (
    api_options,
    client,
    confirm,
    json_option,
    parse_local_datetime,
    stdin_is_tty,
)
from ._output import echo_json, info
from ._run import describe, fail, name_options, run

__all__ = ["MAX_RECIPIENTS", "cancel", "send"]

MAX_RECIPIENTS = 50_000
"""One order's limit; the command sends exactly one order."""


def _lines(stream: IO[str]) -> Iterator[tuple[int, str]]:
    """Numbered non-blank lines that are not ``#`` comments."""
    for n, line in enumerate(stream, 1):
        text = line.strip()
        if text and not text.startswith("#"):
            yield n, text


def _add(found: dict[str, None], items: Iterable[tuple[str, str]]) -> None:
    """Normalise and de-duplicate ``(where, number)`` pairs; a bad one stops the command.

    The error names where the number was (never the number itself).
    """
    for where, raw in items:
        try:
            found.setdefault(normalize_number(raw, field=where), None)
        except InvalidRequestError as exc:
            fail(f"invalid number ({exc.field}): {exc.rule}")
        if len(found) > MAX_RECIPIENTS:
            fail(
                f"more than {MAX_RECIPIENTS:,} distinct recipients: one order holds at most "
                f"{MAX_RECIPIENTS:,}, so split the list and send it in parts"
            )


def collect_numbers(arguments: tuple[str, ...], file: Path | None, yes: bool) -> list[str]:
    """Recipients from the arguments, ``--file`` and stdin, normalised, first-seen order.

    stdin is read when an argument is ``-`` or, with neither arguments nor a
    file, when it is not a terminal (a pipe).  Reading it needs ``--yes``,
    since the confirmation prompt would read the same stream.
    """
    found: dict[str, None] = {}
    use_stdin = "-" in arguments or (not arguments and file is None and not stdin_is_tty())
    _add(found, ((f"argument {i}", a) for i, a in enumerate(arguments, 1) if a != "-"))
    if file is not None:
        with file.open(encoding="utf-8-sig") as stream:
            _add(found, ((f"{file.name} line {n}", t) for n, t in _lines(stream)))
    if use_stdin:
        if not yes:
            fail("numbers on stdin need --yes (the confirmation prompt reads stdin too)")
        _add(found, ((f"stdin line {n}", t) for n, t in _lines(sys.stdin)))
    if not found:
        fail("no recipients: give numbers as arguments, with --file, or on stdin with -")
    return list(found)


def summary(
    recipients: int,
    text: str,
    *,
    sender: str,
    iys: str | None,
    send_at: dt.datetime | None,
) -> str:
    """What is shown on stderr before asking: recipients, parts, estimated cost, options."""
    seg = segments(text)
    if seg.parts == 0:
        fail("the text is empty")
    if seg.parts > MAX_PARTS:
        fail(
            f"the text needs {seg.parts} SMS parts in {seg.encoding} "
            f"({seg.characters} characters); the API accepts at most {MAX_PARTS}"
        )
    credits = seg.parts * recipients
    kind = f"commercial (İYS {iys})" if iys else "transactional (no İYS check)"
    when = send_at.isoformat(timespec="minutes") if send_at else "now"
    lines = [
        f"Recipients: {recipients:,}",
        f"Text: {seg.characters} characters, {seg.encoding}, {seg.parts} part(s) "
        f"of up to {seg.per_part}",
        f"Estimated cost: {credits:,} SMS credit(s) = {seg.parts} part(s) x {recipients:,} "
        "recipient(s); an estimate: the account's encoding setting decides the real parts",
        f"Sender: {sender} · {kind} · send at: {when}",
    ]
    if sender.upper() == "APITEST":
        lines.append("Note: with APITEST the API sends a fixed verification text instead of yours")
    return "\n".join(lines)


@click.command()
@click.argument("numbers", nargs=-1, metavar="[NUMBER]...")
@click.option("--text", "-t", required=True, help="The message text.")
@click.option(
    "--sender",
    "-s",
    envvar="ILETIMERKEZI_SENDER",
    show_envvar=True,
    required=True,
    help="An approved sender name, exactly as listed by `senders`.",
)
@click.option(
    "--file",
    "-f",
    "file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read numbers from this file, one per line (# comments and blank lines skipped).",
)
@click.option(
    "--iys",
    type=click.Choice(["BIREYSEL", "TACIR"], case_sensitive=False),
    help="Commercial message: check İYS consent in this list. Omit for transactional "
    "messages (OTP, notices).",
)
@click.option(
    "--schedule",
    "send_at",
    metavar="DATETIME",
    callback=parse_local_datetime,
    help="Send later, to the minute: 2026-06-01T09:30 (Istanbul time) or with an offset.",
)
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@api_options
@json_option
def send(
    numbers: tuple[str, ...],
    text: str,
    sender: str,
    file: Path | None,
    iys: str | None,
    send_at: dt.datetime | None,
    yes: bool,
    as_json: bool,
) -> None:
    """Send TEXT to every NUMBER as one order (at most 50,000 recipients).

    Numbers come from the arguments, from --file, and from stdin (an argument
    "-", or a pipe when there are no arguments and no file).  Before sending,
    the command shows the recipients, the parts and an estimated cost on
    stderr and asks for confirmation; --yes skips the question, and without a
    terminal to ask on it is required.  JSON: {"id": "<order id>", "recipients": N}.
    """
    api = client()  # missing credentials or a bad URL stop here, before any prompt
    name_options(sender="--sender", text="--text", send_at="--schedule", iys="--iys")
    try:
        # Before the summary: a cost estimate for a send that cannot happen misleads.
        _validate.sender(sender, None)
        _validate.text(text)
    except InvalidRequestError as exc:
        code, line = describe(exc)
        fail(line, code)
    if send_at is not None and send_at <= dt.datetime.now(dt.UTC):
        fail("--schedule must be in the future")
    recipients = collect_numbers(numbers, file, yes)
    list_name = IysList(iys.upper()).value if iys else None
    lines = summary(len(recipients), text, sender=sender, iys=list_name, send_at=send_at)
    info(lines)
    confirm(f"Send to {len(recipients):,} recipient(s)?", yes=yes)

    async def body() -> None:
        async with api as c:
            order = await c.sms.send(
                recipients, text, sender=sender, send_at=send_at, iys=list_name
            )
        if as_json:
            echo_json(order)
        else:
            click.echo(f"Order {order.id} created for {order.recipients:,} recipient(s).")

    run(body)


@click.command()
@click.argument("order_id")
@api_options
@json_option
def cancel(order_id: str, as_json: bool) -> None:
    """Cancel a scheduled order before its send time.

    An order already sending or sent cannot be cancelled (API error 455).
    JSON: {"id": "<order id>", "cancelled": true}.
    """

    async def body() -> None:
        async with client() as c:
            await c.sms.cancel(order_id)
        if as_json:
            echo_json({"id": order_id, "cancelled": True})
        else:
            click.echo(f"Order {order_id} cancelled.")

    run(body)
