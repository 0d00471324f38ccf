"""Start/close, the plugin fixture and the standalone runner."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import aiohttp
import pytest

from iletimerkezi_async.testing import FakeIletiMerkezi

from .conftest import Api

ROOT = Path(__file__).resolve().parents[2]


async def test_start_and_close_are_idempotent(session: aiohttp.ClientSession) -> None:
    fake = FakeIletiMerkezi()
    with pytest.raises(RuntimeError):
        _ = fake.url
    await fake.start()
    url = fake.url
    await fake.start()
    assert fake.url == url
    assert fake.running
    assert await Api(fake, session).code("get-balance") == 200
    await fake.close()
    await fake.close()
    assert not fake.running
    with pytest.raises(RuntimeError):
        _ = fake.url
    with pytest.raises(aiohttp.ClientConnectionError):
        async with session.post(url + "/v1/get-balance/json", json={}):
            pass


async def test_restart_keeps_state(session: aiohttp.ClientSession) -> None:
    async with FakeIletiMerkezi() as fake:
        await Api(fake, session).send_id()
    async with fake:
        assert len(fake.account.orders) == 1
        assert await Api(fake, session).code("get-balance") == 200


async def test_two_fakes_get_different_ports() -> None:
    async with FakeIletiMerkezi() as a, FakeIletiMerkezi() as b:
        assert a.url != b.url


async def test_close_cancels_a_stalled_request(session: aiohttp.ClientSession) -> None:
    fake = FakeIletiMerkezi()
    await fake.start()
    fake.stall("get-balance", 30)
    api = Api(fake, session)
    task = asyncio.create_task(api.post("get-balance", api.body()))
    for _ in range(500):
        if fake.requests:
            break
        await asyncio.sleep(0.01)
    await asyncio.wait_for(fake.close(), 5)
    with pytest.raises(aiohttp.ClientError):
        await task


async def test_plugin_fixture_yields_a_started_fake(fake_iletimerkezi: FakeIletiMerkezi) -> None:
    assert isinstance(fake_iletimerkezi, FakeIletiMerkezi)
    assert fake_iletimerkezi.running
    assert fake_iletimerkezi.options.api_key == "test-key"


@pytest.mark.fake_iletimerkezi(sms_credits=7, legacy_types=True, api_key="abc")
async def test_plugin_marker_passes_options(fake_iletimerkezi: FakeIletiMerkezi) -> None:
    assert fake_iletimerkezi.account.sms_credits == 7
    assert fake_iletimerkezi.options.legacy_types
    assert fake_iletimerkezi.options.api_key == "abc"


async def test_client_factory_uses_the_fake(fake: FakeIletiMerkezi) -> None:
    client = fake.client(default_sender="APITEST")
    try:
        assert type(client).__name__ == "Client"
    finally:
        await client.close()


def test_plugin_imports_without_pytest_asyncio() -> None:
    code = textwrap.dedent(
        """
        import sys
        sys.modules["pytest_asyncio"] = None
        import iletimerkezi_async.testing.plugin as p
        assert not hasattr(p, "fake_iletimerkezi"), "fixture defined without pytest-asyncio"
        assert callable(p.pytest_configure)
        print("ok")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
async def test_main_runner_serves_until_terminated(
    session: aiohttp.ClientSession, stop_signal: signal.Signals
) -> None:
    port = _free_port()
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "iletimerkezi_async.testing",
        "--port",
        str(port),
        "--key",
        "runner-key-123",
        "--hash",
        "runner-hash-secret",
        "--legacy-types",
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        line = (await asyncio.wait_for(proc.stdout.readline(), 30)).decode()
        url = f"http://127.0.0.1:{port}"
        assert url in line
        assert "runner-hash-secret" not in line
        assert "runner-key-123" not in line
        assert "ru**********23" in line
        payload = {
            "request": {"authentication": {"key": "runner-key-123", "hash": "runner-hash-secret"}}
        }
        async with session.post(f"{url}/v1/get-balance/json", json=payload) as r:
            assert r.status == 200
            body = json.loads(await r.text())
        assert body["response"]["balance"] == {"amount": "1000", "sms": "10000"}
    finally:
        if proc.returncode is None:
            proc.send_signal(stop_signal)
        out, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0, err.decode()
    assert b"runner-hash-secret" not in out + err


def test_main_runner_reports_a_busy_port() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "iletimerkezi_async.testing", "--port", str(port)],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 1
    assert "cannot start the fake server" in result.stderr
