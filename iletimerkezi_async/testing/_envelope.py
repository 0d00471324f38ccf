"""The response envelope every endpoint answers with, and the refusal that short-cuts it.

Handlers raise :class:`Refusal` at the first failed check, so validation
order is simply the order of the checks and no handler builds an error body.
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

import attrs

from iletimerkezi_async.errors import CODES

__all__ = ["Refusal", "Reply", "envelope", "status_message"]


class Refusal(Exception):
    """Raised inside an endpoint to answer with an error code and no payload."""

    def __init__(self, code: int) -> None:
        self.code = code
        super().__init__(code)


@attrs.frozen
class Reply:
    """What an endpoint answered: the body code doubles as the HTTP status."""

    code: int
    body: dict[str, Any]


def status_message(code: int) -> str:
    if code == 200:
        return "İşlem başarılı"
    info = CODES.get(code)
    if info is not None:
        return info.message
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return "Hata"


def envelope(
    code: int, payload: Mapping[str, Any] | None = None, *, string_code: bool = False
) -> dict[str, Any]:
    """The response envelope; error envelopes carry ``status`` only."""
    status: dict[str, Any] = {
        "code": str(code) if string_code else code,
        "message": status_message(code),
    }
    response: dict[str, Any] = {"status": status}
    if code == 200 and payload:
        response.update(payload)
    return {"response": response}
