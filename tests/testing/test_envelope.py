"""Envelope, routing and authentication, common to every endpoint."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from iletimerkezi_async.errors import CODES
from iletimerkezi_async.testing import FakeIletiMerkezi

from .conftest import Api

ALL = [
    "send-sms",
    "cancel-order",
    "get-report",
    "get-reports",
    "get-balance",
    "get-sender",
    "get-blacklist",
    "add-blacklist",
    "delete-blacklist",
    "consent/create",
    "consent/show",
    "get-inbox",
]


async def test_success_envelope(api: Api) -> None:
    async with api.session.post(f"{api.fake.url}/v1/get-balance/json", json=api.body()) as r:
        assert r.status == 200
        assert r.content_type == "application/json"
        body = await r.json()
    assert body["response"]["status"] == {"code": 200, "message": "İşlem başarılı"}


@pytest.mark.parametrize("endpoint", ALL)
@pytest.mark.parametrize(
    "auth",
    [
        {"key": "wrong", "hash": "test-hash"},
        {"key": "test-key", "hash": "wrong"},
        {"key": "test-key"},
        {},
        None,
    ],
)
async def test_wrong_credentials_are_401_everywhere(
    api: Api, endpoint: str, auth: dict[str, str] | None
) -> None:
    payload = {"request": {"authentication": auth}} if auth is not None else {"request": {}}
    status, body = await api.post(endpoint, payload)
    assert status == 401
    assert body == {"response": {"status": {"code": 401, "message": "Üyelik bilgileri hatalı"}}}


@pytest.mark.parametrize("flag", ["api_access", "ip_allowed"])
async def test_access_flags_give_401(flag: str, session: aiohttp.ClientSession) -> None:
    options: dict[str, Any] = {flag: False}
    async with FakeIletiMerkezi(**options) as fake:
        api = Api(fake, session)
        assert await api.code("get-balance") == 401
        setattr(fake.options, flag, True)
        assert await api.code("get-balance") == 200
        setattr(fake.options, flag, False)
        assert await api.code("get-balance") == 401


async def test_custom_credentials(session: aiohttp.ClientSession) -> None:
    async with FakeIletiMerkezi("k", "h") as fake:
        api = Api(fake, session)
        assert await api.code("get-balance") == 200
        assert await api.code("get-balance", auth={"key": "test-key", "hash": "test-hash"}) == 401


@pytest.mark.parametrize(
    "path",
    [
        "/v1/nope/json",
        "/v1/send-sms",
        "/v1/get-balance",
        "/",
        "/v1/get-group/json",
        "/v2/get-balance/json",
    ],
)
async def test_unknown_path_is_404_envelope(api: Api, path: str) -> None:
    async with api.session.post(api.fake.url + path, json=api.body()) as r:
        assert r.status == 404
        body = await r.json()
    assert body["response"]["status"] == {"code": 404, "message": CODES[404].message}


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH"])
async def test_non_post_is_404(api: Api, method: str) -> None:
    async with api.session.request(method, f"{api.fake.url}/v1/get-balance/json") as r:
        assert r.status == 404
        body = await r.json()
    assert body["response"]["status"]["code"] == 404


@pytest.mark.parametrize(
    "raw", [b"", b"{", b"not json", b"\xff\xfe", b"[]", b'"x"', b"{}", b'{"request": []}']
)
async def test_unparseable_or_structureless_body_is_400(api: Api, raw: bytes) -> None:
    async with api.session.post(
        f"{api.fake.url}/v1/get-balance/json",
        data=raw,
        headers={"Content-Type": "application/json"},
    ) as r:
        assert r.status == 400
        body = await r.json()
    assert body["response"]["status"] == {"code": 400, "message": CODES[400].message}


async def test_400_comes_before_auth(api: Api) -> None:
    status, _ = await api.post("send-sms", {"authentication": {"key": "x"}})
    assert status == 400


async def test_error_envelopes_hold_status_only(api: Api) -> None:
    response = await api.call("get-report", order={"id": 1})
    assert set(response) == {"status"}
    assert response["status"] == {"code": 455, "message": CODES[455].message}


@pytest.mark.fake_iletimerkezi(legacy_types=True)
async def test_legacy_string_codes_only_on_send_and_cancel(api: Api) -> None:
    assert (await api.send())["status"]["code"] == "200"
    assert (await api.call("cancel-order", order={"id": 1}))["status"]["code"] == "455"
    assert (await api.call("get-balance"))["status"]["code"] == 200
    assert (await api.call("get-report", order={"id": 1}))["status"]["code"] == 455


async def test_url_shape(fake: FakeIletiMerkezi) -> None:
    assert fake.url.startswith("http://127.0.0.1:")
    assert not fake.url.endswith("/")
    assert "/v1" not in fake.url
    assert fake.port > 0
