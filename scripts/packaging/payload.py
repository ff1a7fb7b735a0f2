"""The files that ship lazywheel's binary: the stripped release binary and the shared libraries
it loads that the manylinux policy does not promise (libcurl for FoundationNetworking, and
libcurl's own), laid out as `bin/lazywheel` and `lib/lazywheel/<soname>` under one prefix.

The binary's RUNPATH is `$ORIGIN/../lib/lazywheel` and each carried library's is `$ORIGIN`, so the
binary finds them wherever that prefix is installed ($ORIGIN is the binary's real directory, so
symlinks to it keep working). The wheel and the VS Code package both use this layout.
"""
from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import elf


@dataclass
class Payload:
    program: Path
    libraries: dict[str, Path]  # soname → prepared copy
    # (package, copyright file) of each Debian package a carried library comes from.
    notices: list[tuple[str, Path]] = field(default_factory=list)

    @property
    def files(self) -> list[Path]:
        return [self.program, *self.libraries.values()]

    def manylinux_tag(self) -> str:
        """PEP 600's tag: the newest glibc symbol version the binary or a carried library needs."""
        major, minor = elf.newest_glibc(self.files)
        return f"manylinux_{major}_{minor}_x86_64"


def debian_copyright(library: Path) -> tuple[str, Path] | None:
    """The Debian package that installed `library` and its copyright file, when dpkg knows it."""
    for candidate in (str(library), str(library).replace("/usr/lib/", "/lib/", 1)):  # usrmerge
        owner = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
        if owner.returncode == 0:
            package = owner.stdout.split(":", 1)[0].strip()
            copyright_file = Path("/usr/share/doc") / package / "copyright"
            return (package, copyright_file) if copyright_file.is_file() else None
    return None


def prepare(binary: Path, folder: Path) -> Payload:
    """Copies `binary` (stripped) and the libraries it needs into `folder`, RUNPATHs set."""
    (folder / "bin").mkdir(parents=True)
    (folder / "lib" / "lazywheel").mkdir(parents=True)
    program = folder / "bin" / "lazywheel"
    shutil.copy2(binary, program)
    subprocess.run(["strip", "--strip-unneeded", str(program)], check=True)
    payload = Payload(program=program, libraries={})
    for soname, source in sorted(elf.libraries_to_carry(binary).items()):
        copy = folder / "lib" / "lazywheel" / soname
        shutil.copy2(source, copy)
        copy.chmod(0o755)
        subprocess.run(["patchelf", "--set-rpath", "$ORIGIN", str(copy)], check=True)
        payload.libraries[soname] = copy
        notice = debian_copyright(source)
        if notice and notice not in payload.notices:
            payload.notices.append(notice)
    if payload.libraries:
        # The second entry is where the libraries lie in an unpacked wheel (`.data/scripts` next to
        # `.data/data/lib`), so tools that check a wheel without installing it (auditwheel show)
        # resolve the files the installed binary loads; installed, the first entry finds them.
        runpath = "$ORIGIN/../lib/lazywheel:$ORIGIN/../data/lib/lazywheel"
        subprocess.run(["patchelf", "--set-rpath", runpath, str(program)], check=True)
    return payload
