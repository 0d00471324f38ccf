"""Running ``python -m iletimerkezi_async`` as a child process, with a hang guard."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

GUARD = 60.0
"""Seconds after which a stuck child is killed, so a broken test fails instead of hanging."""


@contextmanager
def child(*args: str, env: dict[str, str] | None = None) -> Iterator[subprocess.Popen[str]]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ILETIMERKEZI_")}
    environment.update(env or {})
    environment["PYTHONUNBUFFERED"] = "1"
    proc = subprocess.Popen(
        [sys.executable, "-m", "iletimerkezi_async", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        env=environment,
    )
    guard = threading.Timer(GUARD, proc.kill)
    guard.start()
    try:
        yield proc
    finally:
        guard.cancel()
        if proc.poll() is None:
            proc.kill()
        proc.communicate()


def wait_for_line(stream: object, pattern: str) -> tuple[re.Match[str], list[str]]:
    """Read lines until one matches ``pattern``; the match and every line read."""
    seen: list[str] = []
    while True:
        line = stream.readline()  # type: ignore[attr-defined]
        if not line:
            raise AssertionError(f"stream ended before {pattern!r}: {seen}")
        seen.append(line)
        found = re.search(pattern, line)
        if found:
            return found, seen
