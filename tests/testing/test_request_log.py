"""fake.requests: arrival time, path equality, parsed body, answered status."""

from __future__ import annotations

import time

from iletimerkezi_async.testing import FakeIletiMerkezi, RecordedRequest

from .conftest import Api


async def test_requests_are_recorded(api: Api, fake: FakeIletiMerkezi) -> None:
    before = time.monotonic()
    await api.send_id()
    await api.call("get-report", order={"id": 1})
    async with api.session.post(f"{fake.url}/v1/get-balance/json", data=b"{oops") as r:
        assert r.status == 400
    async with api.session.get(f"{fake.url}/elsewhere") as r:
        assert r.status == 404
    after = time.monotonic()

    assert len(fake.requests) == 4
    send, report, broken, other = fake.requests
    assert all(isinstance(r, RecordedRequest) for r in fake.requests)
    assert before <= send.time <= report.time <= broken.time <= other.time <= after
    assert send.method == "POST"
    assert send.endpoint == "send-sms"
    assert send.body["request"]["order"]["sender"] == "APITEST"
    assert send.headers["content-type"].startswith("application/json")
    assert (send.status, report.status, broken.status, other.status) == (200, 455, 400, 404)
    assert broken.body is None
    assert broken.raw == b"{oops"
    assert other.endpoint is None
    assert other.method == "GET"
    assert "test-hash" not in repr(send)
    assert "test-key" not in repr(send)
    assert "***" in repr(send)


async def test_path_is_the_endpoint_name(api: Api, fake: FakeIletiMerkezi) -> None:
    await api.send_id()
    await api.call("consent/show", consent={})
    async with api.session.get(f"{fake.url}/elsewhere"):
        pass
    path = fake.requests[0].path
    assert type(path) is str
    assert path == "send-sms"
    assert path != "/v1/send-sms/json"
    assert path in {"send-sms"}
    assert hash(path) == hash("send-sms")
    assert fake.requests[1].path == "consent/show"
    assert fake.requests[2].path == "/elsewhere"
    assert fake.requests[2].endpoint is None
    assert [r.path for r in fake.requests[:2]] == ["send-sms", "consent/show"]


async def test_sent_requests(api: Api, fake: FakeIletiMerkezi) -> None:
    await api.call("get-balance")
    await api.send_id()
    await api.call("get-balance")
    async with api.session.post(f"{fake.url}/nope", json={}):
        pass
    assert len(fake.sent_requests("get-balance")) == 2
    assert len(fake.sent_requests("/v1/get-balance/json")) == 2
    assert [r.endpoint for r in fake.sent_requests("*")] == [
        "get-balance",
        "send-sms",
        "get-balance",
    ]
    assert fake.sent_requests("get-inbox") == []


async def test_log_can_be_cleared(api: Api, fake: FakeIletiMerkezi) -> None:
    await api.call("get-balance")
    fake.requests.clear()
    await api.call("get-sender")
    assert [r.endpoint for r in fake.requests] == ["get-sender"]
