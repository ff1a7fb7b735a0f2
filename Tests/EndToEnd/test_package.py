"""What users install without a Swift toolchain, built by scripts/package and installed as a user
would: the wheel into a fresh virtual environment (`lazywheel --version`, `lazywheel metadata`
over loopback, `python -m lazywheel`, a `Client` round trip), the installed files run inside a
minimal Debian root that has no Swift and no libcurl (debootstrap --variant=minbase, cached in
~/.cache/lazywheel-test, then chroot), and the VSIX's structure. One version everywhere, one
license everywhere.

The release build and the Debian root are cached between runs (.build-package, ignored by git;
~/.cache/lazywheel-test): warm, this file takes about a minute; cold, the release build takes
about five minutes on two cores and debootstrap three (it downloads from the Debian mirror of
this machine's apt sources)."""
from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import venv
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest

from conftest import REPO, isolated_environment
from test_editors import need as need_on_path

VERSION = re.search(r'static let current = "([^"]+)"',
                    (REPO / "Sources" / "LazyWheelCore" / "Version.swift").read_text()).group(1)
FIXTURE_WHEEL = "idna-3.10-py3-none-any.whl"
# Outside the repository and outside the run's temporary folder, so that it outlives both.
CACHE = Path(os.environ.get("LAZYWHEEL_TEST_CACHE") or Path.home() / ".cache" / "lazywheel-test")


def need(program: str) -> str:
    """`program`, also from the administrator's folders (chroot, debootstrap)."""
    return shutil.which(program, path="/usr/sbin:/sbin") or need_on_path(program)


