"""A counting PEP 503 package index on loopback, for benchmarks.

Serves the wheels of ../shared/corpus as a simple repository (PEP 503 HTML pages), optionally with
PEP 658/714 `.metadata` files, adds a fixed delay before every answer (to stand for network round
trips) and records every request it receives: method, path, Range header, status and body bytes.
Standard library only; one thread per connection, HTTP/1.1 keep-alive, single byte ranges
(`bytes=a-b`, `bytes=a-`, `bytes=-n`), HEAD, ETag and Last-Modified.

    server = CountingIndex(corpus / "wheels", delay=0.025, pep658=False)
    server.start(); print(server.url + "/simple/")
    ...; server.reset(); run a tool; print(server.summary())
"""
from __future__ import annotations

import email.utils
import hashlib
import html
import http.server
import re
import threading
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from loopback import BurstHTTPServer


def normalize(name: str) -> str:
    """PEP 503 name normalization."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass
class RecordedRequest:
    method: str
    path: str
    range: str
    status: int
    bytes: int
    arrived: float = 0.0  # time.perf_counter() when the request arrived, before the delay


@dataclass
class Summary:
    requests: int
    head: int
    ranges: int
    bytes: int
    # Sequential round trips: requests grouped into waves, a wave starting at the first request
    # that arrives a whole delay after the previous wave began (it may have waited for an answer
    # of that wave; requests within one delay of a wave's start cannot have). With a delay far
    # above the client's own CPU time this is the depth of the client's dependency chain, so
    # `round_trips × delay` is the least wall time any client asking the same way could take.
    round_trips: int = 0
    # Over the realistic network (Benchmarks/network_index.py): connections the client opened, bytes
    # it received on the wire (TLS records and headers included) and the HTTP versions it spoke.
    connections: int = 0
    wire_bytes: int = 0
    protocols: str = ""

    def __add__(self, other: "Summary") -> "Summary":
        protocols = ", ".join(sorted(set(filter(None, (self.protocols + ", " + other.protocols).split(", ")))))
        return Summary(self.requests + other.requests, self.head + other.head, self.ranges + other.ranges,
                       self.bytes + other.bytes, self.round_trips + other.round_trips,
                       self.connections + other.connections, self.wire_bytes + other.wire_bytes, protocols)


class CountingIndex:
    """The index server; `requests` holds what was asked since the last `reset()`."""

    def __init__(self, wheels: Path, delay: float = 0.025, pep658: bool = False, history: int = 0,
                 ignore_ranges: bool = False):
        self.delay = delay
        self.pep658 = pep658
        # Answer every file request with 200 and the whole file, as `python -m http.server` and
        # devpi-server's default setup do.
        self.ignore_ranges = ignore_ranges
        # Older releases listed before each real file, as a long-lived project's page lists
        # hundreds of them: `0.0.0.postN` with the same tags (older than any real version, so no
        # resolver picks one). They are links only: asking for one gets a 404.
        self.history = history
        self.files: dict[str, bytes] = {}
        self.metadata: dict[str, bytes] = {}
        self.projects: dict[str, list[str]] = {}
        self.requires_python: dict[str, Optional[str]] = {}
        for path in sorted(wheels.glob("*.whl")):
            data = path.read_bytes()
            self.files[path.name] = data
            project = normalize(path.name.split("-")[0])
            self.projects.setdefault(project, []).append(path.name)
            with zipfile.ZipFile(path) as archive:
                text = archive.read(next(n for n in archive.namelist()
                                         if n.count("/") == 1 and n.endswith(".dist-info/METADATA")))
            self.metadata[path.name] = text
            match = re.search(rb"^Requires-Python: *(.+?)\r?$", text, re.M)
            self.requires_python[path.name] = match.group(1).decode() if match else None
        self.mtime = email.utils.formatdate(time.time() - 86400, usegmt=True)
        # Pages are rendered once, as a real index serves them from a cache: hashing a 16 MB wheel
        # for every page request would add ~15 ms of server time to every tool's measurement.
        self.pages = {project: self.project_page(project) for project in self.projects}
        self.lock = threading.Lock()
        self.requests: list[RecordedRequest] = []
        self.httpd: Optional[http.server.ThreadingHTTPServer] = None

    # Pages

    def project_page(self, project: str) -> bytes:
        links = []
        for n in range(self.history):
            for name in self.projects[project]:
                parts = name.split("-")
                parts[1] = f"0.0.0.post{n}"
                older = "-".join(parts)
                attributes = ""
                if self.requires_python[name]:
                    attributes += f' data-requires-python="{html.escape(self.requires_python[name])}"'
                digest = hashlib.sha256(older.encode()).hexdigest()
                links.append(f'    <a href="../../files/{older}#sha256={digest}"{attributes}>{older}</a><br/>')
        for name in self.projects[project]:
            digest = hashlib.sha256(self.files[name]).hexdigest()
            attributes = ""
            if self.requires_python[name]:
                attributes += f' data-requires-python="{html.escape(self.requires_python[name])}"'
            if self.pep658:
                meta = hashlib.sha256(self.metadata[name]).hexdigest()
                attributes += f' data-dist-info-metadata="sha256={meta}" data-core-metadata="sha256={meta}"'
            links.append(f'    <a href="../../files/{name}#sha256={digest}"{attributes}>{name}</a><br/>')
        body = "\n".join(links)
        return (f"<!DOCTYPE html>\n<html>\n  <head><meta name=\"pypi:repository-version\" content=\"1.0\">"
                f"<title>Links for {project}</title></head>\n  <body>\n    <h1>Links for {project}</h1>\n"
                f"{body}\n  </body>\n</html>\n").encode()

    def root_page(self) -> bytes:
        links = "\n".join(f'<a href="{p}/">{p}</a>' for p in sorted(self.projects))
        return f"<!DOCTYPE html>\n<html><body>\n{links}\n</body></html>\n".encode()

    # Server

    def start(self) -> "CountingIndex":
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in separate writes; with Nagle's algorithm the body waits for
            # the client's delayed ACK (40 ms on Linux) on a reused connection, which would charge
            # every client ~40 ms per keep-alive request that real servers (nginx) do not.
            disable_nagle_algorithm = True

            def log_message(self, *args):
                pass

            def do_HEAD(self):
                self.answer(head=True)

            def do_GET(self):
                self.answer(head=False)

            def answer(self, head: bool):
                arrived = time.perf_counter()
                if outer.delay:
                    time.sleep(outer.delay)
                status, headers, body = outer.route(self.path, self.headers.get("Range"))
                sent = 0
                try:
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    if not head:
                        # In pieces, counting what was written: a client that stops reading a whole
                        # file once it has what it needs closes the connection, and the rest is
                        # neither sent nor counted (up to the socket buffers' worth).
                        view = memoryview(body)
                        for start in range(0, len(body), 64 * 1024):
                            self.wfile.write(view[start:start + 64 * 1024])
                            sent += len(view[start:start + 64 * 1024])
                except OSError:
                    self.close_connection = True
                finally:
                    with outer.lock:
                        outer.requests.append(RecordedRequest(self.command, self.path, self.headers.get("Range", ""),
                                                              status, sent, arrived))

        self.httpd = BurstHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.httpd:
            self.httpd.shutdown()
            self.httpd.server_close()

    @property
    def url(self) -> str:
        assert self.httpd
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    @property
    def index_url(self) -> str:
        return self.url + "/simple/"

    def route(self, raw_path: str, range_header: Optional[str]) -> tuple[int, dict, bytes]:
        path = raw_path.split("?", 1)[0].split("#", 1)[0]
        html_headers = {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "max-age=600"}
        if path in ("/simple", "/simple/"):
            return 200, html_headers, self.root_page()
        match = re.fullmatch(r"/simple/([^/]+)/?", path)
        if match:
            project = normalize(match.group(1))
            if project not in self.projects:
                return 404, {"Content-Type": "text/plain"}, b"not found\n"
            return 200, html_headers, self.pages[project]
        match = re.fullmatch(r"/files/([^/]+)", path)
        if match:
            name = match.group(1)
            if name.endswith(".metadata") and self.pep658 and name[:-9] in self.metadata:
                data = self.metadata[name[:-9]]
            elif name in self.files:
                data = self.files[name]
            else:
                return 404, {"Content-Type": "text/plain"}, b"not found\n"
            return self.ranged(data, range_header)
        return 404, {"Content-Type": "text/plain"}, b"not found\n"

    def ranged(self, data: bytes, range_header: Optional[str]) -> tuple[int, dict, bytes]:
        size = len(data)
        headers = {"Content-Type": "application/octet-stream", "Accept-Ranges": "bytes",
                   "ETag": '"%s"' % hashlib.md5(data[:4096] + str(size).encode()).hexdigest(),
                   "Last-Modified": self.mtime}
        if not range_header or self.ignore_ranges:
            if self.ignore_ranges:
                del headers["Accept-Ranges"]
            return 200, headers, data
        match = re.fullmatch(r"bytes=(\d*)-(\d*)", range_header.strip())
        if not match or (not match.group(1) and not match.group(2)):
            return 200, headers, data  # multiple or malformed ranges: the whole file, as servers do
        first, last = match.group(1), match.group(2)
        if not first:
            start, end = max(0, size - int(last)), size - 1
        else:
            start, end = int(first), min(int(last) if last else size - 1, size - 1)
        if start >= size or start > end:
            return 416, {"Content-Range": f"bytes */{size}"}, b""
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
        return 206, headers, data[start:end + 1]

    # Counting

    def reset(self) -> None:
        with self.lock:
            self.requests = []

    def summary(self) -> Summary:
        with self.lock:
            recorded = list(self.requests)
        return Summary(
            requests=len(recorded),
            head=sum(1 for r in recorded if r.method == "HEAD"),
            ranges=sum(1 for r in recorded if r.range),
            bytes=sum(r.bytes for r in recorded),
            round_trips=self.round_trips(sorted(r.arrived for r in recorded)),
        )

    def round_trips(self, arrivals: list[float]) -> int:
        """Waves of requests (see `Summary.round_trips`)."""
        waves, wave_start = 0, None
        for arrived in arrivals:
            if wave_start is None or arrived - wave_start >= self.delay:
                waves, wave_start = waves + 1, arrived
        return waves


if __name__ == "__main__":  # a manual index: python3 Benchmarks/index_server.py [delay-ms] [--pep658]
    import sys
    corpus = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "wheels"
    delay = float(sys.argv[1]) / 1000 if len(sys.argv) > 1 and sys.argv[1][0].isdigit() else 0.025
    server = CountingIndex(corpus, delay, pep658="--pep658" in sys.argv).start()
    print(server.index_url, flush=True)
    try:
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        for r in server.requests:
            print(r)
