"""send-sms: success, every error code, the validation order and APITEST."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from iletimerkezi_async.testing import APITEST_TEXT, FakeIletiMerkezi

from .conftest import Api


def later(fake: FakeIletiMerkezi, **delta: float) -> str:
    return (fake.clock.now() + timedelta(**delta)).strftime("%d/%m/%Y %H:%M")


async def test_success_shape_and_stored_order(api: Api, fake: FakeIletiMerkezi) -> None:
    response = await api.send(["5051234567", "+905321234567", "905331234567"], "Merhaba")
    assert response["status"] == {"code": 200, "message": "İşlem başarılı"}
    assert set(response) == {"status", "order"}
    order_id = response["order"]["id"]
    assert isinstance(order_id, str) and order_id.isdigit()
    order = fake.account.orders[order_id]
    assert order.recipients == ("+905051234567", "+905321234567", "+905331234567")
    assert order.sender == "APITEST"
    assert order.iys == "0"
    assert not order.scheduled
    assert order.status == 113


async def test_order_ids_increase(api: Api) -> None:
    first = await api.send_id(text="a")
    second = await api.send_id(text="b")
    assert int(second) > int(first)


@pytest.mark.fake_iletimerkezi(legacy_types=True)
async def test_legacy_send_has_string_code_and_id(api: Api) -> None:
    response = await api.send()
    assert response["status"]["code"] == "200"
    assert isinstance(response["order"]["id"], str)


# ----------------------------------------------------------------- sender 450


@pytest.mark.parametrize("sender", ["ACME", "acme", "ACME ", " ACME", "", None, 5, "apitest"])
@pytest.mark.fake_iletimerkezi(senders=("ACMe",))
async def test_sender_must_match_exactly(api: Api, sender: Any) -> None:
    assert await api.send_code(sender=sender) == 450


async def test_missing_sender_is_450(api: Api) -> None:
    block = {"iys": "0", "message": {"text": "x", "receipents": {"number": ["5051234567"]}}}
    assert int((await api.call("send-sms", order=block))["status"]["code"]) == 450


@pytest.mark.fake_iletimerkezi(senders=("ACME",))
async def test_apitest_is_always_approved_and_listed_senders_work(
    api: Api, fake: FakeIletiMerkezi
) -> None:
    assert await api.send_code(sender="APITEST") == 200
    assert await api.send_code(sender="ACME", text="x") == 200
    assert await api.send_code(sender="NEW") == 450
    fake.account.add_sender("NEW")
    assert await api.send_code(sender="NEW", text="y") == 200


async def test_missing_order_block_is_400(api: Api) -> None:
    assert await api.code("send-sms") == 400
    assert await api.code("send-sms", order=[]) == 400


# ----------------------------------------------------------------- text 454 / 453


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
async def test_empty_text_is_454(api: Api, text: str) -> None:
    assert await api.send_code(text=text) == 454


async def test_missing_text_or_message_is_454(api: Api) -> None:
    assert await api.send_code(message={"receipents": {"number": ["5051234567"]}}) == 454
    block = {"sender": "APITEST", "iys": "0"}
    assert int((await api.call("send-sms", order=block))["status"]["code"]) == 454
    assert await api.send_code(message=[]) == 454


async def test_non_string_text_or_bad_message_is_400(api: Api) -> None:
    assert await api.send_code(text=5) == 400
    assert await api.send_code(message="hello") == 400
    assert await api.send_code(message=["hello"]) == 400


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("a" * 1073, 200),
        ("a" * 1074, 453),
        ("ş" * 1038, 200),
        ("ş" * 1039, 453),
        ("😀" * 221, 200),
        ("😀" * 222, 453),
    ],
)
async def test_more_than_seven_parts_is_453(api: Api, text: str, code: int) -> None:
    assert await api.send_code(text=text) == code


async def test_credits_follow_parts_times_recipients(
    session: Any,
) -> None:
    async with FakeIletiMerkezi(senders=("ACME",)) as fake:
        api = Api(fake, session)
        await api.send_id(["5051234567", "5051234568"], "a" * 156, sender="ACME")
        assert fake.account.sms_credits == 10_000 - 2 * 2
        order_id = await api.send_id(["5051234567"], "Tek", sender="APITEST")
        assert fake.account.sms_credits == 10_000 - 4 - 1
        assert fake.account.orders[order_id].price == 1


# ----------------------------------------------------------------- recipients 452


@pytest.mark.parametrize(
    "numbers",
    [
        [],
        ["12345"],
        ["5051234567", "not-a-number"],
        ["2121234567"],
        ["+4915112345678"],
        [None],
        [True],
        [{"n": 1}],
    ],
)
async def test_bad_recipients_are_452(api: Api, numbers: list[Any]) -> None:
    assert await api.send_code(numbers) == 452


async def test_recipients_must_sit_inside_message(api: Api) -> None:
    code = await api.send_code(message={"text": "x"}, receipents={"number": ["5051234567"]})
    assert code == 452
    assert await api.send_code(message={"text": "x", "receipents": ["5051234567"]}) == 452
    assert await api.send_code(message={"text": "x", "receipents": {}}) == 452


async def test_accepted_number_spellings(api: Api, fake: FakeIletiMerkezi) -> None:
    order_id = await api.send_id(
        [
            "5051234567",
            "05051234568",
            "905051234569",
            "+905051234560",
            "+90 505 123 45 61",
            5051234562,
        ]
    )
    assert fake.account.orders[order_id].recipients == (
        "+905051234567",
        "+905051234568",
        "+905051234569",
        "+905051234560",
        "+905051234561",
        "+905051234562",
    )


@pytest.mark.fake_iletimerkezi(abroad=True)
async def test_abroad_mode_accepts_international(api: Api, fake: FakeIletiMerkezi) -> None:
    order_id = await api.send_id(["+4915112345678"])
    assert fake.account.orders[order_id].recipients == ("+4915112345678",)


@pytest.mark.fake_iletimerkezi(rate_limit=None, sms_credits=50_000)
async def test_recipient_count_limit(api: Api, fake: FakeIletiMerkezi) -> None:
    numbers = [f"50{i:08d}" for i in range(50_001)]
    assert await api.send_code(numbers) == 452
    order_id = await api.send_id(numbers[:50_000])
    assert fake.account.orders[order_id].total == 50_000


async def test_all_blacklisted_is_452_but_some_is_fine(api: Api, fake: FakeIletiMerkezi) -> None:
    fake.account.add_blacklist("5051234567")
    fake.account.add_blacklist("5051234568")
    assert await api.send_code(["5051234567", "905051234568"]) == 452
    order_id = await api.send_id(["5051234567", "5051234569"])
    fake.advance(5)
    statuses = {m.number: m.status for m in fake.account.orders[order_id].messages}
    assert statuses == {"+905051234567": 112, "+905051234569": 111}


# ----------------------------------------------------------------- İYS 468 / 469 / 470


@pytest.mark.parametrize("iys", ["2", "yes", "", 2, True, "01", [1]])
@pytest.mark.fake_iletimerkezi(senders=("ACME",))
async def test_bad_iys_is_468(api: Api, iys: Any) -> None:
    assert await api.send_code(sender="ACME", iys=iys) == 468


@pytest.mark.parametrize("iys", ["0", 0, "1", 1])
@pytest.mark.fake_iletimerkezi(senders=("ACME",))
async def test_iys_string_or_int(api: Api, fake: FakeIletiMerkezi, iys: Any) -> None:
    order_id = await api.send_id(sender="ACME", iys=iys, iysList="BIREYSEL")
    assert fake.account.orders[order_id].iys == str(iys)
    assert fake.account.orders[order_id].iys_list == ("BIREYSEL" if str(iys) == "1" else None)


@pytest.mark.fake_iletimerkezi(senders=("ACME",))
async def test_missing_iys_is_tolerated_as_zero(api: Api, fake: FakeIletiMerkezi) -> None:
    block = {
        "sender": "ACME",
        "message": {"text": "x", "receipents": {"number": ["5051234567"]}},
    }
    response = await api.call("send-sms", order=block)
    assert fake.account.orders[response["order"]["id"]].iys == "0"


@pytest.mark.parametrize("iys_list", [None, "", "bireysel", "KURUMSAL", 1])
@pytest.mark.fake_iletimerkezi(senders=("ACME",))
async def test_commercial_without_list_is_469(api: Api, iys_list: Any) -> None:
    order: dict[str, Any] = {"iys": "1"}
    if iys_list is not None:
        order["iysList"] = iys_list
    assert await api.send_code(sender="ACME", **order) == 469


@pytest.mark.fake_iletimerkezi(senders=("ACME",))
async def test_iys_list_ignored_when_transactional(api: Api) -> None:
    assert await api.send_code(sender="ACME", iys="0", iysList="NONSENSE") == 200


@pytest.mark.fake_iletimerkezi(senders=("ACME",), iys_configured=False)
async def test_commercial_without_configured_iys_is_470(api: Api) -> None:
    assert await api.send_code(sender="ACME", iys="1", iysList="TACIR") == 470
    assert await api.send_code(sender="ACME", iys="0") == 200


async def test_apitest_replaces_text_and_forces_transactional(
    api: Api, fake: FakeIletiMerkezi
) -> None:
    fake.options.iys_configured = False
    order_id = await api.send_id(text="Kampanya!", iys="1")
    order = fake.account.orders[order_id]
    assert order.iys == "0"
    assert order.iys_list is None
    assert order.text == APITEST_TEXT
    assert order.submitted_texts == ("Kampanya!",)
    assert await api.send_code(text="Kampanya 2", iys="bogus") == 200


# ----------------------------------------------------------------- date 457 and scheduling


@pytest.mark.parametrize(
    "value",
    [
        "2030-01-01 10:00",
        "01/01/2030",
        "1/1/2030 10:00",
        "31/02/2030 10:00",
        "01/13/2030 10:00",
        "01/01/2030 25:00",
        "01/01/2030 10:00:99",
        "01/01/2030T10:00",
        5,
        ["01/01/2030 10:00", "02/01/2030 10:00"],
        {"at": "01/01/2030 10:00"},
    ],
)
async def test_bad_send_date_is_457(api: Api, value: Any) -> None:
    assert await api.send_code(sendDateTime=value) == 457


@pytest.mark.parametrize("value", [None, "", [], [""]])
async def test_empty_send_date_sends_now(api: Api, fake: FakeIletiMerkezi, value: Any) -> None:
    order_id = await api.send_id(sendDateTime=value)
    order = fake.account.orders[order_id]
    assert not order.scheduled
    assert order.send_at == order.submitted_at


@pytest.mark.parametrize("as_list", [False, True])
async def test_schedule_string_or_list(api: Api, fake: FakeIletiMerkezi, as_list: bool) -> None:
    when = later(fake, hours=2)
    order_id = await api.send_id(sendDateTime=[when] if as_list else when)
    order = fake.account.orders[order_id]
    assert order.scheduled
    assert order.send_at.strftime("%d/%m/%Y %H:%M") == when
    assert str(order.send_at.tzinfo) == "Europe/Istanbul"


async def test_seconds_drop_the_schedule(api: Api, fake: FakeIletiMerkezi) -> None:
    when = (fake.clock.now() + timedelta(hours=5)).strftime("%d/%m/%Y %H:%M:%S")
    order_id = await api.send_id(sendDateTime=when)
    order = fake.account.orders[order_id]
    assert order.schedule_dropped
    assert not order.scheduled
    assert order.send_at == order.submitted_at
    assert await api.code("cancel-order", order={"id": order_id}) == 455


async def test_past_date_sends_now(api: Api, fake: FakeIletiMerkezi) -> None:
    order_id = await api.send_id(sendDateTime="01/01/2020 10:00")
    order = fake.account.orders[order_id]
    assert not order.scheduled
    assert order.send_at == order.submitted_at


# ----------------------------------------------------------------- duplicate 451


async def test_duplicate_guard(api: Api, fake: FakeIletiMerkezi) -> None:
    assert await api.send_code(["5051234567", "5051234568"], "Kod 1") == 200
    assert await api.send_code(["5051234568", "+905051234567"], "Kod 1") == 451
    assert await api.send_code(["5051234567", "5051234568"], "  Kod   1 ") == 451
    assert await api.send_code(["5051234567"], "Kod 1") == 200
    assert await api.send_code(["5051234567", "5051234568"], "Kod 2") == 200
    fake.advance(599)
    assert await api.send_code(["5051234567", "5051234568"], "Kod 1") == 451
    fake.advance(1)
    assert await api.send_code(["5051234567", "5051234568"], "Kod 1") == 200
    assert await api.send_code(["5051234567", "5051234568"], "Kod 1") == 451


async def test_duplicate_guard_uses_submitted_text_for_apitest(api: Api) -> None:
    assert await api.send_code(text="Kod 1111") == 200
    assert await api.send_code(text="Kod 2222") == 200
    assert await api.send_code(text="Kod 1111") == 451


async def test_duplicate_guard_also_covers_scheduled_and_is_lifted_by_cancel(
    api: Api, fake: FakeIletiMerkezi
) -> None:
    when = later(fake, hours=1)
    order_id = await api.send_id(text="Yarın", sendDateTime=when)
    assert await api.send_code(text="Yarın", sendDateTime=when) == 451
    assert await api.send_code(text="Yarın") == 451
    assert await api.code("cancel-order", order={"id": order_id}) == 200
    assert await api.send_code(text="Yarın") == 200


async def test_rejected_sends_do_not_arm_the_guard(api: Api, fake: FakeIletiMerkezi) -> None:
    fake.account.sms_credits = 0
    assert await api.send_code(text="Tekrar") == 402
    fake.account.sms_credits = 10
    assert await api.send_code(text="Tekrar") == 200


# ----------------------------------------------------------------- balance 402


@pytest.mark.fake_iletimerkezi(sms_credits=3)
async def test_insufficient_credits_is_402(api: Api, fake: FakeIletiMerkezi) -> None:
    assert await api.send_code(["5051234567", "5051234568", "5051234569", "5051234560"]) == 402
    assert fake.account.sms_credits == 3
    assert len(fake.account.orders) == 0
    assert await api.send_code(["5051234567", "5051234568", "5051234569"]) == 200
    assert fake.account.sms_credits == 0
    assert await api.send_code(["5051234567"], "x") == 402


# ----------------------------------------------------------------- several texts


async def test_message_array_with_own_recipients(api: Api, fake: FakeIletiMerkezi) -> None:
    fake.account.add_sender("ACME")
    messages = [
        {"text": "Merhaba Ali", "receipents": {"number": ["5051234567"]}},
        {
            "text": "Merhaba Ayşe " + "x" * 200,
            "receipents": {"number": ["5321234567", "5331234567"]},
        },
    ]
    order_id = await api.send_id(sender="ACME", message=messages)
    order = fake.account.orders[order_id]
    assert order.total == 3
    assert [(m.number, m.text[:12]) for m in order.messages] == [
        ("+905051234567", "Merhaba Ali"),
        ("+905321234567", "Merhaba Ayşe"),
        ("+905331234567", "Merhaba Ayşe"),
    ]
    assert order.price == 1 + 2 * 2
    assert await api.send_code(sender="ACME", message=list(reversed(messages))) == 451


async def test_one_bad_message_fails_the_whole_order(api: Api, fake: FakeIletiMerkezi) -> None:
    messages = [
        {"text": "ok", "receipents": {"number": ["5051234567"]}},
        {"text": "ok", "receipents": {"number": ["bad"]}},
    ]
    assert await api.send_code(message=messages) == 452
    assert len(fake.account.orders) == 0


# ----------------------------------------------------------------- validation order


def _order(**over: Any) -> dict[str, Any]:
    order: dict[str, Any] = {
        "sender": "ACME",
        "iys": "1",
        "iysList": "BIREYSEL",
        "sendDateTime": "",
        "message": {"text": "Kampanya", "receipents": {"number": ["5051234567"]}},
    }
    order.update(over)
    return order


BAD_SENDER = {"sender": "NOPE"}
EMPTY_TEXT = {"message": {"text": "", "receipents": {"number": ["bad"]}}}
LONG_TEXT = {"message": {"text": "a" * 2000, "receipents": {"number": ["bad"]}}}
BAD_RECIPIENT = {"message": {"text": "x", "receipents": {"number": ["bad"]}}}
BAD_IYS = {"iys": "9"}
NO_LIST = {"iysList": None}
BAD_DATE = {"sendDateTime": "tomorrow"}


@pytest.mark.parametrize(
    ("faults", "code"),
    [
        ([BAD_SENDER, EMPTY_TEXT, BAD_IYS, BAD_DATE], 450),
        ([EMPTY_TEXT, BAD_IYS, BAD_DATE], 454),
        ([LONG_TEXT, BAD_IYS, BAD_DATE], 453),
        ([BAD_RECIPIENT, BAD_IYS, BAD_DATE], 452),
        ([BAD_IYS, BAD_DATE], 468),
        ([NO_LIST, BAD_DATE], 469),
        ([BAD_DATE], 457),
    ],
)
@pytest.mark.fake_iletimerkezi(senders=("ACME",), sms_credits=0)
async def test_validation_order(api: Api, faults: list[dict[str, Any]], code: int) -> None:
    order = _order()
    for fault in faults:
        order.update(fault)
    assert int((await api.call("send-sms", order=order))["status"]["code"]) == code


@pytest.mark.fake_iletimerkezi(senders=("ACME",), iys_configured=False, sms_credits=0)
async def test_470_comes_before_date_and_balance(api: Api) -> None:
    order = _order(sendDateTime="tomorrow")
    assert int((await api.call("send-sms", order=order))["status"]["code"]) == 470


async def test_duplicate_comes_before_balance_and_date_before_duplicate(
    api: Api, fake: FakeIletiMerkezi
) -> None:
    await api.send_id(text="Aynı")
    fake.account.sms_credits = 0
    assert await api.send_code(text="Aynı") == 451
    assert await api.send_code(text="Aynı", sendDateTime="bad") == 457
