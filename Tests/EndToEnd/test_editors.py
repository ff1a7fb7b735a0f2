"""The editor integrations against the real server and an nginx simple index: headless Neovim,
Emacs --batch (ERT), and the VS Code extension's protocol code under `node --test`.

The editors are installed by scripts/test (apt: neovim emacs-nox nodejs); these tests install
nothing. A missing editor fails the test when CI is set and skips it otherwise."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
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
    # Every test ran: none skipped for want of the server or the index.
    assert "# skipped 0" in proc.stdout and "# fail 0" in proc.stdout, proc.stdout


# ---------------------------------------------------------------------------------------------
# The editors as a user drives them: a terminal (tmux) running Neovim or Emacs with the README's
# configuration copied as written, keys sent one by one, the screen read back.

import socket
import threading
import time


class Terminal:
    """A tmux session on a private socket: `keys` types, `screen` reads what the user sees."""

    def __init__(self, command: list[str], env: dict, cwd: Path, name: str):
        self.tmux = need("tmux")
        self.socket = f"lazywheel-test-{os.getpid()}-{name}"
        self.env = env
        subprocess.run([self.tmux, "-L", self.socket, "-f", "/dev/null", "new-session", "-d", "-x", "160", "-y", "45",
                        "-s", "t", "-c", str(cwd), *self._env_args(env), " ".join(_quote(c) for c in command)],
                       check=True, env=env)

    @staticmethod
    def _env_args(env: dict) -> list[str]:
        args = []
        for key in ("PATH", "HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "PIP_INDEX_URL",
                    "PIP_CONFIG_FILE", "UV_NO_CONFIG", "TERM", "LANG"):
            if key in env:
                args += ["-e", f"{key}={env[key]}"]
        return args

    def keys(self, *keys: str, literal: bool = False) -> None:
        subprocess.run([self.tmux, "-L", self.socket, "send-keys", "-t", "t", *(["-l"] if literal else []), *keys], check=True)

    def type(self, text: str) -> None:
        self.keys(text, literal=True)

    def screen(self) -> str:
        return subprocess.run([self.tmux, "-L", self.socket, "capture-pane", "-p", "-t", "t"],
                              check=True, capture_output=True, text=True).stdout

    def wait_for(self, predicate, timeout: float = 20, what: str = "") -> str:
        deadline = time.time() + timeout
        screen = ""
        while time.time() < deadline:
            screen = self.screen()
            if (predicate(screen) if callable(predicate) else predicate in screen):
                return screen
            time.sleep(0.05)
        raise AssertionError(f"the screen never showed {what or predicate!r}:\n{screen}")

    def close(self) -> None:
        subprocess.run([self.tmux, "-L", self.socket, "kill-server"], capture_output=True)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


@pytest.fixture
def user_env(editor_env, tmp_path) -> dict:
    """A user's shell: `lazywheel` on PATH (as the READMEs assume), their own HOME and config."""
    bin_dir = tmp_path / "user-bin"
    bin_dir.mkdir()
    (bin_dir / "lazywheel").symlink_to(editor_env["LAZYWHEEL_BIN"])
    # A python3 without pip: with no index configured the server would ask the user's pip,
    # whose default is a public index.
    (bin_dir / "python3").write_text(f"#!/bin/sh\ncase \"$1$2\" in -mpip) exit 1;; esac\n"
                                     f"case \"$2\" in *PyPI*) exit 1;; esac\nexec {sys.executable} \"$@\"\n")
    (bin_dir / "python3").chmod(0o755)
    env = dict(editor_env)
    env["PATH"] = f"{bin_dir}:{env.get('PATH', '/usr/bin:/bin')}"
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    env["XDG_STATE_HOME"] = str(tmp_path / "state")
    env["TERM"] = "xterm-256color"
    env["LANG"] = "C.UTF-8"
    return env


NVIM_REQUIREMENTS = "idna==3.10\nurllib3>=2.0\nno-such-project-here\ncertifi>=2020.1\n"
NVIM_PYPROJECT = """\
[project]
name = "demo"
dependencies = ["requests>=2"]

[dependency-groups]
dev = ["idna", "certifi"]

[tool.poetry.dependencies]
requests = "^2.31"
"""


