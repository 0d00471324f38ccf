"""The crash test: a 200,000-recipient campaign SIGKILLed again and again, faults all along.

A worker process (``_crash_worker.py``) runs the campaign on a
``SqliteLedger`` against a ``FakeIletiMerkezi`` in this test's event loop, so
the fake keeps serving while the test watches the worker and kills it.  The
test kills the worker at random moments chosen by a seeded RNG and timed by
progress, not by the clock alone:

* ``lines``: after 1–4 more chunks went out, then 0–50 ms (mid-chunk: the
  ledger's writes, the request, the answer);
* ``in-flight``: the moment the fake has processed the next send-sms (the
  order exists; the worker may or may not have its answer);
* ``stalled``: during a send the fake processed and then holds for 3.5 s;
* ``starting``: 0.05–0.6 s after start (start-up, the ledger, the re-read).

Each killed worker is started again, until one exits 0, and each restart
comes 10 minutes later as far as the fake (advanced) and the worker's clock
(as far ahead) can tell: the server's 451 duplicate guard has then forgotten
every order, so a chunk sent twice would be two orders, not one refusal that
hides the mistake.  Meanwhile the test
queues faults on send-sms at random moments: drops after processing (the
order exists, the answer is lost) and before (no order), 503s (retried by
the client: not processed) and stalls after processing (the client times
out with the order made); and 2% of all requests get a 503 before
processing (``fault_rate``), reads included.

Then: every valid recipient of the source is in exactly one order at the
fake (none twice, none missing), no invalid item was sent, and the ledger's
``campaign.status()``, read here after the last worker exited, agrees with
the fake.  The figures are printed on one line (``pytest -rA`` shows it).
Nothing is asserted about speed; every wait is bounded, and generously.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import attrs
import pytest

import iletimerkezi_async
from iletimerkezi_async.campaigns import Campaign, SqliteLedger
from iletimerkezi_async.testing import FakeIletiMerkezi

from ._crash_worker import CAMPAIGN, expected

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and flock are POSIX")

WORKER = Path(__file__).with_name("_crash_worker.py")
PACKAGE_ROOT = Path(iletimerkezi_async.__file__).resolve().parent.parent
"""Where this test's own package lives: the worker imports the same one."""

SEED = 20260417
RECIPIENTS = 200_000
CHUNK_SIZE = 1000  # 200 chunks
KILLS = 12
# Why 1 s of settle is proof of absence here (the live API needs the default 120 s):
# the fake lists an order the moment it creates it (no reports_delay); a stall "after"
# creates it before stalling; and a killed worker's request, whose bytes were sent
# before the kill, is processed (or, cut short, refused) by the fake's loop long before
# a new worker, after its start-up, its ledger and its source, looks a last time.
SETTLE = 1.0
TIMEOUT = 2.5
"""The worker's request timeout: a stall of STALL s is an unknown outcome to it."""
STALL = 3.5
FAULT_RATE = 0.02
DUPLICATE_GUARD = 600.0
"""Seconds the fake (as the API) refuses the same text to the same numbers again (451)."""
WAIT = 120.0
"""Seconds any one wait may take (a worker start, a few chunks) before the test fails."""
BUDGET = 900.0
"""Seconds for the whole run on the most loaded machine; about 30 s when idle."""

MODES = ("lines", "lines", "lines", "in-flight", "in-flight", "stalled", "starting")
FAULTS = ("drop:after", "drop:after", "drop:before", "drop:before", "fail:503", "stall:after")


