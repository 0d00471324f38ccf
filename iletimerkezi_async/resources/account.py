"""Balance and approved senders: read-only, free, safe to retry."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import _endpoints as api
from ._base import Resource

if TYPE_CHECKING:
    from ..models import Balance


class AccountResource(Resource):
    async def balance(self) -> Balance:
        """The TL ``amount`` and the SMS credit count; also the cheapest auth smoke test."""
        return (await self._transport.call(api.GET_BALANCE)).balance

    async def senders(self) -> list[str]:
        """Approved sender names; ``sms.send(sender=...)`` must match one exactly."""
        return list((await self._transport.call(api.GET_SENDER)).senders)
