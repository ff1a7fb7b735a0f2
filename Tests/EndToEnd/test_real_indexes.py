"""lazywheel against index servers as teams run them, each started here from its own package:
nginx over HTTPS with a private CA the test makes with openssl (and one asking for a client
certificate), nginx with `auth_basic`, pypiserver, and a CONNECT proxy on loopback written below.

On each, `lazywheel resolve` gives the same pins as `uv pip compile` (uv reaches the same servers
with the same settings), and the failure cases fail at once with errors that say what to do:
an untrusted certificate, a 401, a proxy's 407. Credentials never appear in any output.
"""
from __future__ import annotations

import base64
import os
import select
import socket
import socketserver
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import pytest

from conftest import CORPUS, QuietHandler, free_port, isolated_environment, wait_for_port
from test_resolve import uv_binary

SETS = [
    ["requests"],
    ["cryptography", "pillow", "numpy", "psutil"],
]
TARGET = ["--python-version", "3.12", "--python-platform", "x86_64-manylinux_2_28"]
USER, PASSWORD = "alice", "s3cret-pw"


def run(*command: str, cwd: Path | None = None) -> None:
    subprocess.run(command, check=True, capture_output=True, cwd=cwd)


@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> Path:
    """A private CA, a server certificate for 127.0.0.1 it signed, and a client certificate (one
    PEM file with its key, as pip's client-cert wants it)."""
    d = tmp_path_factory.mktemp("pki")
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
        "-days", "2", "-subj", "/CN=lazywheel test CA", cwd=d)
    (d / "server.ext").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    for name, ext in (("server", ["-extfile", "server.ext"]), ("client", [])):
        run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.csr",
            "-subj", f"/CN={name}", cwd=d)
        run("openssl", "x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", f"{name}.pem", "-days", "2", *ext, cwd=d)
    (d / "client-bundle.pem").write_text((d / "client.pem").read_text() + (d / "client.key").read_text())
    return d


