"""``to_dict``/``from_dict`` and the one converter on the production path of every response."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest

import iletimerkezi_async as im
from iletimerkezi_async import _answers, _endpoints
from iletimerkezi_async._convert import converter
from iletimerkezi_async.testing import FakeIletiMerkezi

from . import _answers as answers

GOLDEN = Path(__file__).parent / "fixtures" / "golden"
ERAS = ["2026", "legacy"]


def response(era: str, name: str) -> Any:
    return json.loads((GOLDEN / era / f"{name}.json").read_text(encoding="utf-8"))["response"]


def models(era: str) -> Iterator[object]:
    """Every public model, parsed from the reference's answers of ``era``."""
    yield answers.order(response(era, "send-sms"), recipients=3)
    report = answers.order_report(response(era, "get-report"))
    yield report
    yield from report.messages
    yield from answers.order_summaries(response(era, "get-reports"))
    yield answers.balance(response(era, "get-balance"))
    inbox = answers.inbox(response(era, "get-inbox"))
    yield inbox
    yield from inbox.messages
    consent = answers.consent(response(era, "iys-check"))
    assert consent is not None
    yield consent
    hook = json.loads((GOLDEN / era / "webhook.json").read_text(encoding="utf-8"))
    yield answers.delivery_report(hook["report"])
    yield im.segments("Doğrulama kodunuz: 123456")
    yield im.Page(items=answers.order_summaries(response(era, "get-reports")), number=1, cursor="c")


PUBLIC_MODELS = {
    obj
    for name in im.models.__all__
    if isinstance(obj := getattr(im, name), type) and attrs.has(obj)
}


@pytest.mark.parametrize("era", ERAS)
def test_every_public_model_is_covered(era: str) -> None:
    assert {type(m) for m in models(era)} == PUBLIC_MODELS


@pytest.mark.parametrize("era", ERAS)
def test_from_dict_inverts_to_dict(era: str) -> None:
    for model in models(era):
        # A generic model needs its item type to be rebuilt: Page[OrderSummary].
        cls: Any = im.Page[im.OrderSummary] if isinstance(model, im.Page) else type(model)
        data = im.to_dict(model)
        assert im.from_dict(cls, data) == model, type(model).__name__
        # JSON-ready as it is, and still exact after a trip through JSON text.
        again = json.loads(json.dumps(data))
        assert im.from_dict(cls, again) == model, type(model).__name__


def test_a_bare_generic_says_which_type_is_missing() -> None:
    page = im.Page(items=(im.Order(id="1", recipients=1),), number=1, cursor="c")
    with pytest.raises(TypeError, match=r"item type of the generic Page\[T\]"):
        im.from_dict(im.Page, im.to_dict(page))


def test_page_of_a_model_type_round_trips_typed() -> None:
    page = im.Page(
        items=answers.order_summaries(response("2026", "get-reports")), number=2, cursor="x"
    )
    back = im.from_dict(im.Page[im.OrderSummary], json.loads(json.dumps(im.to_dict(page))))
    assert back == page
    assert all(isinstance(s, im.OrderSummary) for s in back.items)


def test_the_json_shape() -> None:
    report = answers.order_report(response("2026", "get-report"))
    data = im.to_dict(report)
    assert data["id"] == report.id and isinstance(data["id"], str)
    assert data["status"] == int(report.status)
    assert data["price"] == str(report.price) and isinstance(report.price, Decimal)
    assert report.submitted_at is not None
    assert data["submitted_at"] == report.submitted_at.isoformat()
    assert data["submitted_at"].endswith("+03:00")
    assert isinstance(data["messages"], list) and data["messages"][0]["status"] == 111
    consent = answers.consent(response("2026", "iys-check"))
    assert consent is not None
    assert im.to_dict(consent)["recipient_type"] == "BIREYSEL"


