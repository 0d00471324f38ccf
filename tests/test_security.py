"""Security checks: the secret guard itself, reprs, TLS verification, plain http only on loopback.

``tests/test_secrets.py`` drives every endpoint at DEBUG and checks the log and
the errors; ``tests/_secret_guard.py`` scans the output of the whole suite.
This module proves the guard catches what it claims to, builds every public
object with credentials in it and checks its ``repr()``/``str()``, and runs
the client against a real HTTPS server on loopback with a throwaway CA.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import ssl
import subprocess
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

import iletimerkezi_async as im
from iletimerkezi_async import errors, webhooks
from iletimerkezi_async.testing import FakeIletiMerkezi

from ._secret_guard import MIN_LENGTH, SecretGuard
from .conftest import HASH, KEY

ROOT = Path(__file__).resolve().parent.parent

# --------------------------------------------------------------------------- the guard

INNER_KEY = "inner-KEY-5c1d9e"
INNER_HASH = "inner-HASH-8b2f70"
INNER_TOKEN = "webhook-token-77aa"
INNER_ENV_KEY = "env-KEY-31f0aa"
INNER_SECRETS = (INNER_KEY, INNER_HASH, INNER_TOKEN, INNER_ENV_KEY, KEY)

INNER_TESTS = f"""
import logging
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

import iletimerkezi_async as im

SECRET_KEY = {INNER_KEY!r}
SECRET_HASH = {INNER_HASH!r}


@pytest.fixture
def client():
    return im.Client(SECRET_KEY, SECRET_HASH)


@pytest.fixture
def noisy_teardown(client):
    yield
    print("closing", SECRET_HASH)


def test_clean(client):
    print("nothing secret", repr(client))
    logging.getLogger("iletimerkezi_async").debug("attempt %d of %s", 1, "get-balance")


def test_print(client):
    print("key:", SECRET_KEY)


def test_log_debug(client):
    logging.getLogger("iletimerkezi_async.inbox").debug("auth %s/%s", "x", SECRET_HASH)


def test_failure_text(client):
    assert SECRET_KEY == "something else"


def test_cli_output(client):
    @click.command()
    def show():
        click.echo("hash " + SECRET_HASH, err=True)

    CliRunner().invoke(show, [])


def test_child_process(client):
    subprocess.run([sys.executable, "-c", "print(%r)" % SECRET_KEY], capture_output=True, check=True)


def test_registered(secret_guard):
    secret_guard.register({INNER_TOKEN!r})
    print("listening on /hook/{INNER_TOKEN}")


def test_environment_credentials(monkeypatch):
    monkeypatch.setenv("ILETIMERKEZI_API_KEY", {INNER_ENV_KEY!r})
    monkeypatch.setenv("ILETIMERKEZI_API_HASH", "env-HASH-9d03bb")
    im.Client()
    print("using", {INNER_ENV_KEY!r})


def test_conftest_constant():
    from tests.conftest import KEY

    print(KEY)


def test_teardown(noisy_teardown):
    pass


@pytest.mark.xfail(reason="fails, but leaks first")
def test_xfail_that_leaks(client):
    print(SECRET_KEY)
    raise AssertionError("expected")


def test_fake_default_as_a_whole_word():
    print("export ILETIMERKEZI_API_KEY=test-key")


def test_fake_default_inside_other_words():
    print("test-keyboard my-test-key test-hashes")


def test_short_values_are_not_tracked():
    im.Client("abc", "defgh")
    print("abc defgh")


@pytest.mark.secrets_in_output(reason="shows the exemption works")
def test_exempt(client):
    print(SECRET_KEY)


@pytest.mark.secrets_in_output
def test_exempt_without_reason():
    pass
