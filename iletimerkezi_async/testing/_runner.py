"""The standalone fake server, shared by ``python -m iletimerkezi_async.testing``
and ``iletimerkezi fake-server``.

Every flag is declared once in :data:`FLAGS`; :func:`build_parser` turns the
table into an argparse parser and the CLI turns it into click options, and
both hand the parsed values to :func:`serve`, so the two entry points cannot
drift apart.  ``--orders N --days D --inbound N`` seed a random history
before serving; ``--seed`` makes it (and ``--fault-rate``) reproducible.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import random
import signal
import sys
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, Final, Literal

import attrs

from ._fake import FakeIletiMerkezi
from ._history import seed_inbound, seed_orders
from ._options import FakeOptions, option_default

__all__ = ["FLAGS", "Flag", "build_parser", "fake_keywords", "fake_options", "run", "serve"]


def _mask(secret: str) -> str:
    if len(secret) < 8:
        return "*" * len(secret)
    return secret[:2] + "*" * (len(secret) - 4) + secret[-2:]


def _decimal(value: str) -> Decimal:
    try:
        return Decimal(value)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None


def _skew(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds):
        raise argparse.ArgumentTypeError(f"not a finite number of seconds: {value!r}")
    return seconds


def _delay(value: str) -> float:
    seconds = _skew(value)
    if seconds < 0:
        raise argparse.ArgumentTypeError(f"must not be negative: {value!r}")
    return seconds


def _positive(value: str) -> float:
    number = _delay(value)
    if number == 0:
        raise argparse.ArgumentTypeError(f"must be more than 0: {value!r}")
    return number


def _probability(value: str) -> float:
    number = _delay(value)
    if number > 1:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1: {value!r}")
    return number


def _count(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if number < 0:
        raise argparse.ArgumentTypeError(f"must not be negative: {value!r}")
    return number


def _whole(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None


@attrs.frozen
class Flag:
    """One command-line flag: ``kind`` is a valued option, an on/off switch or repeatable."""

    name: str
    help: str
    convert: Callable[[str], Any] = str
    default: Any = None
    kind: Literal["value", "switch", "repeat"] = "value"
    metavar: str | None = None
    secret: bool = False
    """A credential: its default is never shown in the help."""

    @property
    def dest(self) -> str:
        return self.name.removeprefix("--").replace("-", "_")


FLAGS: Final[tuple[Flag, ...]] = (
    Flag("--host", "bind address", default=option_default("host")),
    Flag("--port", "port (0: a random free one)", _whole, option_default("port")),
    Flag("--key", "API key to accept", default=option_default("api_key"), secret=True),
    Flag("--hash", "API hash to accept", default=option_default("api_hash"), secret=True),
    Flag("--legacy-types", "answer with the older string-typed shapes", kind="switch"),
    Flag("--sender", "approved sender (repeatable)", kind="repeat"),
    Flag("--balance", "TL balance", _decimal, option_default("balance")),
    Flag("--sms-credits", "SMS credits", _whole, option_default("sms_credits")),
    Flag(
        "--rate-limit",
        "recipients per second the fake accepts in sends (0 disables)",
        _delay,
        float(option_default("rate_limit")),
    ),
    Flag(
        "--delivery-delay",
        "seconds until a message is final",
        _delay,
        option_default("delivery_delay"),
        metavar="SECONDS",
    ),
    Flag(
        "--clock-skew",
        "the server's clock runs this far ahead of real time (negative: behind)",
        _skew,
        option_default("clock_skew"),
        metavar="SECONDS",
    ),
    Flag(
        "--reports-delay",
        "a sent order is listed in the reports only this long after its submission",
        _delay,
        option_default("reports_delay"),
        metavar="SECONDS",
    ),
    Flag(
        "--drop-blacklisted",
        "leave blacklisted recipients out of orders instead of ending them undelivered",
        kind="switch",
    ),
    Flag(
        "--webhook-url",
        "POST delivery reports (accepted, then delivered/undelivered) to this URL",
        default=option_default("webhook_url"),
    ),
    Flag(
        "--latency",
        "seconds added before every answer",
        _delay,
        option_default("latency"),
        metavar="SECONDS",
    ),
    Flag(
        "--fault-rate",
        "share of API requests (0 to 1) answered 503 at random",
        _probability,
        option_default("fault_rate"),
        metavar="P",
    ),
    Flag("--seed", "seed for --fault-rate and the seeded history", _whole, metavar="N"),
    Flag("--orders", "seed this many finished past orders", _count, 0, metavar="N"),
    Flag("--inbound", "seed this many inbound messages", _count, 0, metavar="N"),
    Flag("--days", "spread the seeded history over this many days", _positive, 30.0, metavar="D"),
)


def build_parser(prog: str = "python -m iletimerkezi_async.testing") -> argparse.ArgumentParser:
    """The argparse parser of :data:`FLAGS`."""
    parser = argparse.ArgumentParser(
        prog=prog,
        description="A local, stateful fake of the iletiMerkezi SMS API for development.",
    )
    for flag in FLAGS:
        if flag.kind == "switch":
            parser.add_argument(flag.name, action="store_true", help=flag.help)
        elif flag.kind == "repeat":
            parser.add_argument(flag.name, action="append", default=None, help=flag.help)
        else:
            hidden = flag.default is None or flag.secret
            shown = "" if hidden else " (default: %(default)s)"
            parser.add_argument(
                flag.name,
                type=flag.convert,
                default=flag.default,
                metavar=flag.metavar,
                help=flag.help + shown,
            )
    return parser


def fake_keywords(args: argparse.Namespace) -> dict[str, Any]:
    """The ``FakeIletiMerkezi`` keyword arguments the parsed flags ask for."""
    return {
        "api_key": args.key,
        "api_hash": args.hash,
        "host": args.host,
        "port": args.port,
        "legacy_types": bool(args.legacy_types),
        "senders": tuple(args.sender) if args.sender else option_default("senders"),
        "balance": args.balance,
        "sms_credits": args.sms_credits,
        "rate_limit": args.rate_limit if args.rate_limit > 0 else None,
        "delivery_delay": args.delivery_delay,
        "clock_skew": args.clock_skew,
        "reports_delay": args.reports_delay,
        "drop_blacklisted": bool(args.drop_blacklisted),
        "webhook_url": args.webhook_url,
        "latency": args.latency,
        "fault_rate": args.fault_rate,
        "seed": args.seed,
    }


def fake_options(args: argparse.Namespace) -> FakeOptions:
    """The parsed flags as typed options (what the fake will be built from)."""
    return FakeOptions.from_keywords(fake_keywords(args))


def seed_history(fake: FakeIletiMerkezi, args: argparse.Namespace) -> tuple[list[str], list[str]]:
    """Seed ``--orders`` and ``--inbound`` over ``--days``; the order and inbound ids."""
    rng = random.Random(args.seed)  # noqa: S311 (test data, not crypto)
    orders = seed_orders(fake.account, args.orders, args.days, rng) if args.orders else []
    inbound = seed_inbound(fake.account, args.inbound, args.days, rng) if args.inbound else []
    return orders, inbound


async def serve(args: argparse.Namespace) -> None:
    """Seed, serve until SIGINT or SIGTERM, then stop; the URL is the first line printed."""
    fake = FakeIletiMerkezi(**fake_keywords(args))
    orders, inbound = seed_history(fake, args)
    async with fake:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        # Before the first line: a caller that signals as soon as it reads it must
        # reach this handler, not Python's default one (Windows: Ctrl-C still works).
        if sys.platform != "win32":
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
        print(
            f"iletiMerkezi fake server listening on {fake.url} "
            f"(key {_mask(args.key)}, hash hidden); Ctrl-C to stop",
            flush=True,
        )
        if orders or inbound:
            print(
                f"seeded {len(orders)} orders and {len(inbound)} inbound messages "
                f"over {args.days:g} days",
                flush=True,
            )
        await stop.wait()
    print("stopped", flush=True)


def run(args: argparse.Namespace) -> int:
    """Serve the parsed flags; the process exit code."""
    try:
        asyncio.run(serve(args))
    except KeyboardInterrupt:  # pragma: no cover - Windows has no signal handlers
        pass
    except OSError as exc:
        print(f"cannot start the fake server: {exc}", file=sys.stderr)
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    return run(build_parser().parse_args(argv))
