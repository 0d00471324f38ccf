"""The runnable examples in examples/, exercised against the fake over real loopback HTTP.

examples/ is not a package: each script is loaded from its file path, and the
command-line entry points are run as real subprocesses.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import importlib.util
import os
import re
import signal
import socket
import sys
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import aiohttp
import pytest
import uvicorn
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

import iletimerkezi_async as im
from iletimerkezi_async.testing import FakeIletiMerkezi, VirtualClock

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
FAST = im.RetryPolicy(attempts=3, base=0.0, cap=0.0)
TOKEN = "wh-7Qm2xV9pLr4sT8nB1cZ6"
HOOK = f"/iletimerkezi/webhook/{TOKEN}"
PHONE = "+905051234567"


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"examples_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


aiohttp_app = load("aiohttp_app")
fastapi_app = load("fastapi_app")
export_quarter = load("export_quarter")
inbox_bot = load("inbox_bot")


# --------------------------------------------------------------------- helpers


def recipients(request: Any) -> list[tuple[str, str]]:
    """(number, text) pairs of one recorded send-sms request."""
    message = request.body["request"]["order"]["message"]
    parts = message if isinstance(message, list) else [message]
    return [(n, p["text"]) for p in parts for n in p["receipents"]["number"]]


def sent_code(fake: FakeIletiMerkezi, order_id: str) -> str:
    """The OTP as the phone would show it: read from the order the fake stored."""
    (text,) = fake.account.orders[order_id].submitted_texts
    match = re.search(r"\b(\d{6})\b", text)
    assert match is not None, text
    return match[1]


def other_code(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def report(message_id: int, order_id: str, status: str) -> dict[str, Any]:
    return {
        "report": {
            "id": message_id,
            "packet_id": int(order_id),
            "status": status,
            "to": PHONE,
            "body": "x",
        }
    }


@contextlib.asynccontextmanager
async def uvicorn_server(app: Any) -> AsyncIterator[str]:
    """Serve an ASGI app with uvicorn on a free loopback port, inside this loop."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, lifespan="on", log_level="warning"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        async with asyncio.timeout(10):  # a hang guard, not a timing assertion
            while not server.started:
                if task.done():
                    await task  # startup failed: raise its error
                    raise AssertionError("uvicorn exited before starting")
                await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()


async def wait_for_line(stream: asyncio.StreamReader, prefix: str) -> str:
    async with asyncio.timeout(30):
        while line := (await stream.readline()).decode():
            if line.startswith(prefix):
                return line
    raise AssertionError(f"the example never printed {prefix!r}")


def example_env(fake: FakeIletiMerkezi) -> dict[str, str]:
    return {
        **os.environ,
        "ILETIMERKEZI_BASE_URL": fake.url,
        "ILETIMERKEZI_API_KEY": fake.options.api_key,
        "ILETIMERKEZI_API_HASH": fake.options.api_hash,
    }


# ------------------------------------------------------------------ aiohttp app


def make_aiohttp_app(fake: FakeIletiMerkezi, sender: str = "ACME") -> Any:
    return aiohttp_app.create_app(
        client_factory=lambda: fake.client(retry=FAST), webhook_token=TOKEN, sender=sender
    )


