"""Hover by name against nginx serving the corpus as a PEP 503 index, with and without PEP 658
metadata files: the right version is chosen, and with metadata files each lookup costs one page
and one small metadata request, with zero range requests."""
from __future__ import annotations

import json
import tempfile

import pytest

from conftest import CORPUS, run_cli

MANIFEST = {e["name"]: e for e in json.loads((CORPUS / "MANIFEST.json").read_text())}
TARGET = ["--python-version", "3.12", "--platform", "manylinux_2_28_x86_64"]


@pytest.mark.parametrize("project", sorted(MANIFEST))
def test_pep658_metadata_costs_one_small_request_and_no_range(binary, counted, project):
    proc = run_cli(binary, "metadata", project, "--json", "--index-url", f"{counted.url}/simple-pep658/", *TARGET)
    got = json.loads(proc.stdout)
    assert got["version"] == MANIFEST[project]["version"]
    assert got["requiresDist"] == MANIFEST[project]["requiresDist"]
    assert got["metadataOrigin"] == "metadataFile"
    requests = counted.requests()
    assert [r.method for r in requests] == ["GET", "GET"], requests
    assert requests[0].uri.startswith("/simple-pep658/")
    assert requests[1].uri.endswith(".whl.metadata")
    assert all(r.range == "-" for r in requests), "no range request when a metadata file exists"


def test_pep691_json_index(binary, counted):
    proc = run_cli(binary, "metadata", "cryptography", "--json", "--index-url", f"{counted.url}/simple-json/", *TARGET)
    got = json.loads(proc.stdout)
    assert got["version"] == "43.0.3" and got["metadataOrigin"] == "metadataFile"
    requests = counted.requests()
    assert len(requests) == 2 and requests[0].uri.startswith("/simple-json/cryptography/")
    assert requests[1].uri.endswith(".whl.metadata") and requests[1].range == "-"


def test_lookup_by_range_requests_when_the_index_has_no_metadata_files(binary, counted):
    proc = run_cli(binary, "metadata", "numpy>=2", "--json", "--index-url", f"{counted.url}/simple/", *TARGET)
    got = json.loads(proc.stdout)
    assert got["name"] == "numpy" and got["version"] == "2.1.3"
    assert got["availableVersions"] == ["2.1.3"]
    assert got["hasCompatibleWheel"] is True
    requests = counted.requests()
    assert requests[0].uri.startswith("/simple/numpy/")
    ranges = [r for r in requests[1:]]
    assert 1 <= len(ranges) <= 3 and all(r.range.startswith("bytes=") for r in ranges), requests
    assert all(r.method == "GET" for r in requests)


def test_second_process_answers_from_the_disk_cache(binary, counted):
    cache = tempfile.mkdtemp(prefix="lazywheel-cache-")
    args = ["metadata", "requests", "--json", "--index-url", f"{counted.url}/simple/", *TARGET]
    run_cli(binary, *args, env={"XDG_CACHE_HOME": cache})
    counted.clear_log()
    got = json.loads(run_cli(binary, *args, env={"XDG_CACHE_HOME": cache}).stdout)
    assert got["version"] == "2.32.3"
    assert [r for r in counted.requests() if r.range != "-"] == [], "no range request on a warm cache"


def test_no_matching_version_and_unknown_project_are_clear_errors(binary, nginx):
    proc = run_cli(binary, "metadata", "requests<1", "--index-url", f"{nginx.url}/simple/", *TARGET, check=False)
    assert proc.returncode != 0 and "2.32.3" in proc.stderr
    proc = run_cli(binary, "metadata", "no-such-project", "--index-url", f"{nginx.url}/simple/", *TARGET, check=False)
    assert proc.returncode != 0 and "no-such-project" in proc.stderr


def test_no_index_configured_says_how_to_set_one(binary):
    env = {"HOME": tempfile.mkdtemp(), "XDG_CONFIG_HOME": tempfile.mkdtemp()}
    proc = run_cli(binary, "metadata", "requests", env=env, check=False)
    assert proc.returncode != 0
    for hint in ("--index-url", "LAZYWHEEL_INDEX_URL", "PIP_INDEX_URL", "UV_INDEX_URL"):
        assert hint in proc.stderr, proc.stderr


def test_index_from_environment(binary, nginx):
    proc = run_cli(binary, "metadata", "idna", "--json", *TARGET, env={"PIP_INDEX_URL": f"{nginx.url}/simple/"})
    assert json.loads(proc.stdout)["version"] == "3.10"


def test_server_hover_by_name(serve, nginx):
    client = serve(options={"indexUrl": f"{nginx.url}/simple-pep658/", "python": "3.12",
                            "platform": "manylinux_2_28_x86_64"})
    got = client.request("getMetadata", {"project": "pydantic", "specifier": ">=2"})
    assert got["version"] == "2.10.3"
    assert got["latestVersion"] == "2.10.3"
    assert got["yanked"] is False and got["hasCompatibleWheel"] is True
    assert got["fileUrl"].endswith("pydantic-2.10.3-py3-none-any.whl")
    err = None
    try:
        client.request("getMetadata", {"project": "pydantic", "specifier": "<1"})
    except Exception as error:  # noqa: BLE001
        err = error
    assert getattr(err, "code", None) == -32051
