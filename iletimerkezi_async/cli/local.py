"""``demo`` and ``fake-server``: offline commands that need no account."""

from __future__ import annotations

import asyncio

import click

__all__ = ["demo", "fake_server"]


@click.command()
@click.option("--fast", is_flag=True, help="Skip the pauses between steps.")
def demo(fast: bool) -> None:
    """Tour the SDK offline against an in-process fake iletiMerkezi server."""
    from ..demo import run_demo

    asyncio.run(run_demo(pause=0.0 if fast else 0.4))


@click.command("fake-server")
@click.option("--port", default=8765, show_default=True, type=int)
@click.option("--host", default="127.0.0.1", show_default=True)
def fake_server(port: int, host: str) -> None:
    """Run the fake iletiMerkezi server until Ctrl-C."""
    from ..testing.__main__ import main as fake_main

    code = fake_main(["--port", str(port), "--host", host])
    if code:
        raise click.exceptions.Exit(code)
