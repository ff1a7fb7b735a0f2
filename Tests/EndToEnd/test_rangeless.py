"""Servers that ignore `Range` (issue 22 §1): `python -m http.server`, started by the test, answers
every request with `200` and the whole file, as devpi-server's default setup does.

lazywheel reads a wheel there front to back: METADATA ends the transfer when `.dist-info/` comes
first, otherwise the whole file is downloaded (to disk above 8 MiB) and every read is served from
it. The host is remembered (in memory and in the disk cache), so later wheels go straight to one
GET. `http.server`'s log counts the requests at the server.
"""
from __future__ import annotations

import os
import random
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from conftest import CORPUS, free_port, memory_status, run_cli, wait_for_port, write_simple_index
from test_resolve import TARGET, uv_pins

PYDANTIC_CORE = "pydantic_core-2.27.1-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
NUMPY = "numpy-2.1.3-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
CRYPTOGRAPHY = "cryptography-43.0.3-cp39-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
IDNA = "idna-3.10-py3-none-any.whl"
FIRST = "distfirst-1.0-py3-none-any.whl"   # synthetic, 3 MB, .dist-info/ first
LAST = "distlast-1.0-py3-none-any.whl"     # synthetic, 3 MB, .dist-info/ last
MIB = 1 << 20


def synthetic_wheel(path: Path, name: str, dist_info_first: bool) -> None:
    """A 3 MB wheel of incompressible data, with its `.dist-info/` first or last."""
    dist_info = f"{name}-1.0.dist-info"
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\nSummary: synthetic\n".encode()
    payload = random.Random(name).randbytes(3 * MIB)
    meta = [(f"{dist_info}/METADATA", metadata),
            (f"{dist_info}/WHEEL", b"Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n")]
    members = [(f"{name}/data.bin", payload), (f"{name}/__init__.py", b"")]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in (meta + members if dist_info_first else members + meta) + [(f"{dist_info}/RECORD", b"")]:
            archive.writestr(member, data)


def member_metadata(path: Path) -> bytes:
    with zipfile.ZipFile(path) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA") and n.count("/") == 1)
        return archive.read(name)


class RangelessServer:
    """`python -m http.server` over a folder of wheel links and a PEP 503 index of them."""

    def __init__(self, root: Path):
        self.root = root
        self.port = free_port()
        self.log = root.parent / "http.server.log"
        self.log_file = open(self.log, "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "http.server", str(self.port), "--bind", "127.0.0.1", "--directory", str(root)],
            stdout=self.log_file, stderr=subprocess.STDOUT)
        wait_for_port(self.port, self.process, seconds=10)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def requests(self) -> list[str]:
        """Request paths logged so far (`"GET /wheels/x.whl HTTP/1.1" 200 -`)."""
        self.log_file.flush()
        time.sleep(0.1)
        return re.findall(r'"GET (\S+) HTTP', self.log.read_text())

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(5)
        self.log_file.close()


@pytest.fixture(scope="module")
def rangeless(tmp_path_factory):
    root = tmp_path_factory.mktemp("rangeless") / "root"
    wheels = root / "wheels"
    wheels.mkdir(parents=True)
    for wheel in (CORPUS / "wheels").iterdir():
        os.symlink(wheel, wheels / wheel.name)
    write_simple_index(root)
    synthetic_wheel(wheels / FIRST, "distfirst", dist_info_first=True)
    synthetic_wheel(wheels / LAST, "distlast", dist_info_first=False)
    server = RangelessServer(root)
    yield server
    server.stop()


def stats_line(stderr: str) -> tuple[int, int]:
    match = re.search(r"(\d+) requests? \(0 HEAD\), (\d+) bytes fetched", stderr)
    assert match, stderr
    return int(match.group(1)), int(match.group(2))


@pytest.mark.parametrize("name", [PYDANTIC_CORE, NUMPY, CRYPTOGRAPHY, IDNA, FIRST, LAST])
def test_metadata_from_a_server_that_ignores_ranges(binary, rangeless, name):
    path = rangeless.root / "wheels" / name
    proc = run_cli(binary, "metadata", f"{rangeless.url}/wheels/{name}", "--stats", timeout=60)
    assert proc.stdout.encode() == member_metadata(path)
    requests, fetched = stats_line(proc.stderr)
    size = path.stat().st_size
    if name in (PYDANTIC_CORE, FIRST):  # .dist-info/ first: the transfer stops after METADATA
        assert fetched < 128 * 1024, (name, fetched, size)
    assert fetched <= size
    assert requests <= 2
    if size > MIB:
        assert "ranges ignored by" in proc.stderr


def test_the_host_is_remembered_by_the_next_process(binary, rangeless, tmp_path):
    """With the same disk cache, the second run knows the host ignores ranges: one GET, no
    wasted range request."""
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    first = run_cli(binary, "metadata", f"{rangeless.url}/wheels/{FIRST}", "--stats", env=env)
    assert stats_line(first.stderr)[0] == 1  # the answer to the tail request is read front to back
    second = run_cli(binary, "metadata", f"{rangeless.url}/wheels/{PYDANTIC_CORE}", "--stats", env=env)
    requests, fetched = stats_line(second.stderr)
    assert requests == 1 and fetched < 128 * 1024, second.stderr
    assert second.stdout.encode() == member_metadata(rangeless.root / "wheels" / PYDANTIC_CORE)


def test_serve_reads_members_and_ranges_from_the_downloaded_file(serve, rangeless):
    client = serve()
    url = f"{rangeless.url}/wheels/{NUMPY}"
    path = rangeless.root / "wheels" / NUMPY
    opened = client.request("openWheel", {"url": url}, timeout=60)
    handle = opened["handle"]
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        member = "numpy/__init__.py"
        expected = archive.read(member)
    listing = client.request("listEntries", {"handle": handle})
    assert [entry["name"] for entry in listing["entries"]] == names
    read = client.request("readEntry", {"handle": handle, "name": member})
    import base64
    assert base64.b64decode(read["data"]) == expected
    raw = path.read_bytes()
    chunk = client.request("readRange", {"handle": handle, "offset": 1000, "length": 5000})
    assert base64.b64decode(chunk["data"]) == raw[1000:6000]
    stats = client.request("stats")
    assert stats["hostsIgnoringRanges"] == [rangeless.url]
    assert stats["requests"] <= 2
    # The 16 MB file went to disk, not to memory.
    assert memory_status(client.process.pid)["VmHWM"] < 150 * MIB


@pytest.mark.parametrize("requirements", [["requests"], ["cryptography", "pillow", "numpy", "psutil"], ["pydantic"]],
                         ids=lambda r: " ".join(r))
def test_resolve_on_a_server_that_ignores_ranges_matches_uv(binary, rangeless, requirements):
    index = f"{rangeless.url}/simple/"
    expected, _ = uv_pins(index, requirements)
    proc = run_cli(binary, "resolve", *requirements, "--index-url", index, *TARGET, "--stats", timeout=120)
    assert [line for line in proc.stdout.splitlines() if line] == expected