@attrs.define
class Worker:
    """One worker process: its stdout lines as they come, its stderr in a file."""

    proc: asyncio.subprocess.Process
    stderr_path: Path
    lines: list[str] = attrs.field(factory=list)
    changed: asyncio.Event = attrs.field(factory=asyncio.Event)
    reader: asyncio.Task[None] | None = None

    @classmethod
    async def start(cls, args: list[str], stderr_path: Path) -> Worker:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ILETIMERKEZI_")}
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(PACKAGE_ROOT), env.get("PYTHONPATH")) if p
        )
        env["PYTHONUNBUFFERED"] = "1"
        with stderr_path.open("wb") as err:
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                str(WORKER),
                *args,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=err,
                env=env,
            )
        worker = cls(proc, stderr_path)
        worker.reader = asyncio.create_task(worker._read())
        return worker

    async def _read(self) -> None:
        assert self.proc.stdout is not None
        while line := await self.proc.stdout.readline():
            self.lines.append(line.decode().rstrip("\n"))
            self.changed.set()
        self.changed.set()

    @property
    def chunks(self) -> list[str]:
        return [line for line in self.lines if line.startswith("CHUNK ")]

    @property
    def ended(self) -> bool:
        return self.reader is not None and self.reader.done()

    def stderr(self) -> str:
        with contextlib.suppress(OSError):
            return self.stderr_path.read_text(errors="replace")[-4000:]
        return ""

    async def until(self, what: str, done: Callable[[], bool], within: float = WAIT) -> bool:
        """Wait for ``done()``; False when the worker's output ended first."""
        deadline = time.monotonic() + within
        while not done():
            if self.ended:
                return done()
            if time.monotonic() >= deadline:
                pytest.fail(f"timed out after {within} s waiting for {what}: {self.stderr()}")
            self.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), 0.005)
        return True

    async def kill(self) -> bool:
        """SIGKILL it; False when it had exited by itself first."""
        with contextlib.suppress(ProcessLookupError):
            self.proc.send_signal(signal.SIGKILL)
        return await self.wait() == -signal.SIGKILL

    async def wait(self, within: float = WAIT) -> int:
        try:
            await asyncio.wait_for(self.proc.wait(), within)
            if self.reader is not None:
                await asyncio.wait_for(self.reader, within)
        except TimeoutError:
            pytest.fail(f"the worker did not exit within {within} s: {self.stderr()}")
        assert self.proc.returncode is not None
        return self.proc.returncode


@attrs.define
class Figures:
    kills: Counter[str] = attrs.field(factory=Counter)
    faults: Counter[str] = attrs.field(factory=Counter)
    """Faults queued on send-sms by the test."""
    starts: int = 0
    unanswered: int = 0
    states: Counter[str] = attrs.field(factory=Counter)
    """Chunk states as the workers printed them (a chunk done just before a kill is not)."""

    def line(self, fake: FakeIletiMerkezi, seconds: float) -> str:
        met = Counter(r.fault for r in fake.requests if r.fault is not None)
        return (
            f"crash test: {RECIPIENTS:,} recipients in {len(fake.account.orders)} orders; "
            f"{sum(self.kills.values())} SIGKILLs {dict(self.kills)}, {self.unanswered} of "
            f"them with the newest order made and unanswered; {self.starts - 1} restarts; "
            f"faults queued on send-sms {dict(self.faults)}, met (fault_rate 503s on any "
            f"endpoint included) {dict(met)}; chunks as printed {dict(self.states)}; "
            f"{seconds:.1f} s"
        )


async def inject_faults(fake: FakeIletiMerkezi, rng: random.Random, figures: Figures) -> None:
    """Queue one send-sms fault at a time, at random moments, while a worker runs."""
    while True:
        await asyncio.sleep(rng.uniform(0.05, 0.6))
        if fake.pending_faults("send-sms") or rng.random() < 0.5:
            continue
        kind = rng.choice(FAULTS)
        if kind == "drop:after":
            fake.drop("send-sms", when="after")
        elif kind == "drop:before":
            fake.drop("send-sms", when="before")
        elif kind == "fail:503":
            fake.fail("send-sms", 503)
        else:
            fake.stall("send-sms", STALL, when="after")
        figures.faults[kind] += 1


def send_count(fake: FakeIletiMerkezi) -> int:
    return sum(1 for r in fake.requests if r.path == "send-sms")


async def kill_at_random(
    worker: Worker, fake: FakeIletiMerkezi, rng: random.Random, figures: Figures
) -> bool:
    """SIGKILL the worker at a moment of ``rng``'s choosing; False when it finished first."""
    mode = rng.choice(MODES)
    if mode == "lines":
        target = len(worker.chunks) + rng.randint(1, 4)
        if not await worker.until(f"{target} chunks", lambda: len(worker.chunks) >= target):
            return False
        await asyncio.sleep(rng.uniform(0.0, 0.05))
    elif mode == "in-flight":
        sent = send_count(fake)
        if not await worker.until("a send-sms", lambda: send_count(fake) > sent):
            return False
    elif mode == "stalled":
        fake.stall("send-sms", STALL, when="after")
        figures.faults["stall:after (killed)"] += 1
        marked = len(fake.requests)

        def stalled() -> bool:
            return any(r.fault == "stall:after" and r.processed for r in fake.requests[marked:])

        if not await worker.until("a stalled send-sms", stalled):
            return False
    else:
        await asyncio.sleep(rng.uniform(0.05, 0.6))
        if worker.ended:
            return False
    if not await worker.kill():
        return False
    figures.kills[mode] += 1
    last = next((r for r in reversed(fake.requests) if r.path == "send-sms"), None)
    if last is not None and last.processed and last.status is None:
        figures.unanswered += 1  # killed with an order made and its answer not (yet) sent
    return True


