"""A hostile HTTP server against the transport of the real `lazywheel` binary (issue 21: items 1, 3,
10 and the transport parts of 11).

`HostileServer` answers by path prefix (`/<behaviour>/<wheel>`): an endless chunked body, a body
trickled a byte at a time, bytes after a `Content-Length` body on a kept-alive connection,
`Retry-After` on 503, or the plain wheel with byte ranges (`/ok/`). Memory is measured on the
process itself (`VmHWM`, `VmRSS` in /proc), every test is bounded in time.
"""
from __future__ import annotations

import socket
import subprocess
import threading
import time
import zipfile

import pytest

from conftest import BurstHTTPServer, CORPUS, isolated_environment, memory_status, QuietHandler, ResponseError, run_cli

IDNA = "idna-3.10-py3-none-any.whl"
MIB = 1 << 20


def true_metadata(name: str) -> bytes:
    with zipfile.ZipFile(CORPUS / "wheels" / name) as archive:
        return archive.read("-".join(name.split("-")[:2]) + ".dist-info/METADATA")


class HostileServer:
    """HTTP/1.1 server of the corpus wheels with hostile answers chosen by the path's first part."""

    def __init__(self):
        self.files = {p.name: p.read_bytes() for p in (CORPUS / "wheels").iterdir()}
        self.sent: dict[str, int] = {}
        self.answers_ended: dict[str, int] = {}
        self.requests: dict[str, int] = {}
        self.seen_paths: dict[str, int] = {}
        self.lock = threading.Lock()
        outer = self

        class Handler(QuietHandler):
            def do_GET(self):
                behaviour = self.path.split("/")[1]
                with outer.lock:
                    outer.requests[behaviour] = outer.requests.get(behaviour, 0) + 1
                getattr(outer, behaviour.replace("-", "_"))(self, self.path.split("/")[-1])

        self.httpd = BurstHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, behaviour: str, name: str = IDNA, scheme: str = "http") -> str:
        return f"{scheme}://127.0.0.1:{self.httpd.server_address[1]}/{behaviour}/{name}"

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def count(self, behaviour: str, sent: int) -> None:
        """Records an answer that ended (the client closed the connection) after `sent` body bytes."""
        with self.lock:
            self.sent[behaviour] = self.sent.get(behaviour, 0) + sent
            self.answers_ended[behaviour] = self.answers_ended.get(behaviour, 0) + 1

    # Behaviours

    def ok(self, h, name):
        data = self.files[name]
        spec = h.headers.get("Range", "")
        start, end = 0, len(data) - 1
        if spec.startswith("bytes=-"):
            start = max(0, len(data) - int(spec[7:]))
        elif spec.startswith("bytes="):
            first, last = spec[6:].split("-")
            start, end = int(first), min(int(last), len(data) - 1)
        body = data[start:end + 1]
        h.send_response(206 if spec else 200)
        if spec:
            h.send_header("Content-Range", f"bytes {start}-{end}/{len(data)}")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    def endless(self, h, name, status=200):
        """A chunked body that never ends, sent as fast as the client reads it."""
        h.send_response(status)
        if status == 206:
            h.send_header("Content-Range", f"bytes 0-16383/{64 * MIB}")
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        chunk = b"PK" * 32768
        frame = b"%x\r\n" % len(chunk) + chunk + b"\r\n"
        sent = 0
        try:
            while True:
                h.wfile.write(frame)
                sent += len(chunk)
        except OSError:
            pass
        finally:
            self.count("endless", sent)
            h.close_connection = True

    def endless_206(self, h, name):
        self.endless(h, name, status=206)

    def endless_page(self, h, name):
        """A project page of links that never ends."""
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        chunk = b"<a href='x-1.0-py3-none-any.whl'>x</a>\n" * 1600
        frame = b"%x\r\n" % len(chunk) + chunk + b"\r\n"
        try:
            while True:
                h.wfile.write(frame)
        except OSError:
            pass
        finally:
            h.close_connection = True

    def dense_page(self, h, name):
        """A complete project page of 1.2 million short links (52 MiB)."""
        if not hasattr(self, "dense_body"):
            self.dense_body = b"".join(b"<a href='x-1.0.%d-py3-none-any.whl'>x</a>\n" % i for i in range(1_200_000))
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Content-Length", str(len(self.dense_body)))
        h.end_headers()
        try:
            h.wfile.write(self.dense_body)
        except OSError:
            pass

    def short_body(self, h, name):
        """Announces the tail it was asked for, sends half of it, closes."""
        data = self.files[name]
        h.send_response(206)
        h.send_header("Content-Range", f"bytes {len(data) - 16384}-{len(data) - 1}/{len(data)}")
        h.send_header("Content-Length", "16384")
        h.end_headers()
        h.wfile.write(data[-16384:-8192])
        h.wfile.flush()
        h.close_connection = True

    def huge_headers(self, h, name):
        h.send_response(206)
        for index in range(400):
            h.send_header(f"X-Filler-{index}", "x" * 1000)
        h.send_header("Content-Length", "0")
        h.end_headers()

    def retry_after(self, h, name):
        """503 with `Retry-After: 1` on the first request of each path, then the wheel."""
        with self.lock:
            self.seen_paths[h.path] = self.seen_paths.get(h.path, 0) + 1
            first = self.seen_paths[h.path] == 1
        if first:
            h.send_response(503)
            h.send_header("Retry-After", "1")
            h.send_header("Content-Length", "0")
            h.end_headers()
            return
        self.ok(h, name)

    def retry_after_hour(self, h, name):
        h.send_response(429)
        h.send_header("Retry-After", "3600")
        h.send_header("Content-Length", "0")
        h.end_headers()

    def trickle(self, h, name):
        """The range asked for, one byte every half second."""
        data = self.files[name]
        size = len(data)
        h.send_response(206)
        h.send_header("Content-Range", f"bytes {size - 16384}-{size - 1}/{size}")
        h.send_header("Content-Length", "16384")
        h.end_headers()
        try:
            for byte in data[size - 16384:]:
                h.wfile.write(bytes([byte]))
                h.wfile.flush()
                self.count("trickle", 1)
                time.sleep(0.5)
        except OSError:
            h.close_connection = True


