"""What structuring a get-reports page costs next to decoding its JSON.

``parse.reports``: one 1,000-order get-reports answer (the fake's and the
reference's shape, the bytes as they come off the socket) through the path
``reports.list`` takes, ``_wire.decode`` (envelope and status code) then
``_parse.structure`` (the converter, into models), against ``json.loads`` of
the same bytes.
Every order has its own timestamp and every round new ones, so the parser's
timestamp cache never helps: the worst case.  Three shapes: 2026 (int ids and
counters, ``sendAt == submitAt``), scheduled orders (``sendAt`` differs, two
timestamps per order) and the legacy string-typed one (every number a string,
as the older docs show ids, codes and counts).
"""

from __future__ import annotations

import functools
import gc
import json
import statistics
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from _registry import Context, Figure, benchmark

from iletimerkezi_async import _endpoints, _parse, _wire
from iletimerkezi_async.models import OrderSummary

TARGET = 3.0
_BASE = datetime(2026, 1, 5, 8, 0, 0)
_SENDERS = ("eMarka Test", "ACME", "APITEST", "KAMPANYA")


def reports_page(orders: int, serial: int, *, shape: str = "2026") -> bytes:
    """A get-reports answer of ``orders`` orders with timestamps no other page shares."""
    legacy = shape == "legacy"
    items: list[dict[str, Any]] = []
    for i in range(orders):
        n = serial * orders + i
        submitted = _BASE + timedelta(seconds=37 * n)
        sent = submitted + timedelta(hours=2, minutes=n % 60) if shape == "scheduled" else submitted
        total = 1 + (n * 7919) % 500
        undelivered = n % 9 if n % 9 < total else 0
        order: dict[str, Any] = {
            "id": 312_988_299 + n,
            "status": (114, 114, 114, 114, 115, 113)[n % 6],
            "total": total,
            "delivered": total - undelivered,
            "undelivered": undelivered,
            "waiting": 0,
            "submitAt": submitted.strftime("%Y-%m-%d %H:%M:%S"),
            "sendAt": sent.strftime("%Y-%m-%d %H:%M:%S"),
            "sender": _SENDERS[n % len(_SENDERS)],
        }
        if legacy:
            order = {k: str(v) if isinstance(v, int) else v for k, v in order.items()}
        items.append(order)
    status: dict[str, Any] = {"code": "200" if legacy else 200, "message": "İşlem başarılı"}
    response: dict[str, Any] = {"status": status, "count": str(orders) if legacy else orders}
    response["orders"] = items
    return json.dumps({"response": response}, ensure_ascii=False).encode("utf-8")


def sdk_parse(raw: bytes) -> tuple[Any, ...]:
    """What the SDK does with a get-reports answer's bytes."""
    endpoint = _endpoints.GET_REPORTS
    response = _wire.decode(raw, endpoint=endpoint.name, http_status=200)
    return _parse.structure(endpoint, response).orders


def _timed(func: Callable[[bytes], object], raw: bytes) -> float:
    gc.collect()
    started = time.perf_counter()
    func(raw)
    return time.perf_counter() - started


def measure(orders: int, rounds: int, shape: str, serial0: int) -> Figure:
    pages = [reports_page(orders, serial0 + r, shape=shape) for r in range(rounds + 1)]
    assert len(sdk_parse(pages[-1])) == orders  # warm, and the page is what we think
    loads: list[float] = []
    sdk: list[float] = []
    for r, raw in enumerate(pages[:-1]):
        # Alternate which side goes first; the SDK's cache never saw these timestamps.
        if r % 2:
            sdk.append(_timed(sdk_parse, raw))
            loads.append(_timed(json.loads, raw))
        else:
            loads.append(_timed(json.loads, raw))
            sdk.append(_timed(sdk_parse, raw))
    ratio = min(sdk) / min(loads)
    median_ratio = statistics.median(s / j for s, j in zip(sdk, loads, strict=True))
    label = {"2026": "2026 shape", "scheduled": "scheduled", "legacy": "legacy strings"}[shape]
    return Figure(
        f"parse {orders:,} orders ({label}): decode+models / json.loads",
        ratio,
        "×",
        target=f"≤ {TARGET:g}" if shape == "2026" else "",
        ok=ratio <= TARGET if shape == "2026" else None,
        details={
            "median ratio": median_ratio,
            "SDK ms": min(sdk) * 1000,
            "json.loads ms": min(loads) * 1000,
            "µs/order": (min(sdk) - min(loads)) / orders * 1e6,
            "KiB": round(len(pages[0]) / 1024),
            "n": rounds,
        },
    )


@benchmark("parse.reports")
async def parse_reports(ctx: Context) -> list[Figure]:
    """A 1,000-order get-reports page into models vs json.loads of the same bytes."""
    orders = ctx.scaled(1000, 100)
    rounds = ctx.scaled(40, 5)
    figures: list[Figure] = []
    for i, shape in enumerate(("2026", "scheduled", "legacy")):
        figures.append(measure(orders, rounds, shape, serial0=i * 1000))
    return figures


def _paired(
    first: Callable[[Any], object], second: Callable[[Any], object], rounds: int, shape: str
) -> tuple[float, float, float]:
    """Median of paired ratios second/first over fresh pages, and each side's median seconds."""
    a: list[float] = []
    b: list[float] = []
    for r in range(rounds):
        items = _wire.decode(
            reports_page(1000, 7000 + r, shape=shape), endpoint="x", http_status=200
        )["orders"]
        twin = _wire.decode(
            reports_page(1000, 9000 + r, shape=shape), endpoint="x", http_status=200
        )["orders"]
        # Alternate which side goes first, each on timestamps it has never seen.
        if r % 2:
            b.append(_timed(second, items))
            a.append(_timed(first, twin))
        else:
            a.append(_timed(first, items))
            b.append(_timed(second, twin))
    ratio = statistics.median(y / x for x, y in zip(a, b, strict=True))
    return ratio, statistics.median(a), statistics.median(b)


@benchmark("parse.generated")
async def parse_generated(ctx: Context) -> list[Figure]:
    """Why OrderSummary keeps a hand-written hook: a cattrs.gen function against it."""
    generated = _parse.wire_function(OrderSummary, **_parse.SUMMARY_FIELDS)
    rounds = ctx.scaled(40, 5)
    figures: list[Figure] = []
    for shape in ("2026", "legacy"):
        hand = functools.partial(_each, parse=_parse.order_summary)
        gen = functools.partial(_each, parse=generated)
        assert hand(_sample(shape)) == gen(_sample(shape))  # the same models
        ratio, hand_s, gen_s = _paired(hand, gen, rounds, shape)
        figures.append(
            Figure(
                f"1,000 OrderSummary ({shape}): generated / hand-written",
                ratio,
                "×",
                details={
                    "hand-written ms": hand_s * 1000,
                    "generated ms": gen_s * 1000,
                    "n": rounds,
                },
            )
        )
    return figures


def _each(items: list[Any], parse: Callable[[Any], OrderSummary]) -> tuple[OrderSummary, ...]:
    return tuple(map(parse, items))


def _sample(shape: str) -> list[Any]:
    raw = reports_page(10, 1, shape=shape)
    items: list[Any] = _wire.decode(raw, endpoint="x", http_status=200)["orders"]
    return items
