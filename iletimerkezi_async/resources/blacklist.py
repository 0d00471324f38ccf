"""The account's blacklist: numbers that never receive an SMS from it."""

from __future__ import annotations

import logging

from .. import _validate, _wire
from ..phone import mask_number
from ._base import Resource

log = logging.getLogger("iletimerkezi_async")


class BlacklistResource(Resource):
    async def add(self, number: str) -> None:
        """Block ``number``; adding a number twice is fine (the API is idempotent)."""
        normalized = _validate.numbers(number, field="number")[0]
        log.debug("blacklist add %s", mask_number(normalized))
        await self._transport.request(_wire.add_blacklist(normalized))

    async def remove(self, number: str) -> None:
        """Unblock ``number``; a number not on the list raises BlacklistError (474)."""
        normalized = _validate.numbers(number, field="number")[0]
        log.debug("blacklist remove %s", mask_number(normalized))
        await self._transport.request(_wire.delete_blacklist(normalized))
