"""Balance and approved senders: read-only, free, safe to retry."""

from __future__ import annotations

from .. import _convert, _wire
from ..models import Balance
from ._base import Resource


class AccountResource(Resource):
    async def balance(self) -> Balance:
        """The TL ``amount`` and the SMS credit count; also the cheapest auth smoke test."""
        payload = await self._transport.request(_wire.get_balance())
        return _convert.balance(payload)

    async def senders(self) -> list[str]:
        """Approved sender names; ``sms.send(sender=...)`` must match one exactly."""
        payload = await self._transport.request(_wire.get_sender())
        return list(_convert.senders(payload))
