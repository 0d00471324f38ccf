"""OpenTelemetry spans, metrics and log extras, over loopback against the fake.

The SDK records through the *global* providers, which OpenTelemetry lets a
process set once: this module sets them once (an in-memory span exporter and
a delta-temporality metric reader) and clears both before each test.
"""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("opentelemetry.sdk")

from opentelemetry import metrics, trace
from opentelemetry.sdk.metrics import Counter, Histogram, MeterProvider
from opentelemetry.sdk.metrics.export import AggregationTemporality, InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from iletimerkezi_async import AuthenticationError, SendOutcomeUnknownError, TokenBucket
from iletimerkezi_async.testing import FakeIletiMerkezi

ROOT = Path(__file__).resolve().parents[1]
NUMBER = "5321234567"
OTHER = "5427654321"
TEXT = "gizli metin otel 7731"
KEY, HASH = "test-key", "test-hash"
SECRETS = (KEY, HASH, NUMBER, OTHER, TEXT, "1234567", "7654321")

EXPORTER = InMemorySpanExporter()
READER = InMemoryMetricReader(
    preferred_temporality={
        Counter: AggregationTemporality.DELTA,
        Histogram: AggregationTemporality.DELTA,
    }
)
_installed: list[bool] = []


def _install() -> None:
    if _installed:
        return
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(EXPORTER))
    trace.set_tracer_provider(provider)
    metrics.set_meter_provider(MeterProvider(metric_readers=[READER]))
    _installed.append(True)


@pytest.fixture(autouse=True)
def collected() -> None:
    _install()
    EXPORTER.clear()
    READER.get_metrics_data()  # delta temporality: drop what earlier tests recorded


def spans(name: str | None = None) -> list[ReadableSpan]:
    return [s for s in EXPORTER.get_finished_spans() if name is None or s.name == name]


def points() -> dict[str, list[Any]]:
    """Data points by metric name, collected since the last read."""
    data = READER.get_metrics_data()
    found: dict[str, list[Any]] = {}
    for resource in data.resource_metrics if data else ():
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                found.setdefault(metric.name, []).extend(metric.data.data_points)
    return found


def total(found: dict[str, list[Any]], name: str, **attributes: str) -> float:
    return sum(
        p.value
        for p in found.get(name, [])
        if all(p.attributes.get(k) == v for k, v in attributes.items())
    )


def assert_clean(values: Any) -> None:
    text = repr(values)
    for secret in SECRETS:
        assert secret not in text, f"{secret!r} leaked into telemetry: {text}"


def everything(found: dict[str, list[Any]]) -> list[Any]:
    out: list[Any] = []
    for span in spans():
        out += [span.name, dict(span.attributes or {}), span.status.description]
        out += [(e.name, dict(e.attributes or {})) for e in span.events]
    for name, pts in found.items():
        out += [name, *(dict(p.attributes) for p in pts)]
    return out


async def test_balance_is_one_client_span_counted_ok() -> None:
    async with (
        FakeIletiMerkezi(rate_limit=None) as fake,
        fake.client(default_sender="APITEST", send_limiter=None) as client,
    ):
        await client.account.balance()
    [span] = spans()
    assert span.name == "iletimerkezi get-balance"
    assert span.kind is SpanKind.CLIENT
    assert span.attributes is not None
    assert dict(span.attributes) == {
        "iletimerkezi.endpoint": "get-balance",
        "iletimerkezi.attempts": 1,
    }
    assert span.status.status_code is StatusCode.UNSET
    found = points()
    ok = {"iletimerkezi.endpoint": "get-balance", "iletimerkezi.outcome": "ok"}
    assert total(found, "iletimerkezi.client.requests", **ok) == 1
    [duration] = found["iletimerkezi.client.duration"]
    assert duration.count == 1
    assert duration.sum > 0


async def test_retry_is_an_event_and_attempts_count_it() -> None:
    async with (
        FakeIletiMerkezi(rate_limit=None) as fake,
        fake.client(default_sender="APITEST", send_limiter=None) as client,
    ):
        fake.fail("get-balance", 503)
        await client.account.balance()
    [span] = spans()
    assert span.attributes is not None
    assert span.attributes["iletimerkezi.attempts"] == 2
    [event] = span.events
    assert event.name == "iletimerkezi.retry"
    assert event.attributes is not None
    assert event.attributes["attempt"] == 2
    delay = event.attributes["delay"]
    assert isinstance(delay, float)
    assert delay >= 0


