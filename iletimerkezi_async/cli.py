"""The ``iletimerkezi`` command (extra ``[cli]``: click and rich).

Secrets never reach the terminal: credentials come from the environment or
``--key``/``--hash`` and are only ever handed to :class:`Client`.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any, NoReturn

__all__ = ["main"]

EXIT_USAGE = 2
EXIT_API = 3
EXIT_TRANSPORT = 4


def _missing_extra(exc: ImportError) -> NoReturn:
    sys.stderr.write(
        f"The iletimerkezi command needs the [cli] extra ({exc.name} is missing):\n"
        '    pip install "iletimerkezi-async[cli]"\n'
    )
    raise SystemExit(EXIT_USAGE)


def _build() -> Any:
    import click

    from ._version import __version__

    @click.group(context_settings={"help_option_names": ["-h", "--help"]})
    @click.version_option(__version__, prog_name="iletimerkezi")
    def app() -> None:
        """iletiMerkezi SMS from the command line (asyncio SDK: iletimerkezi-async)."""

    @app.command()
    @click.option("--fast", is_flag=True, help="Skip the pauses between steps.")
    def demo(fast: bool) -> None:
        """Tour the SDK offline against an in-process fake iletiMerkezi server."""
        from .demo import run_demo

        asyncio.run(run_demo(pause=0.0 if fast else 0.4))

    @app.command("fake-server")
    @click.option("--port", default=8765, show_default=True, type=int)
    @click.option("--host", default="127.0.0.1", show_default=True)
    def fake_server(port: int, host: str) -> None:
        """Run the fake iletiMerkezi server until Ctrl-C."""
        from .testing.__main__ import main as fake_main

        fake_main(["--port", str(port), "--host", host])

    return app


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    try:
        app = _build()
        import rich  # noqa: F401  (needed by the commands)
    except ImportError as exc:
        _missing_extra(exc)
    app.main(args=argv, prog_name="iletimerkezi")