@pytest.fixture(scope="module")
def dist() -> dict:
    """scripts/package's wheel and VSIX (the release build is incremental, in .build-package)."""
    for tool in ("patchelf", "readelf", "objdump"):
        need(tool)
    proc = subprocess.run([str(REPO / "scripts" / "package")], cwd=REPO, capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    wheels = list((REPO / "dist").glob(f"lazywheel-{VERSION}-py3-none-manylinux_*_x86_64.whl"))
    assert len(wheels) == 1, proc.stdout + proc.stderr
    return {"wheel": wheels[0], "vsix": REPO / "dist" / f"lazywheel-{VERSION}.vsix"}


@pytest.fixture(scope="module")
def installed(dist, tmp_path_factory) -> Path:
    """A fresh virtual environment with the wheel installed by pip."""
    environment = tmp_path_factory.mktemp("venv")
    venv.EnvBuilder(with_pip=True).create(environment)
    proc = subprocess.run([str(environment / "bin" / "python"), "-m", "pip", "install", "--no-index", "-q",
                           str(dist["wheel"])], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return environment


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    proc = subprocess.run(command, capture_output=True, text=True, timeout=120, env=isolated_environment(), **kwargs)
    assert proc.returncode == 0, f"{command} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    return proc


def test_the_wheel_installs_a_command_a_module_and_the_client(installed, nginx):
    command = installed / "bin" / "lazywheel"
    assert run([str(command), "--version"]).stdout.strip() == VERSION
    assert run([str(installed / "bin" / "python"), "-m", "lazywheel", "--version"]).stdout.strip() == VERSION
    url = f"{nginx.url}/wheels/{FIXTURE_WHEEL}"
    metadata = json.loads(run([str(command), "metadata", url, "--json"]).stdout)
    assert (metadata["name"], metadata["version"]) == ("idna", "3.10")
    # The reference client, imported from the installed package, starting the installed binary.
    script = f"""
import json, lazywheel
from lazywheel import Client
with Client.start() as client:
    info = client.initialize()["serverInfo"]
    handle = client.request("openWheel", {{"url": {url!r}}})["handle"]
    metadata = client.request("getMetadata", {{"handle": handle}})
    client.shutdown_and_exit()
print(json.dumps({{"info": info, "version": lazywheel.__version__, "binary": lazywheel.find_executable(),
                  "name": metadata["name"], "module": lazywheel.__file__}}))
"""
    answer = json.loads(run([str(installed / "bin" / "python"), "-c", script], cwd=installed).stdout)
    assert answer["info"] == {"name": "lazywheel", "version": VERSION}
    assert answer["version"] == VERSION
    assert answer["binary"] == str(command)
    assert answer["name"] == "idna"
    assert answer["module"].startswith(str(installed))


def test_the_wheel_runs_in_a_debian_root_without_swift_or_libcurl(installed, nginx):
    """The installed command and the libraries installed with it, copied into a minimal Debian
    root as they lie in the environment (bin/, lib/lazywheel/), run there: nothing from the Swift
    toolchain nor any library outside the manylinux policy is needed."""
    if os.geteuid() != 0:
        pytest.skip("chroot and mounting /proc need root")
    root = debian_root()
    prefix = root / "opt" / "lazywheel"
    shutil.rmtree(prefix, ignore_errors=True)
    (prefix / "bin").mkdir(parents=True)
    shutil.copy2(installed / "bin" / "lazywheel", prefix / "bin" / "lazywheel")
    shutil.copytree(installed / "lib" / "lazywheel", prefix / "lib" / "lazywheel")
    assert not list(root.glob("usr/lib/x86_64-linux-gnu/libcurl*")), "the Debian root should have no libcurl"
    assert not (root / "usr" / "bin" / "swift").exists()
    # The dynamic loader finds $ORIGIN through /proc/self/exe, as on every running system.
    subprocess.run([need("mount"), "-t", "proc", "proc", str(root / "proc")], check=True)
    try:
        env = {"PATH": "/usr/bin:/bin", "HOME": "/root", "XDG_CACHE_HOME": "/tmp/lazywheel-cache", "LANG": "C.UTF-8"}
        chroot = [need("chroot"), str(root), "/opt/lazywheel/bin/lazywheel"]
        assert subprocess.run([*chroot, "--version"], env=env, capture_output=True, text=True, timeout=60).stdout.strip() == VERSION
        proc = subprocess.run([*chroot, "metadata", f"{nginx.url}/wheels/{FIXTURE_WHEEL}", "--json"],
                              env=env, capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout)["name"] == "idna"
        loads = subprocess.run([need("chroot"), str(root), "ldd", "/opt/lazywheel/bin/lazywheel"],
                               env=env, capture_output=True, text=True, timeout=60).stdout
        assert "not found" not in loads and "swift" not in loads.lower(), loads
    finally:
        subprocess.run([need("umount"), str(root / "proc")], check=False)


def debian_root() -> Path:
    """A `debootstrap --variant=minbase` root of the host's Debian release, made once and kept in
    ~/.cache/lazywheel-test; the mirror is the one in this machine's apt sources."""
    need("debootstrap")
    suite, mirror = debian_mirror()
    root = CACHE / f"debian-{suite}-minbase"
    if (root / "usr" / "bin" / "apt-get").exists():
        return root
    partial = root.with_name(root.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    CACHE.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run([need("debootstrap"), "--variant=minbase", suite, str(partial), mirror],
                          capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    partial.rename(root)
    return root


def debian_mirror() -> tuple[str, str]:
    """(suite, mirror URL) of the host's first Debian `main` source in /etc/apt (deb822 `.sources`
    files or one-line `.list` files), for the host's own release."""
    release = dict(line.split("=", 1) for line in Path("/etc/os-release").read_text().splitlines() if "=" in line)
    suite = release.get("VERSION_CODENAME", "bookworm").strip('"')
    apt = Path("/etc/apt")
    for sources in sorted(apt.glob("sources.list.d/*.sources")):
        for stanza in re.split(r"\n\s*\n", sources.read_text()):
            fields = {}
            for line in stanza.splitlines():
                if ":" in line and not line.startswith("#"):
                    key, value = line.split(":", 1)
                    fields[key.strip().lower()] = value.split()
            if "deb" in fields.get("types", []) and suite in fields.get("suites", []) and "main" in fields.get("components", []):
                return suite, fields["uris"][0]
    for sources in [apt / "sources.list", *sorted(apt.glob("sources.list.d/*.list"))]:
        if not sources.exists():
            continue
        for line in sources.read_text().splitlines():
            words = re.sub(r"\[[^\]]*\]", "", line).split()
            if len(words) >= 4 and words[0] == "deb" and words[2] == suite and "main" in words[3:]:
                return suite, words[1]
    pytest.skip(f"no Debian {suite} main source in /etc/apt to debootstrap from")


def test_the_wheel_is_tagged_from_the_glibc_versions_its_files_need(dist):
    """The tag's glibc is the newest GLIBC_ version any ELF file of the wheel needs (read here
    with objdump, scripts/package uses readelf), and the file layout is the one installers expect."""
    with tempfile.TemporaryDirectory() as scratch, zipfile.ZipFile(dist["wheel"]) as wheel:
        wheel.extractall(scratch)
        names = wheel.namelist()
        newest = (0, 0)
        for name in names:
            path = Path(scratch) / name
            if path.read_bytes()[:4] != b"\x7fELF":
                continue
            symbols = subprocess.run(["objdump", "-T", str(path)], capture_output=True, text=True, check=True).stdout
            for major, minor in re.findall(r"\bGLIBC_(\d+)\.(\d+)", symbols):
                newest = max(newest, (int(major), int(minor)))
        tag = re.search(r"manylinux_(\d+)_(\d+)_x86_64", dist["wheel"].name)
        assert (int(tag.group(1)), int(tag.group(2))) == newest
        dist_info = f"lazywheel-{VERSION}.dist-info"
        wheel_file = wheel.read(f"{dist_info}/WHEEL").decode()
        assert f"Tag: py3-none-manylinux_{newest[0]}_{newest[1]}_x86_64" in wheel_file
        assert "Root-Is-Purelib: false" in wheel_file
        assert f"lazywheel-{VERSION}.data/scripts/lazywheel" in names
        assert "lazywheel/__init__.py" in names and "lazywheel/__main__.py" in names
        assert f"lazywheel-{VERSION}.data/data/lib/lazywheel/libcurl.so.4" in names
        # RECORD lists every other member with its hash (PEP 376 / 427).
        record = {row.split(",")[0]: row.split(",")[1] for row in wheel.read(f"{dist_info}/RECORD").decode().splitlines()}
        assert set(record) == set(names)
        for name in names:
            if name.endswith("RECORD"):
                continue
            digest = base64.urlsafe_b64encode(hashlib.sha256(wheel.read(name)).digest()).rstrip(b"=").decode()
            assert record[name] == f"sha256={digest}", name


def test_auditwheel_finds_the_wheel_consistent_with_its_tag(dist):
    """auditwheel, the manylinux reference checker, reads the unpacked wheel (libraries found
    through the binary's RUNPATH) and agrees with the tag, libstdc++ versions included."""
    proc = subprocess.run([sys.executable, "-m", "auditwheel", "show", str(dist["wheel"])],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    tag = re.search(r"manylinux_\d+_\d+_x86_64", dist["wheel"].name).group(0)
    assert f'consistent with the following platform tag: "{tag}"' in " ".join(proc.stdout.split()), proc.stdout


def test_one_version_and_one_license_everywhere(dist, installed):
    package_json = json.loads((REPO / "editors" / "vscode" / "package.json").read_text())
    assert package_json["version"] == VERSION
    assert package_json["license"] == "MIT"
    assert (REPO / "LICENSE").read_text().startswith("MIT License")
    init = (REPO / "protocol" / "clients" / "python" / "lazywheel" / "__init__.py").read_text()
    assert f'__version__ = "{VERSION}"' in init
    assert f";; Version: {VERSION}" in (REPO / "editors" / "emacs" / "lazywheel.el").read_text()
    with zipfile.ZipFile(dist["wheel"]) as wheel:
        metadata = wheel.read(f"lazywheel-{VERSION}.dist-info/METADATA").decode()
        assert "lazywheel-{}.dist-info/licenses/LICENSE".format(VERSION) in wheel.namelist()
    headers = metadata.split("\n\n", 1)[0].splitlines()
    assert "Metadata-Version: 2.4" in headers
    assert f"Version: {VERSION}" in headers
    assert "License-Expression: MIT" in headers
    assert "License-File: LICENSE" in headers
    assert not any(line.startswith("License:") for line in headers)
    # packaging (the test oracle) reads the metadata and the license expression.
    from packaging.metadata import Metadata
    parsed = Metadata.from_email(metadata, validate=True)
    assert str(parsed.version) == VERSION and str(parsed.license_expression) == "MIT"
    with zipfile.ZipFile(dist["vsix"]) as vsix:
        assert json.loads(vsix.read("extension/package.json"))["version"] == VERSION
        identity = ElementTree.fromstring(vsix.read("extension.vsixmanifest")).find(".//{*}Identity")
        assert identity.get("Version") == VERSION
        assert vsix.read("extension/LICENSE.txt") == (REPO / "LICENSE").read_bytes()


def test_the_vsix_is_a_vs_code_package_with_the_binary_bundled(dist, tmp_path):
    with zipfile.ZipFile(dist["vsix"]) as vsix:
        names = vsix.namelist()
        assert names[:2] == ["extension.vsixmanifest", "[Content_Types].xml"]
        types = ElementTree.fromstring(vsix.read("[Content_Types].xml"))
        declared = {default.get("Extension") for default in types.findall("{*}Default")}
        assert {Path(name).suffix.lower() for name in names if name != "[Content_Types].xml" and Path(name).suffix} <= declared
        manifest = ElementTree.fromstring(vsix.read("extension.vsixmanifest"))
        identity = manifest.find(".//{*}Identity")
        package_json = json.loads(vsix.read("extension/package.json"))
        assert (identity.get("Id"), identity.get("Publisher")) == (package_json["name"], package_json["publisher"])
        assert identity.get("TargetPlatform") == "linux-x64"
        engine = manifest.find(".//{*}Property[@Id='Microsoft.VisualStudio.Code.Engine']")
        assert engine.get("Value") == package_json["engines"]["vscode"]
        for asset in manifest.findall(".//{*}Asset"):
            assert asset.get("Path") in names, asset.get("Path")
        main = os.path.normpath(os.path.join("extension", package_json["main"]))
        assert (main if main.endswith(".js") else main + ".js") in names
        assert "extension/src/serverPath.js" in names
        assert not [name for name in names if "/test/" in name or "node_modules" in name]
        binary = vsix.getinfo("extension/server/bin/lazywheel")
        assert (binary.external_attr >> 16) & 0o111, "the bundled binary must be executable"
        vsix.extractall(tmp_path)
    for name in names:  # zipfile drops the mode bits; VS Code's installer keeps them.
        mode = (vsix.getinfo(name).external_attr >> 16) & 0o777
        if mode:
            (tmp_path / name).chmod(mode)
    bundled = tmp_path / "extension" / "server" / "bin" / "lazywheel"
    assert run([str(bundled), "--version"]).stdout.strip() == VERSION
    # The extension's own finder picks the bundled binary when nothing else is configured.
    script = ("const { findServer } = require(process.argv[1]);"
              "console.log(findServer({ setting: '', extensionPath: process.argv[2], env: { PATH: '' } }));")
    node = need("node")
    found = run([node, "-e", script, str(tmp_path / "extension" / "src" / "serverPath.js"), str(tmp_path / "extension")])
    assert found.stdout.strip() == str(bundled)