@pytest.fixture(scope="module")
def hostile():
    server = HostileServer()
    yield server
    server.stop()


def run_measured(args: list[str], env: dict | None = None, limit: float = 30) -> tuple[subprocess.CompletedProcess, int]:
    """Runs the binary, sampling its peak resident set (VmHWM) until it ends; returns it in bytes."""
    full_env = isolated_environment()
    full_env.update(env or {})
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=full_env, text=True)
    peak = 0
    deadline = time.monotonic() + limit
    while process.poll() is None and time.monotonic() < deadline:
        try:
            peak = max(peak, memory_status(process.pid)["VmHWM"])
        except (FileNotFoundError, KeyError, ProcessLookupError):
            break
        time.sleep(0.02)
    if process.poll() is None:
        process.kill()
    out, err = process.communicate(timeout=10)
    return subprocess.CompletedProcess(args, process.returncode, out, err), peak


# ---------------------------------------------------------------------------------------------
# 21.1 Endless chunked body


@pytest.mark.parametrize("behaviour", ["endless", "endless-206"])
def test_endless_body_costs_the_cli_no_memory(binary, hostile, behaviour):
    """A range answered with a chunked body that never ends: refused at its headers (no length
    announced), peak resident set far under 200 MB, at once."""
    started = time.monotonic()
    proc, peak = run_measured([binary, "metadata", hostile.url(behaviour)])
    elapsed = time.monotonic() - started
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout == ""
    assert "no announced length" in proc.stderr, proc.stderr
    assert peak < 200 * MIB, f"peak resident set {peak / MIB:.0f} MiB"
    assert elapsed < 15, elapsed


def test_endless_bodies_leave_serve_small(serve, hostile):
    """Six opens of endless bodies: each fails at once with a bad-range-response error, the
    connection is closed within seconds (not after gigabytes), the server's resident set stays
    under 300 MB, and it goes on answering."""
    client = serve()
    deadline = time.monotonic() + 20  # the answers of earlier tests end first
    while hostile.answers_ended.get("endless", 0) < hostile.requests.get("endless", 0) + hostile.requests.get("endless-206", 0) \
            and time.monotonic() < deadline:
        time.sleep(0.05)
    ended_before, sent_before = hostile.answers_ended.get("endless", 0), hostile.sent.get("endless", 0)
    for index in range(6):
        behaviour = "endless" if index % 2 == 0 else "endless-206"
        started = time.monotonic()
        with pytest.raises(ResponseError) as raised:
            client.request("openWheel", {"url": hostile.url(behaviour)}, timeout=90)
        assert raised.value.code == -32024, raised.value
        assert "no announced length" in raised.value.message
        assert time.monotonic() - started < 10
    deadline = time.monotonic() + 20
    while hostile.answers_ended.get("endless", 0) < ended_before + 6 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert hostile.answers_ended.get("endless", 0) == ended_before + 6, "an endless answer's connection is still open"
    sent = hostile.sent["endless"] - sent_before
    assert sent < 1024 * MIB, f"{sent / MIB:.0f} MiB read of six refused bodies"
    status = memory_status(client.process.pid)
    assert status["VmRSS"] < 300 * MIB, f"{status['VmRSS'] / MIB:.0f} MiB resident after six endless bodies"
    assert status["VmHWM"] < 300 * MIB, f"{status['VmHWM'] / MIB:.0f} MiB at the peak"
    result = client.request("getMetadata", {"url": hostile.url("ok")}, timeout=30)
    assert result["raw"].encode() == true_metadata(IDNA)


