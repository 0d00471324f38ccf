"""``iletimerkezi fake-server``: the fake iletiMerkezi server on a local port, until Ctrl-C.

The options are generated from the standalone runner's flag table
(``iletimerkezi_async.testing._runner.FLAGS``), and the parsed values go to
the same ``run``, so this command and ``python -m iletimerkezi_async.testing``
take the same flags and behave the same.  Only the default port differs
(8765 here, a stable one to point ``ILETIMERKEZI_BASE_URL`` at).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

import click

from ..testing._runner import FLAGS, Flag, run

__all__ = ["DEFAULT_PORT", "fake_server", "namespace"]

DEFAULT_PORT = 8765


def _converter(flag: Flag) -> Callable[[Any], Any]:
    """A runner converter for click: its complaint becomes a usage error."""

    def convert(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        try:
            return flag.convert(value)
        except argparse.ArgumentTypeError as exc:
            raise ValueError(str(exc)) from None

    convert.__name__ = flag.dest
    return convert


def _option(flag: Flag) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    if flag.kind == "switch":
        return click.option(flag.name, flag.dest, is_flag=True, help=flag.help)
    if flag.kind == "repeat":
        return click.option(flag.name, flag.dest, multiple=True, help=flag.help)
    default = DEFAULT_PORT if flag.dest == "port" else flag.default
    return click.option(
        flag.name,
        flag.dest,
        type=_converter(flag),
        metavar=flag.metavar or flag.dest.upper(),
        default=default,
        show_default=default is not None and not flag.secret,
        help=flag.help,
    )


def namespace(values: dict[str, Any]) -> argparse.Namespace:
    """The click values as the runner's parsed arguments (no ``--sender``: None)."""
    values = dict(values)
    values["sender"] = list(values.get("sender") or ()) or None
    return argparse.Namespace(**values)


def _fake_server(**values: Any) -> None:
    """Run the fake iletiMerkezi server until Ctrl-C.

    Takes every flag of `python -m iletimerkezi_async.testing`;
    --orders, --inbound and --days seed a history, reproducible with --seed.
    """
    code = run(namespace(values))
    if code:
        raise click.exceptions.Exit(code)


_command: Callable[..., Any] = _fake_server
for _flag in reversed(FLAGS):
    _command = _option(_flag)(_command)
fake_server = click.command("fake-server")(_command)
