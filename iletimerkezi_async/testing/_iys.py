"""İYS consent endpoints: register a batch (all or nothing) and look one record up."""

from __future__ import annotations

from typing import Any, Final

from ._envelope import Refusal
from ._registry import handler
from ._rules import CONSENT_TYPES, IYS_LISTS, brand_code, consent_from_item, consent_recipient
from ._state import Account

__all__: list[str] = []

MAX_CONSENTS: Final = 5000


def _consent_block(account: Account, request: dict[str, Any]) -> dict[str, Any]:
    if not account.options.iys_subscription:
        raise Refusal(403)
    block = request.get("consent")
    if not isinstance(block, dict):
        raise Refusal(400)
    return block


@handler("consent/create")
def consent_create(account: Account, request: dict[str, Any]) -> dict[str, Any]:
    block = _consent_block(account, request)
    brand = account.options.brand_code
    if brand_code(block.get("brandCode")) != brand:
        raise Refusal(422)
    items = block.get("list")
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_CONSENTS:
        raise Refusal(422)
    now = account.now()
    records = [consent_from_item(item, brand=brand, now=now) for item in items]
    for record in records:
        if record is None:
            raise Refusal(422)
    for record in records:
        if record is not None:
            account.consents.store(record)
    return {}


@handler("consent/show")
def consent_show(account: Account, request: dict[str, Any]) -> dict[str, Any]:
    block = _consent_block(account, request)
    recipient = consent_recipient(block.get("recipient"))
    recipient_type = block.get("recipientType")
    kind = block.get("type")
    if recipient is None or recipient_type not in IYS_LISTS or kind not in CONSENT_TYPES:
        raise Refusal(422)
    if brand_code(block.get("brandCode")) != account.options.brand_code:
        return {"consent": []}
    record = account.consents.get((recipient, str(recipient_type), str(kind)))
    if record is not None:
        return {"consent": record.to_wire()}
    keys = account.consents.keys_of(recipient)
    if not keys:
        raise Refusal(422)
    if recipient_type == "TACIR" and kind == "MESAJ" and not any(key[1] == "TACIR" for key in keys):
        return {"consent": []}
    raise Refusal(422)
