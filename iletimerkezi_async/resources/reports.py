"""Delivery reports of one order (get-report)."""

from __future__ import annotations

from .. import _convert, _validate, _wire
from ..models import OrderReport
from ._base import Resource


class ReportsResource(Resource):
    async def get(self, order_id: str, *, page: int = 1, page_size: int = 1000) -> OrderReport:
        """One page of an order's report: the order's counters and this page's recipients.

        Counters cover the whole order and are provisional while ``waiting > 0``;
        status 114 means the pipeline finished, not that everything was delivered.
        """
        call = _wire.get_report(
            _validate.order_id(order_id),
            page=_validate.page(page),
            page_size=_validate.page_size(page_size),
        )
        payload = await self._transport.request(call)
        return _convert.order_report(payload)
