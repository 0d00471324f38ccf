"""Every endpoint's answer, random or mutated, parses or raises ResponseFormatError/APIError.

Each body goes through ``_wire.decode`` (as the transport calls it, bytes and
an HTTP status) and then the endpoint's converter; :func:`check` lets only
those two exception families out and checks what a parsed model promises.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, event, given, note, settings

from ._support import (
    ENDPOINT_IDS,
    ENDPOINTS,
    Endpoint,
    cases,
    check,
    describe,
    mutated_case,
    random_case,
)

FUZZ = settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=ENDPOINT_IDS)
@FUZZ
@given(case=cases)
def test_random_bodies(endpoint: Endpoint, case: int) -> None:
    request = random_case(endpoint, case)
    note(describe(request))
    event(check(endpoint, request))


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=ENDPOINT_IDS)
@FUZZ
@given(case=cases)
def test_mutated_golden_bodies(endpoint: Endpoint, case: int) -> None:
    request = mutated_case(endpoint, case)
    note(describe(request))
    event(check(endpoint, request))