@pytest.mark.fake_iletimerkezi(
    senders=["APITEST", "ACME"], webhook_duplicates=1.0, webhook_reorder=True, seed=7
)
async def test_aiohttp_app_sends_verifies_and_records_delivery(
    fake_iletimerkezi: FakeIletiMerkezi,
) -> None:
    fake = fake_iletimerkezi
    async with TestClient(TestServer(make_aiohttp_app(fake))) as http:
        resp = await http.post("/otp", json={"phone": "0505 123 45 67"})
        assert resp.status == 201
        order_id = (await resp.json())["order_id"]
        (send,) = fake.sent_requests("send-sms")
        assert [n for n, _ in recipients(send)] == [PHONE]
        assert send.body["request"]["order"]["iys"] == "0"  # an OTP is transactional
        code = sent_code(fake, order_id)

        resp = await http.post("/otp/verify", json={"phone": PHONE, "code": other_code(code)})
        assert (resp.status, (await resp.json())["error"]) == (400, "wrong_code")
        resp = await http.post("/otp/verify", json={"phone": "5051234567", "code": code})
        assert (resp.status, await resp.json()) == (200, {"verified": True})
        resp = await http.post("/otp/verify", json={"phone": PHONE, "code": code})
        assert resp.status == 400  # one use only

        assert (await http.get(f"/orders/{order_id}/deliveries")).status == 404
        # Both events due at once, each posted twice and shuffled: a final status
        # may arrive before "accepted", and every event arrives again.
        fake.advance(5)
        fake.options.webhook_url = str(http.make_url(HOOK))
        await fake.deliver_webhooks()
        posts = [d for d in fake.webhook_deliveries if d.event.order_id == order_id]
        assert sorted(d.event.status for d in posts) == [
            "accepted",
            "accepted",
            "delivered",
            "delivered",
        ]
        assert all(d.delivered and d.status == 200 for d in posts)
        resp = await http.get(f"/orders/{order_id}/deliveries")
        body = await resp.json()
        message_id = posts[0].event.message_id
        assert body == {"order_id": order_id, "messages": {str(message_id): "delivered"}}


async def test_aiohttp_app_refuses_bad_input_without_sending(
    fake_iletimerkezi: FakeIletiMerkezi,
) -> None:
    fake = fake_iletimerkezi
    # OtpService checks the sender when the app starts, before any request.
    runner = web.AppRunner(make_aiohttp_app(fake, sender="BAD SENDER!"))
    try:
        with pytest.raises(im.ConfigurationError, match="sender"):
            await runner.setup()
    finally:
        await runner.cleanup()
    async with TestClient(TestServer(make_aiohttp_app(fake))) as http:
        resp = await http.post("/otp", json={"phone": "0212 123 45 67"})  # a landline
        assert (resp.status, (await resp.json())["error"]) == (400, "invalid_phone")
        resp = await http.post("/otp", data=b"not json")
        assert resp.status == 400
        # Abroad is refused by OtpService (SMS pumping) before any request.
        resp = await http.post("/otp", json={"phone": "+447911123456"})
        assert (resp.status, await resp.json()) == (
            400,
            {"error": "invalid_request", "field": "number"},
        )
        # Nothing was sent, so there is nothing to verify.
        resp = await http.post("/otp/verify", json={"phone": PHONE, "code": "000000"})
        assert (resp.status, (await resp.json())["error"]) == (400, "wrong_code")
    assert fake.sent_requests("send-sms") == []


@pytest.mark.fake_iletimerkezi(senders=["APITEST", "ACME"])
async def test_aiohttp_app_never_resends_when_the_outcome_is_unknown(
    fake_iletimerkezi: FakeIletiMerkezi,
) -> None:
    fake = fake_iletimerkezi
    fake.drop("send-sms", when="after")  # the order is created, the answer is lost
    async with TestClient(TestServer(make_aiohttp_app(fake))) as http:
        resp = await http.post("/otp", json={"phone": PHONE})
        assert (resp.status, (await resp.json())["status"]) == (202, "unknown")
        assert len(fake.sent_requests("send-sms")) == 1  # not retried by the SDK
        resp = await http.post("/otp", json={"phone": PHONE})
        assert (resp.status, (await resp.json())["error"]) == (429, "too_soon")
        assert len(fake.sent_requests("send-sms")) == 1  # nor by the app
        # The SMS did go out; its code still works.
        (order_id,) = fake.account.orders
        code = sent_code(fake, order_id)
        resp = await http.post("/otp/verify", json={"phone": PHONE, "code": code})
        assert resp.status == 200


async def test_aiohttp_app_webhook_is_secret_and_never_downgrades(
    fake_iletimerkezi: FakeIletiMerkezi,
) -> None:
    async with TestClient(TestServer(make_aiohttp_app(fake_iletimerkezi))) as http:
        wrong = await http.post("/iletimerkezi/webhook/guess", json=report(1, "100", "delivered"))
        assert wrong.status == 404
        assert (await http.get(HOOK)).status == 404
        assert (await http.post(HOOK, data=b'{"report": {"id": 1}}')).status == 400
        for status in ("delivered", "accepted", "delivered"):
            assert (await http.post(HOOK, json=report(1, "100", status))).status == 200
        body = await (await http.get("/orders/100/deliveries")).json()
        assert body["messages"] == {"1": "delivered"}


