"""Where the `lazywheel` binary is: the wheel installs it in the scripts directory of the install
scheme (a virtual environment's `bin/`, `~/.local/bin` for `--user`, `DIR/bin` for `--target DIR`)."""
from __future__ import annotations

import os
import shutil
import sys
import sysconfig
from pathlib import Path

NAME = "lazywheel.exe" if sys.platform == "win32" else "lazywheel"


class ExecutableNotFound(FileNotFoundError):
    """No `lazywheel` binary next to this package nor on PATH."""


def _user_scripts() -> Path | None:
    try:
        scheme = sysconfig.get_preferred_scheme("user")
    except AttributeError:  # Python < 3.10
        scheme = "nt_user" if os.name == "nt" else "posix_user"
    try:
        return Path(sysconfig.get_path("scripts", scheme))
    except KeyError:
        return None


def find_executable() -> str:
    """The `lazywheel` binary installed with this package, else the first on PATH."""
    candidates = [
        Path(sysconfig.get_path("scripts")) / NAME,
        (_user_scripts() or Path(os.devnull)) / NAME,
        Path(__file__).resolve().parents[1] / "bin" / NAME,  # pip install --target DIR
    ]
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    on_path = shutil.which(NAME)
    if on_path:
        return on_path
    raise ExecutableNotFound(
        "the lazywheel binary was not found next to the lazywheel package nor on PATH; "
        "install the wheel (`pip install lazywheel-….whl` or `uv tool install lazywheel-….whl`, "
        "built by scripts/package) or build it from source (`swift build -c release`)")
