"""Queued one-shot faults: what a broken server or network does to one request."""

from __future__ import annotations

from collections import deque
from typing import Final, Literal

import attrs

__all__ = ["MALFORM_KINDS", "Fault", "FaultQueue", "MalformKind", "When"]

MalformKind = Literal[
    "html", "invalid_json", "truncated", "empty", "wrong_content_type", "html_after"
]
MALFORM_KINDS: Final[frozenset[str]] = frozenset(
    {"html", "invalid_json", "truncated", "empty", "wrong_content_type", "html_after"}
)
When = Literal["before", "after"]


@attrs.define
class Fault:
    kind: Literal["fail", "drop", "malform", "stall"]
    times: int
    status: int = 503
    when: When = "before"
    malform: str = ""
    seconds: float = 0.0
    retry_after: float | None = None

    @property
    def label(self) -> str:
        if self.kind == "fail":
            return f"fail:{self.status}"
        if self.kind == "malform":
            return f"malform:{self.malform}"
        return f"{self.kind}:{self.when}"


class FaultQueue:
    """Per-endpoint FIFO of one-shot faults; the wildcard ``*`` queue comes second."""

    def __init__(self) -> None:
        self._queues: dict[str, deque[Fault]] = {}

    def add(self, endpoint: str, fault: Fault) -> None:
        if fault.times < 1:
            raise ValueError("times must be at least 1")
        self._queues.setdefault(endpoint, deque()).append(fault)

    def take(self, endpoint: str) -> Fault | None:
        for key in (endpoint, "*"):
            queue = self._queues.get(key)
            if queue:
                fault = queue[0]
                fault.times -= 1
                if fault.times == 0:
                    queue.popleft()
                return attrs.evolve(fault, times=1)
        return None

    def pending(self, endpoint: str) -> int:
        return sum(f.times for f in self._queues.get(endpoint, ()))

    def clear(self) -> None:
        self._queues.clear()