def test_neovim_as_the_readme_says(user_env, simple_index, tmp_path):
    """`require('lazywheel').setup {}` with PIP_INDEX_URL; `K` at once after opening; hints as
    virtual text; a code action; :LazyWheelInfo on a dependency group and a poetry entry."""
    need("nvim")
    project = tmp_path / "project"
    project.mkdir()
    (project / "requirements.txt").write_text(NVIM_REQUIREMENTS)
    (project / "pyproject.toml").write_text(NVIM_PYPROJECT)
    init = tmp_path / "init.lua"
    init.write_text(readme_snippet("neovim", "lua", 2))
    assert "require('lazywheel').setup {}" in init.read_text()
    env = dict(user_env, PIP_INDEX_URL=simple_index)
    terminal = Terminal(["nvim", "-u", str(init), "-i", "NONE", "-n", "requirements.txt"], env, project, "nvim")
    try:
        terminal.wait_for("idna==3.10", what="the file")
        terminal.keys("K")  # at once: before the server has answered initialize
        screen = terminal.wait_for("Internationalized Domain Names", what="the hover")
        assert "No manual entry" not in screen and "not supported" not in screen
        terminal.keys("Escape")
        terminal.keys("j")
        screen = terminal.wait_for(lambda s: "✓ 3.10" in s and "✓ 2.2.3" in s and "✗ unknown project" in s, what="the hints")
        # Code action on urllib3>=2.0: update keeping `>=`.
        terminal.type(":lua vim.lsp.buf.code_action()")
        terminal.keys("Enter")
        screen = terminal.wait_for("Update urllib3 to 2.2.3", what="the code actions")
        choice = next(line.split(":")[0].strip() for line in screen.splitlines() if "Update urllib3 to 2.2.3" in line)
        terminal.type(choice)
        terminal.keys("Enter")
        terminal.wait_for("urllib3>=2.2.3", what="the edited line")
        # The code lens above certifi>=2020.1 updates the line when run.
        terminal.keys("Escape")
        terminal.type(":4")
        terminal.keys("Enter")
        terminal.wait_for("latest 2024.8.30 — update", what="the code lens")
        terminal.type(":lua vim.lsp.codelens.run()")
        terminal.keys("Enter")
        terminal.wait_for("certifi>=2024.8.30", what="the line updated by the lens")
        # :LazyWheelInfo on `dev = ["idna", "certifi"]` (cursor on certifi) and on poetry's `requests = "^2.31"`.
        terminal.type(":e pyproject.toml")
        terminal.keys("Enter")
        terminal.wait_for('dev = ["idna", "certifi"]')
        terminal.type(":6")
        terminal.keys("Enter")
        terminal.type("fc:LazyWheelInfo certifi-2024.8.30.dist-info/WHEEL")
        terminal.keys("Enter")
        screen = terminal.wait_for("Wheel-Version: 1.0", what="certifi's WHEEL")
        assert "stack traceback" not in screen and "E5108" not in screen
        terminal.type(":q")
        terminal.keys("Enter")
        terminal.type(":9")
        terminal.keys("Enter")
        terminal.type(":LazyWheelInfo requests-2.32.3.dist-info/WHEEL")
        terminal.keys("Enter")
        screen = terminal.wait_for("lazywheel://requests-2.32.3.dist-info/WHEEL", what="requests' WHEEL")
        assert "stack traceback" not in screen
    finally:
        terminal.close()