@pytest.mark.parametrize("behaviour, phrase", [("endless-page", "sent more than 64 MiB"),
                                               ("dense-page", "lists more than 250000 files")])
def test_hostile_project_pages_are_refused_with_little_memory(binary, hostile, serve, behaviour, phrase):
    """An index page without end stops at 64 MiB, one of millions of links at 250,000 files,
    without parsing gigabytes of them (an endless page took 12 GB, a dense one 2.1 GB)."""
    index = f"http://127.0.0.1:{hostile.httpd.server_address[1]}/{behaviour}/simple/"
    proc, peak = run_measured([binary, "metadata", "x", "--index-url", index], limit=60)
    assert proc.returncode == 1 and phrase in proc.stderr, proc.stderr
    assert peak < 400 * MIB, f"peak resident set {peak / MIB:.0f} MiB"
    client = serve(options={"indexUrl": index})
    with pytest.raises(ResponseError) as raised:
        client.request("getMetadata", {"project": "x"}, timeout=60)
    assert raised.value.code == -32070 and phrase in raised.value.message, raised.value


# ---------------------------------------------------------------------------------------------
# 21.3 Trickling server


def test_trickling_server_meets_the_attempt_deadline(binary, hostile):
    """A byte every half second never trips the idle timeout; the attempt deadline ends it, once
    (no retry), and the error says how many bytes came in how long."""
    before = hostile.requests.get("trickle", 0)
    started = time.monotonic()
    proc = run_cli(binary, "metadata", hostile.url("trickle"), "--attempt-deadline", "2", check=False, timeout=30)
    elapsed = time.monotonic() - started
    assert proc.returncode == 1, proc.stderr
    assert "sent only" in proc.stderr and "in 2 s" in proc.stderr, proc.stderr
    assert "attempt deadline" in proc.stderr, proc.stderr
    assert "did not answer" not in proc.stderr
    assert hostile.requests.get("trickle", 0) - before == 1
    assert 2 <= elapsed < 8, elapsed


def test_attempt_deadline_from_the_environment(binary, hostile):
    proc = run_cli(binary, "metadata", hostile.url("trickle"), check=False, timeout=30,
                   env={"LAZYWHEEL_HTTP_ATTEMPT_DEADLINE": "1.5"})
    assert proc.returncode == 1, proc.stderr
    assert "in 1.5 s" in proc.stderr and "attempt deadline" in proc.stderr, proc.stderr


@pytest.mark.parametrize("args, env, phrase", [
    (["--attempt-deadline", "0"], {}, "between 0 and 86400"),
    ([], {"LAZYWHEEL_HTTP_ATTEMPT_DEADLINE": "later"}, "LAZYWHEEL_HTTP_ATTEMPT_DEADLINE=later"),
])
def test_bad_attempt_deadlines_are_usage_errors(binary, args, env, phrase):
    proc = run_cli(binary, "metadata", "http://127.0.0.1:9/x-1.0-py3-none-any.whl", *args, env=env, check=False)
    assert proc.returncode == 64, (proc.returncode, proc.stderr)
    assert phrase in proc.stderr, proc.stderr


def test_attempt_deadline_from_initialize(serve, hostile):
    client = serve(initialize=False)
    client.initialize({"httpAttemptDeadline": 1.5})
    started = time.monotonic()
    with pytest.raises(ResponseError) as raised:
        client.request("getMetadata", {"url": hostile.url("trickle")}, timeout=30)
    assert raised.value.code == -32022, raised.value
    assert "in 1.5 s" in raised.value.message and "attempt deadline" in raised.value.message, raised.value
    assert time.monotonic() - started < 6


