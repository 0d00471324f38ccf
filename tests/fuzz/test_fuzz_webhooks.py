"""``webhooks.parse`` returns a DeliveryReport or raises WebhookPayloadError, whatever it gets.

Bodies arrive as bytes, bytearray, str or an already-parsed mapping (a
framework's JSON body), random or mutated from the golden 2026/legacy reports.
"""

from __future__ import annotations

from hypothesis import HealthCheck, event, given, note, settings

from ._support import cases, check_webhook, describe, mutated_webhook_case, random_webhook_case

FUZZ = settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(case=cases)
def test_random_webhook_bodies(case: int) -> None:
    body = random_webhook_case(case)
    note(describe(body))
    event(check_webhook(body))


@FUZZ
@given(case=cases)
def test_mutated_golden_webhook_bodies(case: int) -> None:
    body = mutated_webhook_case(case)
    note(describe(body))
    event(check_webhook(body))
