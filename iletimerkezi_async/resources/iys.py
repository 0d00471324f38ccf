"""İYS consent registry: register consents, check one recipient's consent."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from .. import _endpoints as api
from .. import _validate, _wire
from .._enums import IysList
from ..errors import InvalidRequestError, RequestValidationError
from ._base import Resource

if TYPE_CHECKING:
    from ..models import Consent

CHUNK = 5000
"""Records per consent/create request (the API takes 1–5000)."""


class IysResource(Resource):
    async def register(
        self, brand_code: int | str, consents: Iterable[Consent]
    ) -> list[dict[str, Any]]:
        """Register consents in chunks of 5,000; what the API returned for each chunk.

        Every record is checked before the first request, so a bad record never
        leaves the registry half-written.  If a chunk fails, the error's notes
        say how many records were registered before it.
        """
        from ..models import Consent  # not at package import (see models)

        code = _validate.brand_code(brand_code)
        if isinstance(consents, Consent | str | bytes | bytearray | Mapping) or not isinstance(
            consents, Iterable
        ):
            raise InvalidRequestError(
                "consents", "must be an iterable (e.g. a list) of iletimerkezi_async.Consent"
            )
        now = self._now()
        records: list[dict[str, str]] = []
        for i, consent in enumerate(consents):
            if not isinstance(consent, Consent):
                raise InvalidRequestError(f"consents[{i}]", "must be an iletimerkezi_async.Consent")
            field = f"consents[{i}]"
            recipient_type = _validate.enum_value(
                consent.recipient_type, IysList, f"{field}.recipient_type"
            )
            consent_type = _validate.consent_type(consent.type, f"{field}.type")
            records.append(
                _wire.consent_record(
                    recipient=_validate.consent_recipient(
                        consent.recipient, consent_type, f"{field}.recipient"
                    ),
                    recipient_type=recipient_type,
                    type=consent_type,
                    status=_validate.consent_status(consent.status, f"{field}.status"),
                    source=_validate.source(consent.source, f"{field}.source"),
                    consent_date=_validate.consent_date(
                        consent.consent_date,
                        recipient_type=recipient_type,
                        now=now,
                        field=f"{field}.consent_date",
                    ),
                )
            )
        if not records:
            raise InvalidRequestError("consents", "needs at least one consent")
        results: list[dict[str, Any]] = []
        for start in range(0, len(records), CHUNK):
            chunk = records[start : start + CHUNK]
            try:
                answer = await self._transport.call(api.CONSENT_CREATE, code, chunk)
            except Exception as exc:
                exc.add_note(
                    f"{start} of {len(records)} consents were registered before this chunk "
                    f"(records {start}–{start + len(chunk) - 1}) failed"
                )
                raise
            results.append(answer.payload)
        return results

    async def check(
        self,
        brand_code: int | str,
        recipient: str,
        *,
        recipient_type: str | IysList = "BIREYSEL",
        type: str = "MESAJ",
    ) -> Consent | None:
        """The recipient's current consent, or ``None`` when İYS holds no record.

        Both ways the API says "no record" give ``None``: a 422, and the
        documented drift of ``200`` with ``consent: []``.
        """
        code = _validate.brand_code(brand_code)
        kind = _validate.enum_value(recipient_type, IysList, "recipient_type")
        consent_type = _validate.consent_type(type)
        number = _validate.consent_recipient(recipient, consent_type)
        try:
            answer = await self._transport.call(
                api.CONSENT_SHOW, code, recipient=number, recipient_type=kind, type=consent_type
            )
        except RequestValidationError as exc:
            if exc.code == 422:
                return None
            raise
        return answer.consent
