"""Inbound SMS (get-inbox, documented then withdrawn from official support: experimental)."""

from __future__ import annotations

from .. import _convert, _wire
from ..models import Inbox
from ._base import Resource


class InboxResource(Resource):
    async def list(self) -> Inbox:
        """Every inbound message the API returns, with the account's ``total`` count.

        The endpoint has no cursor or date filter; de-duplicate on ``id``.
        """
        payload = await self._transport.request(_wire.get_inbox())
        return _convert.inbox(payload)