class StalledIndex:
    """An index that accepts connections and never answers (a hung proxy or server)."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.connections: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.connections.append(connection)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}/simple/"

    def close(self):
        self.listener.close()
        for connection in self.connections:
            connection.close()


def readme_snippet(editor: str, language: str, index: int, index_url: str | None = None) -> str:
    """The `index`-th ```language block of editors/<editor>/README.md, as a user copies it: with
    this checkout's path for /path/to/lazywheel and, when given, the test index for the example URL."""
    import re
    blocks = re.findall(rf"```{language}\n(.*?)```", (EDITORS / editor / "README.md").read_text(), re.S)
    text = blocks[index].replace("/path/to/lazywheel", str(REPO))
    if index_url:
        text = text.replace("http://127.0.0.1:8080/simple/", index_url)
    return text


def echo_area(screen: str) -> str:
    """What Emacs shows below the mode line (the echo area, where eldoc writes)."""
    lines = screen.splitlines()
    modeline = max(i for i, line in enumerate(lines) if line.startswith("-") and "L" in line)
    return "\n".join(lines[modeline + 1:])


def emacs_readme_init(tmp_path: Path, index_url: str) -> Path:
    init = tmp_path / "init.el"
    init.write_text(readme_snippet("emacs", "elisp", 0, index_url) + "(setq inhibit-startup-screen t)\n")
    return init


def test_emacs_as_the_readme_says_eldoc_on_cursor_moves(user_env, simple_index, tmp_path):
    need("emacs")
    project = tmp_path / "project"
    project.mkdir()
    (project / "requirements.txt").write_text("# deps\nidna==3.10\nurllib3>=99\n")
    init = emacs_readme_init(tmp_path, simple_index)
    terminal = Terminal(["emacs", "-nw", "-Q", "-l", str(init), "requirements.txt"], user_env, project, "emacs")
    try:
        terminal.wait_for("idna==3.10", what="the file")
        terminal.keys("C-n")  # onto idna: eldoc (turned on by the mode) shows the hover
        terminal.wait_for(lambda s: "kjd/idna" in echo_area(s), what="eldoc's hover")
        terminal.keys("C-n")
        terminal.wait_for(lambda s: "urllib3" in echo_area(s) and "kjd/idna" not in echo_area(s), what="the next hover")
    finally:
        terminal.close()


def test_emacs_stays_responsive_with_a_stalled_index(user_env, tmp_path):
    need("emacs")
    stalled = StalledIndex()
    project = tmp_path / "project"
    project.mkdir()
    (project / "requirements.txt").write_text("idna==3.10\nurllib3\ncertifi\nrequests\nsix\n")
    init = emacs_readme_init(tmp_path, stalled.url)
    terminal = Terminal(["emacs", "-nw", "-Q", "-l", str(init), "requirements.txt"], user_env, project, "emacs-stalled")
    try:
        terminal.wait_for("idna==3.10", what="the file")
        started = time.time()
        for line in range(2, 6):
            terminal.keys("C-n")
            terminal.wait_for(f"L{line}", timeout=3, what=f"the cursor on line {line}")
        terminal.type("typed")
        terminal.wait_for("typedsix", timeout=3, what="typing")
        assert time.time() - started < 6, "cursor moves waited for the index"
    finally:
        terminal.close()
        stalled.close()


def test_emacs_eglot_with_workspace_configuration(user_env, simple_index, tmp_path):
    need("emacs")
    eglot = sorted(Path("/usr/share/emacs/site-lisp/elpa").glob("eglot-*"))
    if not eglot and not os.environ.get("CI"):
        pytest.skip("elpa-eglot is not installed")
    project = tmp_path / "project"
    project.mkdir()
    (project / "requirements.txt").write_text("idna==3.10\n")
    init = tmp_path / "init.el"
    # Debian's site-start puts elpa-eglot on the load path; -Q skips it, so the test does that.
    load = "".join(f'(add-to-list \'load-path "{p}")\n' for p in eglot)
    init.write_text(load + readme_snippet("emacs", "elisp", 1, simple_index) + "(setq inhibit-startup-screen t)\n")
    terminal = Terminal(["emacs", "-nw", "-Q", "-l", str(init), "requirements.txt"], user_env, project, "eglot")
    try:
        terminal.wait_for("idna==3.10", what="the file")
        terminal.wait_for("eglot:", timeout=20, what="eglot connected")
        terminal.keys("C-f")
        terminal.wait_for(lambda s: "kjd/idna" in echo_area(s), what="eglot's hover")
    finally:
        terminal.close()


def test_neovim_typing_and_no_index(user_env, simple_index, tmp_path):
    """A line being typed (`flask==`) gets no error until the user pauses; with no index anywhere
    (no setting, no pip), the user is told once how to set one."""
    need("nvim")
    project = tmp_path / "project"
    project.mkdir()
    (project / "requirements.txt").write_text("idna==3.10\n")
    init = tmp_path / "init.lua"
    init.write_text(readme_snippet("neovim", "lua", 2))
    terminal = Terminal(["nvim", "-u", str(init), "-i", "NONE", "-n", "requirements.txt"],
                        dict(user_env, PIP_INDEX_URL=simple_index), project, "nvim-typing")
    try:
        terminal.wait_for("✓ 3.10", what="the hint")
        terminal.type("Goidna==")
        time.sleep(0.8)  # typing, not yet paused long enough
        assert "invalid requirement" not in terminal.screen()
        terminal.keys("Escape")
        terminal.wait_for("invalid requirement", timeout=10, what="the syntax error after a pause")
    finally:
        terminal.close()

    # No index: PIP_INDEX_URL unset, and the python3 on PATH has no pip.
    fake_bin = tmp_path / "no-pip"
    fake_bin.mkdir()
    (fake_bin / "python3").write_text("#!/bin/sh\nexit 1\n")
    (fake_bin / "python3").chmod(0o755)
    env = dict(user_env, PATH=f"{fake_bin}:{user_env['PATH']}")
    terminal = Terminal(["nvim", "-u", str(init), "-i", "NONE", "-n", "requirements.txt"], env, project, "nvim-noindex")
    try:
        terminal.wait_for("lazywheel: no package index is configured", what="the message")
    finally:
        terminal.close()
