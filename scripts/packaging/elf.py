"""What an ELF file needs from the system, read with binutils' readelf and glibc's ldd (Linux).

Used by scripts/package to choose the wheel's manylinux tag (PEP 600: `manylinux_X_Y` where glibc
X.Y is the newest version of any glibc symbol the files need) and to find the shared libraries
the wheel must carry because the manylinux policy does not promise them on every system.
"""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

# The libraries every manylinux system provides (the manylinux policy's list, as auditwheel's
# policy.json has it): everything else the binary loads is carried in the wheel.
SYSTEM_LIBRARIES = {
    "libc.so.6", "libm.so.6", "libdl.so.2", "librt.so.1", "libpthread.so.0", "libresolv.so.2",
    "libutil.so.1", "libnsl.so.1", "libgcc_s.so.1", "libstdc++.so.6", "ld-linux-x86-64.so.2",
}


def needed_libraries(path: Path) -> list[str]:
    """The DT_NEEDED entries of `path`, in order."""
    dynamic = subprocess.run(["readelf", "--dynamic", "--wide", str(path)],
                             check=True, capture_output=True, text=True).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", dynamic)


def version_needs(path: Path) -> dict[str, set[str]]:
    """The symbol versions `path` needs, by the library that defines them (`.gnu.version_r`):
    {"libc.so.6": {"GLIBC_2.2.5", "GLIBC_2.34"}, "libstdc++.so.6": {"GLIBCXX_3.4"}, …}."""
    text = subprocess.run(["readelf", "--version-info", "--wide", str(path)],
                          check=True, capture_output=True, text=True).stdout
    section = text.split("Version needs section", 1)
    needs: dict[str, set[str]] = {}
    if len(section) < 2:
        return needs
    library = None
    for line in section[1].splitlines():
        if match := re.search(r"File: (\S+)", line):
            library = match.group(1)
            needs.setdefault(library, set())
        elif (match := re.search(r"Name: (\S+)", line)) and library:
            needs[library].add(match.group(1))
    return needs


def newest_glibc(paths: list[Path]) -> tuple[int, int]:
    """The newest `GLIBC_X.Y` symbol version any of `paths` needs."""
    newest = (2, 5)
    for path in paths:
        for versions in version_needs(path).values():
            for version in versions:
                if match := re.fullmatch(r"GLIBC_(\d+)\.(\d+)(?:\.\d+)?", version):
                    newest = max(newest, (int(match.group(1)), int(match.group(2))))
    return newest


def newest_of(paths: list[Path], prefix: str) -> str | None:
    """The newest version named `prefix…` (e.g. "GLIBCXX_") any of `paths` needs, for the report."""
    found = {v for p in paths for vs in version_needs(p).values() for v in vs if v.startswith(prefix)}
    key = lambda v: tuple(int(part) for part in re.findall(r"\d+", v))
    return max(found, key=key) if found else None


def libraries_to_carry(binary: Path) -> dict[str, Path]:
    """The shared libraries `binary` loads (directly or through another library) that are not in
    the manylinux policy, by soname, with the file the dynamic loader resolves each to here."""
    listing = subprocess.run(["ldd", str(binary)], check=True, capture_output=True, text=True).stdout
    carried: dict[str, Path] = {}
    for line in listing.splitlines():
        match = re.match(r"\s*(\S+) => (\S+) \(0x", line)
        if not match:
            if "not found" in line:
                raise SystemExit(f"scripts/package: {binary} needs a library this machine lacks: {line.strip()}")
            continue
        soname, resolved = match.groups()
        if soname not in SYSTEM_LIBRARIES:
            carried[soname] = Path(resolved).resolve()
    return carried
