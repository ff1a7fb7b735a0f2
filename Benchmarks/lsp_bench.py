"""The editor server's speed on a 40-dependency requirements file (issue 24's figures).

    .venv/bin/python Benchmarks/lsp_bench.py --binary .build/release/lazywheel [--delay-ms 25]

Serves the 15 corpus wheels plus 25 generated ones (40 projects) from `index_server.py` with a
fixed delay per request, then measures, for `lazywheel serve` as a language server:

- cold (empty disk cache): from `didOpen` to the diagnostics of every line published and the
  inlay hints of every line answered; beside it the resolver's own round-trip floor for the same
  file (`lazywheel resolve -r`, cold: its round trips × delay);
- warm (a new session on the disk cache left by the cold one): the same;
- hover p50/p99 on a cached project (2000 sequential hovers).

Prints a Markdown table for BENCHMARKS.md.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO / "protocol" / "clients" / "python"))
from index_server import CountingIndex  # noqa: E402
from lazywheel import Client as LazyWheelClient  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus" / "wheels"
TARGET = {"python": "3.12", "platform": "manylinux_2_28_x86_64"}


def generated_wheel(directory: Path, number: int) -> str:
    """A small pure-Python wheel `benchpkgN 1.0`."""
    name = f"benchpkg{number}"
    path = directory / f"{name}-1.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(f"{name}/__init__.py", "")
        archive.writestr(f"{name}-1.0.dist-info/METADATA",
                         f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\nSummary: generated\nRequires-Python: >=3.8\n")
        archive.writestr(f"{name}-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\nGenerator: bench\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        archive.writestr(f"{name}-1.0.dist-info/RECORD", "")
    return name


def environment(cache: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not (k.startswith("PIP_") or k.startswith("UV_"))}
    env.update(XDG_CACHE_HOME=str(cache), PIP_CONFIG_FILE=os.devnull, UV_NO_CONFIG="1")
    return env


def session(binary: str, cache: Path, index_url: str) -> LazyWheelClient:
    process = subprocess.Popen([binary, "serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, env=environment(cache))
    client = LazyWheelClient(process)
    client.request("initialize", {"processId": os.getpid(), "capabilities": {},
                                  "initializationOptions": {"indexUrl": index_url, **TARGET}}, 30)
    client.notify("initialized", {})
    return client


def open_and_wait(client: LazyWheelClient, uri: str, text: str, lines: int) -> tuple[float, float]:
    """Seconds from didOpen to the per-project diagnostics, and to inlay hints for every line."""
    published = []
    client.on_message = lambda m: published.append(time.perf_counter()) if (
        m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri) else None
    start = time.perf_counter()
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "pip-requirements", "version": 1, "text": text}})
    # The first publication is the syntax check; the second carries every project's diagnostics.
    while len(published) < 2:
        time.sleep(0.0005)
    diagnostics = published[1] - start
    hints = client.request("textDocument/inlayHint", {"textDocument": {"uri": uri}, "range": {
        "start": {"line": 0, "character": 0}, "end": {"line": lines, "character": 0}}}, 60)
    assert len(hints) == lines, hints
    return diagnostics, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=str(REPO / ".build" / "release" / "lazywheel"))
    parser.add_argument("--delay-ms", type=float, default=25)
    parser.add_argument("--hovers", type=int, default=2000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="lazywheel-lsp-bench-"))
    try:
        wheels = work / "wheels"
        wheels.mkdir()
        for wheel in CORPUS.glob("*.whl"):
            (wheels / wheel.name).symlink_to(wheel)
        names = sorted({wheel.name.split("-")[0] for wheel in CORPUS.glob("*.whl")})
        names += [generated_wheel(wheels, n) for n in range(40 - len(names))]
        text = "".join(f"{name}\n" for name in names)
        (work / "requirements.txt").write_text(text)
        index = CountingIndex(wheels, delay=args.delay_ms / 1000).start()
        index_url = index.url + "/simple/"

        # The resolver's own floor for the same file, cold.
        index.reset()
        subprocess.run([args.binary, "resolve", "-r", str(work / "requirements.txt"), "--index-url", index_url,
                        "--python-version", TARGET["python"], "--platform", TARGET["platform"]],
                       env=environment(work / "resolve-cache"), check=True, capture_output=True)
        floor = index.summary().round_trips * args.delay_ms / 1000

        rows = []
        cache = work / "cache"
        for label in ("cold", "warm"):
            index.reset()
            client = session(args.binary, cache, index_url)
            diagnostics, hints = open_and_wait(client, (work / "requirements.txt").as_uri(), text, len(names))
            summary = index.summary()
            rows.append((label, diagnostics, hints, summary))
            if label == "warm":
                uri = (work / "requirements.txt").as_uri()
                timings = []
                for _ in range(args.hovers):
                    start = time.perf_counter()
                    client.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 5, "character": 1}}, 10)
                    timings.append(time.perf_counter() - start)
                timings.sort()
                hover = (statistics.median(timings), timings[int(len(timings) * 0.99) - 1])
            client.shutdown_and_exit()
        index.stop()

        print(f"40 dependencies (15 corpus projects, 25 generated), {args.delay_ms:g} ms per request, "
              f"target Python {TARGET['python']} on {TARGET['platform']}; resolver floor (`lazywheel resolve -r`, cold: "
              f"round trips × delay) {floor * 1000:.0f} ms.\n")
        print("| session | didOpen → every line's diagnostics | didOpen → every line's hints | requests | round trips | goal | met |")
        print("|---|---:|---:|---:|---:|---|---|")
        for label, diagnostics, hints, summary in rows:
            goal, met = (f"≤ floor + 100 ms = {(floor + 0.1) * 1000:.0f} ms", hints <= floor + 0.1) if label == "cold" \
                else ("< 50 ms", hints < 0.05)
            print(f"| {label} | {diagnostics * 1000:.0f} ms | {hints * 1000:.0f} ms | {summary.requests} | {summary.round_trips} "
                  f"| {goal} | {'yes' if met else 'no'} |")
        print(f"| hover on a cached project, p50 / p99 ({args.hovers} sequential) | {hover[0] * 1000:.3f} / {hover[1] * 1000:.3f} ms "
              f"| | | | p99 < 2 ms | {'yes' if hover[1] < 0.002 else 'no'} |")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
