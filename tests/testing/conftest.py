"""Helpers for the fake-server tests: a raw aiohttp caller, never the SDK client.

The ``fake_iletimerkezi`` fixture comes from the package's pytest plugin.  It
is normally registered through the ``pytest11`` entry point; when the package
is not installed (a plain checkout) the plugin is registered here instead,
exactly once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

import iletimerkezi_async.testing.plugin as fake_plugin
from iletimerkezi_async.testing import FakeIletiMerkezi


def pytest_configure(config: pytest.Config) -> None:
    if not config.pluginmanager.is_registered(fake_plugin):
        config.pluginmanager.register(fake_plugin, fake_plugin.__name__)


class Api:
    """Posts raw JSON to the fake and returns (HTTP status, parsed body)."""

    def __init__(self, fake: FakeIletiMerkezi, session: aiohttp.ClientSession) -> None:
        self.fake = fake
        self.session = session

    def body(self, auth: dict[str, Any] | None = None, **blocks: Any) -> dict[str, Any]:
        if auth is None:
            auth = {"key": self.fake.options.api_key, "hash": self.fake.options.api_hash}
        return {"request": {"authentication": auth, **blocks}}

    async def post(self, endpoint: str, payload: Any) -> tuple[int, dict[str, Any]]:
        async with self.session.post(f"{self.fake.url}/v1/{endpoint}/json", json=payload) as r:
            return r.status, await r.json(content_type=None)

    async def call(
        self, endpoint: str, *, auth: dict[str, Any] | None = None, **blocks: Any
    ) -> dict[str, Any]:
        """The response object; asserts HTTP status == body code."""
        status, body = await self.post(endpoint, self.body(auth, **blocks))
        code = body["response"]["status"]["code"]
        assert status == int(code), (status, body)
        response: dict[str, Any] = body["response"]
        return response

    async def code(self, endpoint: str, **blocks: Any) -> int:
        return int((await self.call(endpoint, **blocks))["status"]["code"])

    async def send(
        self,
        numbers: Any = ("5051234567",),
        text: Any = "Merhaba",
        *,
        sender: Any = "APITEST",
        **order: Any,
    ) -> dict[str, Any]:
        block: dict[str, Any] = {"sender": sender, "iys": "0"}
        block.update(order)
        if "message" not in block:
            block["message"] = {"text": text, "receipents": {"number": list(numbers)}}
        return await self.call("send-sms", order=block)

    async def send_code(self, *args: Any, **kw: Any) -> int:
        return int((await self.send(*args, **kw))["status"]["code"])

    async def send_id(self, *args: Any, **kw: Any) -> str:
        response = await self.send(*args, **kw)
        assert int(response["status"]["code"]) == 200, response
        order_id = response["order"]["id"]
        assert isinstance(order_id, str)
        return order_id


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as s:
        yield s


@pytest.fixture
def api(fake_iletimerkezi: FakeIletiMerkezi, session: aiohttp.ClientSession) -> Api:
    return Api(fake_iletimerkezi, session)


@pytest.fixture
def fake(fake_iletimerkezi: FakeIletiMerkezi) -> FakeIletiMerkezi:
    return fake_iletimerkezi
