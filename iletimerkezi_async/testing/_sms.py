"""Sending endpoints: send-sms (validated in the documented order) and cancel-order.

send-sms is a pipeline of small checks, each raising its own code, called in
the order the reference fixes (401 → 400 → 450 → 454 → 453 → 452 → 468/469/470
→ 457 → 451 → 402 → rate limit); only when every check passed is anything
stored or charged.
"""

from __future__ import annotations

import re
from collections.abc import Container
from datetime import datetime, timedelta
from typing import Any, Final

import attrs

from iletimerkezi_async.text import segments

from ._duplicates import Fingerprint
from ._envelope import Refusal
from ._fake_clock import ISTANBUL
from ._orders import StoredOrder
from ._registry import handler
from ._rules import APITEST, APITEST_TEXT, IYS_LISTS, any_number, turkish_mobile
from ._state import Account

__all__: list[str] = []

MAX_RECIPIENTS: Final = 50_000
MAX_PARTS: Final = 7

_SEND_MINUTES = re.compile(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}")
_SEND_SECONDS = re.compile(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2}")


@attrs.frozen
class _Schedule:
    send_at: datetime
    scheduled: bool = False
    dropped: bool = False
    """Given with seconds: the live API then ignores the schedule and sends at once."""


@attrs.frozen
class _Submission:
    """A send-sms request that passed every check before the duplicate guard."""

    sender: str
    texts: tuple[str, ...]
    numbers: list[str]
    text_of: list[int] | None
    """Index into ``texts`` per number; None when there is one message for all."""
    iys: str
    iys_list: str | None
    schedule: _Schedule

    @property
    def apitest(self) -> bool:
        return self.sender == APITEST

    def fingerprint(self) -> Fingerprint:
        """(whitespace-collapsed text, number) pairs, as the duplicate guard compares."""
        return frozenset(
            (" ".join(self.texts[self.text_index(i)].split()), number)
            for i, number in enumerate(self.numbers)
        )

    def text_index(self, recipient: int) -> int:
        return self.text_of[recipient] if self.text_of is not None else 0

    def without(self, dropped: Container[str]) -> _Submission:
        """Without the ``dropped`` numbers; ``text_of`` stays aligned with those kept."""
        kept = [i for i, number in enumerate(self.numbers) if number not in dropped]
        return attrs.evolve(
            self,
            numbers=[self.numbers[i] for i in kept],
            text_of=[self.text_of[i] for i in kept] if self.text_of is not None else None,
        )


@handler("send-sms", string_code=True)
def send_sms(account: Account, request: dict[str, Any]) -> dict[str, Any]:
    now = account.now()
    submission = _parse(account, request.get("order"), now)
    fingerprint = submission.fingerprint()
    if account.duplicates.seen(fingerprint, now):
        raise Refusal(451)
    requested = len(submission.numbers)
    if account.options.drop_blacklisted:
        submission = submission.without(account.blacklist)
    sent_texts = (
        tuple(APITEST_TEXT for _ in submission.texts) if submission.apitest else submission.texts
    )
    parts = tuple(segments(text).parts for text in sent_texts)
    text_of = submission.text_of
    price = (
        parts[0] * len(submission.numbers) if text_of is None else sum(parts[t] for t in text_of)
    )
    if price > account.sms_credits:
        raise Refusal(402)
    if not account.send_limit.try_take(requested):
        raise Refusal(account.options.rate_limit_status)
    order = _store(account, submission, sent_texts, parts, price, now)
    account.duplicates.arm(fingerprint, order.id, now)
    return {"order": {"id": str(order.id)}}


def _parse(account: Account, order: object, now: datetime) -> _Submission:
    if not isinstance(order, dict):
        raise Refusal(400)
    sender = _sender(account, order.get("sender"))
    messages = _messages(order.get("message"))
    texts = _texts(messages)
    numbers, text_of = _recipients(account, messages)
    iys, iys_list = ("0", None) if sender == APITEST else _iys(account, order)
    return _Submission(
        sender=sender,
        texts=texts,
        numbers=numbers,
        text_of=text_of,
        iys=iys,
        iys_list=iys_list,
        schedule=_send_time(order.get("sendDateTime"), now),
    )


def _sender(account: Account, sender: object) -> str:
    """Exact, case-sensitive match; APITEST is always accepted."""
    if not isinstance(sender, str) or not (sender == APITEST or sender in account.senders):
        raise Refusal(450)
    return sender


def _messages(messages: object) -> list[dict[str, Any]]:
    if messages is None:
        raise Refusal(454)
    if isinstance(messages, dict):
        messages = [messages]
    if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
        raise Refusal(400)
    if not messages:
        raise Refusal(454)
    return messages


def _texts(messages: list[dict[str, Any]]) -> tuple[str, ...]:
    texts: list[str] = []
    for message in messages:
        text = message.get("text")
        if text is None:
            raise Refusal(454)
        if not isinstance(text, str):
            raise Refusal(400)
        if not text.strip():
            raise Refusal(454)
        texts.append(text)
    if any(segments(text).parts > MAX_PARTS for text in texts):
        raise Refusal(453)
    return tuple(texts)


