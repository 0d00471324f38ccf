"""get-balance, get-sender and the three blacklist endpoints."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from iletimerkezi_async.testing import FakeIletiMerkezi

from .conftest import Api


async def test_balance(api: Api, fake: FakeIletiMerkezi) -> None:
    body = await api.call("get-balance")
    assert body["balance"] == {"amount": 1000.0, "sms": 10000}
    assert isinstance(body["balance"]["amount"], float)
    fake.account.balance = Decimal("10.584")
    await api.send_id(["5051234567", "5051234568"])
    assert (await api.call("get-balance"))["balance"] == {"amount": 10.584, "sms": 9998}


@pytest.mark.fake_iletimerkezi(legacy_types=True, balance="75.5", sms_credits=251)
async def test_legacy_balance_is_strings(api: Api) -> None:
    body = await api.call("get-balance")
    assert body["status"]["code"] == 200
    assert body["balance"] == {"amount": "75.5", "sms": "251"}


async def test_senders(api: Api, fake: FakeIletiMerkezi) -> None:
    assert (await api.call("get-sender"))["senders"] == {"sender": ["APITEST"]}
    fake.account.add_sender("eMarka Test")
    fake.account.add_sender("eMarka Test")
    assert (await api.call("get-sender"))["senders"] == {"sender": ["APITEST", "eMarka Test"]}
    assert fake.account.senders == ("APITEST", "eMarka Test")
    with pytest.raises(ValueError, match="sender"):
        fake.account.add_sender("")


@pytest.mark.fake_iletimerkezi(senders=())
async def test_new_account_lists_no_sender_but_apitest_works(api: Api) -> None:
    assert (await api.call("get-sender"))["senders"] == {"sender": []}
    assert await api.send_code(sender="APITEST") == 200


# ----------------------------------------------------------------- add / delete


@pytest.mark.parametrize(
    "number", ["5051234567", "905051234567", "+905051234567", "05051234567", "+90 505 123 45 67"]
)
async def test_add_blacklist_formats_and_idempotency(
    api: Api, fake: FakeIletiMerkezi, number: str
) -> None:
    assert await api.code("add-blacklist", blacklist={"number": number}) == 200
    blocked_at = fake.account.blacklist["+905051234567"]
    fake.advance(60)
    assert await api.code("add-blacklist", blacklist={"number": "5051234567"}) == 200
    assert dict(fake.account.blacklist) == {"+905051234567": blocked_at}


@pytest.mark.parametrize(
    "number",
    [
        "5991234567",
        "+905991234567",
        "5201234567",
        "5701234567",
        "5621234567",
        "+49172574483311",
        "2121234567",
        "12345",
        "abc",
        5999,
    ],
)
async def test_non_turkish_mobile_prefix_is_466(
    api: Api, fake: FakeIletiMerkezi, number: Any
) -> None:
    assert await api.code("add-blacklist", blacklist={"number": number}) == 466
    assert await api.code("delete-blacklist", blacklist={"number": number}) == 466
    assert len(fake.account.blacklist) == 0


@pytest.mark.parametrize("prefix", ["500", "501", "505", "507", "530", "539", "542", "555", "561"])
async def test_carrier_prefixes_are_accepted(api: Api, prefix: str) -> None:
    assert await api.code("add-blacklist", blacklist={"number": f"{prefix}1234567"}) == 200


@pytest.mark.parametrize("endpoint", ["add-blacklist", "delete-blacklist"])
@pytest.mark.parametrize("block", [None, {}, {"number": ""}, {"number": None}, "5051234567"])
async def test_missing_number_is_400(api: Api, endpoint: str, block: Any) -> None:
    blocks = {} if block is None else {"blacklist": block}
    assert await api.code(endpoint, **blocks) == 400


async def test_delete_blacklist_is_not_idempotent(api: Api, fake: FakeIletiMerkezi) -> None:
    assert await api.code("delete-blacklist", blacklist={"number": "5051234567"}) == 474
    await api.call("add-blacklist", blacklist={"number": "5051234567"})
    assert await api.code("delete-blacklist", blacklist={"number": "+905051234567"}) == 200
    assert "+905051234567" not in fake.account.blacklist
    assert await api.code("delete-blacklist", blacklist={"number": "5051234567"}) == 474


# ----------------------------------------------------------------- get-blacklist


async def test_get_blacklist_default_and_numbers_with_plus90(
    api: Api, fake: FakeIletiMerkezi
) -> None:
    assert (await api.call("get-blacklist"))["blacklist"] == {"count": 0, "number": []}
    await api.call("add-blacklist", blacklist={"number": "905330000099"})
    fake.advance(1)
    await api.call("add-blacklist", blacklist={"number": "5051234567"})
    body = await api.call("get-blacklist")
    assert body["blacklist"] == {"count": 2, "number": ["+905330000099", "+905051234567"]}
    assert (await api.call("get-blacklist", blacklist={}))["blacklist"]["count"] == 2


async def test_get_blacklist_pagination(api: Api, fake: FakeIletiMerkezi) -> None:
    start = datetime(2026, 1, 1)
    for i in range(1500):
        fake.account.add_blacklist(f"505{i:07d}", blocked_at=start + timedelta(seconds=i))
    first = (await api.call("get-blacklist"))["blacklist"]
    assert first["count"] == 1500
    assert len(first["number"]) == 1000
    clamped = (await api.call("get-blacklist", blacklist={"rowCount": 5000}))["blacklist"]
    assert len(clamped["number"]) == 1000
    second = (await api.call("get-blacklist", blacklist={"page": 2, "rowCount": 1000}))["blacklist"]
    assert second["count"] == 1500
    assert len(second["number"]) == 500
    assert second["number"][0] == "+905050001000"
    past = await api.call("get-blacklist", blacklist={"page": "3", "rowCount": "1000"})
    assert past["blacklist"] == {"count": 1500, "number": []}
    small = (await api.call("get-blacklist", blacklist={"page": 3, "rowCount": 2}))["blacklist"]
    assert small["number"] == ["+905050000004", "+905050000005"]


@pytest.mark.parametrize(
    ("block", "code"),
    [
        ({"page": 0}, 464),
        ({"page": -2}, 464),
        ({"page": "0"}, 464),
        ({"page": "a"}, 400),
        ({"rowCount": 0}, 400),
        ({"filter": {"start": "2026-01-01"}}, 400),
        ({"filter": {"end": "01/01/2026 00:00:00"}}, 400),
        ({"filter": "x"}, 400),
        ("x", 400),
    ],
)
async def test_get_blacklist_errors(api: Api, block: Any, code: int) -> None:
    assert await api.code("get-blacklist", blacklist=block) == code


async def test_get_blacklist_filter_on_blocked_at(api: Api, fake: FakeIletiMerkezi) -> None:
    fake.account.add_blacklist("5051234561", blocked_at=datetime(2026, 3, 31, 23, 59, 59))
    fake.account.add_blacklist("5051234562", blocked_at=datetime(2026, 4, 1, 0, 0, 0))
    fake.account.add_blacklist("5051234563", blocked_at=datetime(2026, 4, 15, 12, 0, 0))
    fake.account.add_blacklist("5051234564", blocked_at=datetime(2026, 4, 30, 23, 59, 59))
    fake.account.add_blacklist("5051234565", blocked_at=datetime(2026, 5, 1, 0, 0, 0))
    window = {"start": "2026-04-01 00:00:00", "end": "2026-04-30 23:59:59"}
    body = (await api.call("get-blacklist", blacklist={"filter": window}))["blacklist"]
    assert body == {"count": 3, "number": ["+905051234562", "+905051234563", "+905051234564"]}
    only_start = {"start": "2026-04-15 12:00:00"}
    body = (await api.call("get-blacklist", blacklist={"filter": only_start}))["blacklist"]
    assert body["count"] == 3
    paged = {"filter": window, "page": 2, "rowCount": 2}
    body = (await api.call("get-blacklist", blacklist=paged))["blacklist"]
    assert body == {"count": 3, "number": ["+905051234564"]}


@pytest.mark.fake_iletimerkezi(legacy_types=True)
async def test_legacy_blacklist_count_is_a_string(api: Api, fake: FakeIletiMerkezi) -> None:
    fake.account.add_blacklist("5051234567")
    body = (await api.call("get-blacklist"))["blacklist"]
    assert body == {"count": "1", "number": ["+905051234567"]}


def test_add_blacklist_hook_validates(fake: FakeIletiMerkezi) -> None:
    with pytest.raises(ValueError, match="phone"):
        fake.account.add_blacklist("nope")
    assert fake.account.add_blacklist("05051234567") == "+905051234567"
