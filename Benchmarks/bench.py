"""lazywheel against uv and pip, side by side, on one counting index over loopback, and over a
realistic network (nginx with TLS and HTTP/2 behind a latency-injecting proxy).

Run through `scripts/bench` (which builds lazywheel and the bench venv); writes Benchmarks/BENCHMARKS.md.
Every tool runs against the same index (Benchmarks/index_server.py: PEP 503 pages from
../shared/corpus, a fixed delay per request, every request counted at the server) with a cold,
private cache, one process per measurement:

  (a) metadata of each corpus wheel:   lazywheel `metadata name==version --index-url` (and the direct
      wheel URL), uv `pip compile` and pip `install --dry-run --report --use-feature=fast-deps` of
      `name==version --no-deps` (the closest either has to "read one wheel's metadata");
  (b) resolving requirement sets:      `lazywheel resolve`, `uv pip compile`, pip `install --dry-run`;
  (c) the same, warm:                  a second process with the disk cache of a first one;
  (d) `lazywheel serve`:               hover latency (getMetadata on a cached wheel), pipelined
                                       throughput, peak RSS with 500 open handles;
  (b′) resolution with PEP 658 `.metadata` files; (e) wider sets on wheels from `pip download`;
  (f) resolution, cold and warm, when every page lists hundreds of older releases;
  (g) metadata and resolution, cold, on an index that ignores Range (whole files, as
      `python -m http.server`);
  (h) metadata and resolution, cold and warm, through Benchmarks/latency_proxy.py (a round-trip time
      on connect and on every read) in front of nginx with TLS and HTTP/2 serving the same pages
      and wheels (Benchmarks/network_index.py), counting connections as well as requests.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CORPUS = REPO.parent / "shared" / "corpus"
sys.path.insert(0, str(HERE))
from index_server import CountingIndex, Summary  # noqa: E402
from network_index import NetworkIndex  # noqa: E402
from loopback import memory_status  # noqa: E402

TARGET_PYTHON = "3.12"
REQUIREMENT_SETS = [
    "requests",
    "pydantic",
    "cryptography pillow numpy psutil",
    "requests pydantic cryptography pillow numpy psutil",
]
# Wider sets, resolved on a second index serving the wheels of Benchmarks/extra-wheels.txt (fetched by
# scripts/bench with pip download into a cache outside git); skipped when those are not there.
EXTRA_SETS = [
    "flask",
    "fastapi httpx",
    "black rich",
    "boto3",
    "pandas matplotlib",
    "flask fastapi httpx black rich boto3 pandas matplotlib",
]
# Section (f): the corpus index with every page padded by HISTORY older releases per file (links
# only), as the pages of long-lived projects are; parsing them is most of a warm resolution.
HISTORY = 500
HISTORY_SETS = ["requests", "requests pydantic cryptography pillow numpy psutil"]
# Warm processes measured per filled cache (as many as fit in WARM_BUDGET seconds, at least one).
WARM_REPEATS = 15
WARM_BUDGET = 1.0
QUICK_WHEELS = ("idna", "numpy", "psutil", "charset-normalizer", "pillow")
# Sections, in the order they run: b2 is (b′), h the realistic network.
SECTIONS = ["a", "b", "c", "b2", "f", "g", "h", "e", "d"]
QUICK_SECTIONS = {"a", "b", "d"}
PIP_PLATFORMS = ["manylinux_2_28_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64",
                 "manylinux_2_12_x86_64", "manylinux2010_x86_64"]


# ------------------------------------------------------------------------------------------------
# Running tools


def unconditional(requirement: str) -> bool:
    """Whether a Requires-Dist line applies to CPython 3.12 without extras (enough for the corpus)."""
    text = requirement.replace(" ", "")
    return "extra==" not in text and "python_version<" not in text


@dataclass
class Measurement:
    """Median of a few runs of one command, with the server's counts of the median run."""
    tool: str
    case: str
    ok: bool
    seconds: float
    counts: Summary
    runs: int
    note: str = ""
    outputs: list[str] = field(default_factory=list)


