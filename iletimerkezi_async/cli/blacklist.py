"""``blacklist list|add|remove``: numbers that never receive an SMS from the account."""

from __future__ import annotations

import click

from .. import IletiMerkeziError, InvalidRequestError, normalize_number
from ._options import api_options, client, json_option
from ._output import echo_json, print_table
from ._run import fail, run

__all__ = ["blacklist"]


@click.group()
def blacklist() -> None:
    """List, add or remove blacklisted numbers."""


def _normalized(numbers: tuple[str, ...]) -> list[str]:
    """Every argument as ``+90…``; a bad one stops the command before any request."""
    result: list[str] = []
    for i, raw in enumerate(numbers, 1):
        try:
            result.append(normalize_number(raw, field=f"argument {i}"))
        except InvalidRequestError as exc:
            fail(f"invalid number ({exc.field}): {exc.rule}")
    return result


@blacklist.command("list")
@api_options
@json_option
def list_(as_json: bool) -> None:
    """Every blacklisted number, oldest block first.

    JSON: one object per line, {"number": "+905..."} (JSON Lines, streamed).
    """

    async def body() -> None:
        numbers: list[str] = []
        async with client() as c, c.blacklist.list() as walk:
            async for number in walk:
                if as_json:
                    echo_json({"number": number})
                else:
                    numbers.append(number)
        if not as_json:
            print_table(["Blacklisted number"], [(n,) for n in numbers])

    run(body)


def _change(numbers: tuple[str, ...], *, add: bool, as_json: bool) -> None:
    targets = _normalized(numbers)
    verb = "added" if add else "removed"

    async def body() -> None:
        async with client() as c:
            for i, number in enumerate(targets):
                try:
                    await (c.blacklist.add(number) if add else c.blacklist.remove(number))
                except IletiMerkeziError as exc:
                    if len(targets) > 1:
                        exc.add_note(
                            f"failed at argument {i + 1}; {i} of {len(targets)} number(s) "
                            f"{verb} before it"
                        )
                    raise
        if as_json:
            echo_json({verb: targets})
        else:
            click.echo(f"{len(targets)} number(s) {verb}.")

    run(body)


@blacklist.command()
@click.argument("numbers", nargs=-1, required=True, metavar="NUMBER...")
@api_options
@json_option
def add(numbers: tuple[str, ...], as_json: bool) -> None:
    """Blacklist NUMBERs (adding one already listed is fine).

    JSON: {"added": ["+905...", ...]}.
    """
    _change(numbers, add=True, as_json=as_json)


@blacklist.command()
@click.argument("numbers", nargs=-1, required=True, metavar="NUMBER...")
@api_options
@json_option
def remove(numbers: tuple[str, ...], as_json: bool) -> None:
    """Take NUMBERs off the blacklist (a number not listed is API error 474).

    JSON: {"removed": ["+905...", ...]}.
    """
    _change(numbers, add=False, as_json=as_json)