async def test_aiohttp_app_script_runs_with_embedded_fake(tmp_path: Path) -> None:
    log = (tmp_path / "stderr.log").open("wb")
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        str(EXAMPLES / "aiohttp_app.py"),
        "--fake",
        "--port",
        "0",
        stdout=asyncio.subprocess.PIPE,
        stderr=log,
    )
    try:
        assert proc.stdout is not None
        line = await wait_for_line(proc.stdout, "listening on ")
        url = line.split()[2].rstrip(";")
        async with aiohttp.ClientSession() as http:
            async with http.post(f"{url}/otp", json={"phone": PHONE}) as resp:
                assert resp.status == 201
                order_id = (await resp.json())["order_id"]
            # The embedded fake reports delivery to the app by itself.
            async with asyncio.timeout(30):
                while True:
                    async with http.get(f"{url}/orders/{order_id}/deliveries") as resp:
                        if (
                            resp.status == 200
                            and "delivered" in (await resp.json())["messages"].values()
                        ):
                            break
                    await asyncio.sleep(0.05)
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGINT)  # Ctrl-C: a graceful stop
        await proc.wait()
        log.close()
    assert proc.returncode == 0, (tmp_path / "stderr.log").read_text()


# ------------------------------------------------------------------ FastAPI app


def make_fastapi_app(fake: FakeIletiMerkezi) -> Any:
    return fastapi_app.create_app(
        client_factory=lambda: fake.client(retry=FAST), webhook_token=TOKEN, sender="ACME"
    )


@pytest.mark.fake_iletimerkezi(senders=["APITEST", "ACME"], undeliverable=[PHONE])
async def test_fastapi_app_sends_verifies_and_records_delivery(
    fake_iletimerkezi: FakeIletiMerkezi,
) -> None:
    fake = fake_iletimerkezi
    app = make_fastapi_app(fake)
    async with uvicorn_server(app) as url, aiohttp.ClientSession(url) as http:
        fake.options.webhook_url = url + HOOK
        async with http.post("/otp", json={"phone": "905051234567"}) as resp:
            assert resp.status == 201
            order_id = (await resp.json())["order_id"]
        (send,) = fake.sent_requests("send-sms")
        assert [n for n, _ in recipients(send)] == [PHONE]
        code = sent_code(fake, order_id)
        async with http.post("/otp/verify", json={"phone": PHONE, "code": other_code(code)}) as r:
            assert r.status == 400
        async with http.post("/otp/verify", json={"phone": PHONE, "code": code}) as r:
            assert (r.status, await r.json()) == (200, {"verified": True})

        fake.advance(5)
        await fake.deliver_webhooks()
        posts = [d for d in fake.webhook_deliveries if d.event.order_id == order_id]
        assert sorted(d.event.status for d in posts) == ["accepted", "undelivered"]
        assert all(d.delivered for d in posts)
        async with http.get(f"/orders/{order_id}/deliveries") as r:
            body = await r.json()
        assert body["messages"] == {str(posts[0].event.message_id): "undelivered"}
    # The lifespan closed the client it owned.
    assert app.state.client.closed


async def test_fastapi_app_webhook_checks_token_body_and_repeats(
    fake_iletimerkezi: FakeIletiMerkezi,
) -> None:
    app = make_fastapi_app(fake_iletimerkezi)
    async with uvicorn_server(app) as url, aiohttp.ClientSession(url) as http:

        async def post(path: str, **kw: Any) -> int:
            async with http.post(path, **kw) as resp:
                return resp.status

        assert await post("/iletimerkezi/webhook/guess", json=report(1, "7", "delivered")) == 404
        async with http.get(HOOK) as resp:
            assert resp.status == 404
        assert await post(HOOK, data=b"[]") == 400
        assert await post(HOOK, data=b"{") == 400
        assert (
            await post(HOOK, json={"report": {**report(1, "7", "read")["report"], "status": None}})
            == 400
        )
        # A status the SDK does not know is handed over as UNKNOWN, not refused (issue 11).
        assert await post(HOOK, json=report(1, "7", "read")) == 200
        assert await post(HOOK, data=b"x" * 70_000) == 413
        for status in ("accepted", "undelivered", "undelivered", "accepted"):
            assert await post(HOOK, json=report(1, "7", status)) == 200
        async with http.get("/orders/7/deliveries") as resp:
            assert (await resp.json())["messages"] == {"1": "undelivered"}
        async with http.get("/openapi.json") as resp:
            assert "webhook" not in await resp.text()