def clean_environment(cache_root: Path) -> dict:
    """No user configuration, no index from the environment, no network beyond loopback."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PIP_", "UV_", "LAZYWHEEL_")) and not k.endswith("INDEX_URL")}
    env.update({
        "PIP_CONFIG_FILE": os.devnull, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INPUT": "1",
        "UV_NO_CONFIG": "1", "UV_PYTHON_DOWNLOADS": "never", "UV_NO_PROGRESS": "1",
        "XDG_CACHE_HOME": str(cache_root / "xdg"), "LAZYWHEEL_CACHE_DIR": str(cache_root / "lazywheel"),
        "HOME": str(cache_root / "home"), "NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1",
    })
    (cache_root / "home").mkdir(parents=True, exist_ok=True)
    return env


class Tools:
    def __init__(self, lazywheel: str, venv: Path, index: CountingIndex):
        self.lazywheel = lazywheel
        self.uv = str(venv / "bin" / "uv")
        self.pip = str(venv / "bin" / "pip")
        self.python = str(venv / "bin" / "python")
        self.index = index
        help_text = subprocess.run([lazywheel, "--help"], capture_output=True, text=True).stdout
        self.has_resolve = " resolve " in help_text or "\n  resolve" in help_text
        metadata_help = subprocess.run([lazywheel, "metadata", "--help"], capture_output=True, text=True).stdout
        self.has_index_metadata = "--index-url" in metadata_help

    def command(self, tool: str, requirements: list[str], workdir: Path, *, single_metadata: bool,
                warm_cache: Optional[Path]) -> list[str]:
        """The command line of `tool` resolving `requirements` (cold unless `warm_cache` is given).

        `single_metadata` asks lazywheel for one project's metadata (`metadata name==version`); uv
        and pip resolve the pin, which for a wheel without dependencies reads exactly its metadata.
        (`--no-deps` would be wrong: uv then reads no metadata at all.)
        """
        url = self.index.index_url
        req = workdir / "requirements.in"
        req.write_text("\n".join(requirements) + "\n")
        if tool == "uv":
            cmd = [self.uv, "pip", "compile", str(req), "--python", self.python,
                   "--python-version", TARGET_PYTHON, "--python-platform", "x86_64-manylinux_2_28",
                   "--index-url", url, "--no-header", "--quiet", "-o", os.devnull]
            cmd += ["--cache-dir", str(warm_cache)] if warm_cache else ["--no-cache"]
            return cmd
        if tool == "pip":
            cmd = [self.pip, "install", "--dry-run", "--report", str(workdir / "report.json"),
                   "--use-feature=fast-deps", "--target", str(workdir / "target"), "--index-url", url,
                   "--python-version", TARGET_PYTHON, "--implementation", "cp", "--abi", "cp312",
                   "--abi", "abi3", "--abi", "none", "--only-binary=:all:", "--quiet", "-r", str(req)]
            for plat in PIP_PLATFORMS:
                cmd += ["--platform", plat]
            cmd += ["--cache-dir", str(warm_cache)] if warm_cache else ["--no-cache-dir"]
            if getattr(self.index, "ca_file", ""):
                cmd += ["--cert", self.index.ca_file]
            return cmd
        if tool == "lazywheel":
            if single_metadata:
                return [self.lazywheel, "metadata", requirements[0], "--index-url", url,
                        "--python-version", TARGET_PYTHON, "--platform", "manylinux_2_28_x86_64"]
            return [self.lazywheel, "resolve", "-r", str(req), "--index-url", url,
                    "--python-version", TARGET_PYTHON, "--python-platform", "x86_64-manylinux_2_28"]
        raise ValueError(tool)

    def environment(self, work: Path) -> dict:
        """`clean_environment`, plus what the index needs of every client (the run's CA over TLS:
        `SSL_CERT_FILE`, which uv and lazywheel read; pip is given `--cert`)."""
        env = clean_environment(work)
        if hasattr(self.index, "client_environment"):
            env.update(self.index.client_environment())
        return env

    def run(self, cmd: list[str], env: dict) -> tuple[bool, float, Summary, str]:
        self.index.reset()
        started = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
        elapsed = time.perf_counter() - started
        time.sleep(0.01)
        counts = self.index.summary()
        message = proc.stdout if proc.returncode == 0 else (proc.stderr.strip().splitlines() or ["?"])[-1]
        return proc.returncode == 0, elapsed, counts, message

    def measure_warm(self, tools: list[str], case: str, requirements: list[str], runs: int, *,
                     single_metadata: bool = False) -> dict[str, Measurement]:
        """Warm runs of several tools: per run, each tool's own cache is filled by one process, then
        one process of each tool in turn runs on its cache, a tool stopping at WARM_REPEATS processes
        or WARM_BUDGET seconds (at least one), and its sample is the median of those. A warm run
        takes 10-30 ms, where one scheduling hiccup on a shared machine is a large part of the
        figure, and the machine's speed drifts over the seconds between one tool's processes and the
        next's: taking turns, every tool sees the same machine."""
        samples: dict[str, list] = {tool: [] for tool in tools}
        for _ in range(runs):
            works = {tool: Path(tempfile.mkdtemp(prefix="lwbench-")) for tool in tools}
            try:
                setups = {}
                for tool, work in works.items():
                    env = self.environment(work)
                    cmd = self.command(tool, requirements, work, single_metadata=single_metadata, warm_cache=work / "cache")
                    self.run(cmd, env)
                    setups[tool] = (cmd, env)
                repeats: dict[str, list] = {tool: [] for tool in tools}
                spent = {tool: 0.0 for tool in tools}
                active = list(tools)
                while active:
                    for tool in list(active):
                        repeats[tool].append(self.run(*setups[tool]))
                        spent[tool] += repeats[tool][-1][1]
                        if len(repeats[tool]) >= WARM_REPEATS or spent[tool] >= WARM_BUDGET:
                            active.remove(tool)
                for tool in tools:
                    samples[tool].append(sorted(repeats[tool], key=lambda s: s[1])[len(repeats[tool]) // 2])
            finally:
                for work in works.values():
                    shutil.rmtree(work, ignore_errors=True)
        return {tool: self.summarize(tool, case, samples[tool], runs) for tool in tools}

    @staticmethod
    def summarize(tool: str, case: str, samples: list, runs: int) -> Measurement:
        ordered = sorted(samples, key=lambda s: s[1])
        median = ordered[len(ordered) // 2]
        ok = all(s[0] for s in samples)
        note = "" if ok else next(s[3] for s in samples if not s[0])[:160]
        return Measurement(tool, case, ok, statistics.median(s[1] for s in samples), median[2], runs, note,
                           [s[3] for s in samples])

    def measure_cold(self, tools: list[str], case: str, requirements: list[str], runs: int, *,
                     single_metadata: bool = False, direct_url: Optional[str] = None) -> dict[str, Measurement]:
        """Cold runs of several tools, each a fresh process with a fresh cache directory, the tools
        taking turns run by run (as in `measure_warm`): a machine whose speed drifts over the
        seconds of a cell is then the same machine for every tool, instead of one tool's runs all
        landing in a slow stretch. `direct_url` measures `lazywheel metadata <url>` ("lazywheel")."""
        samples: dict[str, list] = {tool: [] for tool in tools}
        for _ in range(runs):
            for tool in tools:
                work = Path(tempfile.mkdtemp(prefix="lwbench-"))
                try:
                    env = self.environment(work)
                    if direct_url:
                        cmd = [self.lazywheel, "metadata", direct_url]
                    else:
                        cmd = self.command(tool, requirements, work, single_metadata=single_metadata, warm_cache=None)
                    samples[tool].append(self.run(cmd, env))
                finally:
                    shutil.rmtree(work, ignore_errors=True)
        return {tool: self.summarize(tool, case, samples[tool], runs) for tool in tools}


# ------------------------------------------------------------------------------------------------
# lazywheel serve


class FramedPipe:
    """The smallest synchronous JSON-RPC client: write a frame, read frames."""

    def __init__(self, process: subprocess.Popen):
        self.process = process
        self.next_id = 1

    def send(self, method: str, params=None, request_id=None) -> int:
        if request_id is None:
            request_id = self.next_id
            self.next_id += 1
        message = {"jsonrpc": "2.0", "id": request_id, "method": method}
        if params is not None:
            message["params"] = params
        body = json.dumps(message, separators=(",", ":")).encode()
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        return request_id

    def flush(self):
        self.process.stdin.flush()

    def read(self) -> dict:
        stream = self.process.stdout
        length = None
        while True:
            line = stream.readline()
            if not line:
                raise EOFError("server closed its output")
            line = line.strip()
            if not line:
                if length is not None:
                    break
                continue
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
        return json.loads(stream.read(length))

    def response(self, request_id: int) -> dict:
        while True:
            message = self.read()
            if message.get("id") == request_id and "method" not in message:
                if "error" in message:
                    raise RuntimeError(f"{message['error']}")
                return message["result"]

    def call(self, method: str, params=None) -> dict:
        request_id = self.send(method, params)
        self.flush()
        return self.response(request_id)


def start_server(lazywheel: str, env: dict) -> tuple[subprocess.Popen, FramedPipe]:
    process = subprocess.Popen([lazywheel, "serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, env=env)
    pipe = FramedPipe(process)
    pipe.call("initialize", {"processId": None, "capabilities": {}})
    return process, pipe


def stop_server(process: subprocess.Popen) -> None:
    """Ends a server this script started: end of input, else (still busy after 10 s) a kill."""
    try:
        process.stdin.close()
    except OSError:
        pass
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def display_path(path) -> str:
    """`path` relative to the repository when inside it, so the report names no machine path."""
    try:
        return str(Path(path).resolve().relative_to(Path(__file__).resolve().parents[1]))
    except ValueError:
        return Path(path).name


# What an editor's hover shows (see editors/): the answer restricted with getMetadata's `fields`.
HOVER_FIELDS = ["name", "version", "summary", "requiresPython", "requiresDist", "license", "licenseExpression",
                "projectUrls"]


def serve_benchmarks(lazywheel: str, index: CountingIndex, calls: int, pipelined: int, handles: int) -> dict:
    wheels = [f"{index.url}/files/{name}" for name in sorted(index.files)]
    work = Path(tempfile.mkdtemp(prefix="lwbench-serve-"))
    env = clean_environment(work)
    results: dict = {}
    # Hover latency and pipelined throughput on cached wheels.
    process, pipe = start_server(lazywheel, env)
    try:
        opened = [pipe.call("openWheel", {"url": url})["handle"] for url in wheels]
        for handle in opened:
            pipe.call("getMetadata", {"handle": handle})
        latencies = []
        full = []
        for i in range(calls):
            handle = opened[i % len(opened)]
            started = time.perf_counter()
            pipe.call("getMetadata", {"handle": handle, "fields": HOVER_FIELDS})
            latencies.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            pipe.call("getMetadata", {"handle": handle})
            full.append((time.perf_counter() - started) * 1000)
        results["hover_p50_ms"] = percentile(latencies, 50)
        results["hover_p99_ms"] = percentile(latencies, 99)
        results["full_p50_ms"] = percentile(full, 50)
        results["full_p99_ms"] = percentile(full, 99)
        results["hover_calls"] = calls

        done = threading.Event()
        received = [0]

        def reader():
            while received[0] < pipelined:
                message = pipe.read()
                if "id" in message and "method" not in message:
                    received[0] += 1
            done.set()

        thread = threading.Thread(target=reader, daemon=True)
        started = time.perf_counter()
        thread.start()
        for i in range(pipelined):
            pipe.send("getMetadata", {"handle": opened[i % len(opened)]}, request_id=100000 + i)
            if i % 64 == 63:
                pipe.flush()
        pipe.flush()
        done.wait(120)
        elapsed = time.perf_counter() - started
        results["pipelined_rps"] = pipelined / elapsed
        results["pipelined_requests"] = pipelined
    finally:
        stop_server(process)
    # Peak RSS with many open handles, in a fresh server.
    process, pipe = start_server(lazywheel, env)
    try:
        index.reset()
        opened = []
        for i in range(handles):
            opened.append(pipe.call("openWheel", {"url": wheels[i % len(wheels)]})["handle"])
        for handle in opened:
            pipe.call("getMetadata", {"handle": handle})
        stats = pipe.call("stats")
        status = memory_status(process.pid)
        results.update(handles=len(opened), vm_hwm=status["VmHWM"], vm_rss=status["VmRSS"],
                       open_handles_reported=stats.get("openHandles"), requests_for_handles=index.summary().requests)
    finally:
        stop_server(process)
        shutil.rmtree(work, ignore_errors=True)
    return results


# ------------------------------------------------------------------------------------------------
# Report


def nginx_version() -> str:
    text = subprocess.run(["nginx", "-v"], capture_output=True, text=True).stderr.strip()
    return text.rsplit("/", 1)[-1] if "/" in text else text


def fmt_kb(n: int) -> str:
    return f"{n / 1000:.1f} kB"


def ratio(value: float, reference: float) -> str:
    return f"{value / reference:.2f}×" if reference else "–"


def floor_ratio(m: Measurement, uv: Measurement, delay: float) -> float:
    """`m`'s round trips × delay ÷ uv's wall: the least wall ratio its requests allow, at zero client time."""
    return m.counts.round_trips * delay / uv.seconds


def network_group(group: list[Measurement]) -> bool:
    return any(m.counts.connections for m in group)


def table_rows(group: list[Measurement], delay: float, network: bool = False) -> list[str]:
    uv = next((m for m in group if m.tool == "uv" and m.ok), None)
    pip = next((m for m in group if m.tool == "pip" and m.ok), None)
    rows = []
    for m in group:
        if not m.ok:
            rows.append(f"| {m.case} | {m.tool} | failed: {m.note} |" + " |" * (len(header(network)[1].split("|")) - 5))
            continue
        cells = [m.case, m.tool, str(m.counts.requests), str(m.counts.head), fmt_kb(m.counts.bytes)]
        if network:
            cells += [str(m.counts.connections), fmt_kb(m.counts.wire_bytes), m.counts.protocols.replace("HTTP/", "")]
        cells += [str(m.counts.round_trips), f"{m.seconds:.3f} s",
                  ratio(m.seconds, uv.seconds) if uv else "–",
                  ratio(m.seconds, pip.seconds) if pip else "–",
                  f"{floor_ratio(m, uv, delay):.2f}×" if uv and m.counts.round_trips and delay else "–",
                  ratio(m.counts.requests, uv.counts.requests) if uv and uv.counts.requests else "–"]
        rows.append("| " + " | ".join(cells) + " |")
    return rows


def header(network: bool) -> list[str]:
    columns = ["case", "tool", "requests", "HEAD", "bytes"]
    if network:
        columns += ["connections", "bytes on the wire", "HTTP"]
    columns += ["round trips", "wall (median)", "wall ÷ uv", "wall ÷ pip", "round trips × delay ÷ uv", "requests ÷ uv"]
    return ["| " + " | ".join(columns) + " |", "|---|---|" + "---:|" * (len(columns) - 2)]


# Issue 23's goals for lazywheel against uv: cold rows on request counts, HEADs, bytes and wall time,
# warm rows on wall time.
COLD_WALL, COLD_REQUESTS, WARM_WALL = 0.7, 0.75, 1.0


def goals(groups: list[list[Measurement]], delay: float) -> list[tuple[str, str, bool]]:
    """Each goal over every (lazywheel, uv) pair that ran: met only when met by all."""
    cold, warm = [], []
    for group in groups:
        lw = next((m for m in group if m.tool == "lazywheel" and m.ok and "direct" not in m.case), None)
        uv = next((m for m in group if m.tool == "uv" and m.ok), None)
        if lw and uv:
            (warm if "warm" in lw.case else cold).append((lw, uv))
    met = []
    if cold:
        worst_req, req_case = max((lw.counts.requests / max(uv.counts.requests, 1), lw.case) for lw, uv in cold)
        heads = sum(lw.counts.head for lw, _ in cold)
        worst_bytes, bytes_case = max((lw.counts.bytes / max(uv.counts.bytes, 1), lw.case) for lw, uv in cold)
        worst_wall, wall_case = max((lw.seconds / uv.seconds, lw.case) for lw, uv in cold)
        # The least wall time lazywheel's own round trips allow, with zero start-up and CPU time.
        floors = [(floor_ratio(lw, uv, delay), lw.case) for lw, uv in cold]
        worst_floor, floor_case = max(floors)
        above = sum(1 for floor, _ in floors if floor > COLD_WALL)
        met += [
            (f"cold: requests ≤ {COLD_REQUESTS}× uv's", f"worst {worst_req:.2f}× ({req_case}) over {len(cold)} cases",
             worst_req <= COLD_REQUESTS),
            ("cold: zero HEAD requests", f"{heads} HEAD in all lazywheel runs", heads == 0),
            ("cold: bytes ≤ uv's", f"worst {worst_bytes:.2f}× ({bytes_case})", worst_bytes <= 1.0),
            (f"cold: wall time ≤ {COLD_WALL}× uv's", f"worst {worst_wall:.2f}× ({wall_case})", worst_wall <= COLD_WALL),
            ("(bound) cold: lazywheel's round trips × delay ÷ uv's wall: the best wall ratio reachable without "
             "fewer round trips", f"worst {worst_floor:.2f}× ({floor_case}); above {COLD_WALL}× in {above} of "
             f"{len(floors)} cases" if delay else "–", worst_floor <= COLD_WALL),
        ]
    if warm:
        worst_wall, wall_case = max((lw.seconds / uv.seconds, lw.case) for lw, uv in warm)
        met.append((f"warm: wall time ≤ uv's", f"worst {worst_wall:.2f}× ({wall_case}) over {len(warm)} cases",
                    worst_wall <= WARM_WALL))
    return met


def write_report(path: Path, args, tools: Tools, sections: list[tuple[str, list[list[Measurement]]]],
                 serve: Optional[dict], elapsed: float, extra_wheels: int) -> None:
    uv_version = subprocess.run([tools.uv, "--version"], capture_output=True, text=True).stdout.strip()
    pip_version = subprocess.run([tools.pip, "--version"], capture_output=True, text=True).stdout.split(" from")[0]
    lines = [
        "# Benchmarks",
        "",
        "Generated by `scripts/bench" + (" --quick" if args.quick else "") + f"` on {time.strftime('%Y-%m-%d %H:%M')} "
        f"({platform.machine()}, {os.cpu_count()} CPUs, {platform.python_implementation()} {platform.python_version()}); "
        f"total {elapsed:.0f} s. Do not edit by hand: rerun the script.",
        "",
        f"- Tools: lazywheel `{display_path(tools.lazywheel)}` ({args.build}), {uv_version}, {pip_version} with `--use-feature=fast-deps`.",
        f"- Index: `Benchmarks/index_server.py` on 127.0.0.1 serving the 15 wheels of "
        f"`../shared/corpus` as PEP 503 HTML pages, **{args.delay_ms:g} ms delay before every answer**, "
        "single byte ranges, counting every request at the server (method, path, Range, body bytes). "
        "Pages are rendered once at start, as an index serves them from a cache. "
        + (f"Section (e) uses a second such index serving the {extra_wheels} wheels pinned in "
           "`Benchmarks/extra-wheels.txt`, which `scripts/bench` fetches with `pip download --no-deps` into "
           "a cache folder outside git." if extra_wheels else
           "Section (e), wider requirement sets on wheels fetched with `pip download`, was skipped: the "
           "download failed or was turned off (`--no-download`)."),
        f"- Target: CPython {TARGET_PYTHON}, manylinux_2_28 x86_64. A cold cell is the median of {args.runs} "
        "runs, each a fresh process with a fresh private cache directory; a *warm* cell the median of "
        f"{args.warm_runs} runs, each a fresh cache directory filled by one process, then the median of up to "
        f"{WARM_REPEATS} processes run on it (as many as fit in {WARM_BUDGET:g} s, at least one; the same rule for "
        "every tool). Cold and warm, the tools take turns run by run, so that every tool sees the same machine. "
        "Counts are those of the median run.",
        "- uv: `uv pip compile --python-version 3.12 --python-platform x86_64-manylinux_2_28 --no-cache "
        "--python <bench venv python>` (`--python` only skips slow interpreter discovery through pyenv shims; "
        "it does not change what is fetched). pip: `pip install --dry-run --report --use-feature=fast-deps "
        "--target … --only-binary=:all: --python-version 3.12 --implementation cp --abi cp312 --abi abi3 "
        "--platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 … --no-cache-dir`.",
        "- *Metadata of one wheel*: neither uv nor pip has a \"read this wheel's metadata\" command; the closest "
        "is resolving `name==version` of a wheel that has no dependencies (one index page, then the wheel's "
        "METADATA), so these rows cover the corpus wheels without dependencies for CPython 3.12. "
        "(`--no-deps` is not used: with it uv reads no metadata at all, only the index page.) lazywheel "
        "does the same with `lazywheel metadata name==version --index-url …`; the *direct URL* rows show "
        "`lazywheel metadata <wheel URL>`, which needs no index page at all. The metadata rows are summed "
        "over the corpus wheels measured.",
        "- *Round trips*: the requests of one run grouped into sequential waves at the server (a wave starts "
        "with the first request arriving a whole delay after the previous wave began). `round trips × delay` "
        "is the least wall time a client asking in that order can take, with zero start-up and CPU time; the "
        "*round trips × delay ÷ uv* column divides it by uv's measured wall time, and the *(bound)* row of each "
        "goal table gives the worst of them for lazywheel. Where that bound is above "
        "0.5×, the wall-time goal needs fewer round trips, not a faster client: lazywheel's chain is a page, "
        "a tail and (when METADATA is not in the tail) METADATA per level of the dependency graph, uv's the "
        "same plus a HEAD.",
        "- *Requests*: lazywheel asks for one page per project, one tail per wheel, and one more request "
        "per wheel whose METADATA is not within the 16 KiB tail; uv asks for the same plus one HEAD per "
        "wheel. With P projects of which X have METADATA outside the tail the ratio is (2P+X)/(3P+X), "
        "at most 0.75 since X ≤ P (pydantic: P = 4 and X = 2, pydantic's METADATA being 46 KB from the "
        "end and pydantic_core's at offset 0, so 10/14 = 0.71). Fetching both ends of a wheel in one "
        "request would need multipart ranges, which this index, like many, does not serve.",
        f"- *Goals* (issue 23, lazywheel against uv in the same run): every cold row at most {COLD_WALL}× uv's "
        f"wall time, {COLD_REQUESTS}× its requests, no HEAD and at most its bytes; every warm row at most uv's "
        "wall time. Each section's table says which hold.",
        "",
    ]
    for title, groups in sections:
        lines += [f"## {title}", ""]
        if title.startswith("(f)"):
            lines += [f"Every project page lists {HISTORY} older releases (`0.0.0.postN`, same tags and "
                      "`data-requires-python`) before each real file, as long-lived projects' pages list hundreds "
                      "or thousands of files; the older files are links only and no tool fetches one. The warm rows "
                      "show what reading such pages costs once they are cached.", ""]
        if title.startswith("(g)"):
            lines += ["The same corpus index answering every file request with `200` and the whole file, without "
                      "`Accept-Ranges` (as `python -m http.server`, devpi-server's default setup and some "
                      "Artifactory, Nexus and CodeArtifact setups do). Every tool then has to take what the server "
                      "sends: the bytes are those of the answers' bodies, as far as each client read them.", ""]
        if title.startswith("(h)"):
            lines += [f"nginx {nginx_version()} serving the same pages and wheels as static files over TLS and HTTP/2 "
                      "(`listen … ssl http2`, `Cache-Control: max-age=600` on pages as above), with a CA and a server "
                      "certificate (P-256) made with openssl for the run; every client reaches it through "
                      "`Benchmarks/latency_proxy.py`, which holds a new connection for one round trip and delays "
                      f"every read by half the round trip each way ({args.rtt_ms:g} ms RTT"
                      + (f", {args.bandwidth_mbit:g} Mbit/s each way" if args.bandwidth_mbit else ", no bandwidth cap")
                      + "; `--rtt-ms`, `--bandwidth-mbit`). So connection set-up (TCP and the TLS handshake) costs "
                      "what it costs on a network, unlike the per-request delay of the sections above. uv and "
                      "lazywheel trust the CA through `SSL_CERT_FILE`, pip through `--cert`. Requests, HEADs and "
                      "body bytes come from nginx's access log; *connections* are those the proxy accepted, *bytes "
                      "on the wire* what it carried to the client (TLS records and headers included), *HTTP* the "
                      "versions nginx logged. Round trips are counted with the RTT as the delay.", ""]
        if "PEP 658" in title:
            lines += ["With `.metadata` files every tool reaches the same floor (one page and one metadata file "
                      "per project, no range request), so the request and byte goals cannot separate them here; "
                      "the goals are meant for the range-request rows above.", ""]
        network = any(network_group(group) for group in groups)
        delay = args.rtt_ms / 1000 if network else args.delay_ms / 1000
        lines += header(network)
        for group in groups:
            lines += table_rows(group, delay, network)
        lines.append("")
        met = goals(groups, delay)
        if met:
            lines += ["| goal (lazywheel vs uv) | measured | met |", "|---|---|---|"]
            lines += [f"| {g} | {v} | {'yes' if ok else '**no**'} |" for g, v, ok in met]
            lines.append("")
    if not tools.has_resolve:
        lines += ["`lazywheel resolve` not available yet: its rows are missing.", ""]
    if serve:
        p99_ok = serve["hover_p99_ms"] < 2.0
        rss_ok = serve["vm_hwm"] < 100 * 1024 * 1024
        lines += [
            "## `lazywheel serve`",
            "",
            "Latency is measured from a Python client writing one frame to the server's stdin until the "
            "response frame is read back (so it includes the client's own overhead). Peak RSS is `VmHWM` "
            "of `/proc/<pid>/status` after opening the 15 corpus wheels round-robin into "
            f"{serve['handles']} handles and reading every handle's metadata.",
            "",
            "| measure | value | goal | met |",
            "|---|---:|---|---|",
            f"| hover `getMetadata` (`fields`: the hover's keys) on a cached wheel, p50 ({serve['hover_calls']} sequential calls) | {serve['hover_p50_ms']:.3f} ms | | |",
            f"| hover `getMetadata` on a cached wheel, p99 | {serve['hover_p99_ms']:.3f} ms | < 2 ms | {'yes' if p99_ok else '**no**'} |",
            f"| whole metadata object (with `raw`, `description`), p50 / p99 | {serve['full_p50_ms']:.3f} / {serve['full_p99_ms']:.3f} ms | | |",
            f"| pipelined `getMetadata` throughput ({serve['pipelined_requests']} requests in flight) | {serve['pipelined_rps']:.0f} req/s | | |",
            f"| peak RSS (VmHWM) with {serve['handles']} open handles | {serve['vm_hwm'] / 1e6:.1f} MB | < 100 MB | {'yes' if rss_ok else '**no**'} |",
            f"| RSS at the end (VmRSS) | {serve['vm_rss'] / 1e6:.1f} MB | | |",
            f"| HTTP requests to open {serve['handles']} handles of 15 wheels and read their metadata | {serve['requests_for_handles']} | | |",
            "",
        ]
    # The language server's figures are written by hand from Benchmarks/lsp_bench.py: kept.
    kept = path.read_text().partition("\n## Language server")[2] if path.exists() else ""
    if kept:
        lines += ["## Language server" + kept.rstrip("\n")]
    path.write_text("\n".join(lines) + "\n")


# ------------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lazywheel", required=True)
    parser.add_argument("--venv", required=True, type=Path)
    parser.add_argument("--build", default="release")
    parser.add_argument("--delay-ms", type=float, default=25)
    parser.add_argument("--runs", type=int, default=5, help="cold runs per cell")
    parser.add_argument("--warm-runs", type=int, default=3,
                        help="filled caches per warm cell (each measured with up to WARM_REPEATS processes)")
    parser.add_argument("--quick", action="store_true", help="one run, 5 wheels, no warm or PEP 658 rows")
    parser.add_argument("--output", type=Path, default=HERE / "BENCHMARKS.md")
    parser.add_argument("--extra-wheels", type=Path, help="folder of the wheels of Benchmarks/extra-wheels.txt")
    parser.add_argument("--rtt-ms", type=float, default=40,
                        help="round-trip time of section (h), the realistic network (default 40 ms)")
    parser.add_argument("--bandwidth-mbit", type=float, default=0,
                        help="bandwidth cap each way in section (h), in Mbit/s (default none)")
    parser.add_argument("--sections", default=",".join(SECTIONS),
                        help=f"comma-separated sections to run, of {','.join(SECTIONS)} (default all)")
    args = parser.parse_args()
    if args.quick:
        args.runs = args.warm_runs = 1
    chosen = set(args.sections.split(","))
    if chosen - set(SECTIONS):
        parser.error(f"unknown sections {sorted(chosen - set(SECTIONS))}; known: {','.join(SECTIONS)}")
    wanted = lambda section: section in chosen and (not args.quick or section in QUICK_SECTIONS)  # noqa: E731
    began = time.perf_counter()
    manifest = json.loads((CORPUS / "MANIFEST.json").read_text())
    # Wheels without dependencies for CPython 3.12: resolving `name==version` reads only their metadata.
    entries = sorted((e for e in manifest if not any(unconditional(r) for r in e["requiresDist"])),
                     key=lambda e: e["file"])
    if args.quick:
        entries = [e for e in entries if e["name"].lower().replace("_", "-") in QUICK_WHEELS]

    index = CountingIndex(CORPUS / "wheels", delay=args.delay_ms / 1000).start()
    tools = Tools(args.lazywheel, args.venv, index)
    say = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731
    if not tools.has_resolve:
        say("lazywheel resolve not available yet: resolution rows are measured for uv and pip only")
    sections: list[tuple[str, list[list[Measurement]]]] = []

    def metadata_group(warm: bool) -> list[Measurement]:
        sums: dict[str, list[Measurement]] = {}
        for entry in entries:
            pin = f"{entry['name']}=={entry['version']}"
            say(f"  metadata {pin}{' (warm)' if warm else ''}")
            measured = [tool for tool in ("lazywheel", "uv", "pip") if tool != "lazywheel" or tools.has_index_metadata]
            if warm:
                for tool, m in tools.measure_warm(measured, "", [pin], args.warm_runs, single_metadata=True).items():
                    sums.setdefault(tool, []).append(m)
            else:
                for tool, m in tools.measure_cold(measured, "", [pin], args.runs, single_metadata=True).items():
                    sums.setdefault(tool, []).append(m)
                url = f"{index.url}/files/{entry['file']}"
                sums.setdefault("lazywheel direct", []).append(
                    tools.measure_cold(["lazywheel"], "", [], args.runs, direct_url=url)["lazywheel"])
        case = f"metadata of {len(entries)} wheels" + (", warm" if warm else "")
        group = []
        for tool, ms in sums.items():
            total = Summary(0, 0, 0, 0)
            for m in ms:
                total = total + m.counts
            failed = [m for m in ms if not m.ok]
            group.append(Measurement(
                "lazywheel" if tool.startswith("lazywheel") else tool,
                case + (" (direct URL)" if tool == "lazywheel direct" else ""),
                not failed, sum(m.seconds for m in ms), total, args.runs,
                failed[0].note if failed else ""))
        order = {"uv": 0, "pip": 1, "lazywheel": 2}
        return sorted(group, key=lambda m: (order[m.tool], m.case))

    def resolution_groups(warm: bool, sets: list[str] = REQUIREMENT_SETS) -> list[list[Measurement]]:
        groups = []
        for requirement_set in sets:
            case = requirement_set + (", warm" if warm else "")
            say(f"  resolve {case}")
            measured = ["uv", "pip"] + (["lazywheel"] if tools.has_resolve else [])
            if not tools.has_resolve:
                say("    lazywheel resolve not available yet")
            if warm:
                group = list(tools.measure_warm(measured, case, requirement_set.split(), args.warm_runs).values())
            else:
                group = list(tools.measure_cold(measured, case, requirement_set.split(), args.runs).values())
            groups.append(group)
        return groups

    say(f"index {index.index_url} ({args.delay_ms:g} ms per request), {args.runs} run(s) per cell")
    extra_wheels = sorted(args.extra_wheels.glob("*.whl")) if args.extra_wheels else []

    def add(section: tuple[str, list[list[Measurement]]]) -> None:
        """Keeps a section and writes the report so far: a later failure loses nothing measured."""
        sections.append(section)
        write_report(args.output, args, tools, sections, None, time.perf_counter() - began, len(extra_wheels))

    def switch(new_index) -> None:
        nonlocal index
        index.stop()
        index = new_index.start()
        tools.index = index

    if wanted("a"):
        say("(a) metadata, cold")
        add(("(a) Metadata of single wheels, cold", [metadata_group(warm=False)]))
    if wanted("b"):
        say("(b) resolution, cold")
        add(("(b) Resolution, cold", resolution_groups(warm=False)))
    if wanted("c"):
        say("(c) warm")
        add(("(c) Warm: a second process with the first one's disk cache",
                         [metadata_group(warm=True)] + resolution_groups(warm=True)))
    if wanted("b2"):
        switch(CountingIndex(CORPUS / "wheels", delay=args.delay_ms / 1000, pep658=True))
        say("(b') resolution with PEP 658 metadata files, cold")
        add(("(b′) Resolution, cold, index with PEP 658 `.metadata` files",
                         resolution_groups(warm=False)))
    if wanted("f"):
        switch(CountingIndex(CORPUS / "wheels", delay=args.delay_ms / 1000, history=HISTORY))
        say(f"(f) projects with {HISTORY} older releases listed, cold and warm")
        add((f"(f) Long project pages: {HISTORY} older releases listed before each file",
                         resolution_groups(warm=False, sets=HISTORY_SETS) + resolution_groups(warm=True, sets=HISTORY_SETS)))
    if wanted("g"):
        switch(CountingIndex(CORPUS / "wheels", delay=args.delay_ms / 1000, ignore_ranges=True))
        say("(g) a server that ignores Range, cold")
        add(("(g) Server ignoring `Range` (whole files, as `python -m http.server`), cold",
                         [metadata_group(warm=False)] + resolution_groups(warm=False)))
    if wanted("h") and not (shutil.which("nginx") and shutil.which("openssl")):
        say("(h) skipped: no nginx or openssl")
    elif wanted("h"):
        switch(NetworkIndex(CountingIndex(CORPUS / "wheels", delay=0), rtt=args.rtt_ms / 1000,
                            bandwidth=args.bandwidth_mbit * 1e6 / 8))
        say(f"(h) realistic network: nginx, TLS, HTTP/2 behind a {args.rtt_ms:g} ms RTT proxy, cold and warm")
        add((f"(h) Realistic network: nginx with TLS and HTTP/2, {args.rtt_ms:g} ms round trip"
                         + (f", {args.bandwidth_mbit:g} Mbit/s" if args.bandwidth_mbit else ""),
                         [metadata_group(warm=False)] + resolution_groups(warm=False)
                         + resolution_groups(warm=True)))
    if extra_wheels and wanted("e"):
        switch(CountingIndex(args.extra_wheels, delay=args.delay_ms / 1000))
        say(f"(e) wider requirement sets on {len(extra_wheels)} downloaded wheels, cold and warm")
        add((f"(e) Wider requirement sets, cold: {len(extra_wheels)} wheels from `pip download`",
                         resolution_groups(warm=False, sets=EXTRA_SETS)))
        add(("(e′) Wider requirement sets, warm", resolution_groups(warm=True, sets=EXTRA_SETS)))
    elif wanted("e"):
        say("(e) skipped: no downloaded wheels (scripts/bench fetches them with pip download)")
    serve = None
    if wanted("d"):
        say("(d) lazywheel serve")
        fast_index = CountingIndex(CORPUS / "wheels", delay=0).start()
        serve = serve_benchmarks(args.lazywheel, fast_index, calls=500 if args.quick else 2000,
                                 pipelined=2000 if args.quick else 10000, handles=500)
        fast_index.stop()
    index.stop()
    write_report(args.output, args, tools, sections, serve, time.perf_counter() - began, len(extra_wheels))
    say(f"wrote {args.output}")
    print(args.output.read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
