"""Inbound SMS (get-inbox, documented then withdrawn from official support: experimental)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import _endpoints as api
from ..cursors import CursorStore
from ..polling import MAX_UNREADABLE, InboxPoller
from ._base import Resource

if TYPE_CHECKING:
    from ..models import Inbox


class InboxResource(Resource):
    async def list(self) -> Inbox:
        """Every inbound message the API returns, with the account's ``total`` count.

        The endpoint has no cursor or date filter; de-duplicate on ``id``.
        """
        return (await self._transport.call(api.GET_INBOX)).orders

    def poll(
        self,
        *,
        interval: float = 5.0,
        max_interval: float = 300.0,
        multiplier: float = 2.0,
        cursor: CursorStore | None = None,
        skip_existing: bool = False,
        max_unreadable: int = MAX_UNREADABLE,
    ) -> InboxPoller:
        """New inbound messages, oldest first, forever: ``async for m in inbox.poll()``.

        Each message is yielded once per cursor store and committed when the
        loop asks for the next one (at-least-once; see :class:`InboxPoller`).
        Without ``cursor`` the position lives in memory, so a new poller starts
        over.  A fresh store delivers what the inbox already holds unless
        ``skip_existing`` marks it as seen.  The wait starts at ``interval``,
        is multiplied by ``multiplier`` after each poll without news (or with a
        transient failure) up to ``max_interval``, and resets on news;
        ``AuthenticationError`` and other 4xx errors end the iteration, and so
        does the ``max_unreadable``-th unreadable answer in a row (a drifted
        shape).  On a fresh store, messages the first answer could not carry
        (``totalRows`` above the list's length) are counted in
        ``poller.possibly_missed`` and logged.  The waits run on the client's
        ``clock``.
        """
        return InboxPoller(
            self.list,
            interval=interval,
            max_interval=max_interval,
            multiplier=multiplier,
            cursor=cursor,
            skip_existing=skip_existing,
            max_unreadable=max_unreadable,
            clock=self._transport.clock,
        )
