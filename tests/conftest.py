"""Shared fixtures: credentials that must never leak, and a client on aioresponses."""

from __future__ import annotations

import inspect
import types
from collections.abc import AsyncIterator, Iterator

import aiohttp
import aioresponses.core as aioresponses_core
import pytest
from aioresponses import aioresponses
from hypothesis import HealthCheck, settings

import iletimerkezi_async as im

# The secret guard scans every test's output for the key and hash (see its docstring).
pytest_plugins = ["pytester", "tests._secret_guard"]

# Property tests check behaviour, not speed: hypothesis' default 200 ms deadline
# is a wall-clock assertion that fails on a loaded CI machine, so it is off.
settings.register_profile(
    "iletimerkezi", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("iletimerkezi")

KEY = "k3y-SECRET-5e1f0c2a9b"
HASH = "h4sh-SECRET-77d0c3aa41"
BASE = "https://api.iletimerkezi.com"


if "stream_writer" in inspect.signature(aiohttp.ClientResponse.__init__).parameters:
    # aioresponses 0.7.9 predates aiohttp 3.14's required ``stream_writer``; hand it a
    # finished writer so the mock keeps working on the newest aiohttp.
    class _CompatResponse(aiohttp.ClientResponse):
        def __init__(self, *args: object, **kwargs: object) -> None:
            kwargs.setdefault("stream_writer", types.SimpleNamespace(output_size=0))
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    aioresponses_core.ClientResponse = _CompatResponse  # type: ignore[misc]


@pytest.fixture
def mocked() -> Iterator[aioresponses]:
    with aioresponses() as m:
        yield m


@pytest.fixture
async def client() -> AsyncIterator[im.Client]:
    """A client for aioresponses tests: no limiter, no retry delays."""
    async with im.Client(
        KEY,
        HASH,
        send_limiter=None,
        retry=im.RetryPolicy(attempts=3, base=0.0, cap=0.0),
        default_sender="ACME",
    ) as c:
        yield c