def test_from_dict_keeps_an_instant_and_shows_it_in_istanbul() -> None:
    summary = answers.order_summaries(response("2026", "get-reports"))[0]
    assert summary.submitted_at is not None
    data = im.to_dict(summary)
    utc = summary.submitted_at.astimezone(datetime.now().astimezone().tzinfo)
    data["submitted_at"] = utc.isoformat()
    back = im.from_dict(im.OrderSummary, data)
    assert back == summary
    assert back.submitted_at is not None and back.submitted_at.utcoffset() == (
        summary.submitted_at.utcoffset()
    )


@pytest.mark.parametrize(
    ("cls", "data", "what"),
    [
        (im.Balance, {"amount": 1.5, "sms": 1}, "decimal"),
        (im.Balance, {"amount": "1.5", "sms": True}, "integer"),
        (im.Order, {"id": 5, "recipients": 1}, "string"),
        (
            im.OrderSummary,
            {"id": "1", "status": 114, "submitted_at": "2026-01-01 10:00:00"},
            "offset",
        ),
        (im.Order, {"recipients": 1}, "id"),
    ],
)
def test_from_dict_refuses_what_to_dict_never_gives(cls: type, data: Any, what: str) -> None:
    with pytest.raises(ValueError, match=what):
        im.from_dict(cls, data)


def test_to_dict_takes_models_only() -> None:
    with pytest.raises(TypeError, match="model"):
        im.to_dict({"id": "1"})


# --------------------------------------------------------------------------- production path


@pytest.fixture
async def fake() -> AsyncIterator[FakeIletiMerkezi]:
    async with FakeIletiMerkezi() as f:
        yield f


async def test_every_answer_goes_through_converter_structure(fake: FakeIletiMerkezi) -> None:
    """An override hook registered on the converter is what the client's calls use."""
    seen: list[type] = []
    originals = {e.answer: converter.get_structure_hook(e.answer) for e in _endpoints.ALL}

    def spy(original: Any) -> Any:
        def hook(value: Any, cls: type) -> Any:
            seen.append(cls)
            return original(value, cls)

        return hook

    try:
        for cls, original in originals.items():
            converter.register_structure_hook(cls, spy(original))
        async with fake.client(default_sender="APITEST") as client:
            order = await client.sms.send("5051234567", "Merhaba")
            await client.reports.get(order.id)
            assert [
                s
                async for s in client.reports.list(fake.clock.now().date(), fake.clock.now().date())
            ]
            await client.account.balance()
            await client.account.senders()
            await client.blacklist.add("5059876543")
            assert [n async for n in client.blacklist.list()] == ["+905059876543"]
            await client.blacklist.remove("5059876543")
            await client.iys.register(
                696422,
                [
                    im.Consent(
                        recipient="5051234567",
                        recipient_type=im.IysList.BIREYSEL,
                        type=im.ConsentType.MESAJ,
                        status=im.ConsentStatus.ONAY,
                        source="HS_WEB",
                        consent_date=fake.clock.now(),
                    )
                ],
            )
            assert await client.iys.check(696422, "5051234567") is not None
            await client.inbox.list()
            scheduled = await client.sms.send(
                "5051234567",
                "Sonra",
                send_at=fake.clock.now().replace(microsecond=0) + timedelta(hours=1),
            )
            await client.sms.cancel(scheduled.id)
    finally:
        for cls, original in originals.items():
            converter.register_structure_hook(cls, original)
    assert set(seen) == set(originals), set(originals) - set(seen)


async def test_an_override_hook_changes_what_the_client_returns(fake: FakeIletiMerkezi) -> None:
    original = converter.get_structure_hook(_answers.BalanceAnswer)
    try:
        converter.register_structure_hook(
            _answers.BalanceAnswer,
            lambda _v, _t: _answers.BalanceAnswer(balance=im.Balance(amount=Decimal("7"), sms=7)),
        )
        async with fake.client() as client:
            assert await client.account.balance() == im.Balance(amount=Decimal("7"), sms=7)
    finally:
        converter.register_structure_hook(_answers.BalanceAnswer, original)
    async with fake.client() as client:
        assert (await client.account.balance()).sms != 7
