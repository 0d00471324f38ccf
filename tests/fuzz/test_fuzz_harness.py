"""The fuzz harness itself: it reaches the converters, and it would notice a bug.

Without these a broken strategy (every body refused by ``decode``) or a
checker that swallows exceptions would let the fuzz tests pass vacuously.
Everything here is deterministic: fixed case numbers, no hypothesis search.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable

import pytest

from iletimerkezi_async.errors import ResponseFormatError
from iletimerkezi_async.models import Balance

from .. import _answers as answers
from ._support import (
    API_ERROR,
    CONVERT_REFUSED,
    DECODE_REFUSED,
    ENDPOINT_IDS,
    ENDPOINTS,
    GOLDEN,
    PARSED,
    STATUS_ONLY,
    WEBHOOK_GOLDENS,
    Endpoint,
    Request,
    WebhookBody,
    check,
    check_phone,
    check_webhook,
    mutated_case,
    mutated_webhook_case,
    random_case,
    random_webhook_case,
)

# 600 fixed cases: enough for every strategy to reach each outcome at least once.
CASES = [random.Random(seed).getrandbits(64) for seed in range(600)]


def golden_bytes(name: str) -> bytes:
    return (GOLDEN / f"{name}.json").read_bytes()


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=ENDPOINT_IDS)
def test_every_golden_body_parses_through_the_harness(endpoint: Endpoint) -> None:
    for name in endpoint.goldens:
        assert check(endpoint, Request(golden_bytes(name), 200)) == PARSED, name


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=ENDPOINT_IDS)
def test_case_zero_is_the_unmutated_golden_body(endpoint: Endpoint) -> None:
    # Shape digits all zero: first golden, no mutation, plain UTF-8, HTTP 200.
    request = mutated_case(endpoint, 0)
    assert request.status == 200
    assert check(endpoint, request) == PARSED


def test_every_golden_webhook_parses_through_the_harness() -> None:
    for name in WEBHOOK_GOLDENS:
        assert check_webhook(golden_bytes(name)) == PARSED, name
    assert check_webhook(mutated_webhook_case(0)) == PARSED


@pytest.mark.parametrize("strategy", [random_case, mutated_case], ids=["random", "mutated"])
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=ENDPOINT_IDS)
def test_both_outcomes_occur(
    endpoint: Endpoint, strategy: Callable[[Endpoint, int], Request]
) -> None:
    """Over fixed cases each strategy yields parsed models and every kind of refusal."""
    seen = Counter(check(endpoint, strategy(endpoint, case)) for case in CASES)
    assert seen[PARSED] > 0, seen
    assert seen[DECODE_REFUSED] > 0, seen
    assert seen[API_ERROR] > 0, seen
    if endpoint.goldens != STATUS_ONLY:
        assert seen[CONVERT_REFUSED] > 0, seen


@pytest.mark.parametrize(
    "strategy", [random_webhook_case, mutated_webhook_case], ids=["random", "mutated"]
)
def test_both_webhook_outcomes_occur(strategy: Callable[[int], WebhookBody]) -> None:
    seen = Counter(check_webhook(strategy(case)) for case in CASES)
    assert seen[PARSED] > 0, seen
    assert seen["refused"] > 0, seen


def test_mutations_cover_the_body_forms() -> None:
    """Wrong encodings, truncation and tree mutations all occur among the fixed cases."""
    endpoint = ENDPOINTS[0]
    bodies = [mutated_case(endpoint, case).body for case in CASES]
    assert any(body.startswith((b"\xff\xfe", b"\xfe\xff")) for body in bodies)  # UTF-16 BOM
    assert any(b"\x00" in body[:4] and not body.startswith(b"\xff") for body in bodies)
    assert any(len(body) > 50_000 for body in bodies)  # 10**5000 or deep nesting
    assert any(b"response" not in body for body in bodies)  # dropped or truncated
    assert len(set(bodies)) > len(CASES) // 2


def test_checker_lets_other_exceptions_escape() -> None:
    broken = Endpoint("get-balance", lambda p: p["missing"], (Balance,), ("2026/get-balance",))
    with pytest.raises(KeyError):
        check(broken, Request(golden_bytes("2026/get-balance"), 200))


def test_checker_refuses_a_wrong_model_type() -> None:
    wrong = Endpoint("get-balance", answers.order_summaries, (Balance,), ("2026/get-balance",))
    with pytest.raises(AssertionError):
        check(wrong, Request(golden_bytes("2026/get-reports"), 200))


def test_checker_counts_response_format_errors_as_refusals() -> None:
    endpoint = ENDPOINTS[ENDPOINT_IDS.index("get-balance")]
    body = b'{"response":{"status":{"code":200},"balance":{"amount":"x","sms":1}}}'
    assert check(endpoint, Request(body, 200)) == CONVERT_REFUSED
    with pytest.raises(ResponseFormatError):
        answers.balance({"balance": {"amount": "x", "sms": 1}})


@pytest.mark.parametrize("value", ["-5051234567", " +905051234567", "05051234567", ""])
def test_phone_check_refuses_unnormalised_numbers(value: str) -> None:
    with pytest.raises(AssertionError):
        check_phone(value)


@pytest.mark.parametrize("value", ["+905051234567", "+4917257448331", "7889", "ACME", "a@b.c"])
def test_phone_check_accepts_normalised_numbers_and_short_codes(value: str) -> None:
    check_phone(value)


def test_webhook_checker_keeps_unknown_status() -> None:
    # An unknown status is handed over as UNKNOWN (issue 11), not refused.
    body = golden_bytes("2026/webhook").replace(b'"accepted"', b'"new-state"')
    assert check_webhook(body) == PARSED
    assert check_webhook(body.replace(b'"new-state"', b"null")) == "refused"
