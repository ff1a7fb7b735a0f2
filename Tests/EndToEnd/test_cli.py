"""`lazywheel metadata|ls|cat` against nginx serving the real corpus: the answers equal
MANIFEST.json and the request counts hold, counted from nginx's own access log."""
from __future__ import annotations

import hashlib
import json
import re
import zlib

import pytest

from conftest import CORPUS, run_cli

MANIFEST = json.loads((CORPUS / "MANIFEST.json").read_text())
WHEELS = [entry["file"] for entry in MANIFEST]


def entry_for(name: str) -> dict:
    return next(e for e in MANIFEST if e["file"] == name)


def tail_length(stderr: str) -> int:
    match = re.search(r"tail (\d+)", stderr)
    assert match, f"--stats did not report the tail length: {stderr}"
    return int(match.group(1))


@pytest.mark.parametrize("wheel", WHEELS)
def test_metadata_json_matches_manifest_and_request_budget(binary, counted, wheel):
    expected = entry_for(wheel)
    url = f"{counted.url}/wheels/{wheel}"
    proc = run_cli(binary, "metadata", url, "--json", "--stats")
    got = json.loads(proc.stdout)
    for key in ("name", "version", "metadataVersion", "requiresPython", "requiresDist", "providesExtra", "summary"):
        want = expected[key]
        if key == "requiresPython" and want is None:
            assert got.get(key) in (None, ""), key
            continue
        assert got[key] == want, f"{wheel}: {key}: {got.get(key)!r} != {want!r}"
    raw = got["raw"].encode("utf-8")
    assert hashlib.sha256(raw).hexdigest() == expected["metadataSha256"], "raw must be the METADATA file exactly"
    for key in ("license", "licenseExpression", "projectUrls", "classifiers"):
        assert key in got, key

    requests = counted.requests()
    assert all(r.method == "GET" for r in requests), requests
    assert all(r.status == 206 for r in requests), requests
    assert all(r.range.startswith("bytes=") for r in requests), requests
    tail = tail_length(proc.stderr)
    in_tail = expected["size"] - expected["metadataLocalHeaderOffset"] <= tail
    # Outside the tail, METADATA costs one more request, even for numpy, whose 73 KB central
    # directory is longer than the tail: its METADATA entry is in the part the tail holds.
    assert len(requests) == (1 if in_tail else 2), requests
    assert requests[0].range.startswith("bytes=-"), "the first request must be a suffix range"
    # Our own statistics agree with the server's log.
    assert re.search(rf"\b{len(requests)} requests?\b", proc.stderr), proc.stderr
    assert "0 HEAD" in proc.stderr


@pytest.mark.parametrize("wheel", ["numpy-2.1.3-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
                                   "requests-2.32.3-py3-none-any.whl"])
def test_ls_json_lists_every_entry(binary, nginx, wheel):
    expected = entry_for(wheel)
    proc = run_cli(binary, "ls", f"{nginx.url}/wheels/{wheel}", "--json")
    entries = json.loads(proc.stdout)["entries"]
    assert len(entries) == expected["entries"]
    meta = next(e for e in entries if e["name"] == expected["metadataPath"])
    assert meta["offset"] == expected["metadataLocalHeaderOffset"]
    assert meta["compressedSize"] == expected["metadataCompressedSize"]
    assert meta["size"] == expected["metadataSize"]
    assert meta["crc32"] == expected["metadataCRC32"]


def test_ls_plain_output(binary, nginx):
    proc = run_cli(binary, "ls", f"{nginx.url}/wheels/idna-3.10-py3-none-any.whl")
    assert "idna-3.10.dist-info/METADATA" in proc.stdout


@pytest.mark.parametrize("wheel", ["pydantic_core-2.27.1-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
                                   "certifi-2024.8.30-py3-none-any.whl"])
def test_cat_member_bytes_are_exact(binary, nginx, wheel):
    expected = entry_for(wheel)
    proc = run_cli(binary, "cat", f"{nginx.url}/wheels/{wheel}", expected["metadataPath"])
    data = proc.stdout.encode("utf-8")
    assert hashlib.sha256(data).hexdigest() == expected["metadataSha256"]
    assert zlib.crc32(data) == expected["metadataCRC32"]


def test_local_path_and_file_url_read_the_same(binary):
    wheel = CORPUS / "wheels" / "idna-3.10-py3-none-any.whl"
    by_path = json.loads(run_cli(binary, "metadata", str(wheel), "--json").stdout)
    by_url = json.loads(run_cli(binary, "metadata", wheel.as_uri(), "--json").stdout)
    assert by_path == by_url
    assert by_path["name"] == "idna"


def test_missing_member_and_bad_url_give_clear_errors(binary, nginx):
    proc = run_cli(binary, "cat", f"{nginx.url}/wheels/idna-3.10-py3-none-any.whl", "nope.txt", check=False)
    assert proc.returncode != 0
    assert "nope.txt" in proc.stderr
    proc = run_cli(binary, "metadata", f"{nginx.url}/wheels/missing-1.0-py3-none-any.whl", check=False)
    assert proc.returncode != 0
    assert "404" in proc.stderr
    proc = run_cli(binary, "metadata", "ftp://example.invalid/x.whl", check=False)
    assert proc.returncode != 0
    assert "ftp" in proc.stderr



def test_requests_leave_no_url_cache_folder(binary, nginx, tmp_path):
    """FoundationNetworking makes `URLCache.shared` with a folder under the user's cache directory
    (`org.swift.foundation.URLCache/<program>`) when a session configuration is first made; the
    client puts a cache without a disk folder in its place first, so a request leaves only
    lazywheel's own cache there."""
    cache = tmp_path / "cache"
    home = tmp_path / "home"
    home.mkdir()
    proc = run_cli(binary, "metadata", f"{nginx.url}/wheels/idna-3.10-py3-none-any.whl", "--json",
                   env={"XDG_CACHE_HOME": str(cache), "HOME": str(home)})
    assert json.loads(proc.stdout)["name"] == "idna"
    made = sorted(p.name for p in cache.iterdir()) if cache.exists() else []
    assert "org.swift.foundation.URLCache" not in made
    assert set(made) <= {"lazywheel"}


def test_usage_errors_help_and_completions(binary):
    """The command line as swift-argument-parser reads it: usage errors exit 64 (EX_USAGE) with the
    command's usage, help goes to standard output, and completion scripts list the subcommands."""
    bad = run_cli(binary, "resolve", "requests", "--prerelease", "sometimes", check=False)
    assert bad.returncode == 64, bad
    assert "--prerelease" in bad.stderr and "Usage: lazywheel resolve" in bad.stderr
    assert run_cli(binary, "ls", check=False).returncode == 64
    helped = run_cli(binary, "help", "resolve")
    assert "--requirement" in helped.stdout and "--python-platform" in helped.stdout
    for shell in ("bash", "zsh", "fish"):
        script = run_cli(binary, "--generate-completion-script", shell).stdout
        assert all(name in script for name in ("metadata", "resolve", "serve")), shell
