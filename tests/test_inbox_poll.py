"""inbox.poll(): once each, oldest first, backoff on a fake clock, at-least-once across crashes."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import sys
import textwrap
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import iletimerkezi_async as im
from iletimerkezi_async.testing import FakeIletiMerkezi, VirtualClock
from iletimerkezi_async.text import fold_words

T0 = datetime(2026, 4, 9, 11, 0, 0)
NO_RETRY = im.RetryPolicy.none()


class PollClock(VirtualClock):
    """A VirtualClock that runs ``hook(n)`` during its n-th sleep, or (``stuck``) never wakes.

    The client's clock, so ``client.inbox.poll()`` sleeps on it; tests set
    ``hook`` or ``stuck`` before polling.
    """

    def __init__(self) -> None:
        super().__init__(on_advance=self._during)
        self.hook: Callable[[int], object] | None = None
        self.stuck = False
        self.sleeping = asyncio.Event()

    def _during(self, seconds: float) -> None:
        if self.hook is not None:
            self.hook(len(self.sleeps))

    async def sleep(self, seconds: float) -> None:
        if self.stuck:
            self.sleeping.set()
            await asyncio.Event().wait()
        await super().sleep(seconds)


@pytest.fixture
async def fake() -> AsyncIterator[FakeIletiMerkezi]:
    async with FakeIletiMerkezi() as f:
        yield f


@pytest.fixture
def clock() -> PollClock:
    return PollClock()


@pytest.fixture
async def client(fake: FakeIletiMerkezi, clock: PollClock) -> AsyncIterator[im.Client]:
    async with fake.client(retry=NO_RETRY, clock=clock) as c:
        yield c


def add(fake: FakeIletiMerkezi, n: int, start: int = 0, text: str = "m") -> list[str]:
    return [
        fake.add_inbound(f"{text}{start + i}", received_at=T0 + timedelta(seconds=start + i))
        for i in range(n)
    ]


async def take(poller: im.InboxPoller, n: int) -> list[str]:
    out: list[str] = []
    async for m in poller:
        out.append(m.id)
        if len(out) == n:
            break
    return out


# ------------------------------------------------------------------ delivery


async def test_messages_added_while_polling_arrive_once_each_in_order(
    fake: FakeIletiMerkezi,
    client: im.Client,
    clock: PollClock,
) -> None:
    expected = add(fake, 2)
    plan = {1: 3, 2: 0, 3: 1, 5: 4, 6: 0, 7: 2}  # sleep number -> messages added meanwhile
    counter = [2]

    def during_wait(n: int) -> None:
        k = plan.get(n, 0)
        expected.extend(add(fake, k, start=counter[0]))
        counter[0] += k

    clock.hook = during_wait
    got = await take(client.inbox.poll(), 12)
    assert got == expected
    assert len(set(got)) == 12
    assert [int(i) for i in got] == sorted(int(i) for i in got)


async def test_batch_is_sorted_by_received_at_then_numeric_id(
    fake: FakeIletiMerkezi, client: im.Client
) -> None:
    late = fake.add_inbound("b", received_at=T0 + timedelta(seconds=5))
    early = fake.add_inbound("a", received_at=T0)
    tie = [fake.add_inbound("c", received_at=T0 + timedelta(seconds=9)) for _ in range(11)]
    got = await take(client.inbox.poll(), 13)
    assert got == [early, late, *tie]  # "10" after "9": numeric, not text order


async def test_late_message_with_older_timestamp_is_still_delivered_once(
    fake: FakeIletiMerkezi,
    client: im.Client,
    clock: PollClock,
) -> None:
    first = add(fake, 3, start=10)
    straggler: list[str] = []

    def during_wait(n: int) -> None:
        if n == 1:
            straggler.append(fake.add_inbound("old", received_at=T0))

    clock.hook = during_wait
    poller = client.inbox.poll()
    got = await take(poller, 4)
    assert got == [*first, *straggler]
    # Later polls still answer the straggler; it is not delivered again.
    extra: list[str] = []
    base = len(clock.sleeps)
    clock.hook = lambda n: extra.extend(add(fake, 1, start=50) if n - base == 2 else [])
    assert await take(poller, 1) == extra
    await poller.aclose()


async def test_cursor_store_gives_once_per_store_and_remembers(
    fake: FakeIletiMerkezi, client: im.Client
) -> None:
    ids = add(fake, 3)
    store = im.MemoryCursor()
    async with client.inbox.poll(cursor=store) as poller:
        assert await take(poller, 3) == ids
    token = json.loads(store.token or "")
    assert token["last_id"] == ids[-1]
    assert token["seen"] == ids
    more = add(fake, 2, start=3)
    # Same store: only the new ones.  A separate store: everything again.
    async with client.inbox.poll(cursor=store) as poller:
        assert await take(poller, 2) == more
    async with client.inbox.poll(cursor=im.MemoryCursor()) as poller:
        assert await take(poller, 5) == ids + more


async def test_skip_existing_marks_the_backlog_seen(
    fake: FakeIletiMerkezi,
    client: im.Client,
    clock: PollClock,
) -> None:
    add(fake, 3)
    new: list[str] = []
    clock.hook = lambda n: new.extend(add(fake, 1, start=10 + n) if n in (1, 3) else [])
    store = im.MemoryCursor()
    async with client.inbox.poll(cursor=store, skip_existing=True) as poller:
        assert await take(poller, 2) == new
    assert json.loads(store.token or "")["last_id"] == new[-1]


async def test_skip_existing_does_not_apply_to_a_store_with_a_position(
    fake: FakeIletiMerkezi, client: im.Client
) -> None:
    ids = add(fake, 2)
    store = im.MemoryCursor()
    async with client.inbox.poll(cursor=store) as poller:
        await take(poller, 1)
    async with client.inbox.poll(cursor=store, skip_existing=True) as poller:
        assert await take(poller, 1) == ids[1:]


# ------------------------------------------------------------------- backoff


async def test_backoff_doubles_while_idle_caps_and_resets_on_news(
    fake: FakeIletiMerkezi,
    client: im.Client,
    clock: PollClock,
) -> None:
    arrived: list[str] = []

    def during_wait(n: int) -> None:
        if n in (9, 12):
            arrived.extend(add(fake, 1, start=n))

    clock.hook = during_wait
    start = clock.monotonic()
    got = await take(client.inbox.poll(), 2)
    assert got == arrived
    assert clock.sleeps == [5, 10, 20, 40, 80, 160, 300, 300, 300, 5, 10, 20]
    assert clock.monotonic() - start == sum(clock.sleeps)
    fetches = fake.sent_requests("get-inbox")
    assert len(fetches) == len(clock.sleeps) + 1  # one poll before the first wait


async def test_backoff_parameters(
    fake: FakeIletiMerkezi, client: im.Client, clock: PollClock
) -> None:
    clock.hook = lambda n: add(fake, 1) if n == 6 else None
    poller = client.inbox.poll(interval=1, max_interval=10, multiplier=3)
    await take(poller, 1)
    assert clock.sleeps == [1, 3, 9, 10, 10, 10]
    assert poller.next_wait == 1


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"interval": 0}, "interval"),
        ({"interval": 10, "max_interval": 5}, "max_interval"),
        ({"multiplier": 0.5}, "multiplier"),
    ],
)
def test_bad_backoff_arguments_are_refused(
    kw: dict[str, float], field: str, client: im.Client
) -> None:
    with pytest.raises(im.InvalidRequestError) as info:
        client.inbox.poll(**kw)  # type: ignore[arg-type]
    assert info.value.field == field


# -------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("inject", "kind"),
    [
        (lambda f: f.fail("get-inbox", status=503, times=3), im.ServiceUnavailableError),
        (lambda f: f.drop("get-inbox", times=3), im.TransportError),
        (lambda f: f.malform("get-inbox", "invalid_json", times=3), im.ResponseFormatError),
    ],
)
async def test_transient_failures_back_off_and_continue(
    fake: FakeIletiMerkezi,
    client: im.Client,
    inject: Callable[[FakeIletiMerkezi], None],
    kind: type[Exception],
    clock: PollClock,
) -> None:
    ids = add(fake, 2)
    inject(fake)
    errors: list[BaseException | None] = []
    poller = client.inbox.poll()
    clock.hook = lambda n: errors.append(poller.last_error)
    assert await take(poller, 2) == ids
    assert clock.sleeps == [5, 10, 20]
    assert all(isinstance(e, kind) for e in errors)
    assert poller.last_error is None
    assert poller.total == 2


async def test_rate_limit_retry_after_is_a_floor(
    fake: FakeIletiMerkezi, client: im.Client, clock: PollClock
) -> None:
    fake.fail("get-inbox", status=429, times=1, retry_after=42)
    ids = add(fake, 1)
    assert await take(client.inbox.poll(), 1) == ids
    assert clock.sleeps == [42]


async def test_authentication_error_ends_the_poller(
    fake: FakeIletiMerkezi,
    client: im.Client,
    clock: PollClock,
) -> None:
    ids = add(fake, 1)
    clock.hook = lambda n: setattr(fake.options, "api_access", False)
    store = im.MemoryCursor()
    poller = client.inbox.poll(cursor=store)
    got: list[str] = []

    async def consume() -> None:
        async for m in poller:
            got.append(m.id)

    with pytest.raises(im.AuthenticationError):
        await consume()
    assert got == ids
    assert json.loads(store.token or "")["seen"] == ids  # asked for the next: committed
    assert poller.closed
    with pytest.raises(StopAsyncIteration):
        await poller.__anext__()


async def test_other_4xx_ends_the_poller(fake: FakeIletiMerkezi, client: im.Client) -> None:
    fake.fail("get-inbox", status=404, times=1)
    poller = client.inbox.poll()
    with pytest.raises(im.NotFoundError):
        await poller.__anext__()
    assert poller.closed


async def test_corrupt_token_raises_instead_of_starting_over(client: im.Client) -> None:
    poller = client.inbox.poll(cursor=im.MemoryCursor('{"v": 1, "seen": [3]}'))
    with pytest.raises(im.CursorError, match="MemoryCursor"):
        await poller.__anext__()


# --------------------------------------------------------------- at-least-once


async def test_async_with_commits_on_clean_exit_not_on_exception(
    fake: FakeIletiMerkezi, client: im.Client
) -> None:
    ids = add(fake, 3)
    store = im.MemoryCursor()

    async def fail_on_second() -> None:
        async with client.inbox.poll(cursor=store) as poller:
            async for m in poller:
                if m.id == ids[1]:
                    raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        await fail_on_second()
    assert json.loads(store.token or "")["seen"] == ids[:1]
    async with client.inbox.poll(cursor=store) as poller:
        async for m in poller:
            assert m.id == ids[1]
            break
    assert json.loads(store.token or "")["seen"] == ids[:2]


async def test_bare_break_leaves_the_message_uncommitted_until_commit(
    fake: FakeIletiMerkezi, client: im.Client
) -> None:
    ids = add(fake, 2)
    store = im.MemoryCursor()
    poller = client.inbox.poll(cursor=store)
    assert await take(poller, 1) == ids[:1]
    assert store.token is None
    assert poller.pending is not None
    assert poller.pending.id == ids[0]
    await poller.commit()
    assert poller.pending is None
    assert json.loads(store.token or "")["seen"] == ids[:1]
    await poller.aclose()


async def _crash_after(client: im.Client, path: Path, k: str, seen: list[str]) -> None:
    """Consume on a FileCursor; hang while 'processing' message k until cancelled."""
    reached = asyncio.Event()

    async def consume() -> None:
        async for m in client.inbox.poll(cursor=im.FileCursor(path)):
            seen.append(m.id)
            if m.id == k:
                reached.set()
                await asyncio.Event().wait()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(reached.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_killed_mid_stream_and_restarted_on_file_cursor_loses_nothing(
    fake: FakeIletiMerkezi, client: im.Client, tmp_path: Path
) -> None:
    ids = add(fake, 6)
    path = tmp_path / "inbox.cursor"
    delivered: list[str] = []
    await _crash_after(client, path, ids[3], delivered)
    assert delivered == ids[:4]
    more = add(fake, 2, start=6)
    async with client.inbox.poll(cursor=im.FileCursor(path)) as poller:
        delivered += await take(poller, 5)
    assert set(delivered) == set(ids + more)
    assert delivered.count(ids[3]) == 2
    assert all(delivered.count(i) == 1 for i in ids + more if i != ids[3])
    assert os.listdir(tmp_path) == ["inbox.cursor"]


async def test_consumer_raising_mid_stream_then_restart(
    fake: FakeIletiMerkezi, client: im.Client, tmp_path: Path
) -> None:
    ids = add(fake, 4)
    path = tmp_path / "c"
    seen: list[str] = []

    async def fail_on_second() -> None:
        async for m in client.inbox.poll(cursor=im.FileCursor(path)):
            seen.append(m.id)
            if len(seen) == 2:
                raise ValueError("handler failed")

    with pytest.raises(ValueError, match="handler"):
        await fail_on_second()
    seen += await take(client.inbox.poll(cursor=im.FileCursor(path)), 3)
    assert seen == [ids[0], ids[1], ids[1], ids[2], ids[3]]


_CHILD = textwrap.dedent(
    """
    import asyncio, sys
    import iletimerkezi_async as im

    async def main(url, path, k):
        async with im.Client("test-key", "test-hash", base_url=url) as client:
            async for m in client.inbox.poll(cursor=im.FileCursor(path), interval=0.01):
                print(m.id, flush=True)
                if m.id == k:
                    await asyncio.sleep(60)

    asyncio.run(main(*sys.argv[1:]))
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
async def test_sigkilled_process_restarts_on_file_cursor(
    fake: FakeIletiMerkezi, client: im.Client, tmp_path: Path
) -> None:
    ids = add(fake, 5)
    path = tmp_path / "inbox.cursor"
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        _CHILD,
        fake.url,
        str(path),
        ids[2],
        stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stdout is not None
    delivered: list[str] = []
    try:
        while ids[2] not in delivered:
            line = await asyncio.wait_for(proc.stdout.readline(), 20)
            assert line, "child exited early"
            delivered.append(line.decode().strip())
    finally:
        proc.send_signal(signal.SIGKILL)
        await proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert delivered == ids[:3]
    async with client.inbox.poll(cursor=im.FileCursor(path)) as poller:
        delivered += await take(poller, 3)
    assert delivered == [*ids[:3], *ids[2:]]


