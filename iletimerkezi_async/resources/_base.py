"""What every resource shares: the transport (and its clock) and the client's settings."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import attrs

from ._claims import Claims

if TYPE_CHECKING:
    from collections.abc import Callable

    from .._transport import Transport
    from ..pending import PendingSend


@attrs.define(kw_only=True)
class Settings:
    """The client settings resources read; one object, shared, so a change is seen by all."""

    default_sender: str | None = None
    on_send_unknown: Callable[[PendingSend], object] | None = None
    claims: Claims = attrs.field(factory=Claims)
    """Order ids this client accounts for (sends and resolutions), which ``resolve`` skips."""


class Resource:
    """A group of endpoints: each method one ``transport.call`` of the endpoint table."""

    def __init__(self, transport: Transport, settings: Settings) -> None:
        self._transport = transport
        self._settings = settings

    def _now(self) -> datetime:
        """Istanbul wall time on the client's clock (``send_at``, report windows, İYS dates)."""
        return self._transport.clock.now()

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"
