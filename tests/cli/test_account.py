"""``balance`` and ``senders``."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ._helpers import json_doc, ok
from .conftest import Invoke, ThreadedFake


def test_balance_table_and_json(cli: Invoke, fake: ThreadedFake) -> None:
    fake.call(setattr, fake.fake.account, "balance", Decimal("12.5"))
    fake.call(setattr, fake.fake.account, "sms_credits", 4321)
    table = ok(cli("balance")).stdout
    assert "12.5" in table and "4321" in table
    assert json_doc(cli("balance", "--json")) == {"amount": "12.5", "sms": 4321}


def test_senders_table_and_json(cli: Invoke) -> None:
    assert json_doc(cli("senders", "--json")) == ["APITEST", "ACME"]
    table = ok(cli("senders")).stdout
    assert "APITEST" in table and "ACME" in table


@pytest.mark.parametrize("fake_options", [{"senders": ()}])
def test_no_senders_yet(cli: Invoke) -> None:
    assert json_doc(cli("senders", "--json")) == []
    assert "No approved sender" in ok(cli("senders")).stdout