# -------------------------------------------------------------- cancellation


async def test_cancel_while_sleeping_keeps_cursor_and_leaks_no_task(
    fake: FakeIletiMerkezi,
    client: im.Client,
    clock: PollClock,
) -> None:
    ids = add(fake, 1)
    store = im.MemoryCursor()
    clock.stuck = True
    poller = client.inbox.poll(cursor=store)
    got: list[str] = []

    async def consume() -> None:
        async for m in poller:
            got.append(m.id)

    before = asyncio.all_tasks()
    task = asyncio.create_task(consume())
    await asyncio.wait_for(clock.sleeping.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert got == ids
    assert json.loads(store.token or "")["seen"] == ids  # asked for the next one first
    leaked = {
        t
        for t in asyncio.all_tasks() - before
        # the fake's keep-alive handlers
        if not getattr(t.get_coro(), "__qualname__", "").startswith("RequestHandler.")
    }
    assert leaked == set()
    await poller.aclose()
    await poller.aclose()
    assert poller.closed


async def test_cancel_during_fetch_keeps_only_what_was_handed_out_and_asked_past(
    fake: FakeIletiMerkezi, client: im.Client
) -> None:
    first = add(fake, 1)
    store = im.MemoryCursor()
    poller = client.inbox.poll(cursor=store)
    assert (await poller.__anext__()).id == first[0]
    second = add(fake, 1, start=1)
    fake.stall("get-inbox", 30.0, times=1)
    fake.requests.clear()
    task = asyncio.create_task(poller.__anext__())
    for _ in range(500):
        if fake.requests:
            break
        await asyncio.sleep(0.01)
    assert fake.requests
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert json.loads(store.token or "")["seen"] == first
    async with client.inbox.poll(cursor=store) as again:
        assert await take(again, 1) == second


async def test_aclose_from_another_task_ends_a_waiting_loop(
    fake: FakeIletiMerkezi,
    client: im.Client,
    clock: PollClock,
) -> None:
    clock.stuck = True
    poller = client.inbox.poll()

    async def consume() -> list[str]:
        return [m.id async for m in poller]

    task = asyncio.create_task(consume())
    await asyncio.wait_for(clock.sleeping.wait(), 5)
    await poller.aclose()
    assert await asyncio.wait_for(task, 5) == []
    assert not task.cancelled()


async def test_aclose_does_not_swallow_an_outside_cancel(
    fake: FakeIletiMerkezi,
    client: im.Client,
    clock: PollClock,
) -> None:
    clock.stuck = True
    poller = client.inbox.poll()
    task = asyncio.create_task(poller.__anext__())
    await asyncio.wait_for(clock.sleeping.wait(), 5)
    task.cancel()
    await poller.aclose()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_concurrent_iteration_is_refused(
    fake: FakeIletiMerkezi, client: im.Client, clock: PollClock
) -> None:
    clock.stuck = True
    poller = client.inbox.poll()
    task = asyncio.create_task(poller.__anext__())
    await asyncio.wait_for(clock.sleeping.wait(), 5)
    with pytest.raises(RuntimeError, match="already being iterated"):
        await poller.__anext__()
    await poller.aclose()
    with pytest.raises(StopAsyncIteration):
        await task


# ---------------------------------------------------------------- the cursor


async def test_bounded_memory_uses_the_numeric_horizon(
    fake: FakeIletiMerkezi,
    client: im.Client,
    clock: PollClock,
) -> None:
    ids = add(fake, 6)
    store = im.MemoryCursor()
    poller = im.InboxPoller(client.inbox.list, cursor=store, clock=clock, memory=3)
    assert await take(poller, 6) == ids
    await poller.commit()
    token = json.loads(store.token or "")
    assert token == {"v": 1, "last_id": ids[-1], "seen": ids[-3:]}
    more = add(fake, 1, start=6)
    # The three forgotten ids are below the horizon, so they are not redelivered.
    again = im.InboxPoller(client.inbox.list, cursor=store, clock=clock, memory=3)
    assert await take(again, 1) == more
    assert again.last_id == ids[-1]


# ----------------------------------------------------------- keyword helpers


def msg(text: str) -> im.InboundMessage:
    return im.InboundMessage(
        id="1", received_at=T0, sender="7889", number="+905000000000", text=text
    )


@pytest.mark.parametrize(
    ("text", "keyword", "expected"),
    [
        ("ILT AHKTEST RET", "RET", True),
        ("  ret  ", "RET", True),
        ("ILT AHKTEST RET.", "ret", True),
        ("İPTAL", "iptal", True),
        ("ILT ACME ıptal", "İPTAL", True),
        ("ÇIKIŞ", "cikis", True),
        ("RETRO", "RET", False),
        ("RET lütfen", "RET", False),
        ("", "RET", False),
        ("RET", "", False),
        ("ILT KAMPANYA DUR", "kampanya dur", True),
    ],
)
def test_matches(text: str, keyword: str, expected: bool) -> None:
    assert msg(text).matches(keyword) is expected


def test_keyword_and_opt_out_helpers() -> None:
    assert msg("ILT AHKTEST RET").keyword == "ret"
    assert msg("ILT ACME İPTAL!").keyword == "iptal"
    assert msg("  ...  ").keyword is None
    assert msg("ILT AHKTEST RET").is_opt_out()
    assert msg("stop").is_opt_out()
    assert not msg("EVET").is_opt_out()
    assert msg("ILT ACME EVET").is_opt_out(("EVET",))
    assert msg("ILT ACME EVET").matches_any(["HAYIR", "Evet"]) == "Evet"
    assert msg("ILT ACME EVET").matches_any(["HAYIR"]) is None


_WORD = st.text(alphabet="ABCÇDEFGĞHIİJKLMNOÖPRSŞTUÜVYZabcçğıiöşü0123456789", min_size=1)


@given(prefix=st.lists(_WORD, max_size=3), keyword=_WORD, case=st.sampled_from(["upper", "lower"]))
def test_any_carrier_prefix_keeps_the_keyword(prefix: list[str], keyword: str, case: str) -> None:
    text = " ".join([*prefix, keyword])
    text = text.upper() if case == "upper" else text.lower()
    assert msg(f"  {text} ").matches(keyword)
    assert msg(text).keyword == fold_words(keyword)[-1]


# ------------------------------------------------------------------ edges (issue 11)


async def test_a_fresh_store_counts_and_logs_what_the_first_answer_could_not_carry(
    fake: FakeIletiMerkezi, client: im.Client, caplog: pytest.LogCaptureFixture
) -> None:
    ids = add(fake, 1005)
    poller = client.inbox.poll()
    with caplog.at_level(logging.WARNING, logger="iletimerkezi_async.inbox"):
        got = await take(poller, 1000)
    assert got == ids[5:]  # get-inbox carries the newest 1,000 and has no paging
    assert poller.possibly_missed == 5
    assert poller.total == 1005
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("holds 1005 messages" in w and "up to 5 older" in w for w in warnings)
    await poller.aclose()


async def test_skip_existing_misses_nothing_it_would_deliver(
    fake: FakeIletiMerkezi, client: im.Client, clock: PollClock
) -> None:
    add(fake, 1005)
    later: list[str] = []
    clock.hook = lambda n: later.extend(add(fake, 1, start=2000)) if n == 1 else None
    skipping = client.inbox.poll(skip_existing=True)
    assert await take(skipping, 1) == later
    assert skipping.possibly_missed == 0
    await skipping.aclose()


async def test_a_permanently_unreadable_answer_ends_the_poll_after_five(
    fake: FakeIletiMerkezi, client: im.Client, clock: PollClock
) -> None:
    add(fake, 1)
    fake.malform("get-inbox", "invalid_json", times=100)
    poller = client.inbox.poll(interval=1, max_interval=8)
    with pytest.raises(im.ResponseFormatError, match="not JSON"):
        await take(poller, 1)
    assert len(fake.sent_requests("get-inbox")) == im.MAX_UNREADABLE == 5
    assert clock.sleeps == [1, 2, 4, 8]  # it backed off between them, then gave up
    with pytest.raises(StopAsyncIteration):
        await poller.__anext__()


async def test_unreadable_answers_that_heal_do_not_end_the_poll(
    fake: FakeIletiMerkezi, client: im.Client
) -> None:
    ids = add(fake, 1)
    fake.malform("get-inbox", "invalid_json", times=4)
    poller = client.inbox.poll(interval=1, max_interval=8)
    assert await take(poller, 1) == ids
    assert len(fake.sent_requests("get-inbox")) == 5
    await poller.aclose()


def test_max_unreadable_is_checked_before_polling(client: im.Client) -> None:
    for bad in (0, -1, True, 2.5):
        with pytest.raises(im.InvalidRequestError, match="max_unreadable"):
            client.inbox.poll(max_unreadable=bad)  # type: ignore[arg-type]
