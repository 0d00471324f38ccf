"""Fault injection as a raw aiohttp client sees it."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
import pytest

from iletimerkezi_async.errors import CODES
from iletimerkezi_async.testing import FakeIletiMerkezi

from .conftest import Api


def send_body(api: Api, text: str = "Merhaba") -> dict[str, Any]:
    return api.body(
        order={
            "sender": "APITEST",
            "iys": "0",
            "message": {"text": text, "receipents": {"number": ["5051234567"]}},
        }
    )


async def raw_post(api: Api, endpoint: str, payload: Any, **kw: Any) -> tuple[int, str, bytes]:
    async with api.session.post(f"{api.fake.url}/v1/{endpoint}/json", json=payload, **kw) as r:
        return r.status, r.content_type, await r.read()


# ----------------------------------------------------------------- fail


async def test_fail_answers_envelope_before_processing(api: Api, fake: FakeIletiMerkezi) -> None:
    fake.fail("send-sms", times=2)
    for _ in range(2):
        status, body = await api.post("send-sms", send_body(api))
        assert status == 503
        assert body == {"response": {"status": {"code": 503, "message": CODES[503].message}}}
    assert len(fake.account.orders) == 0
    assert await api.send_code() == 200
    assert [(r.fault, r.processed, r.status) for r in fake.requests] == [
        ("fail:503", False, 503),
        ("fail:503", False, 503),
        (None, True, 200),
    ]


@pytest.mark.parametrize(
    "path", ["send-sms", "/v1/send-sms/json", "send-sms/json", "v1/send-sms/json", "/send-sms"]
)
async def test_path_spellings(api: Api, fake: FakeIletiMerkezi, path: str) -> None:
    fake.fail(path, 500)
    status, body = await api.post("send-sms", send_body(api))
    assert status == 500
    assert body["response"]["status"] == {"code": 500, "message": "Internal Server Error"}


async def test_fail_other_endpoints_and_codes(api: Api, fake: FakeIletiMerkezi) -> None:
    fake.fail("consent/create", 401)
    fake.fail("/v1/consent/show/json", 422)
    assert await api.code("consent/create") == 401
    assert await api.code("consent/show") == 422
    assert await api.code("get-balance") == 200


async def test_retry_after_header(api: Api, fake: FakeIletiMerkezi) -> None:
    fake.fail("get-balance", 503, retry_after=2)
    async with api.session.post(f"{fake.url}/v1/get-balance/json", json=api.body()) as r:
        assert r.status == 503
        assert r.headers["Retry-After"] == "2"


@pytest.mark.fake_iletimerkezi(legacy_types=True)
async def test_legacy_fail_on_send_has_string_code(api: Api, fake: FakeIletiMerkezi) -> None:
    fake.fail("send-sms")
    assert (await api.send())["status"]["code"] == "503"


async def test_wildcard_and_priority(api: Api, fake: FakeIletiMerkezi) -> None:
    fake.fail("*", 502, times=2)
    fake.fail("get-sender", 504)
    assert await api.code("get-sender") == 504
    assert await api.code("get-inbox") == 502
    assert await api.code("get-sender") == 502
    assert await api.code("get-sender") == 200


async def test_faults_apply_in_queue_order(api: Api, fake: FakeIletiMerkezi) -> None:
    fake.fail("get-balance", 500)
    fake.malform("get-balance", "empty")
    fake.fail("get-balance", 502)
    assert fake.pending_faults("get-balance") == 3
    assert (await raw_post(api, "get-balance", api.body()))[0] == 500
    assert (await raw_post(api, "get-balance", api.body()))[2] == b""
    assert (await raw_post(api, "get-balance", api.body()))[0] == 502
    assert fake.pending_faults("get-balance") == 0


async def test_reset_faults(api: Api, fake: FakeIletiMerkezi) -> None:
    fake.fail("get-balance", times=5)
    fake.options.fault_rate = 1.0
    fake.latency = 0.01
    fake.reset_faults()
    assert fake.options.fault_rate == 0.0
    assert fake.latency == 0.01
    assert await api.code("get-balance") == 200


def test_bad_fault_arguments(fake: FakeIletiMerkezi) -> None:
    with pytest.raises(ValueError, match="unknown endpoint"):
        fake.fail("send")
    with pytest.raises(ValueError, match="4xx"):
        fake.fail("send-sms", 200)
    with pytest.raises(ValueError, match="times"):
        fake.fail("send-sms", times=0)
    with pytest.raises(ValueError, match="malform"):
        fake.malform("send-sms", "bogus")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="when"):
        fake.drop("send-sms", when="middle")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="seconds"):
        fake.stall("send-sms", -1)


# ----------------------------------------------------------------- drop


async def test_drop_before_does_not_process(api: Api, fake: FakeIletiMerkezi) -> None:
    fake.drop("send-sms")
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await api.post("send-sms", send_body(api))
    assert len(fake.account.orders) == 0
    record = fake.requests[-1]
    assert (record.fault, record.processed, record.status) == ("drop:before", False, None)
    assert await api.send_code() == 200


async def test_drop_after_processes(api: Api, fake: FakeIletiMerkezi) -> None:
    fake.drop("send-sms", when="after", times=2)
    for text in ("bir", "iki"):
        with pytest.raises(aiohttp.ServerDisconnectedError):
            await api.post("send-sms", send_body(api, text))
    assert len(fake.account.orders) == 2
    assert [(r.fault, r.processed, r.status) for r in fake.requests] == [
        ("drop:after", True, None),
        ("drop:after", True, None),
    ]
    assert await api.send_code(text="bir") == 451


# ----------------------------------------------------------------- malform


async def test_malform_html_is_unprocessed_500(api: Api, fake: FakeIletiMerkezi) -> None:
    fake.malform("send-sms", "html")
    status, content_type, body = await raw_post(api, "send-sms", send_body(api))
    assert (status, content_type) == (500, "text/html")
    assert body.startswith(b"<html>")
    assert len(fake.account.orders) == 0


async def test_malform_html_after_is_processed_500(api: Api, fake: FakeIletiMerkezi) -> None:
    fake.malform("send-sms", "html_after")
    status, content_type, _ = await raw_post(api, "send-sms", send_body(api))
    assert (status, content_type) == (500, "text/html")
    assert len(fake.account.orders) == 1


async def test_malform_invalid_json(api: Api, fake: FakeIletiMerkezi) -> None:
    fake.malform("send-sms", "invalid_json")
    status, content_type, body = await raw_post(api, "send-sms", send_body(api))
    assert (status, content_type, body) == (200, "application/json", b'{"response": {')
    with pytest.raises(json.JSONDecodeError):
        json.loads(body)
    assert len(fake.account.orders) == 1


async def test_malform_truncated(api: Api, fake: FakeIletiMerkezi) -> None:
    fake.malform("get-balance", "truncated")
    status, content_type, body = await raw_post(api, "get-balance", api.body())
    assert (status, content_type) == (200, "application/json")
    full = json.dumps(
        {
            "response": {
                "status": {"code": 200, "message": "İşlem başarılı"},
                "balance": {"amount": 1000.0, "sms": 10000},
            }
        },
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()
    assert body == full[: len(full) // 2]
    with pytest.raises(json.JSONDecodeError):
        json.loads(body)


async def test_malform_empty(api: Api, fake: FakeIletiMerkezi) -> None:
    fake.malform("send-sms", "empty")
    assert await raw_post(api, "send-sms", send_body(api)) == (200, "application/json", b"")
    assert len(fake.account.orders) == 1


async def test_malform_wrong_content_type_is_still_valid_json(
    api: Api, fake: FakeIletiMerkezi
) -> None:
    fake.malform("send-sms", "wrong_content_type")
    status, content_type, body = await raw_post(api, "send-sms", send_body(api))
    assert (status, content_type) == (200, "text/plain")
    parsed = json.loads(body)
    assert parsed["response"]["order"]["id"] in fake.account.orders


async def test_malform_wrong_content_type_keeps_error_status(
    api: Api, fake: FakeIletiMerkezi
) -> None:
    fake.malform("get-report", "wrong_content_type")
    status, content_type, body = await raw_post(api, "get-report", api.body(order={"id": 1}))
    assert (status, content_type) == (455, "text/plain")
    assert json.loads(body)["response"]["status"]["code"] == 455


# ----------------------------------------------------------------- stall and latency


async def test_stall_then_answer(api: Api, fake: FakeIletiMerkezi) -> None:
    fake.stall("get-balance", 0.2)
    loop = asyncio.get_running_loop()
    began = loop.time()
    assert await api.code("get-balance") == 200
    assert loop.time() - began >= 0.2
    assert fake.requests[-1].fault == "stall:before"


async def test_stall_before_with_client_timeout_is_not_processed(
    api: Api, fake: FakeIletiMerkezi
) -> None:
    fake.stall("send-sms", 0.3)
    with pytest.raises(asyncio.TimeoutError):
        await raw_post(api, "send-sms", send_body(api), timeout=aiohttp.ClientTimeout(total=0.05))
    await asyncio.sleep(0.4)
    assert len(fake.account.orders) == 0
    assert fake.requests[-1].status is None
    assert fake.requests[-1].processed is False


async def test_stall_after_with_client_timeout_is_processed(
    api: Api, fake: FakeIletiMerkezi
) -> None:
    fake.stall("send-sms", 0.3, when="after")
    with pytest.raises(asyncio.TimeoutError):
        await raw_post(api, "send-sms", send_body(api), timeout=aiohttp.ClientTimeout(total=0.05))
    assert len(fake.account.orders) == 1
    await asyncio.sleep(0.4)
    assert fake.requests[-1].status is None


async def test_latency_applies_to_every_answer(api: Api, fake: FakeIletiMerkezi) -> None:
    fake.latency = 0.15
    with pytest.raises(asyncio.TimeoutError):
        await raw_post(api, "get-balance", api.body(), timeout=aiohttp.ClientTimeout(total=0.05))
    loop = asyncio.get_running_loop()
    began = loop.time()
    async with api.session.post(f"{fake.url}/nope", json={}) as r:
        assert r.status == 404
    assert loop.time() - began >= 0.15
    fake.latency = 0.0
    assert await api.code("get-balance") == 200


# ----------------------------------------------------------------- random faults


async def _statuses(seed: int, session: aiohttp.ClientSession) -> list[int]:
    async with FakeIletiMerkezi(seed=seed, fault_rate=0.5) as fake:
        api = Api(fake, session)
        return [(await api.post("get-balance", api.body()))[0] for _ in range(40)]


async def test_fault_rate_is_seeded(session: aiohttp.ClientSession) -> None:
    first = await _statuses(7, session)
    assert first == await _statuses(7, session)
    assert set(first) == {200, 503}
    assert first != await _statuses(8, session)


async def test_fault_rate_zero_and_one(api: Api, fake: FakeIletiMerkezi) -> None:
    fake.options.fault_rate = 1.0
    assert await api.code("get-sender") == 503
    assert len(fake.account.orders) == 0
    assert await api.send_code() == 503
    assert len(fake.account.orders) == 0
    fake.options.fault_rate = 0.0
    assert await api.send_code() == 200