async def test_every_valid_recipient_ends_in_exactly_one_order_whatever_is_killed(
    tmp_path: Path,
) -> None:
    rng = random.Random(SEED)
    want = expected(SEED, RECIPIENTS)
    ledger_path = tmp_path / "crash.db"
    figures = Figures()
    started = time.monotonic()
    async with FakeIletiMerkezi(
        rate_limit=None, sms_credits=10**9, fault_rate=FAULT_RATE, seed=SEED
    ) as fake:
        args = ["--url", fake.url, "--key", fake.options.api_key, "--hash", fake.options.api_hash]
        args += ["--ledger", str(ledger_path), "--seed", str(SEED)]
        args += ["--recipients", str(RECIPIENTS), "--chunk-size", str(CHUNK_SIZE)]
        args += ["--settle", str(SETTLE), "--timeout", str(TIMEOUT)]
        done: str | None = None
        while done is None:
            assert time.monotonic() - started < BUDGET, figures.line(fake, BUDGET)
            figures.starts += 1
            offset = ["--clock-offset", repr(fake.clock.offset)]
            stderr = tmp_path / f"worker-{figures.starts}.stderr"
            worker = await Worker.start([*args, *offset], stderr)
            injector = asyncio.create_task(inject_faults(fake, rng, figures))
            try:
                killed = False
                if sum(figures.kills.values()) < KILLS:
                    killed = await kill_at_random(worker, fake, rng, figures)
                code = await worker.wait(within=BUDGET)
            finally:
                injector.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await injector
                if worker.proc.returncode is None:
                    await worker.kill()
            figures.states.update(line.split()[2] for line in worker.chunks)
            (tmp_path / f"worker-{figures.starts}.stdout").write_text("\n".join(worker.lines))
            if killed:
                assert code == -signal.SIGKILL, worker.stderr()
                # The next worker starts 10 minutes later, as far as the fake and its own
                # clock can tell: the server's duplicate guard (the same text to the same
                # numbers within 600 s is 451) has forgotten every order by then, so a
                # chunk sent again would make a second order, not a refusal.
                fake.advance(DUPLICATE_GUARD + 1)
                continue
            assert code == 0, f"worker exited {code}: {worker.stderr()}"
            done = next(line for line in worker.lines if line.startswith("DONE "))
        fake.reset_faults()
        seconds = time.monotonic() - started

        async with fake.client(send_limiter=None) as client:
            ledger = SqliteLedger(ledger_path)
            try:
                status = await Campaign(client, CAMPAIGN, ledger=ledger).status()
                records = await ledger.records(CAMPAIGN)
            finally:
                await ledger.close()
        final = Counter(r.state for r in records)
        sends = sum(r.attempt for r in records)
        summary = (
            f"{figures.line(fake, seconds)}; in the ledger {dict(final)}, "
            f"{sends - len(records)} sends begun again (a chunk proven absent, or killed "
            "before its order existed)"
        )
        print("\n" + summary)
        received = Counter(n for o in fake.account.orders.values() for n in o.recipients)
        orders = set(fake.account.orders)
        # 452: an invalid number in the order; 451: the same chunk sent again within 600 s.
        refused = [
            r.status for r in fake.requests if r.path == "send-sms" and r.status in (451, 452)
        ]

    assert sum(figures.kills.values()) >= 10, summary
    twice = {n: c for n, c in received.items() if c > 1}
    missing = want.valid - set(received)
    strangers = set(received) - want.valid
    assert (len(twice), len(missing), len(strangers)) == (0, 0, 0), summary
    assert len(received) == len(want.valid) == RECIPIENTS
    assert refused == [], summary  # no invalid number reached the fake, no chunk was resent
    assert set(status.orders) == orders, summary
    assert len(status.orders) == len(orders)
    assert status.recipients_sent == len(want.valid)
    assert (status.invalid, status.duplicates) == (want.invalid, want.duplicates), summary
    assert status.chunks == status.sent == -(-RECIPIENTS // CHUNK_SIZE)
    assert status.unknown == 0
    assert f'"recipients_sent": {RECIPIENTS}' in done
