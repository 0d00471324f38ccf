"""``webhook serve`` in a child process: real POSTs, a wrong token, Ctrl-C and SIGTERM."""

from __future__ import annotations

import json
import signal
import socket
import sys
import urllib.error
import urllib.request

import pytest

from iletimerkezi_async.cli import EXIT_INTERRUPTED, EXIT_USAGE
from iletimerkezi_async.cli.webhook import mask_token

from ._proc import child, wait_for_line
from .conftest import Invoke

TOKEN = "wh-TOKEN-6b1d9e2f7a3c5e"


def post(port: int, token: str, payload: object) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/iletimerkezi/webhook/{token}",
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def report(message_id: int, status: str) -> dict[str, object]:
    return {
        "report": {
            "id": message_id,
            "packet_id": 104525848,
            "status": status,
            "to": "+905051234567",
            "body": "Kodunuz 482913",
        }
    }


def test_serve_prints_reports_masks_secrets_and_stops_on_ctrl_c() -> None:
    with child("webhook", "serve", "--port", "0", "--token", TOKEN) as proc:
        found, _ = wait_for_line(proc.stderr, r"listening on http://127\.0\.0\.1:(\d+)(\S+)")
        port = int(found.group(1))
        assert found.group(2) == f"/iletimerkezi/webhook/{mask_token(TOKEN)}"
        assert TOKEN not in found.string
        assert post(port, TOKEN, report(1599558518, "delivered")) == 200
        assert post(port, TOKEN, report(1599558518, "delivered")) == 200  # a duplicate
        assert post(port, "wrong-token-000000000", report(1, "delivered")) == 404
        assert post(port, TOKEN, {"report": {"id": "x"}}) == 400
        assert post(port, TOKEN, report(1599558519, "undelivered")) == 200
        assert proc.stdout is not None
        first = proc.stdout.readline()
        second = proc.stdout.readline()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert "order 104525848 message 1599558518 DELIVERED +90505*****67" in first
    assert "message 1599558519 UNDELIVERED" in second
    assert out == ""  # the duplicate printed nothing
    assert "482913" not in first + second  # no message text in human lines
    assert proc.returncode == EXIT_INTERRUPTED
    assert "Traceback" not in err and TOKEN not in err


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM handler needs a POSIX loop")
def test_serve_json_lines_and_sigterm_ends_with_0() -> None:
    with child(
        "webhook",
        "serve",
        "--port",
        "0",
        "--json",
        env={
            "ILETIMERKEZI_WEBHOOK_TOKEN": TOKEN,
        },
    ) as proc:
        found, _ = wait_for_line(proc.stderr, r"127\.0\.0\.1:(\d+)")
        assert post(int(found.group(1)), TOKEN, report(7, "accepted")) == 200
        assert proc.stdout is not None
        line = json.loads(proc.stdout.readline())
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)
    assert line == {
        "message_id": 7,
        "order_id": "104525848",
        "status": "accepted",
        "to": "+905051234567",
        "body": "Kodunuz 482913",
        "raw_status": "accepted",
    }
    assert proc.returncode == 0


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("--token", "short-SECRET"), "at least 16"),
        (("--token", "has/a/slash-SECRET-000"), "without spaces or '/'"),
        (("--token", TOKEN, "--path", "/no-placeholder"), "{token} exactly once"),
        (("--token", TOKEN, "--path", "relative/{token}"), "must start with '/'"),
        ((), "Missing option '--token'"),
    ],
)
def test_serve_usage_errors_never_echo_the_token(
    bare: Invoke, args: tuple[str, ...], needle: str
) -> None:
    result = bare("webhook", "serve", "--port", "0", *args)
    assert result.exit_code == EXIT_USAGE
    assert needle in result.stderr
    assert "SECRET" not in result.stderr


def until_closed(sock: socket.socket, bound: float = 10.0) -> bytes:
    """What the server sends before it closes; ``socket.timeout`` if it keeps it open."""
    sock.settimeout(bound)
    received = b""
    try:
        while chunk := sock.recv(65536):
            received += chunk
    except ConnectionResetError:
        pass
    return received


def test_serve_drops_slow_and_idle_sockets_and_caps_connections() -> None:
    args = ("--port", "0", "--token", TOKEN, "--header-timeout", "0.3", "--body-timeout", "0.3")
    with child("webhook", "serve", *args, "--max-connections", "5") as proc:
        found, _ = wait_for_line(proc.stderr, r"127\.0\.0\.1:(\d+)")
        port = int(found.group(1))
        held = [socket.create_connection(("127.0.0.1", port)) for _ in range(5)]
        try:
            held[0].sendall(b"POST /iletimerkezi/webhook/")  # headers never finished
            held[1].sendall(
                f"POST /iletimerkezi/webhook/{TOKEN} HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n{{".encode()
            )  # body never finished
            with socket.create_connection(("127.0.0.1", port)) as extra:
                refused = until_closed(extra)
            closed = [until_closed(sock) for sock in held]
        finally:
            for sock in held:
                sock.close()
        assert refused.startswith(b"HTTP/1.1 503 ") and b"too many connections" in refused
        assert closed[0] == b"" and closed[2:] == [b""] * 3  # no request: closed, no answer
        assert closed[1].startswith(b"HTTP/1.1 503 ")  # the body timed out
        # The slots are free again.
        assert post(port, TOKEN, report(1599558518, "delivered")) == 200
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert "message 1599558518 DELIVERED" in out
    assert "limit" in err and TOKEN not in err


def test_mask_token_hides_all_but_four_characters() -> None:
    assert mask_token("abcdefghijklmnopqrstuvwxyz") == "ab******yz"