async def test_failure_sets_error_type_and_status() -> None:
    async with (
        FakeIletiMerkezi(rate_limit=None) as fake,
        fake.client(api_key="wrong-key", send_limiter=None) as client,
    ):
        with pytest.raises(AuthenticationError) as caught:
            await client.account.balance()
    [span] = spans()
    assert span.attributes is not None
    assert span.attributes["error.type"] == type(caught.value).__name__
    assert span.status.status_code is StatusCode.ERROR
    assert not span.status.description
    assert not span.events  # no exception event: its message may quote the server
    found = points()
    err = {"iletimerkezi.endpoint": "get-balance", "iletimerkezi.outcome": "error"}
    assert total(found, "iletimerkezi.client.requests", **err) == 1


async def test_send_records_order_id_and_recipients() -> None:
    async with (
        FakeIletiMerkezi(rate_limit=None) as fake,
        fake.client(default_sender="APITEST", send_limiter=None) as client,
    ):
        order = await client.sms.send([NUMBER, OTHER], TEXT)
    [span] = spans("iletimerkezi send-sms")
    assert span.attributes is not None
    assert span.attributes["iletimerkezi.order_id"] == str(order.id)
    assert span.attributes["iletimerkezi.recipients"] == 2
    found = points()
    assert total(found, "iletimerkezi.sms.recipients", **{"iletimerkezi.endpoint": "send-sms"}) == 2
    assert_clean(everything(found))


async def test_unknown_outcome_is_counted() -> None:
    async with (
        FakeIletiMerkezi(rate_limit=None) as fake,
        fake.client(default_sender="APITEST", send_limiter=None, timeout=0.3) as client,
    ):
        fake.stall("send-sms", 2, when="after")
        with pytest.raises(SendOutcomeUnknownError):
            await client.sms.send(NUMBER, TEXT)
    [span] = spans("iletimerkezi send-sms")
    assert span.attributes is not None
    assert span.attributes["error.type"] == "SendOutcomeUnknownError"
    assert "iletimerkezi.order_id" not in span.attributes
    found = points()
    send = {"iletimerkezi.endpoint": "send-sms"}
    assert total(found, "iletimerkezi.sms.unknown_outcomes", **send) == 1
    assert (
        total(found, "iletimerkezi.client.requests", **send, **{"iletimerkezi.outcome": "unknown"})
        == 1
    )
    assert total(found, "iletimerkezi.sms.recipients") == 0
    assert_clean(everything(found))


async def test_limiter_wait_is_an_event_and_a_histogram() -> None:
    bucket = TokenBucket(rate=10, capacity=1)
    async with (
        FakeIletiMerkezi(rate_limit=None) as fake,
        fake.client(default_sender="APITEST", send_limiter=bucket) as client,
    ):
        await client.sms.send(NUMBER, TEXT)
        await client.sms.send(OTHER, TEXT)
    first, second = spans("iletimerkezi send-sms")
    waits = []
    for span in (first, second):
        [event] = [e for e in span.events if e.name == "iletimerkezi.limiter.wait"]
        assert event.attributes is not None
        seconds = event.attributes["seconds"]
        assert isinstance(seconds, float)
        waits.append(seconds)
    assert waits[0] < 0.05
    assert waits[1] >= 0.05  # one token per 0.1 s
    found = points()
    [hist] = found["iletimerkezi.limiter.wait"]
    assert hist.count == 2
    assert hist.sum >= 0.05
    assert_clean(everything(found))


async def test_log_records_carry_endpoint_attempt_and_order_id(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="iletimerkezi_async")
    async with (
        FakeIletiMerkezi(rate_limit=None) as fake,
        fake.client(default_sender="APITEST", send_limiter=None) as client,
    ):
        fake.fail("send-sms", 503)
        order = await client.sms.send(NUMBER, TEXT)
    records = [r for r in caplog.records if r.name.startswith("iletimerkezi_async")]
    assert records
    assert all(getattr(r, "endpoint", None) == "send-sms" for r in records)
    attempts = {getattr(r, "attempt", None) for r in records} - {None}
    assert attempts == {1, 2}
    [done] = [r for r in records if getattr(r, "order_id", None) is not None]
    assert getattr(done, "order_id", None) == str(order.id)
    assert getattr(done, "attempt", None) == 2
    assert_clean(
        [{k: getattr(r, k, None) for k in ("endpoint", "attempt", "order_id")} for r in records]
    )