"""

EXPECTED = {
    "test_clean": {"PASSED"},
    "test_print": {"FAILED"},
    "test_log_debug": {"FAILED"},
    "test_failure_text": {"FAILED"},
    "test_cli_output": {"FAILED"},
    "test_child_process": {"FAILED"},
    "test_registered": {"FAILED"},
    "test_environment_credentials": {"FAILED"},
    "test_conftest_constant": {"FAILED"},
    "test_teardown": {"PASSED", "ERROR"},
    "test_xfail_that_leaks": {"FAILED"},
    "test_fake_default_as_a_whole_word": {"FAILED"},
    "test_fake_default_inside_other_words": {"PASSED"},
    "test_short_values_are_not_tracked": {"PASSED"},
    "test_exempt": {"PASSED"},
    "test_exempt_without_reason": {"ERROR"},
}


def _run_inner(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, *args: str) -> str:
    """Run ``INNER_TESTS`` in a child pytest with the guard; its whole output."""
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(test_inner=INNER_TESTS)
    result = pytester.runpytest_subprocess(
        "-p", "tests._secret_guard", "-p", "no:cacheprovider", "-v", *args, timeout=120
    )
    return "\n".join(result.outlines + result.errlines)


def _statuses(output: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for name, status in re.findall(
        r"^test_inner\.py::(\w+) (PASSED|FAILED|ERROR|XFAIL)", output, re.M
    ):
        found.setdefault(name, set()).add(status)
    return found


@pytest.fixture
def inner_secrets(secret_guard: SecretGuard) -> None:
    # Should the child's masking fail, this test's own report masks them too.
    for value in INNER_SECRETS:
        secret_guard.register(value, "an inner test's secret")


@pytest.mark.usefixtures("inner_secrets")
def test_the_guard_fails_each_kind_of_leak_and_never_prints_the_secret(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = _run_inner(pytester, monkeypatch)
    assert _statuses(output) == EXPECTED, output
    for secret in (*INNER_SECRETS, "test-key"):
        assert not re.search(rf"(?<![\w-]){re.escape(secret)}(?![\w-])", output), secret
    assert "***" in output
    expected_places = {
        "test_print": "captured stdout call",
        "test_log_debug": "log record from 'iletimerkezi_async.inbox'",
        "test_failure_text": "the failure text",
        "test_cli_output": "CLI output (stderr)",
        "test_child_process": "child process stdout",
        "test_registered": "registered by a test",
        "test_environment_credentials": "Client api_key (resolved)",
        "test_conftest_constant": "tests.conftest.KEY",
        "test_teardown": "captured stdout teardown",
        "test_fake_default_as_a_whole_word": "the fake's default api_key",
    }
    for test, place in expected_places.items():
        assert re.search(
            rf"secret guard: test_inner\.py::{test} .*\n(  - .*\n)*  - .*{re.escape(place)}", output
        ), test
    assert "needs a reason" in output
    assert "scanned for" in output  # the summary line


@pytest.mark.usefixtures("inner_secrets")
def test_the_guard_formats_log_records_itself(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without pytest's logging plugin no "Captured log" section exists: what is
    # caught here is caught by the guard's handler, at DEBUG, with %-args and
    # exception info formatted.
    pytester.makepyfile(
        test_handler=f"""
        import logging

        SECRET = {INNER_KEY!r}


        def test_exception_info(secret_guard):
            secret_guard.register(SECRET)
            try:
                raise RuntimeError("state " + SECRET)
            except RuntimeError:
                logging.getLogger("iletimerkezi_async").debug("failed", exc_info=True)


        def test_arguments(secret_guard):
            secret_guard.register(SECRET)
            logging.getLogger("iletimerkezi_async.webhooks").debug("%s", SECRET)
        """
    )
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    result = pytester.runpytest_subprocess(
        "-p", "tests._secret_guard", "-p", "no:logging", "-p", "no:cacheprovider", timeout=120
    )
    result.assert_outcomes(failed=2)
    output = "\n".join(result.outlines + result.errlines)
    assert "log record from 'iletimerkezi_async'" in output
    assert "log record from 'iletimerkezi_async.webhooks'" in output
    assert INNER_KEY not in output


def test_guard_masks_and_matches(secret_guard: SecretGuard) -> None:
    guard = SecretGuard()
    guard.register_known()
    guard.register("short")  # under MIN_LENGTH: ignored
    guard.register("  padded-secret-1  ")
    assert len("short") < MIN_LENGTH and "short" not in guard.secrets
    assert guard.mask("x padded-secret-1y test-key test-keys") == "x ***y *** test-keys"
    assert [hit.secret.source for hit in guard.find("here", f"a{KEY}b")] == ["tests.conftest.KEY"]
    assert guard.find("here", "nothing") == []
    hits = secret_guard.find("here", KEY)
    assert [hit.context for hit in hits] == ["***"]
    assert KEY not in repr(hits) + repr(secret_guard)


# --------------------------------------------------------------------------- reprs


def _all_text(*objects: object) -> str:
    return "\n".join(f"{obj!r}\n{obj!s}" for obj in objects)


def _assert_clean(text: str, *secrets: str) -> None:
    for secret in (KEY, HASH, *secrets):
        assert secret not in text
        assert secret[:8] not in text  # not even a prefix


async def test_public_objects_never_show_the_credentials(
    tmp_path: Path, secret_guard: SecretGuard
) -> None:
    token = "hook-token-6f2c1e9a"
    secret_guard.register(token, "the webhook token")
    async with FakeIletiMerkezi(KEY, HASH, senders=("ACME",)) as fake:
        fake.fail("get-balance", status=503, times=1)
        async with im.Client(
            KEY,
            HASH,
            base_url=fake.url,
            default_sender="ACME",
            retry=im.RetryPolicy(attempts=1, base=0, cap=0),
        ) as client:
            with pytest.raises(im.ServiceUnavailableError) as unavailable:
                await client.account.balance()
            balance = await client.account.balance()
            fake.add_inbound("merhaba", sender="+905361234567")
            inbox = await client.inbox.list()
            order = await client.sms.send("5051234567", "kod 1")
            report = await client.reports.get(order.id)
            reports = client.reports.list(date.today() - timedelta(days=1), date.today())
            messages = client.reports.messages(order.id)
            blacklist = client.blacklist.list()
            poller = client.inbox.poll(cursor=im.FileCursor(tmp_path / "cursor"))
            memory = im.MemoryCursor()
            await memory.save("opaque-token")
            objects: list[object] = [
                client,
                # Private, but it is what holds the credentials: its repr must hide them too.
                client._transport,  # noqa: SLF001
                client.sms,
                client.reports,
                client.account,
                client.blacklist,
                client.iys,
                client.inbox,
                client.send_limiter,
                client.retry,
                unavailable.value,
                balance,
                inbox,
                *inbox.messages,
                order,
                report,
                reports,
                messages,
                blacklist,
                poller,
                memory,
                fake,
                fake.account,
                fake.account.orders,
                *fake.requests,
                im.TokenBucket(rate=10),
                await client.account.senders(),
            ]
            async for _ in reports:
                break
            objects += [reports, poller]
            await reports.aclose()
            await messages.aclose()
            await blacklist.aclose()
            await poller.aclose()
        objects.append(client)  # closed
        with pytest.raises(im.AuthenticationError) as refused:
            async with im.Client(KEY, "wrong-" + HASH, base_url=fake.url) as bad:
                await bad.account.balance()
        objects.append(refused.value)
    app = webhooks.create_app(lambda report: None, token=token)
    objects += [app, app.router, *app.router.resources(), *app.router.routes()]
    _assert_clean(_all_text(*objects), token)


def test_every_error_never_shows_the_credentials() -> None:
    codes = [*errors.CODES, 200, 300, 418, 429, 499, 500, 502, 599]
    built: list[BaseException] = [
        errors.error_for_code(code, endpoint="send-sms") for code in codes
    ]
    built += [
        errors.error_for_code(code, "sunucu mesajı", endpoint="get-balance", http_status=code)
        for code in codes
    ]
    built += [
        im.TransportError("get-balance: TLS verification failed", maybe_sent=False),
        im.SendOutcomeUnknownError("send-sms: timed out waiting for the answer"),
        im.ResponseFormatError("get-report: not JSON", endpoint="get-report", http_status=502),
        im.InvalidRequestError("to[0]", "must be a Turkish mobile number"),
        im.WaitTimeoutError("waited", order_id="1", timeout=1.0, report=None),
        im.BulkSendError("stopped", orders=(), next_index=0),
        im.ClientClosedError("closed"),
        im.WebhookPayloadError("bad body"),
    ]
    for url in (
        f"http://{KEY}:{HASH}@example.com",
        f"https://{KEY}:{HASH}@api.iletimerkezi.com",
        f"https://api.iletimerkezi.com/?key={KEY}&hash={HASH}",
        f"https://api.iletimerkezi.com:{KEY}",
        f"https://[{KEY}]/",
        f"https://h\\{HASH}",
        f"{KEY}://{HASH}",
        f"http://{KEY}.example.com/{HASH}",
    ):
        with pytest.raises(im.ConfigurationError) as caught:
            im.Client(KEY, HASH, base_url=url)
        built.append(caught.value)
    with pytest.raises(im.ConfigurationError) as no_hash:
        im.Client(KEY, "   ")
    built.append(no_hash.value)
    assert len({type(e) for e in built}) > 20
    _assert_clean(_all_text(*built))


async def test_redis_objects_never_show_the_credentials() -> None:
    pytest.importorskip("redis")
    from redis.asyncio import Redis

    from iletimerkezi_async.contrib.redis import RedisCursor, RedisTokenBucket, account_key

    # Constructing these performs no I/O; the Redis password is a secret too.
    redis = Redis(host="127.0.0.1", port=1, password=HASH)
    try:
        bucket = RedisTokenBucket.for_account(redis, KEY)
        cursor = RedisCursor.for_account(redis, KEY, lease_ttl=5)
        plain = RedisCursor(redis, account_key(KEY, "x"))
        _assert_clean(_all_text(bucket, cursor, plain, account_key(KEY, "send-budget")))
    finally:
        await redis.aclose()


# --------------------------------------------------------------------------- TLS

BALANCE = {
    "response": {"status": {"code": 200, "message": "ok"}, "balance": {"amount": 1, "sms": 2}}
}


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A throwaway CA and two server certificates it signed, made with the openssl CLI.

    ``loopback.pem`` names 127.0.0.1 and localhost; ``elsewhere.pem`` only
    elsewhere.invalid, for the host-name check.
    """
    if shutil.which("openssl") is None:
        if os.environ.get("CI"):
            pytest.fail("CI is set but the openssl command is missing (apt-get install openssl)")
        pytest.skip("the TLS tests need the openssl command")
    where = tmp_path_factory.mktemp("pki")
    ec = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes")
    _openssl(
        "req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
        "-subj", "/CN=iletimerkezi-async test CA",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        "-addext", "subjectKeyIdentifier=hash",
        cwd=where,
    )  # fmt: skip
    for name, names in (
        ("loopback", "IP:127.0.0.1,DNS:localhost"),
        ("elsewhere", "DNS:elsewhere.invalid"),
    ):
        (where / f"{name}.ext").write_text(
            "basicConstraints=critical,CA:FALSE\n"
            "keyUsage=critical,digitalSignature,keyEncipherment\n"
            "extendedKeyUsage=serverAuth\n"
            "subjectKeyIdentifier=hash\n"
            "authorityKeyIdentifier=keyid,issuer\n"
            f"subjectAltName={names}\n",
            "utf-8",
        )
        _openssl(
            "req",
            *ec,
            "-keyout",
            f"{name}.key",
            "-out",
            f"{name}.csr",
            "-subj",
            f"/CN={name}",
            cwd=where,
        )
        _openssl(
            "x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-days", "2", "-extfile", f"{name}.ext", "-out", f"{name}.pem",
            cwd=where,
        )  # fmt: skip
    return where


