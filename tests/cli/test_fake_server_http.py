"""``iletimerkezi fake-server`` driven from outside, as a Node or Go test suite would.

The fake runs as a child process; this test talks to it only over HTTP
(stdlib ``urllib``, the way ``curl`` would): the control API seeds inbound
messages and a fault, ``/v1`` answers with the credentials given on the
command line, and ``iletimerkezi inbox --follow`` (another child process)
delivers the messages the control API added.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from typing import Any

from ._proc import child, wait_for_line

KEY, HASH = "node-suite-key", "node-suite-hash"


def http(url: str, body: Any = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method="GET" if body is None else "POST")
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null")


def v1(base: str, endpoint: str, block: dict[str, Any] | None = None) -> tuple[int, Any]:
    request = {"authentication": {"key": KEY, "hash": HASH}, **(block or {})}
    return http(f"{base}/v1/{endpoint}/json", {"request": request})


def test_a_child_fake_driven_over_http_feeds_inbox_follow() -> None:
    with child("fake-server", "--port", "0", "--key", KEY, "--hash", HASH) as fake:
        found, _ = wait_for_line(fake.stdout, r"listening on (http://127\.0\.0\.1:\d+)")
        base = found.group(1)

        # /v1 answers with the credentials from the command line, and refuses others.
        status, doc = v1(base, "get-balance")
        assert status == 200 and doc["response"]["status"]["code"] == 200
        status, _ = http(
            f"{base}/v1/get-balance/json",
            {"request": {"authentication": {"key": KEY, "hash": "wrong"}}},
        )
        assert status == 401

        # The control API: a fault for the next call, then inbound messages.
        assert http(f"{base}/_fake/fail", {"path": "get-sender", "status": 503})[0] == 200
        assert v1(base, "get-sender")[0] == 503
        assert v1(base, "get-sender")[0] == 200  # the fault was one-shot
        ids = [
            http(f"{base}/_fake/inbound", {"text": text, "sender": "+905051234567"})[1]["id"]
            for text in ("Merhaba", "RET")
        ]
        status, log = http(f"{base}/_fake/requests")
        assert status == 200
        records = log["requests"]
        assert [(r["path"], r["status"]) for r in records] == [
            ("get-balance", 200),
            ("get-balance", 401),
            ("get-sender", 503),
            ("get-sender", 200),
        ]  # the control calls themselves are not in the log
        assert KEY not in json.dumps(log) and HASH not in json.dumps(log)  # starred

        follow = subprocess.run(
            [
                sys.executable,
                "-m",
                "iletimerkezi_async",
                "inbox",
                "--follow",
                "--interval",
                "0.05",
                "--max",
                "2",
                "--json",
                "--base-url",
                base,
                "--key",
                KEY,
                "--hash",
                HASH,
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        fake.send_signal(signal.SIGINT)
    assert follow.returncode == 0, follow.stderr
    messages = [json.loads(line) for line in follow.stdout.splitlines()]
    assert [m["text"] for m in messages] == ["Merhaba", "RET"]
    assert [str(m["id"]) for m in messages] == [str(i) for i in ids]
