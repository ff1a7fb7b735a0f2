"""Fault injection end to end: a misbehaving HTTP server against the real `lazywheel` binary.

Each fault is a path prefix of `FaultServer` (`/<fault>/<n>/<wheel>`): the server ignores Range,
lies in Content-Range, sends short bodies, resets connections, stalls, answers 5xx, redirects in a
loop, swaps the file between two requests, or gzips a range. Through `lazywheel metadata` and
`lazywheel serve` (`getMetadata {url}`), every case must end in the right clear error — or, where the
client may recover (retry, small file without range support), in exactly the wheel's METADATA.
Nothing else may ever be printed or returned as METADATA.

The HTTPRange unit tests cover the client in-process; these prove the shipped binary.
"""
from __future__ import annotations

import gzip
import json
import http.server
import itertools
import resource
import socket
import struct
import threading
import time
import zipfile
from pathlib import Path

import pytest

from conftest import BurstHTTPServer, CORPUS, QuietHandler, ResponseError, run_cli

IDNA = "idna-3.10-py3-none-any.whl"
NUMPY = "numpy-2.1.3-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
# METADATA sits near the start of psutil's 287 KB file: the tail read does not cover it, so a
# second request is always needed (the one a swapped file or a broken range can spoil).
PSUTIL = "psutil-6.1.0-cp36-abi3-manylinux_2_12_x86_64.manylinux2010_x86_64.manylinux_2_17_x86_64.manylinux2014_x86_64.whl"

# Error codes of protocol/PROTOCOL.md.
RANGE_UNSUPPORTED, HTTP_ERROR, NETWORK_ERROR, FILE_CHANGED, BAD_RANGE_RESPONSE = -32020, -32021, -32022, -32023, -32024
CANCELLED = -32800


def true_metadata(name: str) -> bytes:
    with zipfile.ZipFile(CORPUS / "wheels" / name) as archive:
        member = "-".join(name.split("-")[:2]) + ".dist-info/METADATA"
        return archive.read(member)


def altered(data: bytes) -> bytes:
    """The same wheel with every byte of its first 64 KiB changed: another version of the file."""
    head = bytes(b ^ 0x5A for b in data[:65536])
    return head + data[65536:]


