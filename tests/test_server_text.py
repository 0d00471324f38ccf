"""What a server or proxy says in its own words: meant as the API meant it, and scrubbed.

A front proxy's HTML 401/403 is the API's authentication failure; any other
non-JSON 4xx is final (a wrong URL, a WAF page); and an answer that echoes
the request never puts the key, the hash, a number or the text into an
error or a log line (the secret guard also fails any test whose logs hold
the credentials).
"""

from __future__ import annotations

import json
import logging

import pytest
import yarl
from aioresponses import aioresponses

import iletimerkezi_async as im

from .conftest import BASE, HASH, KEY

BALANCE = f"{BASE}/v1/get-balance/json"
SEND = f"{BASE}/v1/send-sms/json"
HTML = "<html><body><h1>403 Forbidden</h1>Request blocked.</body></html>"
TEXT = "Doğrulama kodunuz 482913 — çağrı"


def attempts(mocked: aioresponses, url: str) -> int:
    return len(mocked.requests.get(("POST", yarl.URL(url)), []))


@pytest.mark.parametrize("status", [401, 403])
async def test_an_html_refusal_from_a_proxy_is_an_authentication_error(
    mocked: aioresponses, client: im.Client, status: int
) -> None:
    mocked.post(BALANCE, status=status, body=HTML, content_type="text/html", repeat=True)
    with pytest.raises(im.AuthenticationError) as caught:
        await client.account.balance()
    assert caught.value.http_status == status and caught.value.code == 401
    assert "IP" in str(caught.value)  # names the whitelist cause among the three
    assert attempts(mocked, BALANCE) == 1


@pytest.mark.parametrize(
    ("status", "body"),
    [(404, "<html>Not Found</html>"), (400, '{"error": "bad"}'), (405, ""), (418, "teapot")],
)
async def test_any_other_4xx_without_the_envelope_is_final(
    mocked: aioresponses, client: im.Client, status: int, body: str
) -> None:
    mocked.post(BALANCE, status=status, body=body, repeat=True)
    with pytest.raises(im.ResponseFormatError) as caught:
        await client.account.balance()
    assert caught.value.http_status == status
    assert attempts(mocked, BALANCE) == 1  # a read, yet not retried: the refusal repeats


async def test_a_5xx_page_is_still_retried(mocked: aioresponses, client: im.Client) -> None:
    mocked.post(BALANCE, status=502, body="<html>Bad Gateway</html>", repeat=True)
    with pytest.raises(im.ServiceUnavailableError):
        await client.account.balance()
    assert attempts(mocked, BALANCE) == 3


def echo(request: dict[str, object], *, code: int) -> dict[str, object]:
    """An answer whose message echoes the request, as a debugging proxy might."""
    as_sent = json.dumps(request)  # ASCII escapes, as PHP's json_encode would
    return {"response": {"status": {"code": code, "message": f"Geçersiz istek: {as_sent}"}}}


def leaks(text: str) -> list[str]:
    found = [s for s in (KEY, HASH, "5051234567", "482913", TEXT) if s in text]
    escaped = json.dumps(TEXT)[1:-1]
    return found + ([escaped] if escaped in text else [])


async def test_an_echoed_request_is_scrubbed_from_the_error(
    mocked: aioresponses, client: im.Client
) -> None:
    request = {
        "authentication": {"key": KEY, "hash": HASH},
        "order": {
            "sender": "ACME",
            "message": {"text": TEXT, "receipents": {"number": ["+905051234567"]}},
        },
        "seen_before": "+905329998877",  # not in this request: masked, not hidden
    }
    mocked.post(SEND, status=400, payload=echo({"request": request}, code=400))
    with pytest.raises(im.BadRequestError) as caught:
        await client.sms.send("5051234567", TEXT)
    error = caught.value
    for shown in (str(error), repr(error), error.message):
        assert leaks(shown) == [], shown
    assert "Geçersiz istek" in error.message  # the server's own words survive
    assert "+90532*****77" in error.message and "9998877" not in error.message


async def test_an_echo_in_a_retried_answer_stays_out_of_the_retry_log(
    mocked: aioresponses, client: im.Client, caplog: pytest.LogCaptureFixture
) -> None:
    request = {"authentication": {"key": KEY, "hash": HASH}, "note": "call +905321234567"}
    mocked.post(BALANCE, status=503, payload=echo({"request": request}, code=503), repeat=True)
    with (
        caplog.at_level(logging.INFO, logger="iletimerkezi_async"),
        pytest.raises(im.ServiceUnavailableError) as caught,
    ):
        await client.account.balance()
    retries = [r.getMessage() for r in caplog.records if "retrying" in r.getMessage()]
    assert len(retries) == 2
    for line in [*retries, str(caught.value)]:
        assert KEY not in line and HASH not in line and "5321234567" not in line, line
