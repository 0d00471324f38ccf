"""The per-call shortcuts give what the general paths give (issue 15).

Each shortcut of the hot path has a general path beside it: the bound
encoder beside :func:`_wire.encode`, the remembered float decimals beside
``Decimal(str(f))``, an owned session's default headers beside headers sent
with each request, the inline first attempt beside :func:`retry.decide`.
These tests hold each pair to the same bytes, values, errors and headers.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from hypothesis import given
from hypothesis import strategies as st

import iletimerkezi_async as im
from iletimerkezi_async import _endpoints as api
from iletimerkezi_async import _lenient, _transport, _wire
from iletimerkezi_async.retry import Failure, RetryClass, decide
from iletimerkezi_async.testing import FakeIletiMerkezi, VirtualClock

ROOT = Path(__file__).resolve().parents[1]
CREDENTIALS = [
    ("test-key", "test-hash"),
    ('k"ey\\', "h</script>ash"),
    ("anahtar-ğüşiöç", "özet-✓-\u2028"),
]

BODIES: list[Mapping[str, Any]] = [
    _wire.send_sms(
        [("Merhaba ğüşiöç 😀", ["+905051234567"])], sender="ACME", schedule=None, iys_list=None
    ).body,
    _wire.send_sms(
        [("a", ["+905051234567", "+905321234567"]), ('b "quoted" \\', ["+905051234568"])],
        sender="ACME",
        schedule="01/02/2030 10:00",
        iys_list="BIREYSEL",
    ).body,
    _wire.cancel_order("123").body,
    _wire.get_report("9", page=2, page_size=1000).body,
    _wire.get_reports(date(2026, 1, 1), date(2026, 1, 31), page=3).body,
    _wire.get_balance().body,
    _wire.get_sender().body,
    _wire.get_inbox().body,
    _wire.get_blacklist(page=1, page_size=5).body,
    _wire.get_blacklist(
        page=1,
        page_size=5,
        start=datetime(2026, 1, 1, tzinfo=UTC),
        end=datetime(2026, 2, 1, tzinfo=UTC),
    ).body,
    _wire.add_blacklist("+905051234567").body,
    _wire.delete_blacklist("+905051234567").body,
    _wire.consent_create(
        77,
        [
            _wire.consent_record(
                recipient="+905051234567",
                recipient_type="BIREYSEL",
                type="MESAJ",
                status="ONAY",
                source="HS_WEB",
                consent_date=None,
            )
        ],
    ).body,
    _wire.consent_show(77, recipient="+905051234567", recipient_type="BIREYSEL", type="MESAJ").body,
]


@pytest.mark.parametrize(("key", "hash_"), CREDENTIALS)
@pytest.mark.parametrize("body", BODIES)
def test_the_bound_encoder_sends_the_bytes_encode_sends(
    body: Mapping[str, Any], key: str, hash_: str
) -> None:
    assert _wire.encoder(key, hash_)(body) == _wire.encode(body, key, hash_)


def test_the_bound_encoder_takes_encodes_path_for_what_it_cannot_vouch_for() -> None:
    bound = _wire.encoder("k", "h")
    odd: list[Mapping[str, Any]] = [
        {"authentication": {"key": "other"}},  # would replace the credentials
        {"order": {"id": "1"}, "authentication": None},
    ]
    for body in odd:
        assert bound(body) == _wire.encode(body, "k", "h")
    assert json.loads(bound(odd[0])) == {"request": {"authentication": {"key": "other"}}}


@pytest.mark.parametrize(
    ("key", "body"),
    [("k", {"order": {"text": "lone \ud800 surrogate"}}), ("k\udfff", {}), ("k\udfff", {"a": 1})],
)
def test_what_utf8_refuses_fails_alike_and_only_when_sent(key: str, body: dict[str, Any]) -> None:
    bound = _wire.encoder(key, "h")  # never raises: a client is made before it sends
    with pytest.raises(UnicodeEncodeError) as general:
        _wire.encode(body, key, "h")
    with pytest.raises(UnicodeEncodeError) as shortcut:
        bound(body)
    assert shortcut.value.args == general.value.args


def test_the_bound_encoder_shows_no_credentials() -> None:
    bound = _wire.encoder("sekret-key-123", "sekret-hash-456")
    for shown in (repr(bound), str(bound), repr(vars(bound)) if hasattr(bound, "__dict__") else ""):
        assert "sekret" not in shown


def test_blockless_requests_are_one_read_only_request() -> None:
    balance, senders, inbox = _wire.get_balance(), _wire.get_sender(), _wire.get_inbox()
    assert balance is senders is inbox
    assert dict(balance.body) == {} and balance.cost == 0
    with pytest.raises(TypeError):
        balance.body["order"] = {}  # type: ignore[index]


# --------------------------------------------------------------------------- float money


def _same(a: Decimal, b: Decimal) -> bool:
    """Equal, and written alike (the exponent too: Decimal("1000.0") is not Decimal(1000))."""
    return a.as_tuple() == b.as_tuple()


FLOATS = [10.584, 1000.0, 0.1, 0.0, -0.0, 0.0, -0.0, 1e300, 5e-324, -12.5, 2.675, 1e16, 123456.789]


def test_float_money_is_decimal_of_its_text_first_time_and_after() -> None:
    for value in FLOATS + FLOATS[::-1]:
        assert _same(_lenient.decimal(value, "amount"), Decimal(str(value))), value


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_any_finite_float_parses_as_its_text(value: float) -> None:
    assert _same(_lenient.decimal(value, "amount"), Decimal(str(value)))
    assert _same(_lenient.decimal(value, "amount"), Decimal(str(value)))


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_floats_are_refused_every_time(value: float) -> None:
    for _ in range(2):
        with pytest.raises(_lenient.Bad, match="expected a decimal number, got float"):
            _lenient.decimal(value, "amount")


# --------------------------------------------------------------------------- the transport


def _body(code: int, **response: Any) -> bytes:
    return json.dumps({"response": {"status": {"code": code, "message": "x"}, **response}}).encode()


class Scripted(_transport.Transport):
    """Answers each POST with the next scripted answer (the seam of test_transport_seam)."""

    def __init__(self, answers: list[tuple[int, bytes, float | None] | BaseException]) -> None:
        super().__init__(
            api_key="k",
            api_hash="h",
            base_url="https://api.example",
            session=None,
            timeout=aiohttp.ClientTimeout(total=1),
            retry=im.RetryPolicy(attempts=4, base=0.0, cap=0.0),
            limiter=None,
            clock=VirtualClock(),
        )
        self.answers = answers

    async def _post(self, url: str, body: bytes) -> tuple[int, bytes, float | None]:
        answer = self.answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        return answer


OK = _body(200, balance={"amount": 12.5, "sms": 7})


async def test_every_failed_attempt_and_only_those_goes_to_decide(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The loop answers alone only when there is an answer: whatever else an attempt
    gives (a refusal, an unreadable body, no answer) is :func:`decide`'s to rule on."""
    seen: list[tuple[str, RetryClass, int, object]] = []
    real = decide

    def spy(endpoint: str, retry: RetryClass, attempt: int, outcome: Any) -> Any:
        seen.append((endpoint, retry, attempt, outcome))
        return real(endpoint, retry, attempt, outcome)

    monkeypatch.setattr(_transport, "decide", spy)
    transport = Scripted(
        [
            (503, _body(503), None),
            aiohttp.ServerDisconnectedError(),
            (200, b"<html>", None),
            (200, OK, None),
        ]
    )
    answer = await transport.call(api.GET_BALANCE)
    assert answer.balance == im.Balance(amount=Decimal("12.5"), sms=7)
    assert [(name, retry, attempt) for name, retry, attempt, _ in seen] == [
        ("get-balance", RetryClass.READ, 1),
        ("get-balance", RetryClass.READ, 2),
        ("get-balance", RetryClass.READ, 3),
    ]
    assert isinstance(seen[0][3], im.ServiceUnavailableError)
    assert isinstance(seen[1][3], Failure) and seen[1][3].maybe_sent
    assert type(seen[2][3]).__name__ == "Unreadable"
    await transport.close()

    seen.clear()
    first = Scripted([(200, OK, None)])
    assert (await first.call(api.GET_BALANCE)).balance.sms == 7
    assert seen == []  # an answer is the whole call: nothing for decide to rule on
    await first.close()


