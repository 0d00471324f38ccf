"""The fake's outbound side: POST delivery reports to the account's webhook URL.

The real service documents neither a retry policy nor a timeout (reference
§15), so the fake picks what a careful provider does and the receiver must
survive: one POST per status change, concurrently, retried with backoff on a
5xx or a network error (a 4xx is the receiver's final word), optionally sent
twice or shuffled so that duplicates and a final status before ``accepted``
are exercised on purpose.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
from collections.abc import Coroutine
from typing import Any, Final

import aiohttp
import attrs

from ._models import DeliveryEvent
from ._state import Account

__all__ = ["WebhookDelivery", "WebhookSender"]

_USER_AGENT: Final = "iletimerkezi-fake-webhooks"


@attrs.define
class WebhookDelivery:
    """What happened to one POST of one event (a duplicate is its own delivery)."""

    event: DeliveryEvent
    attempts: int = 0
    status: int | None = None
    """The last HTTP status, or None when the last attempt failed on the network."""
    delivered: bool = False
    duplicate: bool = False
    """True for the deliberate second copy sent because of ``webhook_duplicates``."""


class WebhookSender:
    """Background delivery while the fake runs, plus :meth:`flush` for tests."""

    def __init__(self, account: Account, rng: random.Random) -> None:
        self.account = account
        self.options = account.options
        self.deliveries: list[WebhookDelivery] = []
        self._rng = rng
        self._session: aiohttp.ClientSession | None = None
        self._loop_task: asyncio.Task[None] | None = None
        self._inflight: set[asyncio.Task[None]] = set()
        self._semaphore: asyncio.Semaphore | None = None
        self._lock = asyncio.Lock()

    async def start(self) -> None:
        if self._loop_task is None:
            self._loop_task = asyncio.create_task(self._run(), name="fake-webhook-sender")

    async def close(self) -> None:
        """Stop the loop, abandon POSTs still in flight, close the HTTP session."""
        task, self._loop_task = self._loop_task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        pending = list(self._inflight)
        for posting in pending:
            posting.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    async def flush(self) -> list[WebhookDelivery]:
        """Send every event due now, wait for all POSTs in flight, return this flush's."""
        if self.options.webhook_url is None:
            raise RuntimeError("set webhook_url before delivering webhooks")
        async with self._lock:
            fresh = self._dispatch(self.account.collect_events())
        while self._inflight:
            await asyncio.gather(*list(self._inflight), return_exceptions=True)
        return fresh

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.options.webhook_interval)
            if self.options.webhook_url is None:
                continue
            async with self._lock:
                self._dispatch(self.account.collect_events())

    def _dispatch(self, events: list[DeliveryEvent]) -> list[WebhookDelivery]:
        batch: list[WebhookDelivery] = []
        for event in events:
            batch.append(WebhookDelivery(event))
            chance = self.options.webhook_duplicates
            if chance and self._rng.random() < chance:
                batch.append(WebhookDelivery(event, duplicate=True))
        if self.options.webhook_reorder:
            self._rng.shuffle(batch)
        url = self.options.webhook_url
        if url is None:  # pragma: no cover - both callers check first
            return []
        for delivery in batch:
            self.deliveries.append(delivery)
            self._spawn(self._post(url, delivery))
        return batch

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coro)
        self._inflight.add(task)
        task.add_done_callback(self._inflight.discard)

    def _http(self) -> tuple[aiohttp.ClientSession, asyncio.Semaphore]:
        if self._session is None or self._semaphore is None:
            limit = max(1, self.options.webhook_concurrency)
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=limit),
                timeout=aiohttp.ClientTimeout(total=self.options.webhook_timeout),
                headers={"User-Agent": _USER_AGENT},
            )
            self._semaphore = asyncio.Semaphore(limit)
        return self._session, self._semaphore

    async def _post(self, url: str, delivery: WebhookDelivery) -> None:
        payload = delivery.event.payload()
        if self.options.legacy_types:
            report = payload["report"]
            report["id"], report["packet_id"] = str(report["id"]), str(report["packet_id"])
        body = json.dumps(payload, ensure_ascii=False).encode()
        session, semaphore = self._http()
        for attempt in range(self.options.webhook_retries + 1):
            if attempt:
                await asyncio.sleep(self.options.webhook_retry_delay * 2 ** (attempt - 1))
            delivery.attempts += 1
            try:
                async with (
                    semaphore,
                    session.post(
                        url, data=body, headers={"Content-Type": "application/json"}
                    ) as answer,
                ):
                    await answer.read()
                    delivery.status = answer.status
            except (TimeoutError, aiohttp.ClientError):
                delivery.status = None
                continue
            if 200 <= answer.status < 300:
                delivery.delivered = True
                return
            if answer.status < 500:
                return
