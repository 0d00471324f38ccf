"""Assertions shared by the CLI tests."""

from __future__ import annotations

import json
from typing import Any

from click.testing import Result


def ok(result: Result) -> Result:
    """The command succeeded; otherwise show what it printed."""
    assert result.exit_code == 0, (result.exit_code, result.stdout, result.stderr, result.exception)
    return result


def failed(result: Result, code: int) -> str:
    """The command exited ``code`` with exactly one ``Error:`` line and no traceback; that line."""
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return errors[0]


def json_doc(result: Result) -> Any:
    """stdout parsed as one JSON document."""
    return json.loads(ok(result).stdout)


def json_lines(result: Result) -> list[Any]:
    """stdout parsed as JSON Lines."""
    return [json.loads(line) for line in ok(result).stdout.splitlines() if line.strip()]
