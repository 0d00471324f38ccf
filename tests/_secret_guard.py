"""pytest plugin: no API key or hash in anything the test suite produces.

Loaded by ``pytest_plugins`` in ``tests/conftest.py``.  For every test phase
(setup, call, teardown) it scans:

- every log record, formatted with its ``%``-arguments, exception and stack
  info, caught by a handler on the root logger; the ``iletimerkezi_async``
  loggers are held at ``DEBUG`` for the whole session, so debug lines are
  produced and formatted too;
- the phase's captured stdout, stderr and log (``report.sections``);
- the stdout and stderr of every ``click.testing.CliRunner.invoke`` and of
  every child process read with ``communicate()`` (``subprocess.run`` included,
  and asyncio's ``Process.communicate``);
- the failure text (``longreprtext``) of a test that did not pass, and the
  test id itself.

Known secrets: the ``KEY``/``HASH`` constants of the test modules listed in
``_CONSTANTS`` (read once those modules are imported), the fake server's
default ``test-key``/``test-hash``, every ``api_key``/``api_hash`` given to
``Client(...)`` or ``FakeIletiMerkezi(...)`` during the session (their
``__init__`` is wrapped for the session), and whatever a test registers with
the ``secret_guard`` fixture.  Values shorter than ``MIN_LENGTH`` characters
after stripping (the ``"k"``/``"h"`` of many unit tests) are ignored, since
they occur everywhere by chance.  ``test-key`` and ``test-hash`` are words a
user types, so only whole occurrences count (not ``test-keys`` or
``my-test-key``); every other secret counts anywhere, even inside a longer
word.

A hit turns the phase's report into a failure that names the test, the phase
and where the secret was found.  The secret itself is never printed: it is
replaced by ``***`` in the guard's message and in the report's failure text and
captured output, so the guard cannot leak into the CI log either.  A test that
puts a secret into its output on purpose is marked
``@pytest.mark.secrets_in_output(reason="...")``; use it sparingly.

Not seen: output written straight to the terminal with ``-s``, and a child
process's output read line by line rather than with ``communicate()``.
``-p no:tests._secret_guard`` switches the guard off for one run (to profile,
say); the final line of the terminal summary says what it scanned.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import re
import subprocess
import sys
import threading
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass, field
from typing import Any, Final

import pytest

from iletimerkezi_async.client import Client
from iletimerkezi_async.testing import FakeIletiMerkezi

__all__ = ["MARKER", "MIN_LENGTH", "Secret", "SecretGuard"]

MARKER = "secrets_in_output"
MIN_LENGTH = 6
"""Shorter credentials are not tracked: they occur in ordinary text by chance."""

LOGGER = "iletimerkezi_async"

_CONSTANTS: dict[str, tuple[str, ...]] = {
    "tests.conftest": ("KEY", "HASH"),
    "tests.test_secrets": ("KEY", "HASH"),
    "tests.cli.conftest": ("KEY", "HASH"),
    "tests.cli.test_secrets": ("WRONG_HASH",),
}
"""Test modules whose credential constants are secrets as soon as the module is imported."""

_TYPED = {"test-key": "the fake's default api_key", "test-hash": "the fake's default api_hash"}
"""Defaults that are also what a user types: only whole-word occurrences count."""

_WORD = r"[\w-]"
_KEEP = 40
"""Characters of context shown on each side of a hit (with every secret masked)."""


@dataclass(frozen=True)
class Secret:
    value: str = field(repr=False)
    source: str
    whole_word: bool = False

    def label(self) -> str:
        return f"{self.source} ({len(self.value)} chars)"


@dataclass
class _Hit:
    secret: Secret
    where: str
    context: str


@dataclass
class SecretGuard:
    """The known secrets and the output collected since the last report."""

    secrets: dict[str, Secret] = field(default_factory=dict)
    scanned: set[str] = field(default_factory=set)
    reports: int = 0
    lines: int = 0
    leaks: list[str] = field(default_factory=list)
    _pending: list[tuple[str, str]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _pattern: re.Pattern[str] | None = None

    def __repr__(self) -> str:  # shown in tracebacks of tests that use the fixture
        return f"<SecretGuard watching {len(self.secrets)} secrets>"

    # -- secrets --------------------------------------------------------------

    def register(self, value: object, source: str = "registered by a test") -> None:
        """Treat ``value`` as a secret for the rest of the session (if long enough)."""
        if not isinstance(value, str):
            return
        value = value.strip()
        if len(value) < MIN_LENGTH or value in self.secrets:
            return
        with self._lock:
            self.secrets[value] = Secret(value, source, whole_word=value in _TYPED)
            self._pattern = None

    def register_known(self) -> None:
        for value, what in _TYPED.items():
            self.register(value, what)
        for module_name, names in _CONSTANTS.items():
            module = sys.modules.get(module_name)
            for name in names:
                self.register(getattr(module, name, None), f"{module_name}.{name}")

    def _regex(self) -> re.Pattern[str] | None:
        with self._lock:
            if self._pattern is None and self.secrets:
                parts = []
                for secret in sorted(self.secrets.values(), key=lambda s: -len(s.value)):
                    escaped = re.escape(secret.value)
                    if secret.whole_word:
                        escaped = f"(?<!{_WORD}){escaped}(?!{_WORD})"
                    parts.append(escaped)
                self._pattern = re.compile("|".join(parts))
            return self._pattern

    def mask(self, text: str) -> str:
        """``text`` with every known secret replaced by ``***``."""
        pattern = self._regex()
        return text if pattern is None else pattern.sub("***", text)

    def find(self, where: str, text: str) -> list[_Hit]:
        """One hit per secret found in ``text``, with masked context."""
        pattern = self._regex()
        if pattern is None or not text:
            return []
        hits: dict[str, _Hit] = {}
        for match in pattern.finditer(text):
            value = match.group(0)
            if value in hits:
                continue
            start, end = max(0, match.start() - _KEEP), match.end() + _KEEP
            context = self.mask(text[start:end]).replace("\n", "⏎")
            hits[value] = _Hit(self.secrets[value], where, context)
        return list(hits.values())

    # -- output collected between reports -------------------------------------

    def collect(self, where: str, text: str) -> None:
        with self._lock:
            self._pending.append((where, text))
            self.lines += 1

    def take(self) -> list[tuple[str, str]]:
        with self._lock:
            pending, self._pending = self._pending, []
        return pending


class _GuardHandler(logging.Handler):
    """Formats every record (args, exception, stack) and hands the text to the guard."""

    def __init__(self, guard: SecretGuard) -> None:
        super().__init__(logging.DEBUG)
        self.guard = guard
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self.format(record)
        except Exception as exc:  # a bad format string must not hide its arguments
            text = f"{record.msg!s} {record.args!r} (unformattable: {type(exc).__name__})"
        self.guard.collect(f"log record from {record.name!r}", text)


# --------------------------------------------------------------------------- session

_GUARD = SecretGuard()
_LATE = pytest.StashKey[str]()
_undo: list[Callable[[], None]] = []


def _patch(owner: Any, name: str, make: Callable[[Any], Any]) -> None:
    original = owner.__dict__[name]
    setattr(owner, name, make(original))
    _undo.append(lambda: setattr(owner, name, original))


_CREDENTIAL_ENV: Final = {"api_key": "ILETIMERKEZI_API_KEY", "api_hash": "ILETIMERKEZI_API_HASH"}
"""Where ``Client`` reads a credential that was not passed (or was passed as ``None``)."""


def _credentials_wrapper(what: str, *, from_env: bool = False) -> Callable[[Any], Any]:
    def make(init: Any) -> Any:
        @functools.wraps(init)
        def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
            given = dict(zip(("api_key", "api_hash"), args, strict=False))
            given.update({k: kwargs[k] for k in ("api_key", "api_hash") if k in kwargs})
            for name, value in given.items():
                _GUARD.register(value, f"{what}({name}=...)")
            if from_env:
                # Resolved the way the client does it, read at the same moment, so
                # the guard knows them without reaching into the client's privates.
                for name, env in _CREDENTIAL_ENV.items():
                    if given.get(name) is None:
                        _GUARD.register(os.environ.get(env), f"{what} {name} (resolved)")
            init(self, *args, **kwargs)

        return __init__

    return make


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value if isinstance(value, str) else ""


def _collect_pair(where: str, pair: object) -> None:
    if isinstance(pair, tuple):
        for stream, value in zip(("stdout", "stderr"), pair, strict=False):
            text = _text(value)
            if text:
                _GUARD.collect(f"{where} {stream}", text)


def _wrap_communicate(communicate: Any) -> Any:
    @functools.wraps(communicate)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        result = communicate(self, *args, **kwargs)
        _collect_pair("child process", result)
        return result

    return wrapper


def _wrap_async_communicate(communicate: Any) -> Any:
    @functools.wraps(communicate)
    async def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        result = await communicate(self, *args, **kwargs)
        _collect_pair("child process", result)
        return result

    return wrapper


def _wrap_invoke(invoke: Any) -> Any:
    @functools.wraps(invoke)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        result = invoke(self, *args, **kwargs)
        for stream in ("stdout", "stderr"):
            try:
                text = getattr(result, stream)
            except ValueError:  # click < 8.2 with stderr mixed into stdout
                continue
            if text:
                _GUARD.collect(f"CLI output ({stream})", text)
        return result

    return wrapper


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(reason): this test puts a known secret into its output on purpose "
        "(checking detection itself); the secret guard does not scan it",
    )
    _GUARD.register_known()
    _patch(Client, "__init__", _credentials_wrapper("Client", from_env=True))
    _patch(FakeIletiMerkezi, "__init__", _credentials_wrapper("FakeIletiMerkezi"))
    _patch(subprocess.Popen, "communicate", _wrap_communicate)
    _patch(asyncio.subprocess.Process, "communicate", _wrap_async_communicate)
    try:
        from click.testing import CliRunner
    except ImportError:  # pragma: no cover - click is in the test extra
        pass
    else:
        _patch(CliRunner, "invoke", _wrap_invoke)
    handler = _GuardHandler(_GUARD)
    root, sdk = logging.getLogger(), logging.getLogger(LOGGER)
    level = sdk.level
    root.addHandler(handler)
    sdk.setLevel(logging.DEBUG)
    _undo.append(lambda: sdk.setLevel(level))
    _undo.append(lambda: root.removeHandler(handler))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    # A test that changed the level without restoring it must not turn debug lines off.
    logging.getLogger(LOGGER).setLevel(logging.DEBUG)


@pytest.fixture
def secret_guard() -> SecretGuard:
    """The session's guard: ``secret_guard.register(value)`` adds a secret to watch for."""
    return _GUARD