class IndexNginx:
    """nginx serving the corpus index of the `nginx` fixture's document root three ways: HTTPS
    (private CA), HTTPS asking for a client certificate, and HTTP behind `auth_basic`."""

    def __init__(self, root: Path, pki: Path, workdir: Path):
        self.root, self.pki, self.workdir = root, pki, workdir
        self.tls_port, self.mtls_port, self.auth_port = free_port(), free_port(), free_port()
        self.log = workdir / "access.log"

    def start(self) -> None:
        htpasswd = subprocess.run(["openssl", "passwd", "-apr1", PASSWORD], capture_output=True, text=True, check=True)
        (self.workdir / "htpasswd").write_text(f"{USER}:{htpasswd.stdout.strip()}\n")
        user = "user root;" if os.geteuid() == 0 else ""
        tls = f"ssl_certificate {self.pki}/server.pem; ssl_certificate_key {self.pki}/server.key;"
        w = self.workdir
        (w / "nginx.conf").write_text(f"""
{user}
worker_processes 1;
daemon off;
pid {w}/nginx.pid;
error_log {w}/error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    log_format seen '$server_port $request_method $uri $status "$http_authorization" "$http_proxy_authorization"';
    access_log {self.log} seen;
    client_body_temp_path {w}/body; proxy_temp_path {w}/proxy; fastcgi_temp_path {w}/fastcgi;
    uwsgi_temp_path {w}/uwsgi; scgi_temp_path {w}/scgi;
    root {self.root};
    server {{ listen 127.0.0.1:{self.tls_port} ssl; {tls}
        location / {{ try_files $uri $uri/ $uri/index.html =404; }} }}
    server {{ listen 127.0.0.1:{self.mtls_port} ssl; {tls}
        ssl_client_certificate {self.pki}/ca.pem; ssl_verify_client on;
        location / {{ try_files $uri $uri/ $uri/index.html =404; }} }}
    server {{ listen 127.0.0.1:{self.auth_port};
        auth_basic "private index"; auth_basic_user_file {w}/htpasswd;
        location / {{ try_files $uri $uri/ $uri/index.html =404; }} }}
}}
""")
        self.proc = subprocess.Popen(["nginx", "-c", str(w / "nginx.conf"), "-e", str(w / "error.log")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wait_for_port(self.auth_port, self.proc)

    def lines(self) -> list[str]:
        time.sleep(0.05)
        return self.log.read_text().splitlines() if self.log.exists() else []

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(5)


@pytest.fixture(scope="module")
def servers(nginx, pki, tmp_path_factory) -> IndexNginx:
    server = IndexNginx(nginx.root, pki, tmp_path_factory.mktemp("index-nginx"))
    server.start()
    yield server
    server.stop()


class ConnectProxy:
    """An HTTP proxy on loopback, optionally asking for Basic credentials (407), that records what
    it was asked (target, Proxy-Authorization). It tunnels CONNECT (RFC 9110 §9.3.6) for https, and
    forwards plain-http requests in absolute form (RFC 9112 §3.2.2) one per connection, in origin
    form and without Proxy-Authorization."""

    def __init__(self, credentials: str | None = None):
        self.credentials = credentials
        self.connects: list[tuple[str, str | None]] = []
        outer = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                head = b""
                while b"\r\n\r\n" not in head:
                    chunk = self.request.recv(4096)
                    if not chunk:
                        return
                    head += chunk
                lines = head.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
                method, target, _ = lines[0].split(" ", 2)
                headers = {k.strip().lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:] if ":" in l)}
                given = headers.get("proxy-authorization")
                outer.connects.append((target, given))
                if outer.credentials and given != "Basic " + base64.b64encode(outer.credentials.encode()).decode():
                    self.request.sendall(b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                                         b"Proxy-Authenticate: Basic realm=\"proxy\"\r\nContent-Length: 0\r\n\r\n")
                    return
                if method == "CONNECT":
                    host, port = target.rsplit(":", 1)
                    upstream = socket.create_connection((host, int(port)))
                    self.request.sendall(b"HTTP/1.1 200 Connection Established\r\n\r\n")
                else:
                    origin = urllib.parse.urlsplit(target)
                    if origin.scheme != "http" or method != "GET":
                        self.request.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
                        return
                    upstream = socket.create_connection((origin.hostname, origin.port or 80))
                    forwarded = [f"GET {origin.path or '/'}{'?' + origin.query if origin.query else ''} HTTP/1.1"]
                    forwarded += [l for l in lines[1:] if l.split(":", 1)[0].strip().lower()
                                  not in ("proxy-authorization", "proxy-connection", "connection")]
                    forwarded.append("Connection: close")
                    upstream.sendall(("\r\n".join(forwarded) + "\r\n\r\n").encode("latin-1"))
                sockets = [self.request, upstream]
                try:
                    while True:
                        readable, _, _ = select.select(sockets, [], [], 30)
                        if not readable:
                            return
                        for s in readable:
                            data = s.recv(65536)
                            if not data:
                                return
                            (upstream if s is self.request else self.request).sendall(data)
                finally:
                    upstream.close()

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def proxy():
    proxies: list[ConnectProxy] = []

    def start(credentials: str | None = None) -> ConnectProxy:
        p = ConnectProxy(credentials)
        proxies.append(p)
        return p

    yield start
    for p in proxies:
        p.stop()