class FaultServer:
    """HTTP/1.1 server of the corpus wheels whose answers break on purpose, by path prefix."""

    def __init__(self):
        self.files = {p.name: p.read_bytes() for p in (CORPUS / "wheels").iterdir()}
        self.seen: dict[str, int] = {}
        self.log: list[tuple[str, str, str, str]] = []
        self.lock = threading.Lock()
        self.unique = itertools.count(1)
        outer = self

        class Handler(QuietHandler):
            def do_HEAD(self):
                self.do_GET()

            def do_GET(self):
                with outer.lock:
                    count = outer.seen.get(self.path, 0)
                    outer.seen[self.path] = count + 1
                    outer.log.append((self.command, self.path, self.headers.get("Range", ""),
                                      self.headers.get("Authorization", "")))
                parts = self.path.split("/")
                fault, name = parts[1], parts[-1]
                outer.answer(self, fault, name, count)

        self.httpd = BurstHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, fault: str, name: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/{fault}/{next(self.unique)}/{name}"

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def requests_for(self, url: str) -> int:
        path = "/" + url.split("/", 3)[3]
        return self.seen.get(path, 0)

    # Answers

    @staticmethod
    def parse_range(spec: str, size: int) -> tuple[int, int] | None:
        if not spec.startswith("bytes="):
            return None
        first, _, last = spec[6:].partition("-")
        if not first:
            return max(0, size - int(last)), size - 1
        return int(first), min(int(last) if last else size - 1, size - 1)

    def answer(self, h: http.server.BaseHTTPRequestHandler, fault: str, name: str, count: int) -> None:
        data = self.files.get(name)
        etag = '"v1"'
        if fault == "swapped" and count > 0:  # another file under the same URL from the 2nd request on
            data, etag = altered(data), '"v2"'
        if fault == "swapped-if-range" and count > 0:
            data, etag = altered(data), '"v2"'
            if h.headers.get("If-Range") and h.headers.get("If-Range") != etag:
                return self.send(h, 200, {"ETag": etag}, data)  # RFC 9110 §13.1.5: the whole new file
        known = {"ok", "missing", "redirect-loop", "redirect-file", "unavailable", "unavailable-twice", "stall",
                 "stall-forever", "ignore-range", "lying-range", "lying-bytes", "short-body", "gzip-range",
                 "truncated", "truncated-once", "reset", "reset-once", "swapped", "swapped-if-range"}
        if data is None or fault == "missing" or fault not in known:
            return self.send(h, 404, {}, b"not found")
        if fault == "redirect-loop":
            return self.send(h, 302, {"Location": h.path}, b"")
        if fault == "redirect-file":
            return self.send(h, 302, {"Location": (CORPUS / "wheels" / name).as_uri()}, b"")
        if fault == "unavailable" or (fault == "unavailable-twice" and count < 2):
            return self.send(h, 503, {"Retry-After": "0"}, b"busy")
        if fault == "stall" and count == 0:
            time.sleep(2.0)
        if fault == "stall-forever":
            self.wait_for_hangup(h, 30)
            return
        spec = h.headers.get("Range", "")
        wanted = self.parse_range(spec, len(data))
        if fault == "ignore-range" or wanted is None:
            return self.send(h, 200, {"ETag": etag}, data)
        start, end = wanted
        body = data[start:end + 1]
        content_range = f"bytes {start}-{end}/{len(data)}"
        headers = {"ETag": etag, "Content-Range": content_range}
        if fault == "lying-range":  # the right bytes' length, but from elsewhere, said honestly
            shifted = max(0, start - 1000)
            body = data[shifted:shifted + len(body)]
            headers["Content-Range"] = f"bytes {shifted}-{shifted + len(body) - 1}/{len(data)}"
        elif fault == "lying-bytes" and count > 0:  # says the range asked for, sends other bytes
            # Not detectable by the protocol: the local header is intact, the deflated data behind
            # it is not; the member's inflate or CRC-32 check must catch it.
            body = body[:128] + bytes(b ^ 0xFF for b in body[128:])
        elif fault == "short-body":  # Content-Length agrees with the short body, Content-Range does not
            body = body[: len(body) // 2]
        elif fault == "gzip-range":
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        elif fault in ("truncated", "truncated-once") and (fault == "truncated" or count == 0):
            return self.send(h, 206, headers, body, cut_after=len(body) // 3)
        elif fault in ("reset", "reset-once") and (fault == "reset" or count == 0):
            return self.send(h, 206, headers, body, reset_after=len(body) // 3)
        return self.send(h, 206, headers, body)

    @staticmethod
    def send(h, status: int, headers: dict, body: bytes, cut_after: int | None = None,
             reset_after: int | None = None) -> None:
        h.send_response(status)
        for key, value in headers.items():
            h.send_header(key, value)
        h.send_header("Content-Length", str(len(body)))
        h.send_header("Accept-Ranges", "bytes")
        h.end_headers()
        if h.command == "HEAD":
            return
        if cut_after is not None:
            h.wfile.write(body[:cut_after])
            h.wfile.flush()
            h.close_connection = True
            h.connection.shutdown(socket.SHUT_WR)
            return
        if reset_after is not None:
            h.wfile.write(body[:reset_after])
            h.wfile.flush()
            h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            h.close_connection = True
            h.connection.close()
            return
        try:
            h.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            h.close_connection = True

    @staticmethod
    def wait_for_hangup(h, seconds: float) -> None:
        deadline = time.time() + seconds
        h.connection.settimeout(0.05)
        while time.time() < deadline:
            try:
                if h.connection.recv(1, socket.MSG_PEEK) == b"":
                    break
            except socket.timeout:
                continue
            except OSError:
                break
        h.close_connection = True


@pytest.fixture(scope="module")
def faults():
    server = FaultServer()
    yield server
    server.stop()


def cli_metadata(binary: str, url: str, timeout: float = 60):
    return run_cli(binary, "metadata", url, check=False, timeout=timeout)


def expect_success(proc, name: str) -> None:
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.encode() == true_metadata(name)


def expect_failure(proc, *phrases: str) -> None:
    """A clear error on stderr, exit status 1, and nothing on stdout."""
    assert proc.returncode == 1, (proc.returncode, proc.stdout[:200], proc.stderr)
    assert proc.stdout == "", f"something was printed as METADATA: {proc.stdout[:200]!r}"
    message = proc.stderr.lower()
    assert "lazywheel: error:" in message, proc.stderr
    assert any(p.lower() in message for p in phrases), proc.stderr
    assert "fatal error" not in message and "internal error" not in message, proc.stderr


# ---------------------------------------------------------------------------------------------
# The CLI


@pytest.mark.parametrize("fault, name", [
    ("ok", IDNA), ("ok", PSUTIL),
    ("ignore-range", IDNA),          # small file: the whole-file answer is used, one request
    ("ignore-range", NUMPY),         # large file: read front to back with one more GET
    ("truncated-once", PSUTIL),      # retried
    ("reset-once", PSUTIL),          # retried
    ("unavailable-twice", PSUTIL),   # 503, 503, then the answer
    ("stall", IDNA),                 # 2 s of silence is well within the idle timeout
])
def test_cli_recovers_with_exact_metadata(binary, faults, fault, name):
    expect_success(cli_metadata(binary, faults.url(fault, name)), name)


def test_cli_waits_for_a_slow_answer_without_spinning(binary, faults):
    """While the first answer on a connection is 2 s late, the process sleeps. FoundationNetworking
    alone keeps a write source on the socket after libcurl only wants to read and spins on it (a core
    busy for the whole wait); Sources/CurlMultiCallbacks narrows the sources."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    expect_success(cli_metadata(binary, faults.url("stall", IDNA)), IDNA)
    elapsed = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    assert elapsed >= 2.0
    assert cpu < 0.5, f"{cpu:.2f} s of CPU during a {elapsed:.2f} s run: the wait is a busy loop"


@pytest.mark.parametrize("fault, name, phrases", [
    ("lying-range", PSUTIL, ["content-range"]),
    ("short-body", PSUTIL, ["announced", "content-range"]),
    ("truncated", PSUTIL, ["4 attempts"]),
    ("reset", PSUTIL, ["4 attempts"]),
    ("unavailable", PSUTIL, ["http 503"]),
    ("redirect-loop", IDNA, ["redirect"]),
    ("swapped", PSUTIL, ["changed while it was being read"]),
    ("swapped-if-range", PSUTIL, ["changed while it was being read"]),
    ("gzip-range", IDNA, ["content-encoding"]),
    ("lying-bytes", PSUTIL, ["crc", "corrupt", "invalid", "inflate", "header"]),
    ("missing", IDNA, ["404"]),
])
def test_cli_fails_clearly(binary, faults, fault, name, phrases):
    expect_failure(cli_metadata(binary, faults.url(fault, name)), *phrases)


def test_cli_gives_up_on_503_after_bounded_retries(binary, faults):
    url = faults.url("unavailable", IDNA)
    started = time.time()
    expect_failure(cli_metadata(binary, url), "http 503")
    assert faults.requests_for(url) == 4, "the retry policy allows 4 attempts"
    assert time.time() - started < 15


def test_cli_redirect_loop_is_bounded(binary, faults):
    url = faults.url("redirect-loop", IDNA)
    expect_failure(cli_metadata(binary, url), "redirected more than")
    assert faults.requests_for(url) <= 12


def test_cli_timeout_and_retries_are_configurable(binary, faults):
    """A server that never answers: `--timeout 1 --retries 1` gives up after two 1 s attempts
    (plus a 0.25 s backoff) with a message naming the timeout, not after the 30 s default."""
    url = faults.url("stall-forever", IDNA)
    before = faults.requests_for(url)
    started = time.time()
    proc = run_cli(binary, "metadata", url, "--timeout", "1", "--retries", "1", check=False, timeout=30)
    elapsed = time.time() - started
    expect_failure(proc, "did not answer within 1 s")
    assert "2 attempts" in proc.stderr, proc.stderr
    assert faults.requests_for(url) - before == 2
    assert elapsed < 8, elapsed


def test_cli_timeout_from_the_environment(binary, faults):
    url = faults.url("stall-forever", IDNA)
    before = faults.requests_for(url)
    proc = run_cli(binary, "metadata", url, check=False, timeout=30,
                   env={"LAZYWHEEL_HTTP_TIMEOUT": "0.5", "LAZYWHEEL_HTTP_RETRIES": "0"})
    expect_failure(proc, "did not answer within 500 ms")
    assert faults.requests_for(url) - before == 1


@pytest.mark.parametrize("args, env, phrase", [
    (["--timeout", "0"], {}, "between 0 and 86400"),
    (["--timeout", "abc"], {}, "timeout"),
    (["--retries=-1"], {}, "between 0 and 100"),
    ([], {"LAZYWHEEL_HTTP_TIMEOUT": "soon"}, "LAZYWHEEL_HTTP_TIMEOUT=soon"),
])
def test_bad_timeout_settings_are_usage_errors(binary, args, env, phrase):
    proc = run_cli(binary, "metadata", "https://127.0.0.1:9/x-1.0-py3-none-any.whl", *args, env=env, check=False)
    assert proc.returncode == 64, (proc.returncode, proc.stderr)
    assert phrase in proc.stderr, proc.stderr


# ---------------------------------------------------------------------------------------------
# `lazywheel serve`


@pytest.mark.parametrize("fault, name, code", [
    ("lying-range", PSUTIL, BAD_RANGE_RESPONSE),
    ("short-body", PSUTIL, BAD_RANGE_RESPONSE),
    ("gzip-range", IDNA, BAD_RANGE_RESPONSE),
    ("swapped", PSUTIL, FILE_CHANGED),
    ("swapped-if-range", PSUTIL, FILE_CHANGED),
    ("reset", PSUTIL, NETWORK_ERROR),
    ("redirect-loop", IDNA, NETWORK_ERROR),
    ("unavailable", IDNA, HTTP_ERROR),
    ("missing", IDNA, HTTP_ERROR),
    ("lying-bytes", PSUTIL, -32030),
])
def test_serve_maps_each_fault_to_its_error_code(serve, faults, fault, name, code):
    client = serve()
    with pytest.raises(ResponseError) as raised:
        client.request("getMetadata", {"url": faults.url(fault, name)}, timeout=60)
    assert raised.value.code == code, raised.value
    assert raised.value.message and "internal error" not in raised.value.message
    # The session survives the fault: the same server still reads a good wheel exactly.
    good = client.request("getMetadata", {"url": faults.url("ok", name)})
    assert good["raw"].encode() == true_metadata(name)


@pytest.mark.parametrize("fault, name", [
    ("reset-once", PSUTIL), ("truncated-once", PSUTIL), ("unavailable-twice", IDNA), ("ignore-range", IDNA),
    ("ignore-range", NUMPY),
])
def test_serve_recovers_with_exact_metadata(serve, faults, fault, name):
    client = serve()
    result = client.request("getMetadata", {"url": faults.url(fault, name)}, timeout=60)
    assert result["raw"].encode() == true_metadata(name)


def test_serve_timeout_is_configurable(serve, faults):
    """`serve --timeout 1 --retries 0`: a dead server costs one second and a -32022 network error,
    and the session goes on."""
    client = serve("--timeout", "1", "--retries", "0")
    started = time.time()
    with pytest.raises(ResponseError) as raised:
        client.request("getMetadata", {"url": faults.url("stall-forever", IDNA)}, timeout=30)
    assert raised.value.code == NETWORK_ERROR, raised.value
    assert "within 1 s" in raised.value.message
    assert time.time() - started < 6
    assert client.request("getMetadata", {"url": faults.url("ok", IDNA)})["raw"].encode() == true_metadata(IDNA)


def test_serve_timeout_and_retries_from_initialization_options(serve, faults):
    """An editor sets the timeout and retries in `initialize` (they win over `serve --timeout`):
    a dead server costs two 0.5 s attempts and a backoff, not two 30 s ones."""
    client = serve("--timeout", "30", initialize=False)
    client.initialize({"httpTimeout": 0.5, "httpRetries": 1})
    url = faults.url("stall-forever", IDNA)
    before = faults.requests_for(url)
    started = time.time()
    with pytest.raises(ResponseError) as raised:
        client.request("getMetadata", {"url": url}, timeout=30)
    assert raised.value.code == NETWORK_ERROR, raised.value
    assert "within 500 ms" in raised.value.message and "2 attempts" in raised.value.message, raised.value
    assert faults.requests_for(url) - before == 2
    assert time.time() - started < 6
    assert client.request("getMetadata", {"url": faults.url("ok", IDNA)})["raw"].encode() == true_metadata(IDNA)


@pytest.mark.parametrize("options, phrase", [
    ({"httpTimeout": 0}, "between 0 and 86400"),
    ({"httpTimeout": 100000}, "between 0 and 86400"),
    ({"httpRetries": -1}, "between 0 and 100"),
    ({"httpRetries": "3"}, "httpRetries"),
])
def test_serve_refuses_bad_network_options_and_takes_a_corrected_initialize(serve, options, phrase):
    client = serve(initialize=False)
    with pytest.raises(ResponseError) as raised:
        client.initialize(options)
    assert raised.value.code == -32602, raised.value
    assert phrase in raised.value.message, raised.value
    assert client.initialize({"httpTimeout": 5, "httpRetries": 0})["serverInfo"]["name"] == "lazywheel"


def test_serve_cancels_a_stalled_fetch(serve, faults):
    """A server that never answers within the default 30 s timeout: cancellation stops the wait."""
    client = serve()
    future = client.request_async("getMetadata", {"url": faults.url("stall-forever", IDNA)})
    time.sleep(0.5)
    assert not future.done()
    client.cancel(future)
    with pytest.raises(ResponseError) as raised:
        future.result(10)
    assert raised.value.code == CANCELLED
    assert client.request("stats")["openHandles"] == 0


def test_serve_swapped_file_never_mixes_versions(serve, faults):
    """Open (tail of version 1), then the server swaps the file: reads fail with -32023, the
    handle's later reads never return bytes of version 2 spliced into version 1."""
    client = serve()
    url = faults.url("swapped", PSUTIL)
    handle = client.request("openWheel", {"url": url})["handle"]
    for _ in range(2):
        with pytest.raises(ResponseError) as raised:
            client.request("readEntry", {"handle": handle, "name": "psutil-6.1.0.dist-info/METADATA"})
        assert raised.value.code == FILE_CHANGED


# ---------------------------------------------------------------------------------------------
# Security: credentials, schemes, size caps


SECRET_PASSWORD = "pa55w0rd-in-url"
SECRET_TOKEN = "Bearer s3cr3t-token-in-header"


def test_credentials_never_appear_in_cli_errors(binary, faults):
    for fault in ("missing", "unavailable", "redirect-loop", "lying-range"):
        url = faults.url(fault, PSUTIL).replace("http://", f"http://alice:{SECRET_PASSWORD}@")
        proc = cli_metadata(binary, url)
        assert proc.returncode == 1
        assert SECRET_PASSWORD not in proc.stderr and SECRET_PASSWORD not in proc.stdout, proc.stderr
    # The credentials were used (as Basic authorization), only never shown.
    assert any(auth.startswith("Basic ") for _, _, _, auth in faults.log)


def test_credentials_never_appear_in_server_replies_or_log(binary, faults):
    from conftest import LazyWheelClient
    import os
    import subprocess
    import tempfile
    env = {k: v for k, v in os.environ.items() if not k.endswith("INDEX_URL")}
    env["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="lazywheel-cache-")
    log_file = Path(tempfile.mkdtemp()) / "server.log"
    process = subprocess.Popen([binary, "serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=env)
    client = LazyWheelClient(process)
    client.initialize({"logFile": str(log_file)})
    messages = []
    for fault in ("missing", "unavailable", "swapped", "gzip-range", "redirect-loop"):
        url = faults.url(fault, PSUTIL)
        for params in ({"url": url, "headers": {"Authorization": SECRET_TOKEN}},
                       {"url": url.replace("http://", f"http://alice:{SECRET_PASSWORD}@")}):
            try:
                handle = client.request("openWheel", params, timeout=60)["handle"]
                client.request("readEntry", {"handle": handle, "name": "psutil-6.1.0.dist-info/METADATA"})
            except ResponseError as error:
                messages.append(f"{error.code} {error.message} {error.data}")
    assert len(messages) == 10, messages
    client.request("shutdown")
    client.notify("exit")
    process.wait(10)
    everything = "\n".join(messages) + "\n".join(json.dumps(m) for m in client.raw_messages)
    everything += process.stderr.read().decode(errors="replace")
    if log_file.exists():
        everything += log_file.read_text(errors="replace")
    for secret in (SECRET_PASSWORD, "s3cr3t-token-in-header"):
        assert secret not in everything
    assert any(auth == SECRET_TOKEN for _, _, _, auth in faults.log), "the header was sent"


@pytest.mark.parametrize("url", [
    "ftp://127.0.0.1/idna-3.10-py3-none-any.whl",
    "gopher://127.0.0.1/idna-3.10-py3-none-any.whl",
    "data:application/zip;base64,UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==",
    "javascript:alert(1)",
    "file:///etc/passwd",
    "/etc/passwd",
])
def test_only_http_https_and_allowed_files_are_opened(serve, url):
    client = serve()
    with pytest.raises(ResponseError) as raised:
        client.request("openWheel", {"url": url})
    assert raised.value.code == -32040, raised.value


def test_file_urls_only_with_allow_files(serve):
    wheel = CORPUS / "wheels" / IDNA
    client = serve("--allow-files")
    assert client.request("getMetadata", {"url": wheel.as_uri()})["raw"].encode() == true_metadata(IDNA)


def test_redirect_to_a_file_url_never_reads_a_local_file(serve, faults):
    client = serve("--allow-files")  # even when files may be opened directly
    with pytest.raises(ResponseError) as raised:
        client.request("openWheel", {"url": faults.url("redirect-file", IDNA)})
    assert raised.value.code in (-32040, -32021), raised.value


def test_redirect_to_a_file_url_is_refused_as_a_location_error(serve, faults):
    client = serve()
    with pytest.raises(ResponseError) as raised:
        client.request("openWheel", {"url": faults.url("redirect-file", IDNA)})
    assert raised.value.code == -32040, raised.value


def zip_bomb_wheel() -> bytes:
    """A wheel whose METADATA inflates to 64 MiB but whose headers declare 100 bytes."""
    import io
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bomb/__init__.py", "")
        archive.writestr("bomb-1.0.dist-info/METADATA", b"Metadata-Version: 2.1\nName: bomb\nVersion: 1.0\n\n"
                         + b"\0" * (64 << 20))
        archive.writestr("bomb-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\n")
        archive.writestr("bomb-1.0.dist-info/RECORD", "")
    data = bytearray(buffer.getvalue())
    real = (64 << 20) + len(b"Metadata-Version: 2.1\nName: bomb\nVersion: 1.0\n\n")
    declared = struct.pack("<I", 100)
    real_bytes = struct.pack("<I", real)
    # Local header (uncompressed size at +22) and central directory entry (+24) of METADATA.
    position = 0
    while (position := data.find(real_bytes, position)) != -1:
        data[position:position + 4] = declared
        position += 4
    return bytes(data)


def test_decompression_is_capped_by_the_declared_size(serve, binary, faults):
    faults.files["bomb-1.0-py3-none-any.whl"] = zip_bomb_wheel()
    url = faults.url("ok", "bomb-1.0-py3-none-any.whl")
    proc = cli_metadata(binary, url)
    assert proc.returncode == 1 and proc.stdout == "", proc.stderr
    client = serve()
    with pytest.raises(ResponseError) as raised:
        client.request("getMetadata", {"url": url})
    assert raised.value.code == -32030, raised.value
    assert client.request("stats")["residentMemoryBytes"] < 200 * 1024 * 1024


def test_read_size_caps(serve, faults):
    client = serve(options={"maxReadBytes": 4096})
    handle = client.request("openWheel", {"url": faults.url("ok", PSUTIL)})["handle"]
    with pytest.raises(ResponseError) as raised:
        client.request("readRange", {"handle": handle, "offset": 0, "length": 4097})
    assert raised.value.code == -32070
    big = max(client.request("listEntries", {"handle": handle})["entries"], key=lambda e: e["size"])
    with pytest.raises(ResponseError) as raised:
        client.request("readEntry", {"handle": handle, "name": big["name"]})
    assert raised.value.code == -32070


def test_frame_size_caps(serve):
    client = serve("--max-frame-bytes", "2048")
    padding = "x" * 5000
    future = client.request_async("stats", {"padding": padding})
    with pytest.raises(ResponseError) as raised:
        future.result(10)
    assert raised.value.code == -32600
    client.send_raw(b"X-Long: " + b"y" * 10000 + b"\r\n")  # a header section over 8 KiB
    body = b'{"jsonrpc":"2.0","id":"after","method":"stats"}'
    client.checker.methods_by_id["after"] = "stats"
    client.send_raw(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    deadline = time.time() + 10
    while time.time() < deadline and not any(m.get("id") == "after" for m in client.raw_messages):
        time.sleep(0.05)
    assert any(m.get("id") == "after" and "result" in m for m in client.raw_messages)
    assert client.request("stats")["openHandles"] == 0
