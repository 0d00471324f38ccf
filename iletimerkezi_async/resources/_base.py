"""What every resource shares: the transport and the client's settings and clock."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .._transport import Transport
    from ..client import Client


class Resource:
    """A group of endpoints: bodies from ``_wire``, sent through the transport."""

    def __init__(self, client: Client) -> None:
        self._client = client

    @property
    def _transport(self) -> Transport:
        return self._client._transport

    def _now(self) -> datetime:
        """Istanbul wall time on the client's clock (``send_at``, report windows, İYS dates)."""
        return self._client.clock.now()

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"