def _exemption(item: pytest.Item) -> str | None:
    """None when scanned; "" when exempt; otherwise why the marker is misused."""
    marker = item.get_closest_marker(MARKER)
    if marker is None:
        return None
    reason = marker.kwargs.get("reason", marker.args[0] if marker.args else None)
    if not isinstance(reason, str) or not reason.strip():
        return f"@pytest.mark.{MARKER} needs a reason: why this test shows a secret on purpose"
    return ""


def _scan(item: pytest.Item, report: pytest.TestReport) -> list[_Hit]:
    when = report.when
    hits: list[_Hit] = []
    if when == "setup":
        hits += _GUARD.find("the test id", item.nodeid)
    for title, content in report.sections:
        if title.endswith(f" {when}"):
            hits += _GUARD.find(title.lower(), content)
    for where, text in _GUARD.take():
        hits += _GUARD.find(where, text)
    if not report.passed and report.longrepr is not None:
        hits += _GUARD.find("the failure text", report.longreprtext)
    return hits


def _message(nodeid: str, when: str, hits: Iterable[_Hit]) -> str:
    lines = [f"secret guard: {nodeid} ({when}) put a known secret into its output:"]
    seen: set[tuple[str, str]] = set()
    for hit in hits:
        if (hit.secret.value, hit.where) in seen:
            continue
        seen.add((hit.secret.value, hit.where))
        lines.append(f"  - {hit.secret.label()} in {hit.where}: …{hit.context}…")
    lines.append(
        "Keys and hashes must never reach logs, reprs, exception text or CLI output. "
        f"A test that shows one on purpose is marked @pytest.mark.{MARKER}(reason=...)."
    )
    return "\n".join(lines)


