"""A throwaway ``redis-server`` on a free loopback port, for tests and benchmarks.

    with RedisServer() as server:          # RedisServer.find() is None when not installed
        r = Redis.from_url(server.url)
        server.stop()                      # an outage: commands now fail
        server.start()                     # back on the same port (empty: nothing is saved)

Nothing is written to disk (``--save ""``, ``--appendonly no``, a private
temporary ``--dir``); the process is stopped on ``stop()``, on leaving the
``with`` block and, as a last resort, when the interpreter exits.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import weakref
from pathlib import Path
from types import TracebackType

__all__ = ["INSTALL_HINT", "RedisServer", "RedisServerError"]

INSTALL_HINT = (
    "redis-server is not installed: install it (Debian/Ubuntu: "
    "`sudo apt-get install -y redis-server`; macOS: `brew install redis`) "
    "or put it on PATH"
)

_PING = b"*1\r\n$4\r\nPING\r\n"


class RedisServerError(RuntimeError):
    """The server did not start (or answer PING) in time."""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pings(port: int, timeout: float) -> bool:
    """True when something on ``port`` answers a RESP PING with ``+PONG``."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.settimeout(timeout)
            s.sendall(_PING)
            return s.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def _terminate(proc: subprocess.Popen[bytes], grace: float) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(grace)


class RedisServer:
    """One ``redis-server`` child process; ``start()``/``stop()`` may alternate freely.

    The port is picked on the first ``start()`` (or given) and kept, so a
    restarted server is reachable at the same ``url``.
    """

    def __init__(self, executable: str | None = None, *, port: int | None = None) -> None:
        found = executable or self.find()
        if found is None:
            raise RedisServerError(INSTALL_HINT)
        self.executable = found
        self._port = port
        self._proc: subprocess.Popen[bytes] | None = None
        self._paused = False
        self._dir = tempfile.TemporaryDirectory(prefix="iletimerkezi-redis-")
        self._log = Path(self._dir.name) / "redis.log"
        # Last resort for a test run that dies without calling stop(): no stray servers.
        self._finalizer = weakref.finalize(self, RedisServer._cleanup, [None], self._dir)

    @staticmethod
    def find() -> str | None:
        """The ``redis-server`` executable on PATH, or None."""
        return shutil.which("redis-server")

    @staticmethod
    def _cleanup(
        holder: list[subprocess.Popen[bytes] | None], directory: tempfile.TemporaryDirectory[str]
    ) -> None:
        proc = holder[0]
        if proc is not None:
            _terminate(proc, 5.0)
        directory.cleanup()

    # ------------------------------------------------------------------ state

    @property
    def port(self) -> int:
        if self._port is None:
            raise RedisServerError("the server has not been started yet")
        return self._port

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self.running and self._proc is not None else None

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<RedisServer 127.0.0.1:{self._port} {state}>"

    # ------------------------------------------------------------------ lifecycle

    def start(self, timeout: float = 10.0) -> RedisServer:
        """Start (resume when paused) and wait until PING answers, at most ``timeout`` s."""
        if self.running:
            if self._paused:
                self.resume()
            return self
        attempts = 3 if self._port is None else 1
        for attempt in range(attempts):
            if self._port is None or attempt:
                # Another process may grab a probed port before redis binds it: retry anew.
                self._port = _free_port()
            try:
                self._spawn(timeout)
            except RedisServerError:
                if attempt == attempts - 1:
                    raise
            else:
                return self
        raise AssertionError("unreachable")

    def _spawn(self, timeout: float) -> None:
        port = self.port
        argv = [
            self.executable,
            "--bind", "127.0.0.1",
            "--port", str(port),
            "--save", "",
            "--appendonly", "no",
            "--protected-mode", "yes",
            "--daemonize", "no",
            "--dir", self._dir.name,
            "--logfile", str(self._log),
        ]  # fmt: skip
        proc = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
        )
        self._proc = proc
        self._finalizer.detach()
        self._finalizer = weakref.finalize(self, RedisServer._cleanup, [proc], self._dir)
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                self._proc = None
                raise RedisServerError(
                    f"redis-server exited with {proc.returncode} on port {port}: {self.log_tail()}"
                )
            if _pings(port, timeout=0.5):
                return
            if time.monotonic() >= deadline:
                _terminate(proc, 5.0)
                self._proc = None
                raise RedisServerError(
                    f"redis-server on port {port} did not answer PING within {timeout:g} s: "
                    f"{self.log_tail()}"
                )
            time.sleep(0.02)

    def stop(self, *, kill: bool = False, timeout: float = 5.0) -> None:
        """Stop the server (SIGKILL with ``kill=True``, else SIGTERM) and wait for it to go."""
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        if self._paused and not kill:
            os.kill(proc.pid, signal.SIGCONT)
        self._paused = False
        if kill:
            proc.kill()
            proc.wait(timeout)
        else:
            _terminate(proc, timeout)
        # The port is free once the listening socket is gone; wait for that too.
        deadline = time.monotonic() + timeout
        while _pings(self.port, timeout=0.2) and time.monotonic() < deadline:
            time.sleep(0.02)

    def pause(self) -> None:
        """Freeze the process (SIGSTOP, POSIX only): a hang rather than a refused connection."""
        self._signal("SIGSTOP")
        self._paused = True

    def resume(self) -> None:
        """Thaw a paused server (SIGCONT)."""
        self._signal("SIGCONT")
        self._paused = False

    def _signal(self, name: str) -> None:
        if self.pid is None:
            raise RedisServerError("the server is not running")
        os.kill(self.pid, getattr(signal, name))

    def close(self) -> None:
        """Stop the server and remove its temporary directory."""
        self.stop()
        self._finalizer()

    def log_tail(self, lines: int = 20) -> str:
        with contextlib.suppress(OSError):
            return " | ".join(self._log.read_text(errors="replace").splitlines()[-lines:])
        return "(no log)"

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
