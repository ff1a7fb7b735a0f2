"""Fixtures for the end-to-end tests: the built `lazywheel` binary and nginx on loopback.

nginx serves the real wheels of ../shared/corpus (and whatever a test adds to its document root);
its access log is parsed so request counts are measured at the server, not by our own statistics.
"""
from __future__ import annotations

import atexit
import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "corpus"

# Every temporary folder and file of the run (caches, homes, logs, nginx roots, and the binary's
# own temporary files through TMPDIR) goes under one folder, removed when the run ends, so a test
# that does not clean up after itself, or one that fails half-way, leaves nothing in /tmp.
RUN_TEMPORARY_DIRECTORY = tempfile.mkdtemp(prefix="lazywheel-end-to-end-")
tempfile.tempdir = RUN_TEMPORARY_DIRECTORY
os.environ["TMPDIR"] = RUN_TEMPORARY_DIRECTORY
atexit.register(shutil.rmtree, RUN_TEMPORARY_DIRECTORY, ignore_errors=True)


def lazywheel_binary() -> str:
    path = os.environ.get("LAZYWHEEL_BIN")
    if path:
        return path
    out = subprocess.run(["swift", "build", "--show-bin-path"], cwd=REPO, capture_output=True, text=True, check=True)
    return str(Path(out.stdout.strip()) / "lazywheel")


@pytest.fixture(scope="session")
def binary() -> str:
    path = lazywheel_binary()
    assert Path(path).exists(), f"build lazywheel first: {path} is missing"
    return path


@pytest.fixture(scope="session")
def manifest() -> list[dict]:
    return json.loads((CORPUS / "MANIFEST.json").read_text())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen | None = None, seconds: float = 20) -> None:
    """Returns once something accepts connections on `port`; raises if `proc` exits first."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            if proc is not None and proc.poll() is not None:
                raise RuntimeError(f"server exited: {proc.stderr.read().decode() if proc.stderr else ''}")
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port}")


class QuietHandler(http.server.BaseHTTPRequestHandler):
    """A request handler for the tests' own servers: HTTP/1.1 keep-alive, no log on stderr."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass


@dataclass
class AccessLogLine:
    method: str
    uri: str
    range: str
    status: int
    bytes: int