@pytest.mark.fake_iletimerkezi(senders=["APITEST", "ACME"])
async def test_fastapi_app_never_resends_when_the_outcome_is_unknown(
    fake_iletimerkezi: FakeIletiMerkezi,
) -> None:
    fake = fake_iletimerkezi
    fake.drop("send-sms", when="after")
    async with uvicorn_server(make_fastapi_app(fake)) as url, aiohttp.ClientSession(url) as http:
        async with http.post("/otp", json={"phone": PHONE}) as resp:
            assert (resp.status, (await resp.json())["status"]) == (202, "unknown")
        async with http.post("/otp", json={"phone": PHONE}) as resp:
            assert resp.status == 429
        async with http.post("/otp", json={"phone": "0212 123 45 67"}) as resp:
            assert resp.status == 400
    assert len(fake.sent_requests("send-sms")) == 1
    assert len(fake.account.orders) == 1


async def test_fastapi_app_script_runs_with_embedded_fake(tmp_path: Path) -> None:
    log = (tmp_path / "stderr.log").open("wb")
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        str(EXAMPLES / "fastapi_app.py"),
        "--fake",
        "--port",
        "0",
        stdout=asyncio.subprocess.PIPE,
        stderr=log,
    )
    try:
        assert proc.stdout is not None
        line = await wait_for_line(proc.stdout, "listening on ")
        url = line.split()[2].rstrip(";")
        async with (
            aiohttp.ClientSession() as http,
            http.post(f"{url}/otp", json={"phone": PHONE}) as resp,
        ):
            assert resp.status == 201
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGINT)  # Ctrl-C: a graceful stop
        await proc.wait()
        log.close()
    assert proc.returncode == 0, (tmp_path / "stderr.log").read_text()


# ---------------------------------------------------------------- export_quarter

Q1 = (date(2026, 1, 1), date(2026, 3, 31))


def seed_q1(fake: FakeIletiMerkezi) -> list[str]:
    """Orders on the quarter's edges, in busy and empty windows; others just outside."""
    fake.add_order(datetime(2025, 12, 31, 23, 59))
    times = [datetime(2026, 1, 1, 0, 0)]
    times += [datetime(2026, 1, 3, 8, 0) + timedelta(hours=5 * i) for i in range(40)]
    # nothing from 2026-01-12 to 2026-02-20: whole windows are empty
    times += [datetime(2026, 2, 21, 12, 0) + timedelta(days=i) for i in range(38)]
    times += [datetime(2026, 3, 31, 23, 59)] * 2
    ids = fake.add_orders(times, recipients=3)
    fake.add_order(datetime(2026, 4, 1, 0, 0))
    return ids


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_quarter_bounds() -> None:
    assert export_quarter.quarter("2026Q1") == Q1
    assert export_quarter.quarter("2024q4") == (date(2024, 10, 1), date(2024, 12, 31))
    with pytest.raises(ValueError, match="quarter"):
        export_quarter.quarter("2026Q5")


@pytest.mark.fake_iletimerkezi(reports_page_size=7)
async def test_export_quarter_writes_exactly_the_seeded_orders(
    fake_iletimerkezi: FakeIletiMerkezi, tmp_path: Path
) -> None:
    ids = seed_q1(fake_iletimerkezi)
    out = tmp_path / "q1.csv"
    async with fake_iletimerkezi.client(retry=FAST) as client:
        result = await export_quarter.export(client, *Q1, out, concurrency=3)
    rows = csv_rows(out)
    assert [r["id"] for r in rows] == ids
    assert (result.rows, result.complete, result.resumed) == (len(ids), True, False)
    assert rows[0] == {
        "id": ids[0],
        "status": "114",
        "total": "3",
        "delivered": "3",
        "undelivered": "0",
        "waiting": "0",
        "submitted_at": "2026-01-01T00:00:00+03:00",
        "send_at": "2026-01-01T00:00:00+03:00",
        "sender": "APITEST",
    }
    assert not (tmp_path / "q1.csv.cursor").exists()  # done: nothing to resume


