"""The root ``iletimerkezi`` group: every command registered, Ctrl-C made quiet."""

from __future__ import annotations

from typing import Any

import click

from .._version import __version__
from ._exit import EXIT_INTERRUPTED
from .account import balance, senders
from .blacklist import blacklist
from .demo import demo
from .fake_server import fake_server
from .inbox import inbox
from .iys import iys
from .reports import report, reports
from .sms import cancel, send
from .webhook import webhook

__all__ = ["app"]

_EPILOG = """\b
Credentials: ILETIMERKEZI_API_KEY and ILETIMERKEZI_API_HASH (or --key/--hash);
ILETIMERKEZI_BASE_URL points the commands elsewhere (e.g. at `fake-server`).
\b
Exit codes: 0 ok · 1 declined, timed out or local failure · 2 usage ·
3 API error · 4 no usable answer (network) · 5 send outcome unknown,
do NOT resend blindly · 130 Ctrl-C.
"""


class _Root(click.Group):
    """Turns Ctrl-C anywhere (a prompt included) into exit 130 without "Aborted!"."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            raise click.exceptions.Exit(EXIT_INTERRUPTED) from None


@click.group(
    cls=_Root,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog=_EPILOG,
)
@click.version_option(__version__, prog_name="iletimerkezi")
def app() -> None:
    """iletiMerkezi SMS from the command line (asyncio SDK: iletimerkezi-async).

    Data goes to stdout (a table, or JSON with --json); summaries, prompts,
    progress bars and errors go to stderr.
    """


for _command in (
    balance,
    senders,
    send,
    cancel,
    report,
    reports,
    blacklist,
    inbox,
    iys,
    webhook,
    demo,
    fake_server,
):
    app.add_command(_command)
