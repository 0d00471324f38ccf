"""consent/create and consent/show, including the documented drift."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from iletimerkezi_async.testing import FakeIletiMerkezi

from .conftest import Api


def item(**over: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "recipient": "+905051234567",
        "recipientType": "BIREYSEL",
        "type": "MESAJ",
        "status": "ONAY",
        "source": "HS_WEB",
        "consentDate": "2026-01-07 23:50:00",
    }
    record.update(over)
    return {k: v for k, v in record.items() if v is not None}


async def create(api: Api, items: list[dict[str, Any]], brand: Any = 696422) -> int:
    return await api.code("consent/create", consent={"brandCode": brand, "list": items})


async def show(api: Api, **over: Any) -> dict[str, Any]:
    block: dict[str, Any] = {
        "brandCode": 696422,
        "recipient": "+905051234567",
        "recipientType": "BIREYSEL",
        "type": "MESAJ",
    }
    block.update(over)
    return await api.call("consent/show", consent=block)


async def test_create_then_show(api: Api, fake: FakeIletiMerkezi) -> None:
    response = await api.call(
        "consent/create", consent={"brandCode": "696422", "list": [item(recipient="5051234567")]}
    )
    assert response == {"status": {"code": 200, "message": "İşlem başarılı"}}
    body = await show(api, brandCode="696422", recipient="05051234567")
    assert body["consent"] == {
        "brandCode": 696422,
        "recipient": "+905051234567",
        "recipientType": "BIREYSEL",
        "type": "MESAJ",
        "status": "ONAY",
        "source": "HS_WEB",
        "consentDate": "2026-01-07 23:50:00",
    }
    record = fake.account.consents[("+905051234567", "BIREYSEL", "MESAJ")]
    assert record.consent_date == datetime.fromisoformat("2026-01-07T23:50:00+03:00")


async def test_last_write_wins_and_email(api: Api, fake: FakeIletiMerkezi) -> None:
    assert await create(api, [item(), item(status="RET", source="HS_KARAR")]) == 200
    assert (await show(api))["consent"]["status"] == "RET"
    mail = item(recipient="Ali@Example.com", type="EPOSTA")
    assert await create(api, [mail]) == 200
    body = await show(api, recipient="ali@example.COM", type="EPOSTA")
    assert body["consent"]["recipient"] == "ali@example.com"
    assert len(fake.account.consents) == 2


@pytest.mark.parametrize(
    "source",
    [
        "HS_FIZIKSEL_ORTAM",
        "HS_ISLAK_IMZA",
        "HS_WEB",
        "HS_CAGRI_MERKEZI",
        "HS_SOSYAL_MEDYA",
        "HS_EPOSTA",
        "HS_MESAJ",
        "HS_MOBIL",
        "HS_EORTAM",
        "HS_ETKINLIK",
        "HS_2015",
        "HS_ATM",
        "HS_KARAR",
    ],
)
async def test_every_documented_source(api: Api, source: str) -> None:
    assert await create(api, [item(source=source)]) == 200


@pytest.mark.parametrize(
    "bad",
    [
        {"recipient": "12345"},
        {"recipient": "not-an-email@"},
        {"recipient": None},
        {"recipientType": "KURUMSAL"},
        {"recipientType": "bireysel"},
        {"type": "SMS"},
        {"type": "EPOSTA"},
        {"recipient": "a@b.com"},
        {"status": "EVET"},
        {"source": "HS_UNKNOWN"},
        {"source": None},
        {"consentDate": "07/01/2026 23:50"},
        {"consentDate": "2026-01-07"},
        {"consentDate": None},
        {"consentDate": "2026-02-30 10:00:00"},
    ],
)
async def test_any_invalid_item_is_422_and_nothing_is_stored(
    api: Api, fake: FakeIletiMerkezi, bad: dict[str, Any]
) -> None:
    assert await create(api, [item(recipient="5321234567"), item(**bad)]) == 422
    assert len(fake.account.consents) == 0


async def test_tacir_may_omit_consent_date(api: Api, fake: FakeIletiMerkezi) -> None:
    assert await create(api, [item(recipientType="TACIR", consentDate=None)]) == 200
    body = await show(api, recipientType="TACIR")
    stored = datetime.strptime(body["consent"]["consentDate"], "%Y-%m-%d %H:%M:%S")
    assert abs((fake.clock.now().replace(tzinfo=None) - stored).total_seconds()) < 5


@pytest.mark.parametrize("brand", [123, "123", "abc", None, True])
async def test_create_with_wrong_brand_is_422(api: Api, brand: Any) -> None:
    assert await create(api, [item()], brand=brand) == 422


async def test_create_list_size(api: Api) -> None:
    assert await create(api, []) == 422
    assert await api.code("consent/create", consent={"brandCode": 696422}) == 422
    assert await api.code("consent/create", consent={"brandCode": 696422, "list": {}}) == 422
    many = [item(recipient=f"505{i:07d}") for i in range(5001)]
    assert await create(api, many) == 422
    assert await create(api, many[:5000]) == 200


async def test_missing_consent_block_is_400(api: Api) -> None:
    assert await api.code("consent/create") == 400
    assert await api.code("consent/show") == 400


@pytest.mark.fake_iletimerkezi(iys_subscription=False)
async def test_no_subscription_is_403(api: Api) -> None:
    assert await create(api, [item()]) == 403
    assert (await show(api))["status"]["code"] == 403
    assert await api.code("consent/create") == 403


async def test_show_without_any_record_is_422(api: Api) -> None:
    assert (await show(api))["status"]["code"] == 422


async def test_show_drift_tacir_mesaj_is_empty_list(api: Api) -> None:
    assert await create(api, [item()]) == 200
    body = await show(api, recipientType="TACIR")
    assert body["status"]["code"] == 200
    assert body["consent"] == []
    assert (await show(api, type="ARAMA"))["status"]["code"] == 422
    assert (await show(api, recipientType="TACIR", type="ARAMA"))["status"]["code"] == 422


async def test_show_invalid_brand_is_empty_list(api: Api) -> None:
    assert await create(api, [item()]) == 200
    for brand in (1, "abc", None):
        body = await show(api, brandCode=brand)
        assert body["status"]["code"] == 200
        assert body["consent"] == []


@pytest.mark.parametrize(
    "bad", [{"recipient": "123"}, {"recipientType": "X"}, {"type": "SMS"}, {"recipient": None}]
)
async def test_show_invalid_values_are_422(api: Api, bad: dict[str, Any]) -> None:
    assert await create(api, [item()]) == 200
    assert (await show(api, **bad))["status"]["code"] == 422


@pytest.mark.fake_iletimerkezi(brand_code=111)
async def test_configured_brand_code(api: Api) -> None:
    assert await create(api, [item()], brand=111) == 200
    assert (await show(api, brandCode=111))["consent"]["brandCode"] == 111


def test_add_consent_hook(fake: FakeIletiMerkezi) -> None:
    record = fake.account.add_consent(
        "5051234567", status="RET", consent_date=datetime(2025, 12, 10)
    )
    assert record.recipient == "+905051234567"
    assert fake.account.consents[("+905051234567", "BIREYSEL", "MESAJ")] is record
    with pytest.raises(ValueError, match="consent"):
        fake.account.add_consent("5051234567", source="NOPE")