def trusting(pki: Path) -> ssl.SSLContext:
    """A client context that trusts the test CA (and still checks host names)."""
    return ssl.create_default_context(cafile=str(pki / "ca.pem"))


Served = Callable[[str], AbstractAsyncContextManager[tuple[str, list[str]]]]


@pytest.fixture
def https_server(pki: Path) -> Served:
    """``async with https_server("loopback") as (url, hits)``: an API stand-in over TLS."""

    @asynccontextmanager
    async def serve(cert: str) -> AsyncIterator[tuple[str, list[str]]]:
        hits: list[str] = []

        async def balance(request: web.Request) -> web.Response:
            hits.append(request.path)
            return web.json_response(BALANCE)

        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(pki / f"{cert}.pem", pki / f"{cert}.key")
        app = web.Application()
        app.router.add_post("/v1/get-balance/json", balance)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context)
        await site.start()
        port = runner.addresses[0][1]
        try:
            yield f"https://127.0.0.1:{port}", hits
        finally:
            await runner.cleanup()

    return serve


def _client(url: str, **kw: Any) -> im.Client:
    return im.Client(KEY, HASH, base_url=url, retry=im.RetryPolicy(attempts=3, base=0, cap=0), **kw)


async def _tls_failure(client: im.Client) -> im.TransportError:
    async with client:
        with pytest.raises(im.TransportError) as caught:
            await client.account.balance()
    assert "TLS verification failed" in str(caught.value)
    assert caught.value.maybe_sent is False
    return caught.value


