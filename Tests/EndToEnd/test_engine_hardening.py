"""Hostile clients and archives against `lazywheel serve` and the CLI (issue 21, items 4, 5, 8, 9, 11):
memory held by concurrent large reads, many handles, the log file option, ZIPs of more than
65,535 entries without ZIP64, and what the server echoes and prints."""
from __future__ import annotations

import os
import struct
import time
import zlib
import zipfile
from concurrent.futures import wait
from pathlib import Path

import pytest

from conftest import ResponseError, memory_status, run_cli


def deflated_zeros_wheel(path: Path, members: int, member_size: int) -> Path:
    """A wheel of `members` members of `member_size` zero bytes each (deflated to a few KB)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for index in range(members):
            with archive.open(f"big/member{index}.bin", "w") as member:
                chunk = bytes(1 << 20)
                for _ in range(member_size // len(chunk)):
                    member.write(chunk)
        archive.writestr("big-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: big\nVersion: 1.0\n")
        archive.writestr("big-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\n")
    return path


def test_concurrent_large_members_stay_within_the_memory_budget(serve, tmp_path):
    """16 concurrent readEntry of 4 MiB members: their replies take turns within the memory budget
    instead of all being held at once (issue 21.4: 40 such reads took the server to 7.9 GB)."""
    member_size = 4 << 20
    budget = 32 << 20
    wheel = deflated_zeros_wheel(tmp_path / "big-1.0-py3-none-any.whl", members=6, member_size=member_size)
    client = serve("--allow-files", "--memory-budget", str(budget))
    handle = client.request("openWheel", {"url": str(wheel)})["handle"]
    client.request("readEntry", {"handle": handle, "name": "big/member0.bin"})
    before = memory_status(client.process.pid)["VmRSS"]
    futures = [client.request_async("readEntry", {"handle": handle, "name": f"big/member{index % 6}.bin"})
               for index in range(16)]
    done, _ = wait(futures, timeout=120)
    assert len(done) == 16
    for future in futures:
        assert future.result()["size"] == member_size
    peak = memory_status(client.process.pid)["VmHWM"]
    grown = peak - before
    # The replies may hold the budget; 8 MiB is left for everything else.
    assert grown < budget + (8 << 20), f"peak RSS grew by {grown >> 20} MiB over {before >> 20} MiB"
    stats = client.request("stats")
    assert stats["openHandles"] == 1


def test_a_read_larger_than_the_whole_budget_fails_clearly(serve, tmp_path):
    wheel = deflated_zeros_wheel(tmp_path / "big-1.0-py3-none-any.whl", members=1, member_size=8 << 20)
    client = serve("--allow-files", "--memory-budget", str(8 << 20))
    handle = client.request("openWheel", {"url": str(wheel)})["handle"]
    with pytest.raises(ResponseError) as raised:
        client.request("readEntry", {"handle": handle, "name": "big/member0.bin"})
    assert raised.value.code == -32070, raised.value
    assert "memory budget" in raised.value.message
    assert client.request("stats")["openHandles"] == 1


def test_log_file_receives_the_logs(serve, tmp_path):
    log = tmp_path / "server.log"
    client = serve(initialize=False)
    client.initialize({"logFile": str(log)})
    client.notify("custom/unknownNotification", {})
    assert client.request("stats")["openHandles"] == 0
    client.shutdown_and_exit()
    text = log.read_text()
    assert "custom/unknownNotification" in text, text
    assert b"custom/unknownNotification" not in client.process.stderr.read()


@pytest.mark.parametrize("kind", ["proc", "fifo", "directory", "device"])
def test_log_file_must_be_a_regular_file(serve, tmp_path, kind):
    """`/proc/self/mem` crashed the server; a FIFO blocked initialize forever (issue 21.8)."""
    path = {"proc": "/proc/self/mem", "directory": str(tmp_path), "device": "/dev/null"}.get(kind)
    if kind == "fifo":
        path = str(tmp_path / "log.fifo")
        os.mkfifo(path)
    client = serve(initialize=False)
    started = time.monotonic()
    with pytest.raises(ResponseError) as raised:
        client.initialize({"logFile": path}, timeout=10)
    assert time.monotonic() - started < 5
    assert raised.value.code == -32602, raised.value
    assert "not a regular file" in raised.value.message, raised.value
    assert client.initialize({})["serverInfo"]["name"] == "lazywheel"
    assert client.process.poll() is None
