"""Development sessions: tests, lint, typecheck (and, as they land, docs and bench)."""

from __future__ import annotations

import nox

nox.options.default_venv_backend = "venv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["tests", "lint", "typecheck", "docs"]


OTEL_TEST = "opentelemetry-sdk>=1.20"
"""tests/test_otel.py's exporters. Not in the `test` extra: `bench` installs that,
and must measure the SDK without OpenTelemetry (the cost of not using it)."""


BENCH_PEERS = ("httpx>=0.27", "requests>=2.31")
"""The other clients `client.latency` compares with (urllib, the official SDK's, is stdlib)."""


@nox.session
def tests(session: nox.Session) -> None:
    """The whole test suite against the fake server over loopback."""
    session.install("-e", ".[test,cli,redis,otel,speedups]", OTEL_TEST)
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    session.install("ruff>=0.6")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """The package under --strict, and the tests under plain mypy (see pyproject.toml)."""
    session.install("-e", ".[test,cli,redis,otel,speedups]", OTEL_TEST, "mypy>=1.11")
    session.run("mypy", "--strict", "iletimerkezi_async")
    session.run("mypy", "tests")


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks (not a default session): a table, and benchmarks/results.json.

    Starts a throwaway redis-server when one is needed (tests/_redis.py);
    `nox -s bench -- --list`, `-- limiter --quick`, `-- --strict`.  A complete
    run (no arguments) also rewrites the README's Performance table.
    """
    session.install("-e", ".[test,cli,redis,speedups]", *BENCH_PEERS)
    session.run("python", "benchmarks/run.py", *session.posargs)
    if not session.posargs:
        session.run("python", "benchmarks/table.py")


@nox.session
def docs(session: nox.Session) -> None:
    """Build the documentation site; any warning fails the build."""
    session.install("-e", ".[docs,cli]")
    session.run("mkdocs", "build", "--strict", "--site-dir", "site")