async def test_an_untrusted_certificate_is_refused_by_default(https_server: Served) -> None:
    async with https_server("loopback") as (url, hits):
        await _tls_failure(_client(url))
    assert hits == []  # refused in the handshake, never retried, nothing posted


async def test_a_context_trusting_the_ca_connects(https_server: Served, pki: Path) -> None:
    async with https_server("loopback") as (url, hits), _client(url, ssl=trusting(pki)) as client:
        assert (await client.account.balance()).sms == 2
    assert hits == ["/v1/get-balance/json"]


async def test_host_names_are_checked(https_server: Served, pki: Path) -> None:
    # Signed by the trusted CA, but for another name.
    async with https_server("elsewhere") as (url, hits):
        await _tls_failure(_client(url, ssl=trusting(pki)))
    assert hits == []


async def test_a_borrowed_session_that_skips_verification_does_not_skip_it_for_us(
    https_server: Served, pki: Path
) -> None:
    async with (
        https_server("loopback") as (url, hits),
        aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=False)) as session,
    ):
        async with session.post(f"{url}/v1/get-balance/json") as resp:
            assert resp.status == 200  # the session itself does skip verification
        await _tls_failure(_client(url, session=session))
        async with _client(url, session=session, ssl=trusting(pki)) as client:
            assert (await client.account.balance()).sms == 2
    assert hits == ["/v1/get-balance/json"] * 2