def _fail(item: pytest.Item, report: pytest.TestReport, message: str) -> None:
    """Turn ``report`` into a failure carrying ``message``, with every secret masked."""
    earlier = ""
    if not report.passed and report.longrepr is not None:
        earlier = _GUARD.mask(report.longreprtext) + "\n\n"
    report.outcome = "failed"
    report.longrepr = earlier + message
    if hasattr(report, "wasxfail"):
        del report.wasxfail
    report.sections = [(title, _GUARD.mask(text)) for title, text in report.sections]
    sections = getattr(item, "_report_sections", None)
    if isinstance(sections, list):  # later phases copy these into their reports
        sections[:] = [(when, key, _GUARD.mask(text)) for when, key, text in sections]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    _GUARD.register_known()
    _GUARD.reports += 1
    _GUARD.scanned.add(item.nodeid)
    exemption = _exemption(item)
    if exemption == "":
        _GUARD.take()
        return report
    hits = _scan(item, report)
    if exemption is not None and report.when == "setup":
        _fail(item, report, f"secret guard: {item.nodeid}: {exemption}")
    elif hits:
        nodeid = _GUARD.mask(item.nodeid)
        _GUARD.leaks.append(f"{nodeid} ({report.when})")
        _fail(item, report, _message(nodeid, report.when, hits))
    return report


def pytest_sessionfinish(session: pytest.Session) -> None:
    hits = [hit for where, text in _GUARD.take() for hit in _GUARD.find(where, text)]
    if hits:  # output after the last test's report: blame the session
        _GUARD.leaks.append("after the last test")
        session.config.stash[_LATE] = _message("the session", "after the last test", hits)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_unconfigure(config: pytest.Config) -> None:
    while _undo:
        _undo.pop()()


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    late = config.stash.get(_LATE, None)
    if late:
        terminalreporter.write_line(late, red=True)
    if not _GUARD.reports:
        return
    found = f"{len(_GUARD.leaks)} leak(s)" if _GUARD.leaks else "no leaks"
    terminalreporter.write_line(
        f"secret guard: {len(_GUARD.scanned)} tests ({_GUARD.reports} reports, "
        f"{_GUARD.lines} log lines and outputs) scanned for {len(_GUARD.secrets)} "
        f"known secrets: {found}"
    )
