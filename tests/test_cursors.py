"""Cursor stores: round trips, atomic replacement, clear errors for corrupt files."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import textwrap
from pathlib import Path

import pytest

import iletimerkezi_async as im


async def test_memory_cursor_round_trip() -> None:
    store = im.MemoryCursor()
    assert await store.load() is None
    await store.save("a")
    await store.save("b")
    assert await store.load() == "b"
    assert store.token == "b"
    assert await im.MemoryCursor("start").load() == "start"
    assert "start" not in repr(im.MemoryCursor("start"))


def test_both_stores_satisfy_the_protocol(tmp_path: Path) -> None:
    assert isinstance(im.MemoryCursor(), im.CursorStore)
    assert isinstance(im.FileCursor(tmp_path / "c"), im.CursorStore)
    assert not isinstance(object(), im.CursorStore)


async def test_file_cursor_missing_file_is_no_position(tmp_path: Path) -> None:
    store = im.FileCursor(tmp_path / "inbox.cursor")
    assert await store.load() is None
    assert not (tmp_path / "inbox.cursor").exists()


async def test_file_cursor_round_trip_and_survives_a_new_object(tmp_path: Path) -> None:
    path = tmp_path / "inbox.cursor"
    store = im.FileCursor(str(path))
    await store.save('{"v":1,"last_id":"7","seen":["ç","7"]}')
    await store.save('{"v":1,"last_id":"8","seen":["ç","7","8"]}')
    assert await im.FileCursor(path).load() == '{"v":1,"last_id":"8","seen":["ç","7","8"]}'
    assert os.listdir(tmp_path) == ["inbox.cursor"]  # no temp file left
    assert store.path == path


@pytest.mark.parametrize(
    ("content", "match"), [(b"\xff\xfe\x00junk", "not UTF-8"), (b"", "empty"), (b" \n", "empty")]
)
async def test_file_cursor_corrupt_file_raises(tmp_path: Path, content: bytes, match: str) -> None:
    path = tmp_path / "c"
    path.write_bytes(content)
    with pytest.raises(im.CursorError, match=match):
        await im.FileCursor(path).load()


async def test_unparseable_token_in_file_stops_the_poller(tmp_path: Path) -> None:
    from iletimerkezi_async.testing import FakeIletiMerkezi

    path = tmp_path / "c"
    path.write_text("{not json")
    async with FakeIletiMerkezi() as fake, fake.client() as client:
        fake.add_inbound("RET")
        poller = client.inbox.poll(cursor=im.FileCursor(path))
        with pytest.raises(im.CursorError, match="FileCursor"):
            await poller.__anext__()
        assert fake.sent_requests("get-inbox") == []  # refused before fetching
    assert path.read_text() == "{not json"  # left for a human to inspect


async def test_failed_write_keeps_the_old_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "c"
    store = im.FileCursor(path)
    await store.save("old")

    def broken_replace(src: str, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="No space"):
        await store.save("new")
    monkeypatch.undo()
    assert await store.load() == "old"
    assert os.listdir(tmp_path) == ["c"]


async def test_missing_directory_is_an_error_not_silence(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        await im.FileCursor(tmp_path / "nope" / "c").save("x")


def test_an_older_save_finishing_late_does_not_overwrite_a_newer_one(tmp_path: Path) -> None:
    # A save whose caller was cancelled still runs in its thread; generations order them.
    # The late thread is staged by calling the thread's function directly: no public
    # call can make an older save's thread start after a newer one has finished.
    store = im.FileCursor(tmp_path / "c")
    store._write("newer", 2)  # noqa: SLF001
    store._write("older", 1)  # noqa: SLF001
    assert (tmp_path / "c").read_text() == "newer"


_WRITER = textwrap.dedent(
    """
    import asyncio, sys
    import iletimerkezi_async as im

    async def main(path):
        store = im.FileCursor(path)
        n = 0
        while True:
            n += 1
            await store.save(f"{n}:" + "x" * 20000 + ":end")
            if n == 3:
                print("ready", flush=True)

    asyncio.run(main(sys.argv[1]))
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
async def test_sigkill_mid_write_leaves_a_whole_token(tmp_path: Path) -> None:
    path = tmp_path / "c"
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _WRITER, str(path), stdout=asyncio.subprocess.PIPE
    )
    assert proc.stdout is not None
    try:
        assert await asyncio.wait_for(proc.stdout.readline(), 20) == b"ready\n"
        await asyncio.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGKILL)
        await proc.wait()
    assert proc.returncode == -signal.SIGKILL
    token = await im.FileCursor(path).load()
    assert token is not None
    n, body, end = token.split(":")
    assert int(n) >= 3
    assert body == "x" * 20000
    assert end == "end"


