"""An SMS bot: polls the inbox, answers keywords, honours opt-outs.

* ``BAKIYE`` is answered with the sender's points balance, ``YARDIM`` with help.
* ``RET`` (also ``IPTAL``/``STOP``, carrier prefixes such as ``"ILT AHKTEST RET"``
  tolerated) puts the number on the blacklist and gets no reply.
* Anything else is ignored: answering unknown texts invites loops with other bots.

The position is kept in a ``FileCursor``, so a restarted bot never handles a
message twice, and a crash never loses one: the message being handled is
committed only once it has been handled (at-least-once).  Replies are sent at
most once even then: a repeat of the same reply within 10 minutes is refused by
the API with 451 (``DuplicateOrderError``), and an ambiguous send
(``SendOutcomeUnknownError``) is never repeated.

Run it against the fake server, seeded with a few messages::

    python examples/inbox_bot.py --fake --cursor-file /tmp/bot.cursor

or against ``iletimerkezi fake-server`` (or the real API; get-inbox is experimental)::

    export ILETIMERKEZI_BASE_URL=http://127.0.0.1:8080   # omit for the real API
    export ILETIMERKEZI_API_KEY=test-key ILETIMERKEZI_API_HASH=test-hash
    python examples/inbox_bot.py --cursor-file bot.cursor --sender APITEST
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import iletimerkezi_async as im

log = logging.getLogger("examples.inbox_bot")

HELP = "Komutlar: BAKIYE (puan bakiyeniz), YARDIM. Mesaj almak istemiyorsaniz RET yazin."


@dataclass
class BotStats:
    """What a run did; numbers are ``+90…`` (kept for the caller, never logged)."""

    handled: int = 0
    replies: list[tuple[str, str]] = field(default_factory=list)  # (number, keyword)
    opted_out: list[str] = field(default_factory=list)
    ignored: int = 0


class Bot:
    def __init__(
        self, client: im.Client, *, sender: str, balances: Mapping[str, int] | None = None
    ) -> None:
        self.client = client
        self.sender = sender
        self.balances = balances or {}
        self.stats = BotStats()

    def answer(self, msg: im.InboundMessage, number: str) -> tuple[str, str] | None:
        """(keyword, reply text) for a message we answer, or None."""
        if msg.matches("YARDIM"):
            return "YARDIM", HELP
        if msg.matches("BAKIYE"):
            return "BAKIYE", f"Puan bakiyeniz: {self.balances.get(number, 0)}"
        return None

    async def handle(self, msg: im.InboundMessage) -> None:
        """One message; raises only for failures worth handling this message again."""
        self.stats.handled += 1
        try:
            number = im.normalize_number(msg.sender)
        except im.InvalidRequestError:
            # A short code or an alphanumeric sender: nobody to answer or block.
            log.info("message %s: sender is not a mobile number; ignored", msg.id)
            self.stats.ignored += 1
            return
        if msg.is_opt_out():
            await self.opt_out(msg, number)
            return
        reply = self.answer(msg, number)
        if reply is None:
            log.info("message %s: no keyword; ignored", msg.id)
            self.stats.ignored += 1
            return
        keyword, text = reply
        try:
            await self.client.sms.send(number, text, sender=self.sender)
        except im.DuplicateOrderError:
            # Same reply to the same number within 10 minutes: a replay after a
            # crash, or the user asking twice. Either way they have the answer.
            log.info("message %s: %s reply already sent", msg.id, keyword)
        except im.SendOutcomeUnknownError:
            log.warning("message %s: %s reply may have gone; not resending", msg.id, keyword)
        except im.RecipientError:
            log.info("message %s: recipient refused (blacklisted?); no reply", msg.id)
            self.stats.ignored += 1
            return
        self.stats.replies.append((number, keyword))

    async def opt_out(self, msg: im.InboundMessage, number: str) -> None:
        # Idempotent, so handling the same RET again after a crash is harmless.
        # (iletiMerkezi also blacklists RET senders itself; this keeps the list
        # right for opt-outs it does not see, such as IPTAL or STOP.)
        try:
            await self.client.blacklist.add(number)
        except im.RecipientError:
            log.info("message %s: number refused by the blacklist; ignored", msg.id)
            self.stats.ignored += 1
            return
        log.info("message %s: opted out", msg.id)
        self.stats.opted_out.append(number)


async def run_bot(
    client: im.Client,
    *,
    cursor: im.CursorStore,
    sender: str,
    max_messages: int | None = None,
    stop: asyncio.Event | None = None,
    interval: float = 5.0,
    max_interval: float = 60.0,
    balances: Mapping[str, int] | None = None,
) -> BotStats:
    """Handle new messages until ``max_messages`` were handled or ``stop`` is set.

    The waits between polls run on the client's clock (tests build the client
    with ``clock=VirtualClock()``).
    """
    bot = Bot(client, sender=sender, balances=balances)
    if max_messages is not None and max_messages < 1:
        return bot.stats
    async with client.inbox.poll(
        cursor=cursor, interval=interval, max_interval=max_interval
    ) as poller:
        watcher = None
        if stop is not None:
            # aclose() from another task wakes a poller that is waiting for news.
            async def close_on_stop() -> None:
                await stop.wait()
                await poller.aclose()

            watcher = asyncio.create_task(close_on_stop())
        try:
            async for msg in poller:
                await bot.handle(msg)
                if max_messages is not None and bot.stats.handled >= max_messages:
                    break  # leaving the block without an error commits this message
                if stop is not None and stop.is_set():
                    break
        finally:
            if watcher is not None:
                watcher.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watcher
    return bot.stats


# ---------------------------------------------------------------------- main

DEMO_INBOX = (
    ("BAKIYE", "+905051234567"),
    ("ILT AHKTEST RET", "+905321234567"),
    ("yardım", "+905441234567"),
)


def client_from_env() -> im.Client:
    base_url = os.environ.get("ILETIMERKEZI_BASE_URL")
    return im.Client(base_url=base_url) if base_url else im.Client()


async def main_async(args: argparse.Namespace) -> BotStats:
    stop = asyncio.Event()
    if sys.platform != "win32":
        for sig in (signal.SIGINT, signal.SIGTERM):
            asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    max_messages = args.max_messages
    async with contextlib.AsyncExitStack() as stack:
        client_factory: Callable[[], im.Client] = client_from_env
        if args.fake:
            from iletimerkezi_async.testing import FakeIletiMerkezi

            fake = await stack.enter_async_context(
                FakeIletiMerkezi(senders=["APITEST", args.sender])
            )
            for text, number in DEMO_INBOX:
                fake.add_inbound(text, sender=number)
            client_factory = fake.client
            if max_messages is None:
                max_messages = len(DEMO_INBOX)
        client = await stack.enter_async_context(client_factory())
        return await run_bot(
            client,
            cursor=im.FileCursor(Path(args.cursor_file)),
            sender=args.sender,
            max_messages=max_messages,
            stop=stop,
            interval=args.interval,
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--cursor-file", default="inbox.cursor", help="where the position is kept")
    parser.add_argument("--sender", default=os.environ.get("ILETIMERKEZI_SENDER", "APITEST"))
    parser.add_argument("--max-messages", type=int, help="stop after handling N messages")
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between polls")
    parser.add_argument("--fake", action="store_true", help="seed and use an embedded fake")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    stats = asyncio.run(main_async(args))
    print(
        f"handled {stats.handled}: {len(stats.replies)} replied, "
        f"{len(stats.opted_out)} opted out, {stats.ignored} ignored"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
