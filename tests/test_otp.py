"""``OtpService`` over loopback against the fake, on a virtual clock.

The ``check_*`` coroutines take the store under test, so
``tests/contrib/test_redis_otp.py`` runs the same rules on Redis.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Any

import pytest

import iletimerkezi_async as im
from iletimerkezi_async.clock import ISTANBUL
from iletimerkezi_async.otp import Challenge, MemoryOtpStore, OtpService, OtpStore
from iletimerkezi_async.testing import FakeIletiMerkezi, VirtualClock

SECRET = b"s3cret-otp-key-" + b"x" * 32
PHONE = "+905051234567"
NATIONAL = "5051234567"
START = datetime(2026, 3, 10, 23, 50, tzinfo=ISTANBUL)


class Rig:
    """A fake, a client on a virtual clock, and an ``OtpService`` on ``store``."""

    def __init__(self, fake: FakeIletiMerkezi, client: im.Client, clock: VirtualClock) -> None:
        self.fake = fake
        self.client = client
        self.clock = clock

    def service(self, store: OtpStore, **kw: Any) -> OtpService:
        kw.setdefault("sender", "ACME")
        kw.setdefault("template", "Doğrulama kodunuz: {code}")
        return OtpService(self.client, secret=SECRET, store=store, **kw)

    def code(self, challenge: Challenge) -> str:
        (text,) = self.fake.account.orders[challenge.order.id].texts
        match = re.search(r"(\d{6})", text)
        assert match is not None
        return match[1]


@contextlib.asynccontextmanager
async def rig(**client_kw: Any) -> AsyncIterator[Rig]:
    clock = VirtualClock(start=START)
    async with FakeIletiMerkezi(rate_limit=None) as fake:
        fake.account.add_sender("ACME")
        async with fake.client(
            default_sender="APITEST", send_limiter=None, clock=clock, **client_kw
        ) as client:
            yield Rig(fake, client, clock)


def other(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


StoreFactory = Callable[[], OtpStore]


# ----------------------------------------------------------- shared rules


async def check_send_and_verify_once(store: OtpStore) -> None:
    async with rig() as r:
        otp = r.service(store)
        challenge = await otp.send(NATIONAL)
        assert (challenge.expires_at - START).total_seconds() == 180
        assert (challenge.resend_at - START).total_seconds() == 60
        (text,) = r.fake.account.orders[challenge.order.id].texts
        assert text.startswith("Doğrulama kodunuz: ")
        code = r.code(challenge)
        assert await otp.verify("0505 123 45 67", code) is True
        assert await otp.verify(PHONE, code) is False  # consumed


async def check_lock_after_max_attempts(store: OtpStore) -> None:
    async with rig() as r:
        otp = r.service(store, max_attempts=3)
        code = r.code(await otp.send(PHONE))
        for _ in range(3):
            assert await otp.verify(PHONE, other(code)) is False
        with pytest.raises(im.OtpLockedError):
            await otp.verify(PHONE, code)
        r.clock.advance(180)
        assert await otp.verify(PHONE, code) is False  # expired: no longer locked


async def check_expiry(store: OtpStore) -> None:
    async with rig() as r:
        otp = r.service(store, ttl=120)
        code = r.code(await otp.send(PHONE))
        r.clock.advance(119.5)
        code2 = r.code(await r.service(store, ttl=120).send("5051234568"))
        r.clock.advance(0.5)
        assert await otp.verify(PHONE, code) is False
        assert await otp.verify("5051234568", code2) is True


async def check_cooldown(store: OtpStore) -> None:
    async with rig() as r:
        otp = r.service(store, resend_after=60)
        first = r.code(await otp.send(PHONE))
        r.clock.advance(20)
        with pytest.raises(im.OtpCooldownError) as info:
            await otp.send(PHONE)
        assert info.value.retry_after == pytest.approx(40)
        assert len(r.fake.sent_requests("send-sms")) == 1
        r.clock.advance(40)
        second = r.code(await otp.send(PHONE))
        # The new code replaces the old one.
        if first != second:
            assert await otp.verify(PHONE, first) is False
        assert await otp.verify(PHONE, second) is True


async def check_daily_limit(store: OtpStore) -> None:
    async with rig() as r:
        otp = r.service(store, resend_after=1, daily_limit=2)
        await otp.send(PHONE)
        r.clock.advance(1)
        await otp.send(PHONE)
        r.clock.advance(1)
        with pytest.raises(im.OtpLimitError) as info:
            await otp.send(PHONE)
        assert info.value.retry_after == pytest.approx(10 * 60 - 2)  # to Istanbul midnight
        await otp.send("5051234568")  # another number has its own count
        r.clock.advance(10 * 60)  # 00:00:02 on 11 March in Istanbul
        await otp.send(PHONE)
        assert len(r.fake.sent_requests("send-sms")) == 4


async def check_unknown_outcome_keeps_the_code(store: OtpStore) -> None:
    async with rig() as r:
        otp = r.service(store)
        r.fake.drop("send-sms", when="after")  # the order exists, the answer is lost
        with pytest.raises(im.SendOutcomeUnknownError):
            await otp.send(PHONE)
        (order,) = r.fake.account.orders.values()
        match = re.search(r"(\d{6})", order.texts[0])
        assert match is not None
        with pytest.raises(im.OtpCooldownError):
            await otp.send(PHONE)  # never resent at once
        assert await otp.verify(PHONE, match[1]) is True


async def check_definite_failure_releases(store: OtpStore) -> None:
    async with rig() as r:
        otp = r.service(store, daily_limit=1)
        r.fake.fail("send-sms", 402)
        with pytest.raises(im.InsufficientBalanceError):
            await otp.send(PHONE)
        assert await otp.verify(PHONE, "000000") is False
        code = r.code(await otp.send(PHONE))  # no cooldown, no daily count taken
        assert await otp.verify(PHONE, code) is True


SHARED = [
    check_send_and_verify_once,
    check_lock_after_max_attempts,
    check_expiry,
    check_cooldown,
    check_daily_limit,
    check_unknown_outcome_keeps_the_code,
    check_definite_failure_releases,
]


@pytest.mark.parametrize("check", SHARED, ids=lambda c: c.__name__)
async def test_memory_store_rules(check: Callable[[OtpStore], Any]) -> None:
    await check(MemoryOtpStore())


# ------------------------------------------------------- service-level rules


async def test_international_numbers_are_refused_unless_allowed() -> None:
    async with rig() as r:
        with pytest.raises(im.InvalidRequestError) as info:
            await r.service(MemoryOtpStore()).send("+447911123456")
        assert info.value.field == "number"
        assert "447911123456" not in str(info.value)
        assert r.fake.requests == []
        r.fake.options.abroad = True
        allowed = r.service(MemoryOtpStore(), allow_international=True)
        code = r.code(await allowed.send("+447911123456"))
        assert await allowed.verify("+447911123456", code) is True


@pytest.mark.parametrize("number", ["02121234567", "", "abc", 5051234567.0, ["5051234567"]])
async def test_bad_numbers_are_refused_before_any_io(number: Any) -> None:
    async with rig() as r:
        store = MemoryOtpStore()
        otp = r.service(store)
        with pytest.raises(im.InvalidRequestError):
            await otp.send(number)
        with pytest.raises(im.InvalidRequestError):
            await otp.verify(number, "123456")
        assert r.fake.requests == []
        assert repr(store) == "MemoryOtpStore(challenges=0)"


async def test_a_non_string_code_is_refused() -> None:
    async with rig() as r:
        with pytest.raises(im.InvalidRequestError):
            await r.service(MemoryOtpStore()).verify(PHONE, 123456)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kw", "words"),
    [
        ({"secret": b"short"}, "secret"),
        ({"template": "no code here"}, "{code}"),
        ({"template": "{code} and {code}"}, "{code}"),
        ({"template": "{code}" + "x" * 1200}, "template"),
        ({"sender": "BAD SENDER!"}, "sender"),
        ({"digits": 3}, "digits"),
        ({"ttl": 0}, "ttl"),
        ({"max_attempts": 0}, "max_attempts"),
        ({"daily_limit": True}, "daily_limit"),
        ({"store": {}}, "store"),
    ],
)
async def test_bad_settings_fail_in_the_constructor(kw: dict[str, Any], words: str) -> None:
    async with rig() as r:
        args: dict[str, Any] = {"secret": SECRET, "store": MemoryOtpStore(), "sender": "ACME"}
        with pytest.raises(im.ConfigurationError, match=re.escape(words)):
            OtpService(r.client, **{**args, **kw})
        assert r.fake.requests == []


async def test_braces_other_than_code_are_plain_text() -> None:
    async with rig() as r:
        otp = r.service(MemoryOtpStore(), template="{app} kodu: {code} {}")
        challenge = await otp.send(PHONE)
        (text,) = r.fake.account.orders[challenge.order.id].texts
        assert re.fullmatch(r"\{app\} kodu: \d{6} \{\}", text)


async def test_nothing_secret_in_store_reprs_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="iletimerkezi_async")
    async with rig() as r:
        store = MemoryOtpStore()
        otp = r.service(store)
        challenge = await otp.send(PHONE)
        code = r.code(challenge)
        dumped = repr(vars(store)) + repr(otp) + repr(store) + repr(challenge) + caplog.text
        for secret in (code, NATIONAL, SECRET.decode(), "051234567"):
            assert secret not in dumped
        assert "+90505*****67" in caplog.text
        r.fake.drop("send-sms", when="after")
        r.clock.advance(60)
        with pytest.raises(im.SendOutcomeUnknownError) as info:
            await otp.send(PHONE)
        assert NATIONAL not in str(info.value) + caplog.text


async def test_codes_are_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every comparison of a digest goes through hmac.compare_digest, never ``==``."""
    import hmac

    compared: list[tuple[bytes | str, bytes | str]] = []
    real = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)  # the module otp.py compares with
    async with rig() as r:
        otp = r.service(MemoryOtpStore())
        code = r.code(await otp.send(NATIONAL))
        assert await otp.verify(NATIONAL, other(code)) is False
        assert len(compared) == 1
        assert await otp.verify(NATIONAL, code) is True
        assert len(compared) == 2
    assert all(code not in str(pair) for pair in compared)  # digests, not the code