@pytest.fixture(scope="module")
def pypiserver(tmp_path_factory):
    executable = Path(sys.executable).parent / "pypi-server"
    if not executable.exists():
        pytest.fail("pypiserver is not installed in the test venv (scripts/test-requirements.txt pins it)")
    packages = tmp_path_factory.mktemp("pypiserver-packages")
    for wheel in (CORPUS / "wheels").iterdir():
        os.symlink(wheel, packages / wheel.name)
    port = free_port()
    proc = subprocess.Popen([str(executable), "run", "-p", str(port), "-i", "127.0.0.1", "-a", ".", "-P", ".",
                             "--log-file", str(packages.parent / "pypiserver.log"), str(packages)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wait_for_port(port, proc)
    yield f"http://127.0.0.1:{port}/simple/"
    proc.terminate()
    proc.wait(5)


def environment(**variables: str) -> dict:
    """The isolated test environment without this machine's certificate and proxy settings."""
    env = isolated_environment()
    for name in ("SSL_CERT_FILE", "SSL_CERT_DIR", "NETRC", "HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY",
                 "https_proxy", "http_proxy", "all_proxy", "no_proxy"):
        env.pop(name, None)
    env.update(variables)
    return env


def lazywheel(binary: str, *args: str, env: dict, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run([binary, *args], capture_output=True, text=True, env=env, timeout=120)
    if check and proc.returncode != 0:
        raise AssertionError(f"lazywheel {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr}")
    assert PASSWORD not in proc.stdout + proc.stderr
    return proc


def uv_pins(index: str, requirements: list[str], env: dict, tmp_path: Path) -> list[str]:
    source = tmp_path / "requirements.in"
    source.write_text("\n".join(requirements) + "\n")
    env = dict(env, UV_CACHE_DIR=str(tmp_path / "uv-cache"))
    proc = subprocess.run([uv_binary(), "pip", "compile", str(source), "--index-url", index, *TARGET,
                           "--no-header", "--no-annotate", "--quiet"], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return [line.strip() for line in proc.stdout.splitlines() if line.strip() and not line.startswith("#")]


def assert_same_pins(binary: str, index: str, requirements: list[str], env: dict, tmp_path: Path,
                     extra: tuple[str, ...] = ()) -> None:
    expected = uv_pins(index, requirements, env, tmp_path)
    proc = lazywheel(binary, "resolve", *requirements, "--index-url", index, *TARGET, *extra, env=env)
    assert [line for line in proc.stdout.splitlines() if line] == expected


# --- HTTPS with a private CA (issue 22 §2) --------------------------------------------------------

@pytest.mark.parametrize("requirements", SETS, ids=[" ".join(s) for s in SETS])
def test_private_ca_from_ssl_cert_file_gives_uv_pins(binary, servers, pki, tmp_path, requirements):
    env = environment(SSL_CERT_FILE=str(pki / "ca.pem"))
    assert_same_pins(binary, f"https://127.0.0.1:{servers.tls_port}/simple/", requirements, env, tmp_path)


def test_untrusted_certificate_fails_at_once_in_words(binary, servers):
    started = time.monotonic()
    proc = lazywheel(binary, "resolve", "requests", "--index-url", f"https://127.0.0.1:{servers.tls_port}/simple/",
                     *TARGET, env=environment(), check=False)
    assert proc.returncode == 1
    assert "the certificate of host 127.0.0.1 is not trusted" in proc.stderr
    assert "SSL_CERT_FILE" in proc.stderr and "cert" in proc.stderr
    assert time.monotonic() - started < 5, "a certificate error is not retried"


@pytest.mark.parametrize("how", ["--cert", "PIP_CERT", "pip.conf", "--trusted-host", "UV_INSECURE_HOST", "uv.toml"])
def test_every_way_to_trust_the_index(binary, servers, pki, tmp_path, how):
    env, extra = environment(), []
    if how == "--cert":
        extra = ["--cert", str(pki / "ca.pem")]
    elif how == "PIP_CERT":
        env["PIP_CERT"] = str(pki / "ca.pem")
    elif how == "pip.conf":
        (tmp_path / "pip.conf").write_text(f"[global]\ncert = {pki / 'ca.pem'}\n")
        env["PIP_CONFIG_FILE"] = str(tmp_path / "pip.conf")
    elif how == "--trusted-host":
        extra = ["--trusted-host", "127.0.0.1"]
    elif how == "UV_INSECURE_HOST":
        env["UV_INSECURE_HOST"] = f"127.0.0.1:{servers.tls_port}"
    else:
        (tmp_path / "uv.toml").write_text('allow-insecure-host = ["127.0.0.1"]\n')
        env.pop("UV_NO_CONFIG")
        env["UV_CONFIG_FILE"] = str(tmp_path / "uv.toml")
    proc = lazywheel(binary, "metadata", "requests", "--json", "--index-url",
                     f"https://127.0.0.1:{servers.tls_port}/simple/", "--python-version", "3.12", *extra, env=env)
    assert '"version":"2.32.3"' in proc.stdout.replace(" ", "")


def test_client_certificate(binary, servers, pki):
    index = f"https://127.0.0.1:{servers.mtls_port}/simple/"
    env = environment(SSL_CERT_FILE=str(pki / "ca.pem"))
    refused = lazywheel(binary, "metadata", "requests", "--index-url", index, "--python-version", "3.12",
                        env=env, check=False)
    # nginx answers a TLS connection without a client certificate with 400.
    assert refused.returncode == 1 and "HTTP 400" in refused.stderr
    lazywheel(binary, "metadata", "requests", "--index-url", index, "--python-version", "3.12",
              "--client-cert", str(pki / "client-bundle.pem"), env=env)
    env["PIP_CLIENT_CERT"] = str(pki / "client-bundle.pem")
    lazywheel(binary, "metadata", "requests", "--index-url", index, "--python-version", "3.12", env=env)


# --- Credentials (issue 21 item 2, issue 22 §3) --------------------------------------------------

@pytest.mark.parametrize("requirements", SETS, ids=[" ".join(s) for s in SETS])
def test_auth_basic_with_credentials_in_the_url_gives_uv_pins(binary, servers, tmp_path, requirements):
    index = f"http://{USER}:{PASSWORD}@127.0.0.1:{servers.auth_port}/simple/"
    assert_same_pins(binary, index, requirements, environment(), tmp_path)


def test_unauthorized_fails_at_once_and_says_where_credentials_come_from(binary, servers):
    before = len(servers.lines())
    started = time.monotonic()
    proc = lazywheel(binary, "resolve", "requests", "--index-url", f"http://{USER}@127.0.0.1:{servers.auth_port}/simple/",
                     *TARGET, env=environment(), check=False)
    assert proc.returncode == 1
    assert time.monotonic() - started < 5
    assert f"http://127.0.0.1:{servers.auth_port}/simple/requests/ answered HTTP 401" in proc.stderr
    for source in ("netrc", "UV_INDEX_<NAME>_USERNAME", "keyring"):
        assert source in proc.stderr
    assert len(servers.lines()) - before == 1, "a 401 is not retried"


def test_named_uv_index_credentials_from_the_environment(binary, servers, tmp_path):
    (tmp_path / "uv.toml").write_text(
        f'[[index]]\nname = "private-index"\nurl = "http://127.0.0.1:{servers.auth_port}/simple/"\ndefault = true\n')
    env = environment(UV_CONFIG_FILE=str(tmp_path / "uv.toml"), UV_INDEX_PRIVATE_INDEX_USERNAME=USER,
                      UV_INDEX_PRIVATE_INDEX_PASSWORD=PASSWORD)
    env.pop("UV_NO_CONFIG")
    proc = lazywheel(binary, "resolve", "requests", *TARGET, env=env)
    assert "requests==2.32.3" in proc.stdout


def test_netrc_credentials(binary, servers, tmp_path):
    (tmp_path / "netrc").write_text(f"machine 127.0.0.1 login {USER} password {PASSWORD}\n")
    proc = lazywheel(binary, "resolve", "requests", "--index-url", f"http://127.0.0.1:{servers.auth_port}/simple/",
                     *TARGET, env=environment(NETRC=str(tmp_path / "netrc")))
    assert "requests==2.32.3" in proc.stdout


def fake_keyring(tmp_path: Path) -> tuple[dict, Path]:
    """A `keyring` program on PATH that knows USER's password (`get URL USER`) and answers
    `--mode creds get URL` with USER and PASSWORD; returns the environment and its log of calls."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    asked = tmp_path / "asked"
    keyring = bin_dir / "keyring"
    keyring.write_text(f"#!/bin/sh\necho \"$@\" >> {asked}\n"
                       f"[ \"$1\" = get ] && [ \"$3\" = {USER} ] && echo {PASSWORD} && exit 0\n"
                       f"[ \"$1 $2 $3\" = \"--mode creds get\" ] && printf '{USER}\\n{PASSWORD}\\n' && exit 0\nexit 1\n")
    keyring.chmod(0o755)
    return environment(PATH=f"{bin_dir}:{os.environ['PATH']}"), asked


def test_keyring_subprocess_is_asked_after_a_401(binary, servers, tmp_path):
    env, asked = fake_keyring(tmp_path)
    index = f"http://{USER}@127.0.0.1:{servers.auth_port}/simple/"
    refused = lazywheel(binary, "resolve", "requests", "--index-url", index, *TARGET, env=env, check=False)
    assert refused.returncode == 1 and "401" in refused.stderr and not asked.exists(), "keyring is opt-in"
    proc = lazywheel(binary, "resolve", "requests", "--index-url", index, *TARGET, "--keyring-provider", "subprocess", env=env)
    assert "requests==2.32.3" in proc.stdout
    assert asked.read_text().splitlines() == [f"get http://127.0.0.1:{servers.auth_port}/simple/ {USER}"]
    env["PIP_KEYRING_PROVIDER"] = "subprocess"
    lazywheel(binary, "resolve", "requests", "--index-url", index, *TARGET, env=env)


def test_keyring_gives_user_and_password_for_an_index_without_a_user(binary, servers, tmp_path):
    """An index URL without `user@` (token indexes): `keyring --mode creds get URL`, as uv asks."""
    env, asked = fake_keyring(tmp_path)
    index = f"http://127.0.0.1:{servers.auth_port}/simple/"
    proc = lazywheel(binary, "resolve", "requests", "--index-url", index, *TARGET, "--keyring-provider", "subprocess", env=env)
    assert "requests==2.32.3" in proc.stdout
    assert asked.read_text().splitlines() == [f"--mode creds get {index}"]


# --- Proxies (issue 22 §4) -----------------------------------------------------------------------

@pytest.mark.parametrize("requirements", SETS[:1], ids=[" ".join(s) for s in SETS[:1]])
def test_connect_proxy_with_credentials_gives_uv_pins(binary, servers, pki, proxy, tmp_path, requirements):
    tunnel = proxy(credentials=f"proxyuser:{PASSWORD}")
    env = environment(SSL_CERT_FILE=str(pki / "ca.pem"),
                      HTTPS_PROXY=f"http://proxyuser:{PASSWORD}@127.0.0.1:{tunnel.port}")
    index = f"https://127.0.0.1:{servers.tls_port}/simple/"
    expected = uv_pins(index, requirements, env, tmp_path)
    tunnel.connects.clear()
    before = len(servers.lines())
    proc = lazywheel(binary, "resolve", *requirements, "--index-url", index, *TARGET, env=env)
    assert [line for line in proc.stdout.splitlines() if line] == expected
    assert tunnel.connects and all(target == f"127.0.0.1:{servers.tls_port}" for target, _ in tunnel.connects)
    at_origin = servers.lines()[before:]
    assert at_origin and all(line.endswith('"-" "-"') for line in at_origin), "proxy credentials reached the index"


def test_plain_http_index_through_a_proxy_with_credentials_for_both(binary, servers, proxy, tmp_path):
    """HTTP_PROXY for an http index: the proxy gets Proxy-Authorization, the index its own Basic."""
    relay = proxy(credentials=f"proxyuser:{PASSWORD}")
    env = environment(HTTP_PROXY=f"http://proxyuser:{PASSWORD}@127.0.0.1:{relay.port}")
    index = f"http://{USER}:{PASSWORD}@127.0.0.1:{servers.auth_port}/simple/"
    expected = uv_pins(index, SETS[0], env, tmp_path)
    relay.connects.clear()
    before = len(servers.lines())
    proc = lazywheel(binary, "resolve", *SETS[0], "--index-url", index, *TARGET, env=env)
    assert [line for line in proc.stdout.splitlines() if line] == expected
    assert relay.connects and all(target.startswith(f"http://127.0.0.1:{servers.auth_port}/") for target, _ in relay.connects)
    at_origin = servers.lines()[before:]
    assert len(at_origin) == len(relay.connects), "every request went through the proxy"
    basic = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    assert all(line.endswith(f'"{basic}" "-"') for line in at_origin), "the index got its credentials, not the proxy's"


def test_pip_proxy_setting_and_no_proxy(binary, servers, pki, proxy, tmp_path):
    tunnel = proxy()
    index = f"https://127.0.0.1:{servers.tls_port}/simple/"
    (tmp_path / "pip.conf").write_text(f"[global]\nproxy = 127.0.0.1:{tunnel.port}\ncert = {pki / 'ca.pem'}\n")
    env = environment(SSL_CERT_FILE=str(pki / "ca.pem"), PIP_CONFIG_FILE=str(tmp_path / "pip.conf"))
    lazywheel(binary, "metadata", "requests", "--index-url", index, "--python-version", "3.12", env=env)
    assert len(tunnel.connects) >= 1
    seen = len(tunnel.connects)
    env = environment(SSL_CERT_FILE=str(pki / "ca.pem"), https_proxy=f"http://127.0.0.1:{tunnel.port}", NO_PROXY="127.0.0.1")
    lazywheel(binary, "metadata", "requests", "--index-url", index, "--python-version", "3.12", env=env)
    assert len(tunnel.connects) == seen, "NO_PROXY hosts are reached directly"


def test_proxy_asking_for_credentials_fails_at_once(binary, servers, pki, proxy):
    tunnel = proxy(credentials=f"proxyuser:{PASSWORD}")
    started = time.monotonic()
    proc = lazywheel(binary, "metadata", "requests", "--index-url", f"https://127.0.0.1:{servers.tls_port}/simple/",
                     "--python-version", "3.12", check=False,
                     env=environment(SSL_CERT_FILE=str(pki / "ca.pem"), HTTPS_PROXY=f"http://127.0.0.1:{tunnel.port}"))
    assert proc.returncode == 1 and "407" in proc.stderr and "proxy" in proc.stderr
    assert time.monotonic() - started < 5 and len(tunnel.connects) == 1


# --- pypiserver (issue 22 "Done when") -----------------------------------------------------------

@pytest.mark.parametrize("requirements", SETS, ids=[" ".join(s) for s in SETS])
def test_pypiserver_gives_uv_pins(binary, pypiserver, tmp_path, requirements):
    assert_same_pins(binary, pypiserver, requirements, environment(), tmp_path)


# --- devpi-server (issue 22 "Done when") ---------------------------------------------------------

def devpi_upload(base: str, wheels: Path) -> None:
    """Makes the index root/dev and uploads every wheel of `wheels` with devpi's JSON and upload API."""
    import json
    import urllib.request
    import uuid

    def call(method: str, path: str, data: bytes, headers: dict) -> bytes:
        request = urllib.request.Request(base + path, data=data, method=method, headers=headers)
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.read()

    login = json.loads(call("POST", "/+login", json.dumps({"user": "root", "password": "root"}).encode(),
                            {"Content-Type": "application/json", "Accept": "application/json"}))
    token = base64.b64encode(f"root:{login['result']['password']}".encode()).decode()
    auth = {"X-Devpi-Auth": token, "Accept": "application/json"}
    call("PUT", "/root/dev", json.dumps({"type": "stage", "bases": [], "volatile": True}).encode(),
         dict(auth, **{"Content-Type": "application/json"}))
    for wheel in sorted(wheels.glob("*.whl")):
        name, version = wheel.name.split("-")[:2]
        boundary = uuid.uuid4().hex
        fields = b"".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
                          for k, v in ((":action", "file_upload"), ("name", name), ("version", version)))
        content = (f'--{boundary}\r\nContent-Disposition: form-data; name="content"; filename="{wheel.name}"\r\n'
                   f"Content-Type: application/octet-stream\r\n\r\n").encode() + wheel.read_bytes()
        call("POST", "/root/dev/", fields + content + f"\r\n--{boundary}--\r\n".encode(),
             dict(auth, **{"Content-Type": f"multipart/form-data; boundary={boundary}"}))


class Devpi:
    """devpi-server on one data folder prepared once per run (devpi-init, then the corpus uploaded),
    offline; restarted when a test asks for the other configuration: with PEP 658 metadata files
    (`--enable-core-metadata`) or as installed by default, which serves files whole, ignoring Range."""

    def __init__(self, serverdir: Path):
        self.bin_dir = Path(sys.executable).parent
        self.serverdir = serverdir
        self.proc: subprocess.Popen | None = None
        self.core_metadata: bool | None = None
        self.port = 0
        run(str(self.bin_dir / "devpi-init"), "--serverdir", str(serverdir), "--root-passwd", "root")

    def index(self, core_metadata: bool) -> str:
        """The index URL of root/dev, with the server running in the configuration asked for."""
        if self.core_metadata != core_metadata:
            self.stop()
            self.port = free_port()
            flags = ["--enable-core-metadata"] if core_metadata else []
            self.proc = subprocess.Popen(
                [str(self.bin_dir / "devpi-server"), "--serverdir", str(self.serverdir), "--host", "127.0.0.1",
                 "--port", str(self.port), "--offline-mode", *flags],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            wait_for_port(self.port, self.proc, seconds=90)  # 10 to 20 s to start on a busy machine
            if self.core_metadata is None:
                devpi_upload(f"http://127.0.0.1:{self.port}", CORPUS / "wheels")
            self.core_metadata = core_metadata
        return f"http://127.0.0.1:{self.port}/root/dev/+simple/"

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None


@pytest.fixture(scope="module")
def devpi(tmp_path_factory):
    if not (Path(sys.executable).parent / "devpi-server").exists():
        pytest.fail("devpi-server is not installed in the test venv (scripts/test-requirements.txt pins it)")
    server = Devpi(tmp_path_factory.mktemp("devpi") / "server")
    yield server
    server.stop()


@pytest.mark.parametrize("requirements", SETS, ids=[" ".join(s) for s in SETS])
def test_devpi_with_core_metadata_gives_uv_pins(binary, devpi, tmp_path, requirements):
    assert_same_pins(binary, devpi.index(core_metadata=True), requirements, environment(), tmp_path)


@pytest.mark.parametrize("requirements", SETS, ids=[" ".join(s) for s in SETS])
def test_default_devpi_ignoring_ranges_gives_uv_pins(binary, devpi, tmp_path, requirements):
    """devpi as installed answers a Range request with the whole file: the wheels are streamed."""
    index = devpi.index(core_metadata=False)
    expected = uv_pins(index, requirements, environment(), tmp_path)
    proc = lazywheel(binary, "resolve", *requirements, "--index-url", index, *TARGET, "--stats", env=environment())
    assert [line for line in proc.stdout.splitlines() if line] == expected
    assert "ignore" in proc.stderr and "127.0.0.1" in proc.stderr, proc.stderr


def test_default_devpi_metadata_of_a_large_wheel(binary, devpi):
    """numpy's wheel (over 10 MB) whole from devpi: METADATA read from the streamed body."""
    import urllib.parse
    import urllib.request
    index = devpi.index(core_metadata=False)
    with urllib.request.urlopen(index + "numpy/", timeout=30) as response:
        page = response.read().decode()
    href = page.split('href="', 1)[1].split('"', 1)[0].split("#", 1)[0]
    url = urllib.parse.urljoin(index + "numpy/", href)
    proc = lazywheel(binary, "metadata", url, env=environment())
    assert "Name: numpy" in proc.stdout


# --- Local files through remote data (issue 21 item 7) -------------------------------------------

@pytest.fixture
def hostile_index(tmp_path):
    """An http index whose project page links a wheel on this machine by a file: URL."""
    import http.server
    wheel = next(p for p in (CORPUS / "wheels").iterdir() if p.name.startswith("requests-"))
    page = f'<a href="file://{wheel}">{wheel.name}</a>'.encode()

    class Handler(QuietHandler):
        def do_GET(self):
            body = page if self.path.startswith("/simple/requests") else b""
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/simple/"
    server.shutdown()
    server.server_close()


def test_a_remote_page_never_leads_to_a_local_file(binary, hostile_index):
    proc = lazywheel(binary, "metadata", "requests", "--index-url", hostile_index, "--python-version", "3.12",
                     env=environment(), check=False)
    assert proc.returncode == 1 and "no distribution of 'requests'" in proc.stderr, proc.stdout


def test_a_client_cannot_name_local_locations_unless_files_are_allowed(serve, hostile_index, tmp_path):
    from conftest import ResponseError
    client = serve(options={"indexUrl": hostile_index})
    with pytest.raises(ResponseError) as refused:
        client.request("getMetadata", {"project": "requests", "python": "3.12"})
    assert "no distribution of 'requests'" in str(refused.value)
    with pytest.raises(ResponseError) as refused:
        client.request("resolve", {"requirements": ["requests"], "findLinks": [str(CORPUS / "wheels")], "python": "3.12"})
    assert "local files are not allowed" in str(refused.value)
    with pytest.raises(ResponseError) as refused:
        serve(options={"findLinks": [str(CORPUS / "wheels")]}).request(
            "getMetadata", {"project": "requests", "python": "3.12"})
    assert "local files are not allowed" in str(refused.value)
