"""The ``/_fake/…`` control API, over real loopback HTTP with a raw aiohttp client."""

from __future__ import annotations

import socket
from typing import Any

import aiohttp
import pytest

from iletimerkezi_async import _endpoints
from iletimerkezi_async.testing import FakeIletiMerkezi
from iletimerkezi_async.testing._control import is_loopback

from .conftest import Api

SEND = _endpoints.SEND_SMS.name
INBOX = _endpoints.GET_INBOX.name


async def control(
    session: aiohttp.ClientSession, fake: FakeIletiMerkezi, name: str, payload: Any = None
) -> tuple[int, dict[str, Any]]:
    url = f"{fake.url}/_fake/{name}"
    if payload is None:
        async with session.get(url) as response:
            return response.status, await response.json()
    async with session.post(url, json=payload) as response:
        return response.status, await response.json()


async def test_inbound_adds_a_message_the_inbox_lists(
    fake: FakeIletiMerkezi, session: aiohttp.ClientSession, api: Api
) -> None:
    status, body = await control(
        session, fake, "inbound", {"text": "evet", "number": "+905051234567"}
    )
    assert status == 200
    [message] = fake.account.inbound
    assert message.id == body["id"]
    assert (message.text, message.sender, message.number) == ("evet", "7889", "+905051234567")
    response = await api.call(INBOX)
    assert response["status"]["code"] == 200


async def test_orders_seeds_finished_orders_within_the_days(
    fake: FakeIletiMerkezi, session: aiohttp.ClientSession
) -> None:
    status, body = await control(session, fake, "orders", {"count": 25, "days": 3})
    assert status == 200
    assert len(body["ids"]) == 25
    now = fake.account.now()
    for order_id in body["ids"]:
        order = fake.account.orders[order_id]
        assert order.historical
        assert 0 <= (now - order.submitted_at).total_seconds() <= 3 * 86_400 + 5
        assert order.status in (113, 114, 115)


async def test_fail_queues_a_fault_the_next_request_gets(
    fake: FakeIletiMerkezi, session: aiohttp.ClientSession, api: Api
) -> None:
    status, body = await control(session, fake, "fail", {"path": SEND, "status": 502, "times": 2})
    assert (status, body) == (200, {"endpoint": SEND, "pending": 2})
    assert await api.send_code() == 502
    assert await api.send_code() == 502
    assert await api.send_code() == 200


async def test_requests_lists_the_log_with_credentials_starred(
    fake: FakeIletiMerkezi, session: aiohttp.ClientSession, api: Api
) -> None:
    await api.send_code()
    status, body = await control(session, fake, "requests")
    assert status == 200
    [record] = body["requests"]
    assert (record["endpoint"], record["method"], record["status"]) == (SEND, "POST", 200)
    assert record["processed"] is True
    assert record["body"]["request"]["authentication"] == {"key": "***", "hash": "***"}
    assert fake.options.api_key not in str(body)
    assert fake.options.api_hash not in str(body)


async def test_control_requests_are_not_logged_and_never_get_faults(
    fake: FakeIletiMerkezi, session: aiohttp.ClientSession
) -> None:
    fake.options.fault_rate = 1.0
    fake.fail("*", 500, times=5)
    for _ in range(3):
        status, _body = await control(session, fake, "requests")
        assert status == 200
    status, _body = await control(session, fake, "inbound", {"text": "x"})
    assert status == 200
    assert fake.requests == []
    assert fake.pending_faults("*") == 5


@pytest.mark.parametrize(
    ("name", "payload", "message"),
    [
        ("inbound", {}, "'text' is required"),
        ("inbound", {"text": 5}, "'text' must be a string"),
        ("inbound", {"text": "a", "numbr": "1"}, "unknown field(s) numbr; known: text"),
        ("orders", {"count": "3"}, "'count' must be an integer"),
        ("orders", {"count": True}, "'count' must be an integer"),
        ("orders", {"count": 0}, "'count' must be between 1"),
        ("orders", {"count": 1, "days": 0}, "'days' must be more than 0"),
        ("fail", {"path": "no-such"}, "unknown endpoint 'no-such'"),
        ("fail", {"path": SEND, "status": 200}, "4xx or 5xx"),
        ("fail", {"path": SEND, "times": 0}, "times must be at least 1"),
        ("fail", [SEND], "the body must be a JSON object"),
    ],
)
async def test_bad_fields_are_400_with_a_message(
    fake: FakeIletiMerkezi, session: aiohttp.ClientSession, name: str, payload: Any, message: str
) -> None:
    status, body = await control(session, fake, name, payload)
    assert status == 400
    assert message in body["error"]
    assert fake.pending_faults(SEND) == 0


async def test_a_body_that_is_not_json_is_400(
    fake: FakeIletiMerkezi, session: aiohttp.ClientSession
) -> None:
    async with session.post(f"{fake.url}/_fake/inbound", data=b"{nope") as response:
        assert response.status == 400
        assert "JSON object" in (await response.json())["error"]


async def test_unknown_control_endpoints_and_methods(
    fake: FakeIletiMerkezi, session: aiohttp.ClientSession
) -> None:
    status, body = await control(session, fake, "nothing", {})
    assert status == 404
    assert "/_fake/inbound" in body["error"]
    async with session.get(f"{fake.url}/_fake/inbound") as response:
        assert response.status == 405
        assert response.headers["Allow"] == "POST"
    assert fake.requests == []


@pytest.mark.parametrize("remote", ["127.0.0.1", "127.5.6.7", "::1", "::ffff:127.0.0.1", "::1%lo"])
def test_loopback_addresses_are_allowed(remote: str) -> None:
    assert is_loopback(remote)


@pytest.mark.parametrize(
    "remote", [None, "", "10.0.0.5", "192.168.1.2", "::ffff:10.0.0.1", "2001:db8::1", "host"]
)
def test_other_addresses_are_refused(remote: str | None) -> None:
    assert not is_loopback(remote)


def _local_non_loopback_ip() -> str | None:
    """This machine's address on its default route, if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: nothing is sent over UDP connect
        except OSError:
            return None
        address = str(probe.getsockname()[0])
    return None if address.startswith("127.") or address == "0.0.0.0" else address


async def test_a_non_loopback_client_gets_403() -> None:
    address = _local_non_loopback_ip()
    if address is None:
        pytest.skip("no non-loopback local address (the check is unit-tested above)")
    async with FakeIletiMerkezi(host="0.0.0.0") as fake, aiohttp.ClientSession() as session:
        async with session.post(
            f"http://{address}:{fake.port}/_fake/inbound", json={"text": "x"}
        ) as response:
            assert response.status == 403
            assert "loopback" in (await response.json())["error"]
        assert list(fake.account.inbound) == []
        async with session.get(f"http://127.0.0.1:{fake.port}/_fake/requests") as response:
            assert response.status == 200