def _recipients(
    account: Account, messages: list[dict[str, Any]]
) -> tuple[list[str], list[int] | None]:
    raw: list[tuple[object, int]] = []
    for index, message in enumerate(messages):
        raw.extend((value, index) for value in _listed_numbers(message))
        if len(raw) > MAX_RECIPIENTS:
            raise Refusal(452)
    normalise = any_number if account.options.abroad else turkish_mobile
    numbers: list[str] = []
    for value, _ in raw:
        number = normalise(value)
        if number is None:
            raise Refusal(452)
        numbers.append(number)
    if all(number in account.blacklist for number in numbers):
        raise Refusal(452)
    text_of = [index for _, index in raw] if len(messages) > 1 else None
    return numbers, text_of


def _listed_numbers(message: dict[str, Any]) -> list[object]:
    """``receipents.number`` of one message; a single string or int is a one-item list."""
    block = message.get("receipents")
    if not isinstance(block, dict):
        raise Refusal(452)
    listed = block.get("number")
    if isinstance(listed, str | int) and not isinstance(listed, bool):
        listed = [listed]
    if not isinstance(listed, list) or not listed:
        raise Refusal(452)
    return listed


def _iys(account: Account, order: dict[str, Any]) -> tuple[str, str | None]:
    """(iys flag, iysList) of a non-APITEST send: 468, then 469, then 470."""
    flag = _iys_flag(order.get("iys"))
    if flag == "0":
        return flag, None
    iys_list = order.get("iysList")
    if iys_list not in IYS_LISTS:
        raise Refusal(469)
    if not account.options.iys_configured:
        raise Refusal(470)
    return flag, str(iys_list)


def _iys_flag(value: object) -> str:
    if value is None:
        return "0"
    if isinstance(value, bool):
        raise Refusal(468)
    if value in ("0", 0):
        return "0"
    if value in ("1", 1):
        return "1"
    raise Refusal(468)


def _send_time(value: object, now: datetime) -> _Schedule:
    if isinstance(value, list):
        if len(value) > 1:
            raise Refusal(457)
        value = value[0] if value else None
    if value is None or value == "":
        return _Schedule(now)
    if not isinstance(value, str):
        raise Refusal(457)
    if _SEND_SECONDS.fullmatch(value):
        _strptime(value, "%d/%m/%Y %H:%M:%S")
        return _Schedule(now, dropped=True)
    if not _SEND_MINUTES.fullmatch(value):
        raise Refusal(457)
    at = _strptime(value, "%d/%m/%Y %H:%M").replace(tzinfo=ISTANBUL)
    if at <= now:
        return _Schedule(now)
    return _Schedule(at, scheduled=True)


def _strptime(value: str, fmt: str) -> datetime:
    try:
        return datetime.strptime(value, fmt)
    except ValueError:
        raise Refusal(457) from None


def _store(
    account: Account,
    submission: _Submission,
    sent_texts: tuple[str, ...],
    parts: tuple[int, ...],
    price: int,
    now: datetime,
) -> StoredOrder:
    numbers = submission.numbers
    undeliverable = account.options.undeliverable
    order_id, first_message_id = account.orders.next_ids(len(numbers))
    send_at = submission.schedule.send_at
    order = StoredOrder(
        id=order_id,
        submitted_at=now,
        send_at=send_at,
        final_at=send_at + timedelta(seconds=account.options.delivery_delay),
        sender=submission.sender,
        total=len(numbers),
        first_message_id=first_message_id,
        iys=submission.iys,
        iys_list=submission.iys_list,
        texts=sent_texts,
        submitted_texts=submission.texts,
        parts=parts,
        numbers=numbers,
        text_of=submission.text_of,
        undelivered=frozenset(
            i
            for i, number in enumerate(numbers)
            if number in undeliverable or number in account.blacklist
        ),
        scheduled=submission.schedule.scheduled,
        schedule_dropped=submission.schedule.dropped,
        price=price,
        listed_at=_listed_at(now, account.options.reports_delay),
    )
    account.orders.store(order)
    account.sms_credits -= price
    account.events.track(order.id)
    return order


def _listed_at(now: datetime, delay: float) -> datetime | None:
    return now + timedelta(seconds=delay) if delay > 0 else None


@handler("cancel-order", string_code=True)
def cancel_order(account: Account, request: dict[str, Any]) -> dict[str, Any]:
    block = request.get("order")
    if not isinstance(block, dict):
        raise Refusal(400)
    order = account.orders.find(block.get("id"))
    if order.cancelled or order.historical or account.now() >= order.send_at:
        raise Refusal(455)
    order.cancelled = True
    account.sms_credits += order.price
    order.price = 0
    account.duplicates.lift(order.id, order.submitted_at)
    account.events.forget(order.id)
    return {}
