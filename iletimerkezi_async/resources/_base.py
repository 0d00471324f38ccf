"""What every resource shares: the transport and the client's settings, not the client."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import attrs

from ..clock import ISTANBUL

if TYPE_CHECKING:
    from .._transport import Transport


@attrs.define(kw_only=True)
class Settings:
    """The client settings resources read; one object, shared, so a change is seen by all."""

    default_sender: str | None = None


class Resource:
    """A group of endpoints: each method one ``transport.call`` of the endpoint table."""

    def __init__(self, transport: Transport, settings: Settings) -> None:
        self._transport = transport
        self._settings = settings

    @staticmethod
    def _now() -> datetime:
        return datetime.now(ISTANBUL)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"
