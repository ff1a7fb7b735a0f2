"""Builds lazywheel's platform wheel (PEP 427 layout, PEP 600 tag, core metadata 2.4 with PEP 639
license fields) from a release binary linked with `--static-swift-stdlib`.

    (called by scripts/packaging/build.py)

The binary goes to `lazywheel-V.data/scripts/lazywheel`, so installers put it on PATH as the
`lazywheel` command with no Python in between. The libraries it needs beyond the manylinux policy
(payload.py) go to `lazywheel-V.data/data/lib/lazywheel/`, which installers put at
`<prefix>/lib/lazywheel` for the same scheme whose `<prefix>/bin` holds the command, so the
binary's RUNPATH `$ORIGIN/../lib/lazywheel` finds them in a virtual environment, a `--user` or
`--target` install, `uv tool install` and `pipx` alike.
"""
from __future__ import annotations

import base64
import hashlib
import sys
import zipfile
from pathlib import Path

import elf
import payload

REPO = Path(__file__).resolve().parents[2]
CLIENT = REPO / "protocol" / "clients" / "python" / "lazywheel"
LICENSE_EXPRESSION = "MIT"
SUMMARY = ("Read Python wheels lazily over HTTP (metadata, listings and members with a few range "
           "requests); a resolver, and a JSON-RPC and language server for editors.")
# Wheel members get this time, so the same inputs give the same wheel.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def metadata(version: str, license_files: list[str]) -> str:
    lines = [
        "Metadata-Version: 2.4",
        "Name: lazywheel",
        f"Version: {version}",
        f"Summary: {SUMMARY}",
        f"License-Expression: {LICENSE_EXPRESSION}",
        *(f"License-File: {name}" for name in license_files),
        "Requires-Python: >=3.8",
        "Classifier: Operating System :: POSIX :: Linux",
        "Classifier: Programming Language :: Swift",
        "Classifier: Topic :: Software Development :: Build Tools",
        "Description-Content-Type: text/markdown",
    ]
    description = (
        "# lazywheel\n\n" + SUMMARY + "\n\nInstalls the `lazywheel` command (`lazywheel metadata URL`, "
        "`ls`, `cat`, `resolve`, `serve`), `python -m lazywheel`, and the reference client of "
        "`lazywheel serve`:\n\n```python\nfrom lazywheel import Client\n\nwith Client.start() as client:\n"
        "    print(client.initialize()[\"serverInfo\"])\n```\n")
    return "\n".join(lines) + "\n\n" + description


def record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def build(files: payload.Payload, version: str, out: Path) -> Path:
    data_dir = f"lazywheel-{version}.data"
    dist_info = f"lazywheel-{version}.dist-info"
    members: list[tuple[str, bytes, int]] = []  # (name in the wheel, bytes, mode)
    license_files = ["LICENSE"]
    members.append((f"{dist_info}/licenses/LICENSE", (REPO / "LICENSE").read_bytes(), 0o644))
    for package, copyright_file in files.notices:
        license_files.append(f"bundled/{package}/copyright")
        members.append((f"{dist_info}/licenses/bundled/{package}/copyright", copyright_file.read_bytes(), 0o644))
    members.append((f"{data_dir}/scripts/lazywheel", files.program.read_bytes(), 0o755))
    for soname, library in files.libraries.items():
        members.append((f"{data_dir}/data/lib/lazywheel/{soname}", library.read_bytes(), 0o755))
    for source in sorted(CLIENT.glob("*.py")):
        text = source.read_text()
        if source.name == "__init__.py" and f'__version__ = "{version}"' not in text:
            raise SystemExit(f"scripts/package: {source} does not say __version__ = \"{version}\"")
        members.append((f"lazywheel/{source.name}", text.encode(), 0o644))
    tag = f"py3-none-{files.manylinux_tag()}"
    members.append((f"{dist_info}/METADATA", metadata(version, license_files).encode(), 0o644))
    wheel_file = ("Wheel-Version: 1.0\nGenerator: lazywheel scripts/package\n"
                  f"Root-Is-Purelib: false\nTag: {tag}\n")
    members.append((f"{dist_info}/WHEEL", wheel_file.encode(), 0o644))
    record = [record_line(name, data) for name, data, _ in members] + [f"{dist_info}/RECORD,,"]
    members.append((f"{dist_info}/RECORD", ("\n".join(record) + "\n").encode(), 0o644))

    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("lazywheel-*.whl"):
        old.unlink()
    target = out / f"lazywheel-{version}-{tag}.whl"
    write_zip(target, members)
    needs = {prefix: elf.newest_of(files.files, prefix) for prefix in ("GLIBC_", "GLIBCXX_", "CXXABI_", "GCC_")}
    print(f"scripts/package: {target.name}, {target.stat().st_size / 1e6:.1f} MB; carries "
          f"{', '.join(files.libraries) or 'no library'}; needs {needs}", file=sys.stderr)
    return target


def write_zip(target: Path, members: list[tuple[str, bytes, int]]) -> None:
    """Writes `members` (name, bytes, Unix mode) with fixed times, so the same inputs give the same file."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data, mode in members:
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
