"""``iletimerkezi fake-server``: the fake iletiMerkezi server on a local port, until Ctrl-C."""

from __future__ import annotations

import click

__all__ = ["fake_server"]


@click.command("fake-server")
@click.option("--port", default=8765, show_default=True, type=int)
@click.option("--host", default="127.0.0.1", show_default=True)
def fake_server(port: int, host: str) -> None:
    """Run the fake iletiMerkezi server until Ctrl-C."""
    # Imported when run, like the demo: only this command needs the server.
    from ..testing.__main__ import main as fake_main

    code = fake_main(["--port", str(port), "--host", host])
    if code:
        raise click.exceptions.Exit(code)
