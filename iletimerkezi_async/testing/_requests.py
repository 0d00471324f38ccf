"""The request log: what the fake received, for tests to assert on."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

__all__ = ["RecordedRequest"]


def _without_secrets(body: Any) -> Any:
    """The body with the credentials starred, so reprs in test failures stay clean."""
    try:
        auth = body["request"]["authentication"]
    except (KeyError, TypeError, IndexError):
        return body
    if not isinstance(auth, dict):
        return body
    starred = {k: "***" if k in ("key", "hash") else v for k, v in auth.items()}
    return {**body, "request": {**body["request"], "authentication": starred}}


@attrs.define
class RecordedRequest:
    """One request as the fake saw it.

    ``path`` is the endpoint name for a request to a known endpoint and the
    URL path as received otherwise, so a test compares it with the name the
    SDK's errors carry; ``endpoint`` is the name or None.  ``time`` is
    ``time.monotonic()`` at arrival; ``status`` is the HTTP status answered
    (None when the connection was dropped or the client had left); ``fault``
    names the injected fault, if any; ``headers`` look-ups ignore case;
    ``processed`` tells whether the account logic ran (so whether an order may
    exist).  The repr stars the credentials in ``body``.
    """

    time: float
    method: str
    path: str
    endpoint: str | None
    body: Any = attrs.field(repr=lambda body: repr(_without_secrets(body)))
    headers: Mapping[str, str] = attrs.field(repr=False)
    raw: bytes = attrs.field(default=b"", repr=False)
    status: int | None = None
    fault: str | None = None
    processed: bool = False

    def as_json(self) -> dict[str, Any]:
        """This record as plain JSON (credentials starred; no raw bytes, no headers)."""
        return {
            "time": self.time,
            "method": self.method,
            "path": self.path,
            "endpoint": self.endpoint,
            "body": _without_secrets(self.body),
            "status": self.status,
            "fault": self.fault,
            "processed": self.processed,
        }
