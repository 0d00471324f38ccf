"""What reading a get-reports page costs next to decoding its JSON.

``parse.reports``: one 1,000-order get-reports answer (the bytes as they come
off the socket) through what ``reports.list`` does with it per page:
``_wire.decode`` (JSON, envelope and status code), ``_parse.structure`` (the
converter, into models) and the walk's per-order de-duplication ``unseen()``
against the ids of the window's earlier pages and of the window before
(2,000 and 10,000 ids, none of them on the page: the usual case).  The
reference is the stdlib's ``json.loads`` of the same bytes, timed back to back
with the SDK side in every round, which of the two goes first alternating
by round; the figure is the median of the per-round ratios (the fastest
ratio, min/min, is a detail only: it pairs timings of different rounds).
Every order has its own timestamps and every round new ones, so no cache
keyed by timestamp can help: the worst case.

Shapes: 2026 (int ids and counters, ``sendAt == submitAt``), scheduled
(``sendAt`` differs: two timestamps per order) and legacy (every number a
string, as the older docs show them).  Each is measured with the stdlib
decoder forced and, when orjson is importable (the ``speedups`` extra), with
the SDK's orjson path, against the same stdlib ``json.loads``.

``parse.generated``: why ``OrderSummary`` keeps a hand-written hook.
"""

from __future__ import annotations

import functools
import gc
import json
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from _registry import Context, Figure, benchmark

from iletimerkezi_async import _endpoints, _json, _parse, _wire
from iletimerkezi_async.models import OrderSummary
from iletimerkezi_async.resources._reports_list import unseen

_BASE = datetime(2026, 1, 5, 8, 0, 0)
_SENDERS = ("eMarka Test", "ACME", "APITEST", "KAMPANYA")
_FIRST_ID = 312_988_299
SHAPES = {"2026": "2026 shape", "scheduled": "scheduled", "legacy": "legacy strings"}
TARGETS: dict[tuple[str, str], float] = {
    # Issue 15's: SDK side / stdlib json.loads of the same bytes.
    ("2026", "stdlib"): 2.0,
    ("legacy", "stdlib"): 2.5,
    ("2026", "orjson"): 1.2,
}
"""Issue 15's targets; the other shape and decoder pairs are informational."""


def reports_page(orders: int, serial: int, *, shape: str = "2026") -> bytes:
    """A get-reports answer of ``orders`` orders with timestamps no other page shares."""
    legacy = shape == "legacy"
    items: list[dict[str, Any]] = []
    for i in range(orders):
        n = serial * orders + i
        submitted = _BASE + timedelta(seconds=37 * n)
        sent = submitted + timedelta(hours=2, minutes=n % 60) if shape == "scheduled" else submitted
        # Mostly small orders, one in ten a campaign of thousands: the counters'
        # small-number table must not see only the numbers it holds.
        total = 1 + (n * 7919) % 500 if n % 10 else 1_000 + (n * 7919) % 49_000
        undelivered = n % 9 if n % 9 < total else 0
        order: dict[str, Any] = {
            "id": _FIRST_ID + n,
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


def seen_ids(count: int, offset: int) -> set[str]:
    """Ids a walk holds from earlier pages: below every page's ids, so none repeats."""
    return {str(_FIRST_ID - offset - i) for i in range(count)}


def sdk_side(raw: bytes, earlier: set[str], before: set[str]) -> tuple[OrderSummary, ...]:
    """What ``reports.list`` does with one get-reports answer's bytes."""
    endpoint = _endpoints.GET_REPORTS
    response = _wire.decode(raw, endpoint=endpoint.name, http_status=200)
    return unseen(_parse.structure(endpoint, response).orders, earlier, before)


@contextmanager
def decoder(name: str) -> Iterator[None]:
    """``_wire.decode`` with the stdlib decoder forced, or with the orjson path."""
    chosen = json.loads if name == "stdlib" else _json.orjson_loads()
    assert chosen is not None
    saved = _json.loads
    _json.loads = chosen
    try:
        yield
    finally:
        _json.loads = saved


def measure(orders: int, rounds: int, shape: str, name: str, serial0: int) -> Figure:
    pages = [reports_page(orders, serial0 + r, shape=shape) for r in range(rounds + 1)]
    earlier, before = seen_ids(2 * orders, 0), seen_ids(10 * orders, 2 * orders)
    with decoder(name):
        # Warm, and the page is what we think: every order new.
        assert len(sdk_side(pages[-1], earlier, before)) == orders
        sdk: list[float] = []
        loads: list[float] = []
        for r, raw in enumerate(pages[:-1]):
            gc.collect()
            if r % 2:
                sdk.append(_timed(lambda: sdk_side(raw, earlier, before)))  # noqa: B023
                loads.append(_timed(lambda: json.loads(raw)))  # noqa: B023
            else:
                loads.append(_timed(lambda: json.loads(raw)))  # noqa: B023
                sdk.append(_timed(lambda: sdk_side(raw, earlier, before)))  # noqa: B023
    ratio = statistics.median(s / j for s, j in zip(sdk, loads, strict=True))
    target = TARGETS.get((shape, name))
    return Figure(
        f"parse {orders:,} orders ({SHAPES[shape]}, {name} decoder): SDK / stdlib json.loads",
        ratio,
        "×",
        target=f"≤ {target:g}" if target is not None else "",
        ok=ratio <= target if target is not None else None,
        peer="stdlib json.loads of the same bytes",
        details={
            "fastest ratio": min(sdk) / min(loads),
            "SDK ms": statistics.median(sdk) * 1000,
            "json.loads ms": statistics.median(loads) * 1000,
            "µs/order": (statistics.median(sdk) - statistics.median(loads)) / orders * 1e6,
            "KiB": round(len(pages[0]) / 1024),
            "n": rounds,
        },
    )


def _timed(func: Callable[[], object]) -> float:
    started = time.perf_counter()
    func()
    return time.perf_counter() - started


@benchmark("parse.reports")
async def parse_reports(ctx: Context) -> list[Figure]:
    """A 1,000-order get-reports page into models, de-duplicated, vs json.loads."""
    orders = ctx.scaled(1000, 100)
    rounds = ctx.scaled(60, 6)
    names = ["stdlib"] + (["orjson"] if _json.orjson_loads() is not None else [])
    figures: list[Figure] = []
    serial = 0
    for name in names:
        for shape in SHAPES:
            figures.append(measure(orders, rounds, shape, name, serial0=serial))
            serial += rounds + 1
    return figures


def _paired(
    first: Callable[[Any], object], second: Callable[[Any], object], rounds: int, shape: str
) -> tuple[float, float, float]:
    """Median of paired ratios second/first over fresh pages, and each side's median seconds."""
    a: list[float] = []
    b: list[float] = []
    for r in range(rounds):
        items = json.loads(reports_page(1000, 7000 + r, shape=shape))["response"]["orders"]
        twin = json.loads(reports_page(1000, 9000 + r, shape=shape))["response"]["orders"]
        gc.collect()
        # Alternate which side goes first, each on timestamps it has never seen.
        if r % 2:
            b.append(_timed(lambda: second(items)))  # noqa: B023
            a.append(_timed(lambda: first(twin)))  # noqa: B023
        else:
            a.append(_timed(lambda: first(items)))  # noqa: B023
            b.append(_timed(lambda: second(twin)))  # noqa: B023
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
    items: list[Any] = json.loads(raw)["response"]["orders"]
    return items