@pytest.mark.fake_iletimerkezi(reports_page_size=5)
async def test_export_quarter_resumes_where_it_stopped(
    fake_iletimerkezi: FakeIletiMerkezi, tmp_path: Path
) -> None:
    fake = fake_iletimerkezi
    ids = seed_q1(fake)
    out = tmp_path / "q1.csv"
    cursor_file = tmp_path / "q1.cursor"
    async with fake.client(retry=FAST) as client:
        first = await export_quarter.export(client, *Q1, out, cursor_file=cursor_file, max_pages=3)
        assert (first.rows, first.complete) == (15, False)
        assert [r["id"] for r in csv_rows(out)] == ids[:15]
        assert cursor_file.exists()
        # A crash half-way through writing the next page leaves a partial row behind.
        with out.open("ab") as f:
            f.write(b"100999999,114,3,3,0")
        fake.requests.clear()
        fake.fail("get-reports", status=503, times=2)  # transient: retried in place
        second = await export_quarter.export(
            client, *Q1, out, cursor_file=cursor_file, concurrency=2
        )
    assert [r["id"] for r in csv_rows(out)] == ids  # each order exactly once
    assert (second.resumed, second.complete, second.rows) == (True, True, len(ids) - 15)
    resumed_at = fake.sent_requests("get-reports")[0].body["request"]["filter"]
    assert (resumed_at["start"], resumed_at["page"]) == ("2026-01-01", 4)
    assert not cursor_file.exists()


async def test_export_quarter_refuses_another_ranges_checkpoint(
    fake_iletimerkezi: FakeIletiMerkezi, tmp_path: Path
) -> None:
    seed_q1(fake_iletimerkezi)
    out = tmp_path / "q.csv"
    async with fake_iletimerkezi.client(retry=FAST) as client:
        await export_quarter.export(client, *Q1, out, max_pages=1)
        with pytest.raises(ValueError, match="delete it"):
            await export_quarter.export(client, date(2026, 4, 1), date(2026, 6, 30), out)


async def test_export_quarter_script_against_a_fake_url(
    fake_iletimerkezi: FakeIletiMerkezi, tmp_path: Path
) -> None:
    ids = seed_q1(fake_iletimerkezi)
    out = tmp_path / "q1.csv"
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        str(EXAMPLES / "export_quarter.py"),
        "2026Q1",
        "--out",
        str(out),
        "--concurrency",
        "4",
        env=example_env(fake_iletimerkezi),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await proc.communicate()
    assert proc.returncode == 0, stderr.decode()
    assert f"{len(ids)} orders" in stdout.decode()
    assert [r["id"] for r in csv_rows(out)] == ids


# --------------------------------------------------------------------- inbox_bot


def replies(fake: FakeIletiMerkezi) -> list[tuple[str, str]]:
    """Recipients and texts of the sends the API accepted."""
    accepted = [r for r in fake.sent_requests("send-sms") if r.status == 200]
    return [pair for request in accepted for pair in recipients(request)]


