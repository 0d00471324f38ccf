"""Answers drifted the way PHP and XML-minded encoders drift: one object where a list was.

Each case is a golden 2026 answer with one list collapsed to a single value
(or an indexed object), parsed through the converter exactly as the
transport does, and must give the same models as the list form (reference
§12 and §14).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from . import _answers as answers

GOLDEN = Path(__file__).parent / "fixtures" / "golden" / "2026"


def response(name: str) -> Any:
    return json.loads((GOLDEN / f"{name}.json").read_text(encoding="utf-8"))["response"]


def one(payload: dict[str, Any], *path: str) -> dict[str, Any]:
    """``payload`` with the list at ``path`` cut to its first element, unwrapped."""
    drifted = copy.deepcopy(payload)
    block = drifted
    for key in path[:-1]:
        block = block[key]
    block[path[-1]] = block[path[-1]][0]
    return drifted


def first_only(payload: dict[str, Any], *path: str) -> dict[str, Any]:
    """``payload`` with the list at ``path`` cut to its first element, still a list."""
    cut = copy.deepcopy(payload)
    block = cut
    for key in path[:-1]:
        block = block[key]
    block[path[-1]] = block[path[-1]][:1]
    return cut


CASES = {
    "senders.sender as a string": (answers.senders, ("senders", "sender")),
    "blacklist.number as a string": (answers.blacklist_page, ("blacklist", "number")),
    "get-report message as an object": (answers.order_report, ("order", "message")),
    "get-reports orders as an object": (answers.order_summaries, ("orders",)),
    "get-inbox orders.order as an object": (answers.inbox, ("orders", "order")),
}
GOLDEN_NAME = {
    answers.senders: "get-sender",
    answers.blacklist_page: "get-blacklist",
    answers.order_report: "get-report",
    answers.order_summaries: "get-reports",
    answers.inbox: "get-inbox",
}


@pytest.mark.parametrize(("parse", "path"), CASES.values(), ids=CASES.keys())
def test_a_single_value_is_a_list_of_one(parse: Any, path: tuple[str, ...]) -> None:
    golden = response(GOLDEN_NAME[parse])
    assert parse(one(golden, *path)) == parse(first_only(golden, *path))


def test_get_reports_orders_as_an_indexed_object_keep_their_order() -> None:
    golden = response("get-reports")
    orders = golden["orders"] * 3 if len(golden["orders"]) < 3 else golden["orders"]
    orders = [dict(o, id=100 + i) for i, o in enumerate(orders)]
    indexed = dict(golden, orders={str(i): o for i, o in reversed(list(enumerate(orders)))})
    listed = dict(golden, orders=orders)
    assert answers.order_summaries(indexed) == answers.order_summaries(listed)
    assert [s.id for s in answers.order_summaries(indexed)] == [
        str(100 + i) for i in range(len(orders))
    ]


def test_consent_as_a_list_of_one() -> None:
    golden = response("iys-check")
    assert answers.consent(dict(golden, consent=[golden["consent"]])) == answers.consent(golden)


def test_blacklist_as_an_empty_array_is_empty() -> None:
    assert answers.blacklist_page({"blacklist": []}) == (0, ())
