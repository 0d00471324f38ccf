"""No key or hash in any log line, repr or error, with DEBUG logging on every endpoint."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

import iletimerkezi_async as im
from iletimerkezi_async.testing import FakeIletiMerkezi

KEY = "9f8e7d6c5b4a39281706f5e4d3c2b1a0"
HASH = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
IST = ZoneInfo("Europe/Istanbul")


async def test_nothing_secret_leaks_at_debug(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    seen: list[str] = []
    async with FakeIletiMerkezi(api_key=KEY, api_hash=HASH, senders=("ACME",)) as fake:
        fake.fail("get-balance", status=503, times=1)
        async with fake.client(
            retry=im.RetryPolicy(attempts=2, base=0, cap=0), default_sender="ACME"
        ) as client:
            seen.append(repr(client))
            seen.append(repr(await client.account.balance()))
            seen.append(repr(await client.account.senders()))
            order = await client.sms.send("5051234567", "Gizli kod 4321")
            seen.append(repr(order))
            later = await client.sms.send(
                "5321234567", "Planlı", send_at=datetime.now(IST) + timedelta(hours=1)
            )
            await client.sms.cancel(later.id)
            seen.append(repr(await client.sms.send_many({"5331234567": "a", "5341234567": "b"})))
            seen.append(repr(await client.reports.get(order.id)))
            await client.blacklist.add("5351234567")
            await client.blacklist.remove("5351234567")
            consent = im.Consent(
                recipient="5051234567",
                recipient_type=im.IysList.BIREYSEL,
                type=im.ConsentType.MESAJ,
                status=im.ConsentStatus.ONAY,
                source="HS_WEB",
                consent_date=datetime(2026, 1, 1, tzinfo=IST),
            )
            seen.append(repr(await client.iys.register(696422, [consent])))
            seen.append(repr(await client.iys.check(696422, "5051234567")))
            fake.add_inbound("Gizli cevap", sender="+905361234567")
            seen.append(repr(await client.inbox.list()))
            for failing in (
                client.reports.get("123456789"),
                client.blacklist.remove("5371234567"),
                client.sms.send("5051234567", "Gizli kod 4321"),
            ):
                with pytest.raises(im.APIError) as caught:
                    await failing
                seen += [str(caught.value), repr(caught.value)]
        async with im.Client(KEY, "wrong" + HASH, base_url=fake.url) as bad:
            with pytest.raises(im.AuthenticationError) as auth:
                await bad.account.balance()
            seen += [str(auth.value), repr(auth.value), repr(bad)]
    seen += [r.getMessage() for r in caplog.records]
    assert any("send-sms" in line for line in seen)  # the log did capture the calls
    text = "\n".join(seen)
    assert KEY not in text and HASH not in text
    assert "Gizli kod" not in text and "Gizli cevap" not in text  # KVKK: no message text
    for number in ("5051234567", "5321234567", "5361234567"):  # masked in logs and reprs
        assert number not in text


def test_configuration_errors_do_not_echo_credentials() -> None:
    with pytest.raises(im.ConfigurationError) as caught:
        im.Client(KEY, HASH, base_url="http://example.com")
    assert KEY not in str(caught.value) and HASH not in str(caught.value)
