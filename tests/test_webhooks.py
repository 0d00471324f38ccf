"""Delivery-report webhooks: the parser and the aiohttp app over real loopback."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from iletimerkezi_async import webhooks
from iletimerkezi_async.errors import WebhookPayloadError
from iletimerkezi_async.models import DeliveryReport, DeliveryStatus

GOLDEN = Path(__file__).parent / "fixtures" / "golden"
NUMBER = "+905051234567"
TEXT = "Message text"
TOKEN = "s3cret-Token_123"
URL = f"/iletimerkezi/webhook/{TOKEN}"

EXPECTED = DeliveryReport(
    message_id=1599558518,
    order_id="104525848",
    status=DeliveryStatus.ACCEPTED,
    to=NUMBER,
    body=TEXT,
)


def golden(era: str) -> bytes:
    return (GOLDEN / era / "webhook.json").read_bytes()


def event(message_id: int = 1599558518, status: str = "accepted", **extra: Any) -> dict[str, Any]:
    report = {
        "id": message_id,
        "packet_id": 104525848,
        "status": status,
        "to": NUMBER,
        "body": TEXT,
    }
    report.update(extra)
    return {"report": report}


# --------------------------------------------------------------------------- parse


@pytest.mark.parametrize("era", ["2026", "legacy"])
def test_parse_golden_bytes_str_mapping(era: str) -> None:
    raw = golden(era)
    assert webhooks.parse(raw) == EXPECTED
    assert webhooks.parse(raw.decode()) == EXPECTED
    assert webhooks.parse(json.loads(raw)) == EXPECTED
    assert webhooks.handle(raw) == EXPECTED


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("accepted", DeliveryStatus.ACCEPTED),
        ("delivered", DeliveryStatus.DELIVERED),
        ("undelivered", DeliveryStatus.UNDELIVERED),
    ],
)
def test_parse_statuses(status: str, expected: DeliveryStatus) -> None:
    assert webhooks.parse(event(status=status)).status is expected


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"\xff\xfe",
        "[1, 2]",
        "null",
        '"text"',
        json.dumps({"rapor": event()["report"]}),
        json.dumps({"report": [1]}),
        json.dumps({"report": None}),
        json.dumps(event(status=None)),  # type: ignore[arg-type]
        json.dumps(event(status=True)),  # type: ignore[arg-type]
        json.dumps(event(message_id=-1)),
        json.dumps(event(id="abc")),
        json.dumps(event(packet_id="")),
        json.dumps(event(to=None)),
        json.dumps(event(body=5)),
        json.dumps({"report": {"id": 1, "status": "delivered", "to": NUMBER, "body": TEXT}}),
        42,
    ],
)
def test_parse_refuses_without_leaking(body: Any) -> None:
    with pytest.raises(WebhookPayloadError) as info:
        webhooks.parse(body)
    message = str(info.value)
    assert NUMBER not in message
    assert "5051234567" not in message
    assert TEXT not in message


def test_handle_refuses() -> None:
    with pytest.raises(WebhookPayloadError):
        webhooks.handle(b"{}")


# --------------------------------------------------------------------------- create_app


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"token": ""}, "token"),
        ({"token": "x", "path": "/hook"}, "token"),
        ({"token": "x", "path": "/a/{token}/{token}"}, "token"),
    ],
)
def test_create_app_validates(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        webhooks.create_app(lambda r: None, **kwargs)


Factory = Callable[..., Any]


@pytest.fixture
async def make_client() -> AsyncIterator[Factory]:
    clients: list[TestClient[Any, Any]] = []

    async def make(on_report: Any, **kwargs: Any) -> TestClient[Any, Any]:
        kwargs.setdefault("token", TOKEN)
        client: TestClient[Any, Any] = TestClient(
            TestServer(webhooks.create_app(on_report, **kwargs), host="127.0.0.1")
        )
        await client.start_server()
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.close()


async def test_good_post_sync_callback(make_client: Factory) -> None:
    got: list[DeliveryReport] = []
    client = await make_client(got.append)
    resp = await client.post(URL, data=golden("2026"), headers={"Content-Type": "application/json"})
    assert resp.status == 200
    assert await resp.json() == {"ok": True}
    assert got == [EXPECTED]


async def test_good_post_async_callback_legacy(make_client: Factory) -> None:
    got: list[DeliveryReport] = []

    async def on_report(report: DeliveryReport) -> None:
        await asyncio.sleep(0)
        got.append(report)

    client = await make_client(on_report)
    resp = await client.post(URL, data=golden("legacy"))
    assert resp.status == 200
    assert got == [EXPECTED]


async def test_duplicate_not_delivered_twice(make_client: Factory) -> None:
    got: list[DeliveryReport] = []
    client = await make_client(got.append)
    for _ in range(3):
        resp = await client.post(URL, json=event())
        assert resp.status == 200
    resp = await client.post(URL, json=event(status="delivered"))
    assert resp.status == 200
    assert [r.status for r in got] == [DeliveryStatus.ACCEPTED, DeliveryStatus.DELIVERED]


async def test_accepted_after_final_not_delivered(make_client: Factory) -> None:
    got: list[DeliveryReport] = []
    client = await make_client(got.append)
    assert (await client.post(URL, json=event(7, "undelivered"))).status == 200
    resp = await client.post(URL, json=event(7, "accepted"))
    assert resp.status == 200
    assert await resp.json() == {"ok": True}
    # another message's accepted still goes through
    assert (await client.post(URL, json=event(8, "accepted"))).status == 200
    assert [(r.message_id, r.status) for r in got] == [
        (7, DeliveryStatus.UNDELIVERED),
        (8, DeliveryStatus.ACCEPTED),
    ]


async def test_state_is_per_app(make_client: Factory) -> None:
    got: list[DeliveryReport] = []
    one = await make_client(got.append)
    two = await make_client(got.append)
    assert (await one.post(URL, json=event())).status == 200
    assert (await two.post(URL, json=event())).status == 200
    assert len(got) == 2


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/iletimerkezi/webhook/wrong-token"),
        ("POST", f"/iletimerkezi/webhook/{TOKEN}x"),
        ("POST", "/iletimerkezi/webhook/"),
        ("POST", f"/other/{TOKEN}"),
        ("POST", "/"),
        ("GET", URL),
        ("PUT", URL),
        ("GET", "/anything"),
    ],
)
async def test_not_found(make_client: Factory, method: str, path: str) -> None:
    got: list[DeliveryReport] = []
    client = await make_client(got.append)
    resp = await client.request(method, path, json=event())
    assert resp.status == 404
    assert got == []


async def test_custom_path(make_client: Factory) -> None:
    got: list[DeliveryReport] = []
    client = await make_client(got.append, token="abc", path="/hooks/{token}/sms")
    assert (await client.post("/hooks/abc/sms", json=event())).status == 200
    assert (await client.post("/hooks/abd/sms", json=event())).status == 404
    assert (await client.post("/iletimerkezi/webhook/abc", json=event())).status == 404
    assert len(got) == 1


async def test_oversized(make_client: Factory) -> None:
    got: list[DeliveryReport] = []
    client = await make_client(got.append, max_body=200)
    big = json.dumps(event(body="x" * 500)).encode()
    resp = await client.post(URL, data=big)
    assert resp.status == 413

    async def chunked() -> AsyncIterator[bytes]:
        for i in range(0, len(big), 50):
            yield big[i : i + 50]

    # no Content-Length: the read size is checked
    resp = await client.post(URL, data=chunked())
    assert resp.status == 413
    assert got == []


@pytest.mark.parametrize(
    "data",
    [b"not json", b"[]", json.dumps({"report": {"id": 1}}).encode(), b""],
)
async def test_bad_request(make_client: Factory, data: bytes) -> None:
    got: list[DeliveryReport] = []
    client = await make_client(got.append)
    resp = await client.post(URL, data=data)
    assert resp.status == 400
    assert got == []


async def test_bad_shape_does_not_echo_number(make_client: Factory) -> None:
    client = await make_client(lambda r: None)
    resp = await client.post(URL, json=event(status=["weird"]))  # type: ignore[arg-type]
    assert resp.status == 400
    text = await resp.text()
    assert NUMBER not in text
    assert TEXT not in text


async def test_handler_error_then_retry(
    make_client: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    got: list[DeliveryReport] = []
    calls = 0

    async def on_report(report: DeliveryReport) -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError(f"db down while storing {report.to} {report.body}")
        got.append(report)

    client = await make_client(on_report)
    with caplog.at_level(logging.ERROR, logger="iletimerkezi_async.webhooks"):
        resp = await client.post(URL, json=event(status="delivered"))
    assert resp.status == 500
    assert "RuntimeError" in caplog.text
    assert NUMBER not in caplog.text
    assert TEXT not in caplog.text

    resp = await client.post(URL, json=event(status="delivered"))
    assert resp.status == 200
    assert [r.status for r in got] == [DeliveryStatus.DELIVERED]
    assert calls == 2
    # now recorded: a third copy is a duplicate
    assert (await client.post(URL, json=event(status="delivered"))).status == 200
    assert calls == 2


async def test_concurrent_distinct_reports(make_client: Factory) -> None:
    got: list[int] = []

    async def on_report(report: DeliveryReport) -> None:
        await asyncio.sleep(0.01)
        got.append(report.message_id)

    client = await make_client(on_report)
    responses = await asyncio.gather(
        *(client.post(URL, json=event(message_id=i)) for i in range(200))
    )
    assert [r.status for r in responses] == [200] * 200
    for r in responses:
        r.release()
    assert sorted(got) == list(range(200))


async def test_concurrent_same_event_delivered_once(make_client: Factory) -> None:
    calls = 0

    async def on_report(report: DeliveryReport) -> None:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.05)

    client = await make_client(on_report)
    responses = await asyncio.gather(*(client.post(URL, json=event()) for _ in range(10)))
    assert [r.status for r in responses] == [200] * 10
    for r in responses:
        r.release()
    assert calls == 1


# --------------------------------------------------------------------------- hostile ids, new statuses


@pytest.mark.parametrize("message_id", [-1, "-1599558518", -(10**17)])
def test_parse_refuses_a_negative_id(message_id: object) -> None:
    with pytest.raises(WebhookPayloadError, match=r"webhook: id: .*negative"):
        webhooks.parse(event(message_id=message_id))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("wire", "raw"),
    [("expired", "expired"), ("unknown", "unknown"), (" Rejected ", " Rejected "), (113, "113")],
)
def test_parse_keeps_an_unknown_status_as_unknown_with_its_raw_value(
    wire: object, raw: str
) -> None:
    report = webhooks.parse(event(status=wire))  # type: ignore[arg-type]
    assert report.status is DeliveryStatus.UNKNOWN
    assert report.raw_status == raw
    assert not report.status.is_final


def test_known_status_keeps_its_raw_value_too() -> None:
    assert webhooks.parse(event(status="DELIVERED")).raw_status == "DELIVERED"
    assert webhooks.parse(event(status=112)).raw_status == "112"  # type: ignore[arg-type]
    assert EXPECTED.raw_status == "accepted"  # the default is the status's value


def test_raw_status_repr_never_shows_a_number_or_a_long_text() -> None:
    assert "raw_status='expired'" in repr(webhooks.parse(event(status="expired")))
    for hostile in (NUMBER, "5051234567", "x" * 500, TEXT + " " + NUMBER):
        text = repr(webhooks.parse(event(status=hostile)))
        assert NUMBER not in text and "5051234567" not in text and "x" * 40 not in text


async def test_negative_id_is_a_400(make_client: Factory) -> None:
    got: list[DeliveryReport] = []
    client = await make_client(got.append)
    resp = await client.post(URL, json=event(message_id=-7))
    assert resp.status == 400
    assert "id" in (await resp.json())["error"]
    assert got == []


async def test_unknown_status_reaches_on_report_with_its_raw_value(
    make_client: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    got: list[DeliveryReport] = []
    client = await make_client(got.append)
    with caplog.at_level(logging.WARNING, logger="iletimerkezi_async.webhooks"):
        resp = await client.post(URL, json=event(7, "expired"))
    assert resp.status == 200
    assert await resp.json() == {"ok": True}
    assert [(r.message_id, r.status, r.raw_status) for r in got] == [
        (7, DeliveryStatus.UNKNOWN, "expired")
    ]
    assert "unknown status" in caplog.text and "'expired'" in caplog.text
    assert NUMBER not in caplog.text and TEXT not in caplog.text


async def test_unknown_statuses_are_told_apart_by_their_raw_value(make_client: Factory) -> None:
    got: list[DeliveryReport] = []
    client = await make_client(got.append)
    for status in ("expired", "expired", "rejected", "delivered", "expired", "accepted"):
        assert (await client.post(URL, json=event(7, status))).status == 200
    # Each new raw status is handed over once; a final status still blocks a late accepted.
    assert [r.raw_status for r in got] == ["expired", "rejected", "delivered"]
