"""The benchmark index over a realistic network: nginx with TLS and HTTP/2 behind a latency proxy.

Serves the same PEP 503 pages and wheels as a `CountingIndex` (its rendered pages, its wheel files)
from a document root of static files, through nginx (`listen … ssl http2`, a CA and a server
certificate made with openssl for this run, in a temporary folder), with
Benchmarks/latency_proxy.py in front adding a round-trip time on connect and on every read.
Requests, HEADs, ranges and body bytes come from nginx's access log; connections and the bytes
carried each way (TLS and headers included) from the proxy.

    index = NetworkIndex(counting_index, rtt=0.040).start()
    env["SSL_CERT_FILE"] = index.ca_file; ...; index.reset(); run a client; index.summary()
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Optional

from index_server import CountingIndex, Summary
from latency_proxy import LatencyProxy

LOG_FORMAT = ("'$msec $request_time $connection $server_protocol $request_method $status $body_bytes_sent "
              "\"$http_range\" $uri'")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def make_certificates(folder: Path) -> tuple[Path, Path, Path]:
    """A CA and a server certificate for 127.0.0.1 and localhost signed by it (P-256, two days)."""
    ca_key, ca_cert = folder / "ca.key", folder / "ca.pem"
    key, csr, cert = folder / "server.key", folder / "server.csr", folder / "server.pem"
    extensions = folder / "server.ext"
    extensions.write_text("basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
                          "extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    run = lambda *args: subprocess.run(["openssl", *args], check=True, capture_output=True)  # noqa: E731
    run("req", "-x509", *ec, "-keyout", str(ca_key), "-out", str(ca_cert), "-days", "2",
        "-subj", "/CN=lazywheel benchmark CA", "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    run("req", *ec, "-keyout", str(key), "-out", str(csr), "-subj", "/CN=127.0.0.1")
    run("x509", "-req", "-in", str(csr), "-CA", str(ca_cert), "-CAkey", str(ca_key), "-CAcreateserial",
        "-out", str(cert), "-days", "2", "-extfile", str(extensions))
    return ca_cert, cert, key


class NetworkIndex:
    """nginx (TLS, HTTP/2) serving `pages`' pages and wheels, reached through a latency proxy."""

    def __init__(self, pages: CountingIndex, rtt: float, bandwidth: float = 0.0):
        self.pages = pages
        self.rtt = rtt
        self.delay = rtt  # for round trips: a request that waited on an answer comes a whole RTT later
        self.bandwidth = bandwidth
        self.files = pages.files
        self.folder = Path(tempfile.mkdtemp(prefix="lwbench-tls-"))
        self.nginx: Optional[subprocess.Popen] = None
        self.proxy: Optional[LatencyProxy] = None
        self.ca_file = ""
        self.log = self.folder / "access.log"

    def start(self) -> "NetworkIndex":
        root = self.folder / "root"
        (root / "simple").mkdir(parents=True)
        (root / "files").mkdir()
        (root / "simple" / "index.html").write_bytes(self.pages.root_page())
        for project, page in self.pages.pages.items():
            (root / "simple" / project).mkdir()
            (root / "simple" / project / "index.html").write_bytes(page)
        for name, data in self.pages.files.items():
            (root / "files" / name).write_bytes(data)
        ca, cert, key = make_certificates(self.folder)
        self.ca_file = str(ca)
        port = free_port()
        for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.folder / sub).mkdir()
        config = self.folder / "nginx.conf"
        config.write_text(f"""
user root;
daemon off;
worker_processes 1;
pid {self.folder}/nginx.pid;
error_log {self.folder}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    types {{ text/html html; }}
    default_type application/octet-stream;
    sendfile on;
    tcp_nodelay on;
    keepalive_timeout 65;
    keepalive_requests 10000;
    client_body_temp_path {self.folder}/client_body;
    proxy_temp_path {self.folder}/proxy;
    fastcgi_temp_path {self.folder}/fastcgi;
    uwsgi_temp_path {self.folder}/uwsgi;
    scgi_temp_path {self.folder}/scgi;
    log_format bench {LOG_FORMAT};
    access_log {self.log} bench;
    server {{
        listen 127.0.0.1:{port} ssl http2;
        ssl_certificate {cert};
        ssl_certificate_key {key};
        ssl_protocols TLSv1.2 TLSv1.3;
        root {root};
        location /simple/ {{
            index index.html;
            add_header Cache-Control "max-age=600";
        }}
        location /files/ {{ }}
    }}
}}
""")
        self.nginx = subprocess.Popen(["nginx", "-p", str(self.folder), "-e", str(self.folder / "error.log"),
                                       "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if self.nginx.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"nginx did not start: {self.nginx.stderr.read().decode(errors='replace')}"
                                       f"{(self.folder / 'error.log').read_text(errors='replace')}")
                time.sleep(0.05)
        self.proxy = LatencyProxy(("127.0.0.1", port), self.rtt, self.bandwidth).start()
        return self

    def stop(self) -> None:
        if self.proxy:
            self.proxy.stop()
        if self.nginx and self.nginx.poll() is None:
            self.nginx.send_signal(signal.SIGQUIT)
            try:
                self.nginx.wait(10)
            except subprocess.TimeoutExpired:
                self.nginx.kill()
                self.nginx.wait()
        shutil.rmtree(self.folder, ignore_errors=True)

    @property
    def url(self) -> str:
        assert self.proxy
        return f"https://{self.proxy.address}"

    @property
    def index_url(self) -> str:
        return self.url + "/simple/"

    def client_environment(self) -> dict:
        """What every client needs to trust the run's CA (pip also gets `--cert`)."""
        return {"SSL_CERT_FILE": self.ca_file}

    # Counting

    def reset(self) -> None:
        time.sleep(0.02)  # the previous client's last log lines
        with open(self.log, "w"):
            pass
        if self.proxy:
            self.proxy.reset()

    def entries(self) -> list[dict]:
        entries = []
        for line in self.log.read_text(errors="replace").splitlines():
            parts = line.split(" ", 8)
            if len(parts) < 9:
                continue
            msec, request_time, connection, protocol, method, status, sent, rng, uri = parts
            entries.append({"arrived": float(msec) - float(request_time), "connection": connection,
                            "protocol": protocol, "method": method, "status": int(status), "bytes": int(sent),
                            "range": rng.strip('"') if rng != '"-"' else "", "uri": uri})
        return entries

    def summary(self) -> Summary:
        time.sleep(0.05)  # nginx logs a request when its answer is sent; the proxy delivers it later
        entries = self.entries()
        proxied = self.proxy.summary() if self.proxy else None
        protocols = sorted({e["protocol"] for e in entries})
        return Summary(
            requests=len(entries),
            head=sum(1 for e in entries if e["method"] == "HEAD"),
            ranges=sum(1 for e in entries if e["range"]),
            bytes=sum(e["bytes"] for e in entries),
            round_trips=CountingIndex.round_trips(self, sorted(e["arrived"] for e in entries)),
            connections=proxied.connections if proxied else 0,
            wire_bytes=proxied.bytes_down if proxied else 0,
            protocols=", ".join(protocols),
        )