_BLOCKED = """
import sys

class Blocker:
    def find_spec(self, name, path=None, target=None):
        if name == "opentelemetry" or name.startswith("opentelemetry."):
            raise ModuleNotFoundError(name)
        return None

if sys.argv[1] == "hide":
    sys.meta_path.insert(0, Blocker())

import asyncio
from iletimerkezi_async.testing import FakeIletiMerkezi

async def main():
    async with FakeIletiMerkezi(rate_limit=None) as fake:
        async with fake.client(default_sender="APITEST", send_limiter=None) as client:
            await client.account.balance()
            order = await client.sms.send("5321234567", "hi")
            assert order.id

asyncio.run(main())
print(any(m.startswith("opentelemetry") for m in sys.modules))
"""


@pytest.mark.parametrize(("mode", "imported"), [("hide", "False"), ("show", "True")])
def test_without_opentelemetry_nothing_is_imported(mode: str, imported: str) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, "-c", _BLOCKED, mode],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == imported


_UNCONFIGURED = """
import asyncio
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from iletimerkezi_async.testing import FakeIletiMerkezi

async def main():
    async with FakeIletiMerkezi(rate_limit=None) as fake:
        async with fake.client(send_limiter=None) as client:
            telemetry = client._transport._telemetry
            await client.account.balance()
            print("before", telemetry is not None, telemetry.active)
            exporter = InMemorySpanExporter()
            provider = TracerProvider()
            provider.add_span_processor(SimpleSpanProcessor(exporter))
            trace.set_tracer_provider(provider)
            await client.account.balance()
            print("after", telemetry.active, [s.name for s in exporter.get_finished_spans()])

asyncio.run(main())
"""


def test_the_api_without_an_sdk_costs_no_span_work() -> None:
    """opentelemetry-api is often installed by another package (fastapi does): until an
    app installs a provider, calls skip the proxies; once it does, spans start."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, "-c", _UNCONFIGURED],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "before True False",
        "after True ['iletimerkezi get-balance']",
    ]


async def test_every_sdk_log_record_has_the_three_fields(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Records that know them set them; the others carry None (JSON formatters need keys)."""
    import logging

    caplog.set_level(logging.DEBUG, logger="iletimerkezi_async")
    async with (
        FakeIletiMerkezi(rate_limit=None) as fake,
        fake.client(default_sender="APITEST", send_limiter=None) as client,
    ):
        await client.blacklist.add("5051234567")
        fake.add_inbound("RET", sender="+905321234567")
        poller = client.inbox.poll(interval=0.01, max_interval=0.02)
        async with poller:
            async for _ in poller:
                break
    records = [r for r in caplog.records if r.name.startswith("iletimerkezi_async")]
    assert records
    for record in records:
        assert all(hasattr(record, f) for f in ("endpoint", "attempt", "order_id")), record
    assert {"add-blacklist"} <= {getattr(r, "endpoint", None) for r in records}


class _Shut:
    """A send limiter that never grants: a send waits in it until cancelled."""

    async def acquire(self, cost: int) -> None:
        await asyncio.Event().wait()


async def test_a_send_cancelled_before_it_was_written_is_cancelled_not_unknown() -> None:
    """Through ``transport.call`` too: a traced call reads a watch of its own, never the
    one that calls nobody watches share (which some other call may have just written)."""
    from iletimerkezi_async import _endpoints as api
    from iletimerkezi_async import _transport

    _transport._UNWATCHED.written = True  # noqa: SLF001 (as any unwatched call leaves it)
    async with (
        FakeIletiMerkezi(rate_limit=None) as fake,
        fake.client(default_sender="APITEST", send_limiter=_Shut()) as client,
    ):
        transport = client._transport  # noqa: SLF001
        sending = asyncio.ensure_future(
            transport.call(
                api.SEND_SMS,
                [(TEXT, ["+90" + NUMBER])],
                sender="APITEST",
                schedule=None,
                iys_list=None,
            )
        )
        await asyncio.sleep(0.05)
        sending.cancel()
        with pytest.raises(asyncio.CancelledError):
            await sending
        assert fake.requests == []
    found = points()
    send = {"iletimerkezi.endpoint": "send-sms"}
    assert (
        total(
            found, "iletimerkezi.client.requests", **send, **{"iletimerkezi.outcome": "cancelled"}
        )
        == 1
    )
    assert total(found, "iletimerkezi.sms.unknown_outcomes", **send) == 0
