"""What every resource shares: the transport and the client's settings."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from .._wire import ISTANBUL

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

    @staticmethod
    def _now() -> datetime:
        return datetime.now(ISTANBUL)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"