class Nginx:
    """A private nginx on 127.0.0.1 whose document root is a temp folder."""

    def __init__(self, root: Path, workdir: Path):
        self.root = root
        self.workdir = workdir
        self.port = free_port()
        self.log = workdir / "access.log"
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        conf = self.workdir / "nginx.conf"
        user = "user root;" if os.geteuid() == 0 else ""
        conf.write_text(f"""
{user}
worker_processes 1;
daemon off;
pid {self.workdir}/nginx.pid;
error_log {self.workdir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    log_format counted '$request_method $uri "$http_range" $status $body_bytes_sent';
    access_log {self.log} counted;
    client_body_temp_path {self.workdir}/body;
    proxy_temp_path {self.workdir}/proxy;
    fastcgi_temp_path {self.workdir}/fastcgi;
    uwsgi_temp_path {self.workdir}/uwsgi;
    scgi_temp_path {self.workdir}/scgi;
    keepalive_requests 10000;
    types {{ application/vnd.pypi.simple.v1+json json; }}
    server {{
        listen 127.0.0.1:{self.port};
        root {self.root};
        autoindex on;
        location / {{ try_files $uri $uri/ $uri/index.html =404; }}
        location /simple-json/ {{
            default_type application/vnd.pypi.simple.v1+json;
            try_files $uri/index.json =404;
        }}
    }}
}}
""")
        self.proc = subprocess.Popen(["nginx", "-c", str(conf), "-e", str(self.workdir / "error.log")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wait_for_port(self.port, self.proc, seconds=10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(5)

    def clear_log(self) -> None:
        # nginx keeps the file open; truncating in place keeps its offset valid for appends.
        with open(self.log, "r+") as f:
            f.truncate(0)

    def requests(self) -> list[AccessLogLine]:
        time.sleep(0.05)  # nginx writes the log line after the response
        lines = []
        if not self.log.exists():
            return lines
        for raw in self.log.read_text().splitlines():
            raw = raw.replace("\x00", "").strip()
            if not raw:
                continue
            method, uri, rest = raw.split(" ", 2)
            rng, status, size = rest.rsplit(" ", 2)
            lines.append(AccessLogLine(method, uri, rng.strip('"'), int(status), int(size)))
        return lines


def canonical_name(name: str) -> str:
    import re
    return re.sub(r"[-_.]+", "-", name).lower()


# Synthetic projects next to the real corpus: a dependency chain that can conflict, extras,
# pre-releases and Requires-Python exclusions, as (name, version, requires-python, requires-dist, extras).
SYNTHETIC = [
    ("webframe", "3.0.3", ">=3.8", ["wsgitool>=3.0", "idna>=2"], []),
    ("webframe", "2.3.0", ">=3.8", ["wsgitool>=2.2,<3"], []),
    ("wsgitool", "3.0.1", ">=3.8", [], []),
    ("wsgitool", "2.3.8", ">=3.8", [], []),
    ("featurepkg", "1.0", ">=3.8", ['idna; extra == "net"', 'certifi>=2020; extra == "tls"'], ["net", "tls"]),
    ("betapkg", "2.0b1", ">=3.8", [], []),
    ("betapkg", "1.5", ">=3.8", [], []),
    ("newpython", "2.0", ">=3.13", [], []),
    ("newpython", "1.0", ">=3.8", [], []),
]


def synthetic_wheels(directory: Path) -> list[dict]:
    """Builds the SYNTHETIC wheels into `directory`; returns MANIFEST-like entries for them."""
    import hashlib
    import zipfile
    entries = []
    for name, version, requires_python, requires, extras in SYNTHETIC:
        filename = f"{name}-{version}-py3-none-any.whl"
        path = directory / filename
        dist_info = f"{name}-{version}.dist-info"
        lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}", f"Summary: synthetic {name}",
                 f"Requires-Python: {requires_python}"]
        lines += [f"Provides-Extra: {extra}" for extra in extras]
        lines += [f"Requires-Dist: {requirement}" for requirement in requires]
        metadata = ("\n".join(lines) + "\n").encode()
        if not path.exists():
            with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
                archive.writestr(f"{name}/__init__.py", f"__version__ = '{version}'\n")
                archive.writestr(f"{dist_info}/METADATA", metadata)
                archive.writestr(f"{dist_info}/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
                archive.writestr(f"{dist_info}/RECORD", "")
        data = path.read_bytes()
        entries.append({"file": filename, "name": name, "version": version, "requiresPython": requires_python,
                        "metadataPath": f"{dist_info}/METADATA", "sha256": hashlib.sha256(data).hexdigest(),
                        "size": len(data), "requiresDist": requires, "providesExtra": extras})
    return entries


def write_simple_index(root: Path) -> None:
    """Lays the corpus out as PEP 503 simple indexes under the document root:

    - `simple/<name>/` links `../../wheels/<file>` with `data-requires-python` (range requests path);
    - `simple-pep658/<name>/` links `../../wheels-pep658/<file>` with `data-core-metadata`
      (PEP 658/714), and `wheels-pep658/<file>.metadata` holds each wheel's METADATA.
    """
    import hashlib
    import html
    import zipfile
    manifest = json.loads((CORPUS / "MANIFEST.json").read_text()) + synthetic_wheels(root / "wheels")
    pep658 = root / "wheels-pep658"
    pep658.mkdir()
    for variant, wheel_dir in (("simple", "wheels"), ("simple-pep658", "wheels-pep658")):
        projects: dict[str, list[dict]] = {}
        for entry in manifest:
            projects.setdefault(canonical_name(entry["name"]), []).append(entry)
        (root / variant).mkdir()
        links = "".join(f'<a href="{n}/">{n}</a>\n' for n in sorted(projects))
        (root / variant / "index.html").write_text(f"<!DOCTYPE html><html><body>{links}</body></html>\n")
        for name, entries in projects.items():
            anchors = []
            for entry in entries:
                wheel = CORPUS / "wheels" / entry["file"]
                if not wheel.exists():
                    wheel = root / "wheels" / entry["file"]
                attrs = ""
                if entry.get("requiresPython"):
                    attrs += f' data-requires-python="{html.escape(entry["requiresPython"])}"'
                if variant == "simple-pep658":
                    target = pep658 / entry["file"]
                    if not target.exists():
                        os.symlink(wheel, target)
                        with zipfile.ZipFile(wheel) as archive:
                            metadata = archive.read(entry["metadataPath"])
                        (pep658 / (entry["file"] + ".metadata")).write_bytes(metadata)
                    digest = hashlib.sha256((pep658 / (entry["file"] + ".metadata")).read_bytes()).hexdigest()
                    attrs += f' data-core-metadata="sha256={digest}" data-dist-info-metadata="sha256={digest}"'
                href = f"../../{wheel_dir}/{entry['file']}#sha256={entry['sha256']}"
                anchors.append(f'<a href="{href}"{attrs}>{entry["file"]}</a><br/>')
            page = root / variant / name
            page.mkdir()
            (page / "index.html").write_text(
                "<!DOCTYPE html><html><body>\n" + "\n".join(anchors) + "\n</body></html>\n")
    # PEP 691 JSON pages (served as application/vnd.pypi.simple.v1+json), with PEP 658/714 and PEP 700 keys.
    (root / "simple-json").mkdir()
    for entry in manifest:
        name = canonical_name(entry["name"])
        page = root / "simple-json" / name
        page.mkdir(exist_ok=True)
        path = page / "index.json"
        document = json.loads(path.read_text()) if path.exists() else {
            "meta": {"api-version": "1.1"}, "name": name, "files": [], "versions": []}
        digest = hashlib.sha256((pep658 / (entry["file"] + ".metadata")).read_bytes()).hexdigest()
        document["files"].append({
            "filename": entry["file"], "url": f"../../wheels-pep658/{entry['file']}",
            "hashes": {"sha256": entry["sha256"]}, "requires-python": entry.get("requiresPython"),
            "core-metadata": {"sha256": digest}, "dist-info-metadata": {"sha256": digest},
            "size": entry["size"], "yanked": False, "upload-time": "2024-11-01T00:00:00.000000Z"})
        document["versions"] = sorted({*document["versions"], entry["version"]})
        path.write_text(json.dumps(document))


@pytest.fixture(scope="session")
def nginx(tmp_path_factory) -> Nginx:
    if shutil.which("nginx") is None:
        pytest.fail("nginx is not installed (scripts/test installs nginx-light)")
    root = tmp_path_factory.mktemp("docroot")
    wheels = root / "wheels"
    wheels.mkdir()
    for wheel in (CORPUS / "wheels").iterdir():
        os.symlink(wheel, wheels / wheel.name)
    write_simple_index(root)
    server = Nginx(root, tmp_path_factory.mktemp("nginx"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def counted(nginx) -> Nginx:
    """nginx with an empty access log, for tests that count requests."""
    nginx.clear_log()
    return nginx


def isolated_environment() -> dict:
    """The test process's environment without any package-index configuration of this machine
    (PIP_*, UV_*, LAZYWHEEL_INDEX_URL, pip.conf) and with a fresh cache directory."""
    env = {k: v for k, v in os.environ.items()
           if not (k.startswith("PIP_") or k.startswith("UV_") or k == "LAZYWHEEL_INDEX_URL")}
    env["PIP_CONFIG_FILE"] = os.devnull
    env["UV_NO_CONFIG"] = "1"
    env["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="lazywheel-cache-")
    return env


def run_cli(binary: str, *args: str, env: dict | None = None, check: bool = True, timeout: float = 60) -> subprocess.CompletedProcess:
    full_env = isolated_environment()
    if env:
        full_env.update(env)
    proc = subprocess.run([binary, *args], capture_output=True, text=True, env=full_env, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"lazywheel {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr}")
    return proc


# ---------------------------------------------------------------------------------------------
# `lazywheel serve` through the reference client, with every server message checked against
# protocol/lazywheel.schema.json.

sys.path.insert(0, str(REPO / "protocol" / "clients" / "python"))
from lazywheel import Client as LazyWheelClient, ResponseError  # noqa: E402

sys.path.insert(0, str(REPO / "Benchmarks"))
from loopback import BurstHTTPServer, memory_status  # noqa: E402,F401 (shared with the benchmarks)

SCHEMA = json.loads((REPO / "protocol" / "lazywheel.schema.json").read_text())


class SchemaChecker:
    """Validates each message the server sent against the schema of the method it answers."""

    def __init__(self):
        import jsonschema
        self.jsonschema = jsonschema
        self.methods_by_id: dict = {}
        self.checked = 0

    def _validator(self, ref: dict):
        schema = {"$schema": SCHEMA["$schema"], "$defs": SCHEMA["$defs"], **ref}
        return self.jsonschema.Draft202012Validator(schema)

    def check(self, message: dict) -> None:
        assert message.get("jsonrpc") == "2.0", message
        if "method" in message:
            spec = SCHEMA["notifications"].get(message["method"])
            if spec is None:
                return  # LSP notifications (window/logMessage…) are checked by the LSP tests
            self._validator(spec["params"]).validate(message.get("params"))
        elif "error" in message:
            self._validator({"$ref": "#/$defs/ResponseError"}).validate(message["error"])
            assert str(message["error"]["code"]) in SCHEMA["errorCodes"], message
        else:
            method = self.methods_by_id.get(message.get("id"))
            assert method is not None, f"response to an id never sent: {message}"
            spec = SCHEMA["methods"].get(method)
            assert spec is not None, f"method {method} is missing from the schema"
            self._validator(spec["result"]).validate(message.get("result"))
        self.checked += 1


class CheckedClient(LazyWheelClient):
    """The reference client, remembering which method each id was, for the schema check."""

    checker: SchemaChecker

    def request_async(self, method, params=None, request_id=None):
        if request_id is None:
            request_id = next(self._ids)
        self.checker.methods_by_id[request_id] = method
        return super().request_async(method, params, request_id)


@pytest.fixture
def serve(binary):
    """Starts `lazywheel serve` processes; at the end, validates every message they sent."""
    clients: list[CheckedClient] = []

    def start(*extra: str, initialize: bool = True, options: dict | None = None) -> CheckedClient:
        env = isolated_environment()
        process = subprocess.Popen([binary, "serve", *extra], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, env=env)
        client = CheckedClient(process)
        client.checker = SchemaChecker()
        clients.append(client)
        if initialize:
            client.initialize(options)
        return client

    yield start
    for client in clients:
        client.close()
        for message in list(client.raw_messages):
            client.checker.check(message)


class FaultyRangeServer:
    """A tiny HTTP server with byte ranges whose answers can stall (for cancellation tests)."""

    def __init__(self, files: dict[str, bytes]):
        self.files = files
        self.stall_seconds = 0.0
        self.requests: list[tuple[str, str, str]] = []
        self.authorizations: list[str | None] = []
        self.closed_early = threading.Event()
        outer = self

        class Handler(QuietHandler):
            def do_GET(self):
                outer.requests.append((self.command, self.path, self.headers.get("Range", "")))
                outer.authorizations.append(self.headers.get("Authorization"))
                data = outer.files.get(self.path)
                if data is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if outer.stall_seconds:
                    deadline = time.time() + outer.stall_seconds
                    while time.time() < deadline:
                        time.sleep(0.05)
                        try:  # notice the client hanging up
                            self.connection.settimeout(0.0)
                            if self.connection.recv(1, socket.MSG_PEEK) == b"":
                                outer.closed_early.set()
                                return
                        except BlockingIOError:
                            pass
                        except OSError:
                            outer.closed_early.set()
                            return
                        finally:
                            self.connection.settimeout(None)
                size = len(data)
                spec = self.headers.get("Range", "")
                start, end = 0, size - 1
                if spec.startswith("bytes=-"):
                    start = max(0, size - int(spec[7:]))
                elif spec.startswith("bytes="):
                    a, b = spec[6:].split("-")
                    start, end = int(a), min(int(b) if b else size - 1, size - 1)
                body = data[start:end + 1]
                self.send_response(206 if spec else 200)
                if spec:
                    self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("ETag", '"v1"')
                self.end_headers()
                self.wfile.write(body)

        self.httpd = BurstHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def faulty_server():
    wheel = (CORPUS / "wheels" / "idna-3.10-py3-none-any.whl").read_bytes()
    server = FaultyRangeServer({"/idna-3.10-py3-none-any.whl": wheel,
                                "/garbage-1.0-py3-none-any.whl": b"this is not a zip file" * 100})
    yield server
    server.stop()


# ---------------------------------------------------------------------------------------------
# Editor tests (test_lsp.py, test_editors.py): a PEP 503 simple index of the corpus on nginx.

@pytest.fixture(scope="session")
def simple_index(nginx) -> str:
    """The PEP 503 simple index of the corpus (and the synthetic projects) that the nginx fixture
    lays out; see `write_simple_index`."""
    return f"{nginx.url}/simple/"


@pytest.fixture
def editor_env(binary, simple_index, tmp_path) -> dict:
    """Environment for editor processes: the server binary, the index, a private cache and HOME."""
    env = isolated_environment()
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    env["HOME"] = str(tmp_path / "home")
    (tmp_path / "home").mkdir(exist_ok=True)
    env["LAZYWHEEL_BIN"] = binary
    env["LAZYWHEEL_TEST_INDEX_URL"] = simple_index
    return env