async def test_an_http_error_status_with_a_200_body_is_an_answer() -> None:
    """The body's code decides, whatever the HTTP status (reference §1.3)."""
    transport = Scripted([(503, OK, 5.0)])
    assert (await transport.call(api.GET_BALANCE)).balance.amount == Decimal("12.5")
    await transport.close()


@pytest.mark.parametrize("watched", [False, True])
async def test_a_refusal_raises_the_same_error_through_call_and_call_watched(
    watched: bool,
) -> None:
    transport = Scripted([(401, _body(401), None)])
    run = (
        transport.call_watched(_transport.Watch(), api.GET_BALANCE)
        if watched
        else transport.call(api.GET_BALANCE)
    )
    with pytest.raises(im.AuthenticationError) as caught:
        await run
    assert caught.value.code == 401 and caught.value.endpoint == "get-balance"
    await transport.close()


async def test_an_owned_session_sends_the_headers_a_borrowed_one_does() -> None:
    """An owned session carries our headers as its defaults, a borrowed one gets them
    with each request: the server sees the same ones (and a borrowed session's own)."""
    async with FakeIletiMerkezi(rate_limit=None) as fake:
        async with fake.client(send_limiter=None) as owned:
            await owned.account.balance()
        async with (
            aiohttp.ClientSession(headers={"X-App": "demo"}) as session,
            fake.client(send_limiter=None, session=session) as borrowed,
        ):
            await borrowed.account.balance()
        mine, theirs = (dict(r.headers) for r in fake.requests[-2:])
    assert theirs.pop("X-App") == "demo"
    assert mine == theirs
    assert mine["Content-Type"] == "application/json"
    assert mine["Accept"] == "application/json"
    assert mine["User-Agent"] == _transport.USER_AGENT


async def test_a_borrowed_session_closed_by_its_owner_is_still_refused() -> None:
    async with FakeIletiMerkezi(rate_limit=None) as fake:
        session = aiohttp.ClientSession()
        client = fake.client(send_limiter=None, session=session)
        await client.account.balance()
        await session.close()
        with pytest.raises(im.ConfigurationError, match="session given to the Client is closed"):
            await client.account.balance()
        await client.close()


_READY = """
import sys
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from iletimerkezi_async import _otel

def both():
    fast = _otel.Telemetry().ready()
    _otel._GLOBALS = False  # an API version without the globals: the public check
    try:
        slow = _otel.Telemetry().ready()
    finally:
        _otel._GLOBALS = True
    return fast, slow

print(_otel._GLOBALS, *both())
trace.set_tracer_provider(TracerProvider())
print(*both())
"""


def test_telemetry_is_ready_by_the_globals_as_by_the_public_check() -> None:
    """Before and after a provider is installed, in a process of its own (providers
    are set once per process)."""
    pytest.importorskip("opentelemetry.sdk")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, "-c", _READY],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == ["True False False", "True True"]
