"""Run the fake server standalone: ``python -m iletimerkezi_async.testing --port 8080``.

It serves until Ctrl-C or SIGTERM.  The URL is printed on the first line of
standard output; the key is shown masked and the hash never.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import signal
import sys
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from ._fake import FakeIletiMerkezi
from ._options import option_default

__all__ = ["main"]


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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m iletimerkezi_async.testing",
        description="A local, stateful fake of the iletiMerkezi SMS API for development.",
    )
    parser.add_argument(
        "--host", default=option_default("host"), help="bind address (default 127.0.0.1)"
    )
    parser.add_argument(
        "--port", type=int, default=option_default("port"), help="port (default: a random free one)"
    )
    parser.add_argument("--key", default=option_default("api_key"), help="API key to accept")
    parser.add_argument("--hash", default=option_default("api_hash"), help="API hash to accept")
    parser.add_argument(
        "--legacy-types", action="store_true", help="answer with the older string-typed shapes"
    )
    parser.add_argument(
        "--sender", action="append", default=None, help="approved sender (repeatable)"
    )
    parser.add_argument(
        "--balance", type=_decimal, default=option_default("balance"), help="TL balance"
    )
    parser.add_argument(
        "--sms-credits", type=int, default=option_default("sms_credits"), help="SMS credits"
    )
    parser.add_argument(
        "--rate-limit",
        type=float,
        default=float(option_default("rate_limit")),
        help="recipients per second the fake accepts in sends (0 disables)",
    )
    parser.add_argument(
        "--delivery-delay",
        type=float,
        default=option_default("delivery_delay"),
        help="seconds until a message is final",
    )
    parser.add_argument(
        "--clock-skew",
        type=_skew,
        default=option_default("clock_skew"),
        metavar="SECONDS",
        help="the server's clock runs this far ahead of real time (negative: behind)",
    )
    parser.add_argument(
        "--reports-delay",
        type=_delay,
        default=option_default("reports_delay"),
        metavar="SECONDS",
        help="a sent order is listed in the reports only this long after its submission",
    )
    parser.add_argument(
        "--drop-blacklisted",
        action="store_true",
        default=option_default("drop_blacklisted"),
        help="leave blacklisted recipients out of orders instead of ending them undelivered",
    )
    parser.add_argument(
        "--webhook-url",
        default=option_default("webhook_url"),
        help="POST delivery reports (accepted, then delivered/undelivered) to this URL",
    )
    return parser


def _fake_options(args: argparse.Namespace) -> dict[str, Any]:
    """The ``FakeIletiMerkezi`` keyword arguments the parsed flags ask for."""
    return {
        "api_key": args.key,
        "api_hash": args.hash,
        "host": args.host,
        "port": args.port,
        "legacy_types": args.legacy_types,
        "senders": args.sender if args.sender else option_default("senders"),
        "balance": args.balance,
        "sms_credits": args.sms_credits,
        "rate_limit": args.rate_limit if args.rate_limit > 0 else None,
        "delivery_delay": args.delivery_delay,
        "clock_skew": args.clock_skew,
        "reports_delay": args.reports_delay,
        "drop_blacklisted": args.drop_blacklisted,
        "webhook_url": args.webhook_url,
    }


async def _serve(args: argparse.Namespace) -> None:
    fake = FakeIletiMerkezi(**_fake_options(args))
    async with fake:
        print(
            f"iletiMerkezi fake server listening on {fake.url} "
            f"(key {_mask(args.key)}, hash hidden); Ctrl-C to stop",
            flush=True,
        )
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        # Windows event loops have no signal handlers; Ctrl-C still interrupts there.
        if sys.platform != "win32":
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
        await stop.wait()
    print("stopped", flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        asyncio.run(_serve(args))
    except KeyboardInterrupt:  # pragma: no cover - Windows has no signal handlers
        pass
    except OSError as exc:
        print(f"cannot start the fake server: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
