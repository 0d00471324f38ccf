"""The whole retry policy, every send-outcome rule included, as one table: no server, no aiohttp.

``retry.decide`` is the only place that says whether an attempt may be
repeated; the transport's loop only sleeps and repeats (tests/test_retry.py
and tests/reliability/ check that it does so against the fake).
"""

from __future__ import annotations

from typing import NamedTuple

import pytest

import iletimerkezi_async as im
from iletimerkezi_async.errors import error_for_code
from iletimerkezi_async.retry import Failure, Outcome, RetryClass, Unreadable, decide

READ, IDEMPOTENT, WRITE, SEND = (
    RetryClass.READ,
    RetryClass.IDEMPOTENT,
    RetryClass.WRITE,
    RetryClass.SEND,
)

NOT_SENT = Failure(text="could not connect (ClientConnectorError)", maybe_sent=False)
MAYBE_SENT = Failure(text="timed out waiting for the answer", maybe_sent=True)
TLS = Failure(text="TLS verification failed", maybe_sent=False, transient=False)
NOT_JSON = Unreadable(
    error=im.ResponseFormatError("x: HTTP 200 with a body that is not JSON", endpoint="x")
)
NOT_JSON_404 = Unreadable(
    error=im.ResponseFormatError(
        "x: HTTP 404 with a body that is not JSON", endpoint="x", http_status=404
    )
)
BAD_SHAPE = Unreadable(
    error=im.ResponseFormatError("x: order: missing key 'id'", endpoint="x"), accepted=True
)


RETRY, FAIL = True, False


def api(code: int) -> im.APIError:
    return error_for_code(code, endpoint="x", http_status=200)


class Row(NamedTuple):
    outcome: Outcome
    retry: RetryClass
    attempt: int
    retried: bool
    error: type[im.IletiMerkeziError]


TABLE: dict[str, Row] = {
    # A connection that never opened is safe to repeat for everyone, sends included.
    "not sent / read": Row(NOT_SENT, READ, 1, RETRY, im.TransportError),
    "not sent / write": Row(NOT_SENT, WRITE, 1, RETRY, im.TransportError),
    "not sent / send": Row(NOT_SENT, SEND, 1, RETRY, im.TransportError),
    # Maybe processed: reads and idempotent writes repeat; a write gives up; a send is unknown.
    "maybe sent / read": Row(MAYBE_SENT, READ, 1, RETRY, im.TransportError),
    "maybe sent / idempotent": Row(MAYBE_SENT, IDEMPOTENT, 1, RETRY, im.TransportError),
    "maybe sent / write": Row(MAYBE_SENT, WRITE, 1, FAIL, im.TransportError),
    "maybe sent / send": Row(MAYBE_SENT, SEND, 1, FAIL, im.SendOutcomeUnknownError),
    # What a repeat cannot fix is never repeated.
    "tls / read": Row(TLS, READ, 1, FAIL, im.TransportError),
    # 503 before processing: everyone may repeat, sends too.
    "503 / read": Row(api(503), READ, 1, RETRY, im.ServiceUnavailableError),
    "503 / write": Row(api(503), WRITE, 1, RETRY, im.ServiceUnavailableError),
    "503 / send": Row(api(503), SEND, 1, RETRY, im.ServiceUnavailableError),
    # Another 5xx may come after processing.
    "500 / read": Row(api(500), READ, 1, RETRY, im.ServiceUnavailableError),
    "500 / write": Row(api(500), WRITE, 1, FAIL, im.ServiceUnavailableError),
    "500 / send": Row(api(500), SEND, 1, FAIL, im.SendOutcomeUnknownError),
    # Throttled: never processed.
    "429 / write": Row(api(429), WRITE, 1, RETRY, im.RateLimitError),
    # Client errors are final.
    "401 / read": Row(api(401), READ, 1, FAIL, im.AuthenticationError),
    "455 / write": Row(api(455), WRITE, 2, FAIL, im.OrderNotFoundError),
    # 451 (duplicate order): final on the first attempt, unknown on a retry.
    "451 first / send": Row(api(451), SEND, 1, FAIL, im.DuplicateOrderError),
    "451 retry / send": Row(api(451), SEND, 2, FAIL, im.SendOutcomeUnknownError),
    # Not the envelope at all: a read repeats, a write gives up, a send is unknown.
    "not json / read": Row(NOT_JSON, READ, 1, RETRY, im.ResponseFormatError),
    "not json / write": Row(NOT_JSON, WRITE, 1, FAIL, im.ResponseFormatError),
    "not json / send": Row(NOT_JSON, SEND, 1, FAIL, im.SendOutcomeUnknownError),
    # A 4xx page (a wrong URL, a WAF) says no again: nobody repeats it.
    "not json 404 / read": Row(NOT_JSON_404, READ, 1, FAIL, im.ResponseFormatError),
    "not json 404 / idempotent": Row(NOT_JSON_404, IDEMPOTENT, 1, FAIL, im.ResponseFormatError),
    # A 200 whose shape is wrong will be wrong again; a send's order exists.
    "bad shape / read": Row(BAD_SHAPE, READ, 1, FAIL, im.ResponseFormatError),
    "bad shape / send": Row(BAD_SHAPE, SEND, 1, FAIL, im.SendOutcomeUnknownError),
}


@pytest.mark.parametrize("row", TABLE.values(), ids=TABLE.keys())
def test_decide(row: Row) -> None:
    verdict = decide("x", row.retry, row.attempt, row.outcome)
    assert verdict.retry is row.retried
    assert type(verdict.error) is row.error
    assert verdict.error.endpoint == "x"  # type: ignore[attr-defined]


@pytest.mark.parametrize("outcome", [NOT_SENT, MAYBE_SENT, TLS])
@pytest.mark.parametrize("retry", list(RetryClass))
def test_a_transport_failure_says_whether_it_may_have_reached_the_server(
    outcome: Failure, retry: RetryClass
) -> None:
    error = decide("x", retry, 1, outcome).error
    assert isinstance(error, im.TransportError)
    assert error.maybe_sent is outcome.maybe_sent
    assert outcome.text in str(error)


def test_an_unknown_send_says_why_and_that_it_was_not_resent() -> None:
    timeout = decide("send-x", SEND, 1, MAYBE_SENT).error
    assert "timed out" in str(timeout) and "not sent again" in str(timeout)
    duplicate = decide("send-x", SEND, 2, api(451)).error
    assert "451" in str(duplicate) and "first attempt most likely went through" in str(duplicate)
    shape = decide("send-x", SEND, 1, BAD_SHAPE).error
    assert "accepted but its id could not be read" in str(shape)


def test_every_outcome_of_a_send_that_may_have_arrived_is_unknown_never_retried() -> None:
    """The central rule: nothing sent twice."""
    may_have_arrived: list[Outcome] = [MAYBE_SENT, NOT_JSON, BAD_SHAPE, api(500), api(502)]
    for outcome in may_have_arrived:
        for attempt in (1, 2, 3):
            verdict = decide("x", SEND, attempt, outcome)
            assert verdict.retry is False, outcome
            assert isinstance(verdict.error, im.SendOutcomeUnknownError), outcome
