"""The editor integrations against the real server and an nginx simple index: headless Neovim,
Emacs --batch (ERT), and the VS Code extension's protocol code under `node --test`.

The editors are installed by scripts/test (apt: neovim emacs-nox nodejs); these tests install
nothing. A missing editor fails the test when CI is set and skips it otherwise."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EDITORS = REPO / "editors"

REQUIREMENTS = "idna==3.10\nurllib3>=99\nno-such-project-here\n"
PYPROJECT = '[project]\nname = "demo"\ndependencies = ["requests>=2", "nonexistent-thing"]\n'


def need(program: str) -> str:
    path = shutil.which(program)
    if path is None:
        message = f"{program} is not installed (scripts/test installs neovim, emacs-nox and nodejs with apt-get)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture
def fixture_files(tmp_path) -> dict:
    project = tmp_path / "project"
    project.mkdir()
    (project / "requirements.txt").write_text(REQUIREMENTS)
    (project / "pyproject.toml").write_text(PYPROJECT)
    return {"requirements": project / "requirements.txt", "pyproject": project / "pyproject.toml", "dir": project}


def test_neovim_hover_diagnostics_and_info(editor_env, fixture_files, tmp_path):
    nvim = need("nvim")
    out = tmp_path / "nvim-results.json"
    env = dict(editor_env,
               LAZYWHEEL_TEST_OUT=str(out),
               LAZYWHEEL_PLUGIN_DIR=str(EDITORS / "neovim"),
               LAZYWHEEL_TEST_REQUIREMENTS=str(fixture_files["requirements"]),
               LAZYWHEEL_TEST_PYPROJECT=str(fixture_files["pyproject"]))
    subprocess.run([nvim, "--headless", "-u", "NONE", "-i", "NONE", "-n",
                    "-c", f"luafile {EDITORS / 'neovim' / 'test' / 'headless.lua'}"],
                   env=env, cwd=fixture_files["dir"], timeout=60, capture_output=True)
    assert out.exists(), "Neovim wrote no results"
    results = json.loads(out.read_text())
    assert results["errors"] == []
    requirements = results["requirements"]
    assert "**idna** `3.10`" in requirements["hover"]
    assert "Internationalized Domain Names" in requirements["hover"]
    codes = {(d["line"], d["code"]) for d in requirements["diagnostics"]}
    assert (1, "no-matching-version") in codes
    assert (2, "unknown-project") in codes
    pyproject = results["pyproject"]
    assert "**requests** `2.32.3`" in pyproject["hover"]
    assert (2, "unknown-project") in {(d["line"], d["code"]) for d in pyproject["diagnostics"]}
    assert "idna-3.10.dist-info/METADATA" in results["info"]["entries"]
    assert "Wheel-Version: 1.0" in results["info"]["member"]


def test_emacs_eldoc_hover(editor_env, fixture_files, tmp_path):
    emacs = need("emacs")
    env = dict(editor_env,
               LAZYWHEEL_TEST_REQUIREMENTS=str(fixture_files["requirements"]),
               LAZYWHEEL_TEST_PYPROJECT=str(fixture_files["pyproject"]))
    proc = subprocess.run([emacs, "--batch", "-Q", "-L", str(EDITORS / "emacs"),
                           "-l", str(EDITORS / "emacs" / "test" / "lazywheel-test.el"),
                           "-f", "ert-run-tests-batch-and-exit"],
                          env=env, cwd=fixture_files["dir"], timeout=60, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_vscode_extension_protocol(editor_env):
    node = need("node")
    proc = subprocess.run([node, "--test", str(EDITORS / "vscode" / "test")], env=editor_env, cwd=EDITORS / "vscode",
                          timeout=60, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