@pytest.mark.fake_iletimerkezi(senders=["APITEST", "ACME"])
async def test_inbox_bot_answers_keywords_and_honours_opt_outs(
    fake_iletimerkezi: FakeIletiMerkezi, tmp_path: Path
) -> None:
    fake = fake_iletimerkezi
    fake.add_inbound("BAKIYE", sender="+905051110001")
    fake.add_inbound("ILT AHKTEST RET", sender="+905051110002")
    fake.add_inbound("  yardım ", sender="+905051110003")
    fake.add_inbound("merhaba", sender="+905051110004")
    fake.add_inbound("RET", sender="7889")  # a short code: nobody to answer or block
    cursor = im.FileCursor(tmp_path / "bot.cursor")

    async with fake.client(retry=FAST) as client:
        stats = await inbox_bot.run_bot(
            client,
            cursor=cursor,
            sender="ACME",
            max_messages=5,
            balances={"+905051110001": 42},
        )
    assert replies(fake) == [
        ("+905051110001", "Puan bakiyeniz: 42"),
        ("+905051110003", inbox_bot.HELP),
    ]
    assert "+905051110002" in fake.account.blacklist
    assert (stats.handled, stats.ignored, stats.opted_out) == (5, 2, ["+905051110002"])

    # A restart on the same cursor file sees only what is new. The opted-out
    # number asking for its balance gets no reply (the API refuses it).
    fake.add_inbound("BAKIYE", sender="+905051110002")
    fake.add_inbound("Bakiye", sender="+905051110005")
    async with fake.client(retry=FAST) as client:
        again = await inbox_bot.run_bot(client, cursor=cursor, sender="ACME", max_messages=2)
    assert again.replies == [("+905051110005", "BAKIYE")]
    assert (again.handled, again.ignored) == (2, 1)
    assert [n for n, _ in replies(fake)] == ["+905051110001", "+905051110003", "+905051110005"]

    # Nothing new: a third run polls, backs off while idle and ends on its stop event.
    stop = asyncio.Event()
    clock = VirtualClock(on_advance=lambda _s: stop.set() if len(clock.sleeps) == 3 else None)
    polls = len(fake.sent_requests("get-inbox"))
    async with fake.client(retry=FAST, clock=clock) as client:
        idle = await inbox_bot.run_bot(client, cursor=cursor, sender="ACME", stop=stop, interval=5)
    assert clock.sleeps == [5, 10, 20]
    assert len(fake.sent_requests("get-inbox")) - polls == 3
    assert idle.handled == 0
    assert len(replies(fake)) == 3


@pytest.mark.fake_iletimerkezi(senders=["APITEST", "ACME"])
async def test_inbox_bot_does_not_repeat_a_reply_after_a_crash(
    fake_iletimerkezi: FakeIletiMerkezi, tmp_path: Path
) -> None:
    fake = fake_iletimerkezi
    fake.add_inbound("YARDIM", sender="+905051110001")
    cursor = im.FileCursor(tmp_path / "bot.cursor")
    async with fake.client(retry=FAST) as client:
        bot = inbox_bot.Bot(client, sender="ACME")
        # A run that replied, then died before committing the message.
        async for msg in client.inbox.poll(cursor=cursor):
            await bot.handle(msg)
            break  # a bare break does not commit
        assert await cursor.load() is None
        again = await inbox_bot.run_bot(client, cursor=cursor, sender="ACME", max_messages=1)
    # Handled again (at-least-once), but the API's duplicate guard (451) stops a second SMS.
    assert again.handled == 1
    assert [r.status for r in fake.sent_requests("send-sms")] == [200, 451]
    assert len(fake.account.orders) == 1


async def test_inbox_bot_script_runs_with_embedded_fake(tmp_path: Path) -> None:
    cursor = tmp_path / "bot.cursor"
    command = [sys.executable, str(EXAMPLES / "inbox_bot.py"), "--fake", "--cursor-file"]
    proc = await asyncio.create_subprocess_exec(
        *command,
        str(cursor),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await proc.communicate()
    assert proc.returncode == 0, stderr.decode()
    assert "handled 3: 2 replied, 1 opted out, 0 ignored" in stdout.decode()
    assert '"last_id":"3"' in cursor.read_text()


async def test_export_of_the_current_quarter_stops_at_today(
    fake_iletimerkezi: FakeIletiMerkezi, tmp_path: Path
) -> None:
    """The quarter is not over yet: its future days are neither refused nor asked for."""
    async with fake_iletimerkezi.client(retry=FAST) as client:
        today = client.clock.now().date()
        spec = f"{today.year}Q{(today.month - 1) // 3 + 1}"
        start, end = export_quarter.quarter(spec)
        assert end >= today
        (order,) = fake_iletimerkezi.add_orders([datetime.combine(today, datetime.min.time())])
        out = tmp_path / "now.csv"
        result = await export_quarter.export(client, start, end, out, concurrency=2)
    assert [r["id"] for r in csv_rows(out)] == [order]
    assert result.complete
    ends = {r.body["request"]["filter"]["end"] for r in fake_iletimerkezi.requests}
    assert max(ends) == today.isoformat()
