"""Balance and approved senders: read-only, free, safe to retry."""

from __future__ import annotations

from .. import _endpoints as api
from ..models import Balance
from ._base import Resource


class AccountResource(Resource):
    async def balance(self) -> Balance:
        """The TL ``amount`` and the SMS credit count; also the cheapest auth smoke test."""
        return (await self._transport.call(api.GET_BALANCE)).balance

    async def senders(self) -> list[str]:
        """Approved sender names; ``sms.send(sender=...)`` must match one exactly."""
        return list((await self._transport.call(api.GET_SENDER)).senders)
