"""``iletimerkezi demo``: tour the SDK offline against an in-process fake server."""

from __future__ import annotations

import asyncio

import click

__all__ = ["demo"]


@click.command()
@click.option("--fast", is_flag=True, help="Skip the pauses between steps.")
def demo(fast: bool) -> None:
    """Tour the SDK offline against an in-process fake iletiMerkezi server."""
    # Imported when run: the tour pulls in the fake server, which no other
    # command needs at start-up.
    from ._demo import run_demo

    asyncio.run(run_demo(pause=0.0 if fast else 0.4))