@pytest.mark.parametrize(
    "last_id",
    ["²", "３", "١٢", "1" * 5000, "1" * 20, "-1", "", " 7", 7, True, ["7"]],
    ids=[
        "superscript",
        "fullwidth",
        "arabic-indic",
        "5000-digits",
        "20-digits",
        "negative",
        "empty",
        "space",
        "int",
        "bool",
        "list",
    ],
)
async def test_a_malformed_last_id_is_a_cursor_error_before_any_poll(last_id: object) -> None:
    import json

    from iletimerkezi_async.testing import FakeIletiMerkezi

    store = im.MemoryCursor(json.dumps({"v": 1, "last_id": last_id, "seen": []}))
    async with FakeIletiMerkezi() as fake, fake.client() as client:
        fake.add_inbound("RET")
        poller = client.inbox.poll(cursor=store)
        with pytest.raises(im.CursorError, match="last_id"):
            await asyncio.wait_for(poller.__anext__(), 5)
        assert fake.sent_requests("get-inbox") == []


@pytest.mark.parametrize("version", [True, 1.0, "1", None])
async def test_a_version_that_only_equals_one_is_a_cursor_error(version: object) -> None:
    import json

    from iletimerkezi_async.testing import FakeIletiMerkezi

    store = im.MemoryCursor(json.dumps({"v": version, "last_id": None, "seen": []}))
    async with FakeIletiMerkezi() as fake, fake.client() as client:
        poller = client.inbox.poll(cursor=store)
        with pytest.raises(im.CursorError, match="version-1"):
            await asyncio.wait_for(poller.__anext__(), 5)
        assert fake.sent_requests("get-inbox") == []


async def test_ids_that_only_look_numeric_are_kept_as_text() -> None:
    # A full memory of odd ids must not crash the horizon (int("²") raises) nor
    # read "３" as 3; they are compared as text and still de-duplicated.
    import json

    from iletimerkezi_async.testing import FakeIletiMerkezi, VirtualClock

    seen = ["²", "３", "9" * 5000]
    store = im.MemoryCursor(json.dumps({"v": 1, "last_id": None, "seen": seen}))
    async with FakeIletiMerkezi() as fake, fake.client() as client:
        fake.add_inbound("RET")
        poller = im.InboxPoller(client.inbox.list, cursor=store, clock=VirtualClock(), memory=3)
        message = await asyncio.wait_for(poller.__anext__(), 5)
        assert message.text == "RET"
        await poller.commit()
        await poller.aclose()
    token = json.loads(store.token or "")
    assert token["seen"][-1] == message.id
    assert token["last_id"] == message.id


async def test_a_file_cursor_that_cannot_be_saved_fails_on_load(tmp_path: Path) -> None:
    """Before the first poll, not after the first message (which would then repeat)."""
    store = im.FileCursor(tmp_path / "no" / "such" / "dir" / "x.cursor")
    with pytest.raises(im.CursorError, match="cannot be saved"):
        await store.load()
    ok = im.FileCursor(tmp_path / "x.cursor")
    assert await ok.load() is None
    assert await asyncio.to_thread(os.listdir, tmp_path) == []  # the check leaves nothing