# ---------------------------------------------------------------------------------------------
# 21.11 Words for transfer failures, `HTTP://`, `Retry-After`


def test_scheme_in_capitals_is_accepted(binary, hostile):
    proc = run_cli(binary, "metadata", hostile.url("ok", scheme="HTTP"))
    assert proc.stdout.encode() == true_metadata(IDNA)


@pytest.mark.parametrize("behaviour, phrase", [
    ("short-body", "closed before the whole body arrived"),
    ("huge-headers", "header"),
])
def test_transfer_failures_say_what_happened(binary, hostile, behaviour, phrase):
    proc = run_cli(binary, "metadata", hostile.url(behaviour), "--retries", "1", check=False, timeout=60)
    assert proc.returncode == 1, proc.stderr
    assert "URL error" not in proc.stderr, proc.stderr
    assert phrase in proc.stderr.lower(), proc.stderr


def test_retry_after_is_honoured(binary, hostile):
    """A 503 asking for one second: the retry waits that second (not the 0.25 s backoff), then
    reads the wheel."""
    started = time.monotonic()
    proc = run_cli(binary, "metadata", hostile.url("retry-after"), timeout=60)
    assert proc.stdout.encode() == true_metadata(IDNA)
    assert time.monotonic() - started >= 1.0


def test_retry_after_beyond_the_cap_fails_at_once(binary, hostile):
    before = hostile.requests.get("retry-after-hour", 0)
    started = time.monotonic()
    proc = run_cli(binary, "metadata", hostile.url("retry-after-hour"), check=False, timeout=60)
    assert proc.returncode == 1, proc.stderr
    assert "retry after 3600 s" in proc.stderr and "60 s" in proc.stderr, proc.stderr
    assert hostile.requests.get("retry-after-hour", 0) - before == 1
    assert time.monotonic() - started < 5


# ---------------------------------------------------------------------------------------------
# 21.10 Keep-alive desync


class ExcessBytesServer:
    """Answers each range request on a kept-alive connection with the right 206, followed by the
    bytes of a whole second answer (`200`, `hello`) that no request asked for."""

    def __init__(self, data: bytes):
        self.data = data
        self.requests = 0
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        threading.Thread(target=self.accept, daemon=True).start()

    @property
    def port(self) -> int:
        return self.socket.getsockname()[1]

    def accept(self):
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            threading.Thread(target=self.serve, args=(connection,), daemon=True).start()

    def serve(self, connection):
        buffer = b""
        size = len(self.data)
        with connection:
            while True:
                while b"\r\n\r\n" not in buffer:
                    try:
                        chunk = connection.recv(65536)
                    except OSError:
                        return
                    if not chunk:
                        return
                    buffer += chunk
                head, buffer = buffer.split(b"\r\n\r\n", 1)
                self.requests += 1
                spec = next((line.split(b"=", 1)[1] for line in head.split(b"\r\n") if line.lower().startswith(b"range:")), b"0-")
                first, last = spec.decode().split("-")
                start, end = (size - int(last), size - 1) if not first else (int(first), min(int(last or size - 1), size - 1))
                body = self.data[start:end + 1]
                answer = (b"HTTP/1.1 206 Partial Content\r\nContent-Range: bytes %d-%d/%d\r\nContent-Length: %d\r\n\r\n"
                          % (start, end, size, len(body)) + body)
                excess = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
                try:
                    connection.sendall(answer + excess)
                except OSError:
                    return

    def stop(self):
        self.socket.close()


PSUTIL = "psutil-6.1.0-cp36-abi3-manylinux_2_12_x86_64.manylinux2010_x86_64.manylinux_2_17_x86_64.manylinux2014_x86_64.whl"


def test_bytes_after_a_body_are_never_taken_for_the_next_answer(binary):
    """psutil needs two requests (tail, then METADATA): the second, sent on the kept-alive
    connection, would read the excess bytes as its answer. The answer contradicts the file, the
    read is repeated on a connection of its own (and the host gets one per request), and
    METADATA is exact."""
    server = ExcessBytesServer((CORPUS / "wheels" / PSUTIL).read_bytes())
    try:
        proc = run_cli(binary, "metadata", f"http://127.0.0.1:{server.port}/{PSUTIL}", "--stats", timeout=60)
        assert proc.stdout.encode() == true_metadata(PSUTIL)
        assert "ranges ignored" not in proc.stderr, "the excess 200 must not be taken for a server ignoring ranges"
    finally:
        server.stop()
