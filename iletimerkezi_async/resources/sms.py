"""Sending and cancelling orders (send-sms, cancel-order).

A send is never repeated once it may have reached the server: the API has no
idempotency key, so an ambiguous failure is a :class:`SendOutcomeUnknownError`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime

from .. import _convert, _validate, _wire
from ..errors import InvalidRequestError, ResponseFormatError, SendOutcomeUnknownError
from ..models import IysList, Order
from ._base import Resource

log = logging.getLogger("iletimerkezi_async")


class SmsResource(Resource):
    async def send(
        self,
        to: str | Iterable[str],
        text: str,
        *,
        sender: str | None = None,
        send_at: datetime | None = None,
        iys: str | IysList | None = None,
    ) -> Order:
        """Send one text to one number or up to 50,000 numbers as one order.

        ``iys=None`` is a transactional message (OTP, notices); ``"BIREYSEL"``
        or ``"TACIR"`` marks a commercial one, checked against İYS consent.
        ``send_at`` (timezone-aware, future) schedules it to the minute.
        """
        numbers = _validate.numbers(to)
        return await self._send([(text, numbers)], sender=sender, send_at=send_at, iys=iys)

    async def send_many(
        self,
        messages: Mapping[str, str] | Iterable[tuple[str, str]],
        *,
        sender: str | None = None,
        send_at: datetime | None = None,
        iys: str | IysList | None = None,
    ) -> Order:
        """One order carrying a different text per number (``{number: text}``)."""
        pairs = messages.items() if isinstance(messages, Mapping) else messages
        by_text: dict[str, list[str]] = {}
        owner: dict[str, int] = {}
        for i, pair in enumerate(pairs):
            if not isinstance(pair, tuple) or len(pair) != 2:
                raise InvalidRequestError(f"messages[{i}]", "must be a (number, text) pair")
            number = _validate.numbers(pair[0], field=f"messages[{i}].number")[0]
            if number in owner:
                raise InvalidRequestError(
                    f"messages[{i}].number", "appears more than once in one order"
                )
            owner[number] = i
            by_text.setdefault(pair[1], []).append(number)
            if len(owner) > _validate.MAX_RECIPIENTS:
                raise InvalidRequestError(
                    "messages", f"at most {_validate.MAX_RECIPIENTS:,} recipients per order"
                )
        if not owner:
            raise InvalidRequestError("messages", "needs at least one (number, text) pair")
        return await self._send(list(by_text.items()), sender=sender, send_at=send_at, iys=iys)

    async def _send(
        self,
        groups: list[tuple[str, list[str]]],
        *,
        sender: str | None,
        send_at: datetime | None,
        iys: str | IysList | None,
    ) -> Order:
        for i, (text, _) in enumerate(groups):
            _validate.text(text, field="text" if len(groups) == 1 else f"messages[{i}].text")
        name = _validate.sender(sender, self._client.default_sender)
        when = _validate.schedule(send_at, self._now())
        iys_list = _validate.iys_list(iys)
        call = _wire.send_sms(
            groups,
            sender=name,
            schedule=_wire.format_schedule(when) if when is not None else None,
            iys_list=iys_list,
        )
        log.debug(
            "send-sms: %d recipient(s), %d text(s), scheduled=%s, commercial=%s",
            call.cost,
            len(groups),
            when is not None,
            iys_list is not None,
        )
        payload = await self._transport.request(call)
        try:
            return _convert.order(payload, recipients=call.cost)
        except ResponseFormatError as exc:
            # The API said 200, so the order exists; only its id is unreadable.
            raise SendOutcomeUnknownError(
                f"send-sms: the order was accepted but its id could not be read ({exc})"
            ) from None

    async def cancel(self, order_id: str) -> None:
        """Cancel a scheduled order before its time (afterwards: OrderNotFoundError, 455)."""
        await self._transport.request(_wire.cancel_order(_validate.order_id(order_id)))
