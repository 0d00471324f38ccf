"""CLI tests: a real fake server on loopback in its own thread, and CliRunner.

The commands run ``asyncio.run`` themselves, so the tests are synchronous and
the fake server lives on an event loop in a background thread; ``fake.call``
runs a function on that loop to seed or read its state without racing it.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine, Iterator
from typing import Any, TypeVar

import pytest
from click.testing import CliRunner, Result

import iletimerkezi_async as im
from iletimerkezi_async.cli import _options
from iletimerkezi_async.cli._app import app
from iletimerkezi_async.testing import FakeIletiMerkezi

T = TypeVar("T")

# Distinctive, so a leak anywhere in captured output is unmistakable.
KEY = "cliKEY-9f3a7c1e5b-SECRETK"
HASH = "cliHASH-2d8e4b6a0c-SECRETH"


class ThreadedFake:
    """A ``FakeIletiMerkezi`` served from a background thread's event loop."""

    def __init__(self, **options: Any) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

        async def make() -> FakeIletiMerkezi:
            fake = FakeIletiMerkezi(KEY, HASH, **options)
            await fake.start()
            return fake

        self.fake = self.run(make())
        self.url = self.fake.url

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=60)

    def call(self, fn: Callable[..., T], *args: Any, **kw: Any) -> T:
        """``fn(*args, **kw)`` on the server's loop (state is only touched from there)."""

        async def on_loop() -> T:
            return fn(*args, **kw)

        return self.run(on_loop())

    def close(self) -> None:
        self.run(self.fake.close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


@pytest.fixture
def fake_options() -> dict[str, Any]:
    """Constructor options of ``fake``; a test overrides this fixture to change them."""
    return {"senders": ("APITEST", "ACME"), "rate_limit": None}


@pytest.fixture
def fake(fake_options: dict[str, Any]) -> Iterator[ThreadedFake]:
    server = ThreadedFake(**fake_options)
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(autouse=True)
def _quick_and_clean(monkeypatch: pytest.MonkeyPatch) -> None:
    """No inherited ILETIMERKEZI_* settings, no retry pauses, stdin not a terminal."""
    for name in (
        "ILETIMERKEZI_API_KEY",
        "ILETIMERKEZI_API_HASH",
        "ILETIMERKEZI_BASE_URL",
        "ILETIMERKEZI_SENDER",
        "ILETIMERKEZI_BRAND_CODE",
        "ILETIMERKEZI_WEBHOOK_TOKEN",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(_options, "RETRY", im.RetryPolicy(attempts=2, base=0.0, cap=0.0))
    monkeypatch.setattr(_options, "stdin_is_tty", lambda: False)


@pytest.fixture
def tty(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pretend a person sits at stdin, so ``send`` and ``iys register`` ask first."""
    monkeypatch.setattr(_options, "stdin_is_tty", lambda: True)


def _runner() -> CliRunner:
    try:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]  # click < 8.2
    except TypeError:
        return CliRunner()


Invoke = Callable[..., Result]


@pytest.fixture
def cli(fake: ThreadedFake) -> Invoke:
    """Run ``iletimerkezi ARGS...`` against ``fake`` with credentials in the environment."""

    def invoke(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
        environment = {
            "ILETIMERKEZI_API_KEY": KEY,
            "ILETIMERKEZI_API_HASH": HASH,
            "ILETIMERKEZI_BASE_URL": fake.url,
        }
        environment.update(env or {})
        return _runner().invoke(app, list(args), input=input, env=environment)

    return invoke


@pytest.fixture
def bare() -> Invoke:
    """Run the command with no server and no credentials (only what the test passes)."""

    def invoke(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
        return _runner().invoke(app, list(args), input=input, env=env or {})

    return invoke