def _unverified() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def _no_host_check() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    return context


@pytest.mark.parametrize(
    "make",
    [
        lambda: False,
        lambda: True,
        lambda: 0,
        lambda: "off",
        _unverified,
        _no_host_check,
        # The stdlib's own non-verifying factory, the one copied from forum answers.
        ssl._create_unverified_context,  # noqa: SLF001
        lambda: ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER),
    ],
    ids=["False", "True", "0", "str", "CERT_NONE", "no-host-check", "unverified", "server-side"],
)
def test_verification_cannot_be_switched_off(make: Callable[[], object]) -> None:
    with pytest.raises(im.ConfigurationError, match="verif"):
        im.Client(KEY, HASH, ssl=make())  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "make",
    [ssl.create_default_context, lambda: ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)],
    ids=["default", "tls-client"],
)
def test_verifying_contexts_are_accepted(make: Callable[[], ssl.SSLContext]) -> None:
    im.Client(KEY, HASH, ssl=make())


async def test_a_context_weakened_after_construction_is_refused_before_sending(
    https_server: Served, pki: Path
) -> None:
    context = trusting(pki)
    async with https_server("loopback") as (url, hits), _client(url, ssl=context) as client:
        context.check_hostname = False
        with pytest.raises(im.ConfigurationError, match="verif"):
            await client.account.balance()
    assert hits == []


# --------------------------------------------------------------------------- http only on loopback


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """The loopback check is by name, never by DNS (``localtest.me`` resolves to 127.0.0.1)."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network I/O while building a Client")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "gethostbyname", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


@pytest.mark.usefixtures("no_network")
@pytest.mark.parametrize(
    "url",
    [
        "http://example.com",
        "http://127.0.0.1.evil.com",
        "http://localhost.example.com",
        "http://localtest.me",
        "http://localhost.",
        "http://127.1",
        "http://0x7f000001",
        "http://2130706433",
        "http://0.0.0.0",
        "http://[::]",
        "http://[::ffff:127.0.0.1]",
        "http://127.0.0.1@evil.com",
        "http://evil.com#@127.0.0.1",
        "http://127.0.0.1%2eevil.com",
    ],
)
def test_plain_http_is_refused_off_loopback_before_any_io(url: str) -> None:
    with pytest.raises(im.ConfigurationError):
        im.Client(KEY, HASH, base_url=url)


@pytest.mark.usefixtures("no_network")
@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://127.0.0.1", "http://127.0.0.1"),
        ("http://[::1]", "http://[::1]"),
        ("http://localhost", "http://localhost"),
        ("http://LOCALHOST:8080", "http://localhost:8080"),
        ("http://127.255.255.254:1", "http://127.255.255.254:1"),
        ("http://[0:0:0:0:0:0:0:1]:9", "http://[::1]:9"),
    ],
)
def test_plain_http_is_accepted_on_loopback(url: str, expected: str) -> None:
    assert im.Client(KEY, HASH, base_url=url).base_url == expected


async def test_the_guard_holds_the_sdk_loggers_at_debug(
    caplog: pytest.LogCaptureFixture, fake_iletimerkezi: FakeIletiMerkezi
) -> None:
    # No set_level here: the guard's session setting is what makes debug lines exist.
    async with fake_iletimerkezi.client() as client:
        await client.account.balance()
    assert any(r.levelname == "DEBUG" and "get-balance" in r.getMessage() for r in caplog.records)
