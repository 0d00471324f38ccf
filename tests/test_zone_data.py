"""The API's time zone without the host's zone data (slim and Alpine images have none)."""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
from pathlib import Path


def test_tzdata_is_required_on_every_platform() -> None:
    requires = importlib.metadata.requires("iletimerkezi-async") or []
    tzdata = [r for r in requires if r.split(">")[0].split(";")[0].strip() == "tzdata"]
    assert tzdata and all(";" not in r for r in tzdata), tzdata


def test_import_works_with_no_system_zone_data(tmp_path: Path) -> None:
    empty = tmp_path / "zoneinfo"
    empty.mkdir()
    env = {**os.environ, "PYTHONTZPATH": str(empty)}
    code = (
        "import zoneinfo, iletimerkezi_async as im; "
        f"assert zoneinfo.TZPATH == ({str(empty)!r},); "
        "print(im.clock.ISTANBUL.utcoffset(__import__('datetime').datetime(2026, 1, 1)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "3:00:00"
