"""`lazywheel resolve` against nginx serving the corpus as a PEP 503 index: the same pins as
`uv pip compile --python-version 3.12 --python-platform x86_64-manylinux_2_28` run in the same test,
fewer HTTP requests than uv (counted in nginx's own log), no HEAD, and a conflict explained."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from conftest import isolated_environment, run_cli

SETS = [
    ["requests"],
    ["pydantic"],
    ["cryptography", "pillow", "numpy", "psutil"],
    ["requests", "pydantic", "cryptography", "pillow", "numpy", "psutil"],
    ["requests<3", "urllib3<2.3", "charset-normalizer>=3"],
    ["webframe", "featurepkg[net,tls]", "betapkg", "newpython"],
    ["webframe<3", "betapkg>=2.0b1"],
]
TARGET = ["--python-version", "3.12", "--python-platform", "x86_64-manylinux_2_28"]


def uv_binary() -> str:
    candidate = Path(sys.executable).parent / "uv"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("uv")
    if not found:
        pytest.fail("uv is not installed in the test venv (scripts/test installs it)")
    return found


def uv_pins(index: str, requirements: list[str]) -> tuple[list[str], subprocess.CompletedProcess]:
    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / "requirements.in"
        source.write_text("\n".join(requirements) + "\n")
        env = isolated_environment()
        env["UV_CACHE_DIR"] = str(Path(work) / "uv-cache")
        proc = subprocess.run([uv_binary(), "pip", "compile", str(source), "--index-url", index, *TARGET,
                               "--no-header", "--no-annotate", "--quiet"],
                              capture_output=True, text=True, env=env, timeout=120)
        assert proc.returncode == 0, proc.stderr
        pins = [line.strip() for line in proc.stdout.splitlines() if line.strip() and not line.startswith("#")]
        return pins, proc


@pytest.mark.parametrize("requirements", SETS, ids=[" ".join(s) for s in SETS])
def test_same_pins_as_uv_with_fewer_requests(binary, counted, requirements):
    index = f"{counted.url}/simple/"
    expected, _ = uv_pins(index, requirements)
    uv_requests = counted.requests()
    counted.clear_log()
    proc = run_cli(binary, "resolve", *requirements, "--index-url", index, *TARGET, "--stats")
    pins = [line for line in proc.stdout.splitlines() if line]
    assert pins == expected
    ours = counted.requests()
    assert all(r.method == "GET" for r in ours), "no HEAD requests"
    assert len(ours) < len(uv_requests), f"lazywheel {len(ours)} requests, uv {len(uv_requests)}"
    assert sum(r.bytes for r in ours) <= sum(r.bytes for r in uv_requests)


def test_json_output_and_output_file(binary, nginx, tmp_path):
    out = tmp_path / "pins.txt"
    proc = run_cli(binary, "resolve", "requests", "--index-url", f"{nginx.url}/simple-pep658/", *TARGET,
                   "--json", "-o", str(out))
    document = json.loads(proc.stdout)
    names = [p["name"] for p in document["packages"]]
    assert names == sorted(names) and "urllib3" in names
    requests_entry = next(p for p in document["packages"] if p["name"] == "requests")
    assert requests_entry["version"] == "2.32.3" and requests_entry["url"].endswith(".whl")
    assert document["stats"]["headRequests"] == 0
    assert out.read_text().splitlines()[0].startswith("certifi==")


def test_requirements_and_constraints_files(binary, nginx, tmp_path):
    (tmp_path / "base.txt").write_text("idna\n")
    (tmp_path / "requirements.txt").write_text(
        "# app\n-r base.txt\n-c constraints.txt\nrequests \\\n  >=2.30\n")
    (tmp_path / "constraints.txt").write_text("urllib3<2.3\ncharset-normalizer==3.4.0\n")
    proc = run_cli(binary, "resolve", "-r", str(tmp_path / "requirements.txt"),
                   "--index-url", f"{nginx.url}/simple/", *TARGET)
    assert proc.stdout.split() == ["certifi==2024.8.30", "charset-normalizer==3.4.0", "idna==3.10",
                                   "requests==2.32.3", "urllib3==2.2.3"]


def test_conflict_is_explained_along_the_chain(binary, nginx):
    proc = run_cli(binary, "resolve", "webframe==3.0.3", "wsgitool<3", "--index-url", f"{nginx.url}/simple/",
                   *TARGET, check=False)
    assert proc.returncode != 0
    assert "webframe==3.0.3 depends on wsgitool>=3.0" in proc.stderr, proc.stderr
    assert "you require wsgitool<3" in proc.stderr
    assert "no solution is possible" in proc.stderr


def test_requirement_no_version_matches_names_what_exists(binary, nginx):
    proc = run_cli(binary, "resolve", "requests==2.32.3", "urllib3<1.21", "--index-url", f"{nginx.url}/simple/",
                   *TARGET, check=False)
    assert proc.returncode != 0
    assert "urllib3<1.21" in proc.stderr and "2.2.3" in proc.stderr


def test_second_resolve_costs_zero_range_requests(binary, counted):
    cache = tempfile.mkdtemp(prefix="lazywheel-cache-")
    args = ["resolve", "requests", "pydantic", "--index-url", f"{counted.url}/simple/", *TARGET]
    first = run_cli(binary, *args, env={"XDG_CACHE_HOME": cache}).stdout
    counted.clear_log()
    second = run_cli(binary, *args, env={"XDG_CACHE_HOME": cache}).stdout
    assert first == second
    assert [r for r in counted.requests() if r.range != "-"] == []


def test_resolve_over_json_rpc_with_progress_and_conflict_data(serve, nginx):
    client = serve(options={"indexUrl": f"{nginx.url}/simple-pep658/", "python": "3.12",
                            "platform": "manylinux_2_28_x86_64"})
    result = client.request("resolve", {"requirements": ["requests", "idna==3.10"], "workDoneToken": "r1"})
    assert [p["name"] for p in result["packages"]] == ["certifi", "charset-normalizer", "idna", "requests", "urllib3"]
    kinds = [m["params"]["value"]["kind"] for m in client.raw_messages
             if m.get("method") == "$/progress" and m["params"]["token"] == "r1"]
    assert kinds[0] == "begin" and kinds[-1] == "end"
    try:
        client.request("resolve", {"requirements": ["requests==2.32.3", "idna<2"]})
        raise AssertionError("expected a conflict")
    except Exception as error:  # noqa: BLE001
        assert getattr(error, "code", None) == -32060, error
        assert "idna" in error.message
        assert error.data and error.data.get("message")
