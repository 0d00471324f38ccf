"""``balance`` and ``senders``: the account's read-only state (no credit used)."""

from __future__ import annotations

import click

from ._options import api_options, client, json_option
from ._output import echo_json, print_table
from ._run import run

__all__ = ["balance", "senders"]


@click.command()
@api_options
@json_option
def balance(as_json: bool) -> None:
    """Show the TL balance and the SMS credits (also a safe credentials check).

    JSON: {"amount": "<TL as a decimal string>", "sms": <credits>}.
    """

    async def body() -> None:
        async with client() as c:
            result = await c.account.balance()
        if as_json:
            echo_json(result)
        else:
            print_table(["TL balance", "SMS credits"], [(result.amount, result.sms)])

    run(body)


@click.command()
@api_options
@json_option
def senders(as_json: bool) -> None:
    """List the approved sender names (a send must use one of them exactly).

    JSON: a list of strings.  APITEST is accepted even when it is not listed.
    """

    async def body() -> None:
        async with client() as c:
            names = await c.account.senders()
        if as_json:
            echo_json(names)
        elif names:
            print_table(["Approved senders"], [(n,) for n in names])
        else:
            click.echo("No approved sender yet (approval takes 1-2 business days).")

    run(body)
