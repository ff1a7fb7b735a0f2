"""Each editor plugin without a `lazywheel` executable, and finding one where installers put it:
Neovim (headless) and Emacs (--batch) say once, in words, that it was not found and how to
install it or point at it, and the file still opens; Neovim and Emacs find it in the active
virtual environment and in ~/.local/bin (uv tool, pipx). VS Code's side (setting, PATH, bundled
binary, spawn ENOENT) is editors/vscode/test/serverPath.test.js, run by test_editors.py."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from test_editors import need

EDITORS = Path(__file__).resolve().parents[2] / "editors"


def fake_executable(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    program = folder / "lazywheel"
    program.write_text("#!/bin/sh\nexit 0\n")
    program.chmod(0o755)
    return program


def bare_environment(home: Path, **extra: str) -> dict:
    """PATH without any lazywheel, HOME empty unless the test fills it."""
    home.mkdir(parents=True, exist_ok=True)
    return {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8", **extra}


def run_neovim(env: dict, tmp_path: Path) -> dict:
    result = tmp_path / "nvim-executable.json"
    subprocess.run([need("nvim"), "--headless", "-u", "NONE", "-i", "NONE", "-n",
                    "-c", f"luafile {EDITORS / 'neovim' / 'test' / 'executable.lua'}"],
                   env={**env, "LAZYWHEEL_TEST_RESULT": str(result)}, cwd=tmp_path, timeout=30, capture_output=True)
    return json.loads(result.read_text())


def test_neovim_says_once_that_lazywheel_is_missing(tmp_path):
    result = run_neovim(bare_environment(tmp_path / "home"), tmp_path)
    assert result["found"] is None
    assert result["commands"] == [None, None]
    [message] = result["messages"]
    assert "lazywheel executable was not found" in message["message"]
    assert "uv tool install lazywheel" in message["message"]
    assert "cmd = {" in message["message"]


def installed_in(place: str, tmp_path: Path) -> tuple[Path, dict]:
    """A stand-in `lazywheel` in the active virtual environment, or where uv tool and pipx put
    commands, and the environment the editor runs in."""
    home = tmp_path / "home"
    if place == "virtualenv":
        return fake_executable(tmp_path / "venv" / "bin"), bare_environment(home, VIRTUAL_ENV=str(tmp_path / "venv"))
    return fake_executable(home / ".local" / "bin"), bare_environment(home)


@pytest.mark.parametrize("place", ["virtualenv", "uv-tool-or-pipx"])
def test_neovim_finds_lazywheel_where_installers_put_it(tmp_path, place):
    program, env = installed_in(place, tmp_path)
    result = run_neovim(env, tmp_path)
    assert result["found"] == str(program)
    assert result["commands"][0] == [str(program), "serve"]
    assert result["messages"] == []


def run_emacs(env: dict, tmp_path: Path, form: str) -> subprocess.CompletedProcess:
    return subprocess.run([need("emacs"), "--batch", "-Q", "-L", str(EDITORS / "emacs"), "-l", "lazywheel",
                           "--eval", form], env=env, cwd=tmp_path, timeout=30, capture_output=True, text=True)


def test_emacs_opens_the_file_and_says_once_that_lazywheel_is_missing(tmp_path):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("idna==3.10\n")
    constraints = tmp_path / "constraints.txt"
    constraints.write_text("idna<4\n")
    form = f"""(progn
      (add-hook 'find-file-hook #'lazywheel-maybe-enable)
      (find-file {json.dumps(str(requirements))})
      (find-file {json.dumps(str(constraints))})
      (princ (format "buffer=%s mode=%s\\n" (buffer-name) (if lazywheel-mode "on" "off"))))"""
    proc = run_emacs(bare_environment(tmp_path / "home"), tmp_path, form)
    assert proc.returncode == 0, proc.stderr
    assert "buffer=constraints.txt mode=off" in proc.stdout
    assert "Searching for program" not in proc.stderr
    assert proc.stderr.count("lazywheel executable was not found") == 1, proc.stderr
    assert "uv tool install lazywheel" in proc.stderr
    assert "lazywheel-server-command" in proc.stderr


@pytest.mark.parametrize("place", ["virtualenv", "uv-tool-or-pipx"])
def test_emacs_finds_lazywheel_where_installers_put_it(tmp_path, place):
    program, env = installed_in(place, tmp_path)
    proc = run_emacs(env, tmp_path, '(princ (format "%S" (lazywheel-server-command)))')
    assert proc.stdout == f'("{program}" "serve")', proc.stderr
