"""`lazywheel serve` as a language server: hover, diagnostics, completion and code lenses on a
requirements file and a pyproject.toml, every message structured with lsprotocol's converter."""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from lsprotocol import converters, types

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "protocol" / "clients" / "python"))
from lazywheel import Client as LazyWheelClient  # noqa: E402
from conftest import SCHEMA, SchemaChecker, isolated_environment  # noqa: E402

CONVERTER = converters.get_converter()
TARGET = {"python": "3.12", "platform": "manylinux_2_28_x86_64"}

REQUIREMENTS = """\
# fixture
--prefer-binary
idna==3.10
requests>=2.30,<3 ; python_version >= "3.8"
urllib3>=99
no-such-project-here
not a requirement!
certifi
"""

PYPROJECT = """\
[project]
name = "demo"
dependencies = [
  "idna>=3",
  "typing-extensions",
]

[dependency-groups]
test = ["pydantic==2.10.3"]

[tool.poetry.dependencies]
python = "^3.9"
urllib3 = "^2.2"
"""


def start(binary: str, options, capabilities: dict | None = None, answers: dict | None = None,
          env: dict | None = None, omit_options: bool = False) -> LazyWheelClient:
    environment = isolated_environment()
    environment["HOME"] = tempfile.mkdtemp(prefix="lazywheel-lsp-home-")
    # Without an index the server asks the user's pip, whose default is a public index: tests
    # get a python3 without pip unless they bring their own.
    environment["PATH"] = fake_python(Path(environment["HOME"]), None)
    environment.update(env or {})
    process = subprocess.Popen([binary, "serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, env=environment)
    client = LazyWheelClient(process)
    client.answers.update(answers or {})
    params = {"processId": os.getpid(), "rootUri": None, "clientInfo": {"name": "pytest-lsp"},
              "capabilities": capabilities or {"window": {"workDoneProgress": True}}}
    if not omit_options:
        params["initializationOptions"] = options
    result = client.request("initialize", params, 30)
    initialize = CONVERTER.structure(result, types.InitializeResult)
    assert initialize.capabilities.hover_provider
    assert initialize.capabilities.completion_provider is not None
    assert initialize.capabilities.code_lens_provider is not None
    assert initialize.capabilities.text_document_sync is not None
    assert result["capabilities"]["experimental"]["lazywheel"]["protocolVersion"] == 1
    client.notify("initialized", {})
    return client


def open_document(client: LazyWheelClient, uri: str, text: str, version: int = 1) -> None:
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "pip-requirements",
                                                            "version": version, "text": text}})


def wait_diagnostics(client: LazyWheelClient, uri: str, predicate, timeout: float = 20) -> list[types.Diagnostic]:
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        for message in client.notifications_of("textDocument/publishDiagnostics"):
            params = CONVERTER.structure(message["params"], types.PublishDiagnosticsParams)
            if params.uri == uri:
                last = params.diagnostics
                if predicate(last):
                    return last
        time.sleep(0.05)
    raise AssertionError(f"no matching diagnostics for {uri}; last: {last}")


def hover(client: LazyWheelClient, uri: str, line: int, character: int) -> types.Hover | None:
    result = client.request("textDocument/hover", {"textDocument": {"uri": uri},
                                                   "position": {"line": line, "character": character}}, 30)
    return None if result is None else CONVERTER.structure(result, types.Hover)


def fake_python(directory: Path, pip_config: str | None) -> str:
    """A PATH whose `python3` answers `-m pip config list` with `pip_config` (fails when None),
    counting its calls in `calls`, and has no pip to ask for a default index; anything else
    runs the real python3."""
    bin_dir = directory / "fake-python-bin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "listing").write_text(pip_config or "")
    script = bin_dir / "python3"
    answer = "exit 1" if pip_config is None else 'cat "$(dirname "$0")/listing"; exit 0'
    script.write_text(f"""#!/bin/sh
if [ "$1" = "-m" ] && [ "$2" = "pip" ]; then
  echo pip >> "$(dirname "$0")/calls"
  {answer}
fi
case "$2" in *PyPI*) exit 1;; esac
exec {sys.executable} "$@"
""")
    script.chmod(0o755)
    return f"{bin_dir}:{os.environ.get('PATH', '/usr/bin:/bin')}"


@pytest.fixture
def lsp(binary, simple_index):
    clients = []

    def make(options=None, **kwargs):
        client = start(binary, options, **kwargs)
        clients.append(client)
        return client

    yield make
    for client in clients:
        try:
            client.shutdown_and_exit()
        except Exception:
            client.close()
        check_every_message(client)


NOTIFICATION_TYPES = {
    "textDocument/publishDiagnostics": types.PublishDiagnosticsParams,
    "$/progress": types.ProgressParams,
    "window/logMessage": types.LogMessageParams,
    "window/showMessage": types.ShowMessageParams,
}


def check_every_message(client: LazyWheelClient) -> None:
    """Every notification the server sent structures as its lsprotocol type; every response is JSON-RPC 2.0."""
    for message in list(client.raw_messages):
        assert message.get("jsonrpc") == "2.0", message
        if "method" in message and "id" not in message:
            kind = NOTIFICATION_TYPES.get(message["method"])
            assert kind is not None, f"unexpected notification {message['method']}"
            CONVERTER.structure(message["params"], kind)
        elif "error" in message:
            CONVERTER.structure(message["error"], types.ResponseError)


def test_hover_diagnostics_completion_codelens_on_requirements(lsp, simple_index):
    client = lsp({"indexUrl": simple_index, **TARGET})
    uri = "file:///tmp/project/requirements.txt"
    open_document(client, uri, REQUIREMENTS)

    result = hover(client, uri, 2, 1)
    assert result is not None
    markdown = result.contents.value
    assert result.contents.kind == types.MarkupKind.Markdown
    assert "**idna** `3.10`" in markdown
    assert "Internationalized Domain Names" in markdown
    assert "Requires-Python: `>=3.6`" in markdown
    assert "idna-3.10-py3-none-any.whl" in markdown
    assert result.range.start.line == 2

    requests_hover = hover(client, uri, 3, 3).contents.value
    assert "**requests** `2.32.3`" in requests_hover
    assert "charset_normalizer" in requests_hover or "charset-normalizer" in requests_hover  # Requires-Dist
    assert hover(client, uri, 0, 3) is None  # a comment

    diagnostics = wait_diagnostics(client, uri, lambda d: any(x.code == "unknown-project" for x in d))
    by_code = {d.code: d for d in diagnostics}
    assert by_code["no-matching-version"].range.start.line == 4
    assert by_code["unknown-project"].range.start.line == 5
    assert by_code["invalid-requirement"].range.start.line == 6
    assert all(d.source == "lazywheel" for d in diagnostics)

    completion = client.request("textDocument/completion", {"textDocument": {"uri": uri},
                                                            "position": {"line": 2, "character": 8}}, 30)
    completions = CONVERTER.structure(completion, types.CompletionList)
    assert [item.label for item in completions.items] == ["3.10"]
    assert completions.items[0].text_edit.range.start.character == 6

    lenses = CONVERTER.structure(client.request("textDocument/codeLens", {"textDocument": {"uri": uri}}, 30),
                                 list[types.CodeLens])
    titles = {lens.range.start.line: lens.command.title for lens in lenses}
    assert titles[2] == "latest 3.10"
    assert titles[4].startswith("latest 2.2.3 (not allowed")


def test_incremental_change_and_pyproject(lsp, simple_index):
    client = lsp({"indexUrl": simple_index, **TARGET})
    uri = "file:///tmp/project/pyproject.toml"
    open_document(client, uri, PYPROJECT)
    wait_diagnostics(client, uri, lambda d: True)
    markdown = hover(client, uri, 3, 4).contents.value
    assert "**idna** `3.10`" in markdown
    assert "**urllib3** `2.2.3`" in hover(client, uri, 12, 2).contents.value  # poetry ^2.2
    assert "**pydantic** `2.10.3`" in hover(client, uri, 8, 12).contents.value

    # Incremental edit: "idna>=3" becomes "idna>=9", which nothing matches.
    client.notify("textDocument/didChange", {
        "textDocument": {"uri": uri, "version": 2},
        "contentChanges": [{"range": {"start": {"line": 3, "character": 9}, "end": {"line": 3, "character": 10}},
                            "text": "9"}]})
    diagnostics = wait_diagnostics(client, uri, lambda d: any(x.code == "no-matching-version" for x in d))
    assert diagnostics[0].range.start.line == 3
    client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    wait_diagnostics(client, uri, lambda d: len(d) == 0)


def test_hover_without_index_explains_configuration(lsp, tmp_path):
    # The python3 on PATH has no pip: nothing tells lazywheel which index to use.
    client = lsp({**TARGET}, env={"PATH": fake_python(tmp_path, None)})
    uri = "file:///tmp/elsewhere/requirements.txt"
    open_document(client, uri, "idna==3.10\n")
    result = hover(client, uri, 0, 1)
    assert "No package index is configured" in result.contents.value
    assert "indexUrl" in result.contents.value
    # Told once per session: a message, and a diagnostic on the first line of each document.
    diagnostics = wait_diagnostics(client, uri, lambda d: any(x.code == "no-index" for x in d))
    assert diagnostics[0].range.start.line == 0 and "PIP_INDEX_URL" in diagnostics[0].message
    open_document(client, "file:///tmp/elsewhere/constraints.txt", "idna\n")
    wait_diagnostics(client, "file:///tmp/elsewhere/constraints.txt", lambda d: any(x.code == "no-index" for x in d))
    time.sleep(0.5)
    shown = [m for m in client.raw_messages if m.get("method") == "window/showMessage"]
    assert len(shown) == 1 and "no package index is configured" in shown[0]["params"]["message"]


def test_hover_progress_with_client_token(lsp, simple_index):
    client = lsp({"indexUrl": simple_index, **TARGET})
    uri = "file:///tmp/p2/requirements.txt"
    open_document(client, uri, "certifi\n")
    client.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 1},
                                          "workDoneToken": "hover-1"}, 30)
    progress = [CONVERTER.structure(m["params"], types.ProgressParams) for m in client.notifications_of("$/progress")]
    kinds = [p.value["kind"] for p in progress if p.token == "hover-1"]
    assert kinds[0] == "begin" and kinds[-1] == "end"


def test_a_set_that_does_not_resolve_gets_the_explanation(lsp, simple_index):
    client = lsp({"indexUrl": simple_index, **TARGET})
    uri = "file:///project/conflict/requirements.txt"
    open_document(client, uri, "webframe==3.0.3\nwsgitool<3\n")
    diagnostics = wait_diagnostics(client, uri, lambda ds: any(d.code == "unresolvable" for d in ds), timeout=30)
    conflict = next(d for d in diagnostics if d.code == "unresolvable")
    assert conflict.severity == types.DiagnosticSeverity.Error
    assert "webframe==3.0.3 depends on wsgitool>=3.0" in conflict.message
    assert conflict.range.start.line == 0


# ---------------------------------------------------------------------------------------------
# Issue 24: what broke in the first minutes, and what users of the best dependency plugins have.

@pytest.mark.parametrize("options", [[], None, {}])
def test_empty_or_null_initialization_options_mean_no_options(lsp, simple_index, options):
    """An empty Lua table is sent as `[]`; some clients send `null`: both are "no options"."""
    client = lsp(options, env={"PIP_INDEX_URL": simple_index})
    uri = "file:///tmp/opts/requirements.txt"
    open_document(client, uri, "idna==3.10\n")
    assert "**idna** `3.10`" in hover(client, uri, 0, 1).contents.value


def test_workspace_configuration_is_asked_and_changes_are_taken(lsp, simple_index):
    """eglot's `eglot-workspace-configuration`, Neovim's `settings`, VS Code's `lazywheel.*`."""
    settings = {"lazywheel": {"indexUrl": simple_index, "python": "3.12", "platform": "manylinux_2_28_x86_64"}}
    asked = []

    def configuration(params):
        asked.append(params)
        return [settings[item["section"]] for item in params["items"]]

    client = lsp(None, omit_options=True, answers={"workspace/configuration": configuration},
                 capabilities={"workspace": {"configuration": True}})
    uri = "file:///tmp/conf/requirements.txt"
    open_document(client, uri, "idna==3.10\n")
    deadline = time.time() + 10
    while not asked and time.time() < deadline:
        time.sleep(0.05)
    assert asked and asked[0]["items"] == [{"section": "lazywheel"}]
    markdown = hover(client, uri, 0, 1).contents.value  # lookups wait for the settings on their way
    assert "**idna** `3.10`" in markdown
    assert "Python 3.12 (editor settings)" in markdown
    assert f"Index: {simple_index} (from editor settings (indexUrl))" in markdown
    # didChangeConfiguration with the settings inline: the new target is used at once.
    client.notify("workspace/didChangeConfiguration", {"settings": {"lazywheel": {"python": "3.11"}}})
    deadline = time.time() + 10
    while "Python 3.11" not in hover(client, uri, 0, 1).contents.value:
        assert time.time() < deadline, "the changed python setting was not taken"
        time.sleep(0.1)


def test_without_configuration_the_users_pip_index_is_used_once(lsp, simple_index, tmp_path):
    path = fake_python(tmp_path, f"global.index-url='{simple_index}'\n")
    client = lsp({**TARGET}, env={"PATH": path})
    for name in ("requirements.txt", "requirements-dev.txt"):
        uri = f"file:///tmp/pip/{name}"
        open_document(client, uri, "idna==3.10\n")
        markdown = hover(client, uri, 0, 1).contents.value
        assert "**idna** `3.10`" in markdown
        assert f"Index: {simple_index} (from pip configuration (global.index-url" in markdown
    assert (tmp_path / "fake-python-bin" / "calls").read_text().count("pip") == 1
    # The first message says which index is in use and where that came from.
    shown = [m["params"]["message"] for m in client.raw_messages if m.get("method") == "window/showMessage"]
    assert shown == [f"lazywheel: using the index {simple_index} (from pip configuration (global.index-url, `python3 -m pip config list`))"]


def test_messages_name_the_newest_versions_and_close_names(lsp, simple_index):
    client = lsp({"indexUrl": simple_index, **TARGET})
    uri = "file:///tmp/messages/requirements.txt"
    open_document(client, uri, "requests==99\nreqeusts\n")
    diagnostics = wait_diagnostics(client, uri, lambda d: {"no-matching-version", "unknown-project"} <= {x.code for x in d})
    by_code = {d.code: d for d in diagnostics}
    assert by_code["no-matching-version"].message.startswith("no version of requests matches ==99; the newest is 2.32.3")
    assert "supports Python" not in by_code["no-matching-version"].message
    assert "did you mean 'requests'?" in by_code["unknown-project"].message
    actions = client.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": {"start": {"line": 1, "character": 0}, "end": {"line": 1, "character": 0}},
        "context": {"diagnostics": []}}, 30)
    replace = next(a for a in actions if a["title"] == "Replace with 'requests'")
    assert replace["edit"]["changes"][uri][0] == {"range": {"start": {"line": 1, "character": 0}, "end": {"line": 1, "character": 8}},
                                                  "newText": "requests"}


def test_a_line_being_typed_gets_no_syntax_error_until_the_user_pauses(lsp, simple_index):
    client = lsp({"indexUrl": simple_index, **TARGET})
    uri = "file:///tmp/typing/requirements.txt"
    open_document(client, uri, "idna==3.10\n")
    wait_diagnostics(client, uri, lambda d: True)
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2},
                                             "contentChanges": [{"text": "idna==3.10\nflask==\n"}]})
    typed = time.time()
    first = wait_diagnostics(client, uri, lambda d: True, timeout=5)
    assert not any(d.code == "invalid-requirement" for d in first)
    completion = client.request("textDocument/completion", {"textDocument": {"uri": uri},
                                                            "position": {"line": 1, "character": 7}}, 30)
    assert completion["items"] == []  # flask is not on the index; no error either
    later = wait_diagnostics(client, uri, lambda d: any(x.code == "invalid-requirement" for x in d), timeout=10)
    assert time.time() - typed >= 1.0
    assert next(d for d in later if d.code == "invalid-requirement").range.start.line == 1


def test_hover_is_compact_and_names_target_and_index(lsp, simple_index):
    client = lsp({"indexUrl": simple_index, **TARGET})
    uri = "file:///tmp/compact/requirements.txt"
    open_document(client, uri, "requests\n")
    markdown = hover(client, uri, 0, 2).contents.value
    assert len(markdown.splitlines()) <= 16, markdown
    assert "Requires: `charset-normalizer <4,>=2`, `idna <4,>=2.5`" in markdown
    assert "Extras: security, socks, use_chardet_on_py3" in markdown and "PySocks" not in markdown
    assert "Python 3.12 (editor settings) on manylinux_2_28_x86_64" in markdown
    assert "Requires-Python: `>=3.8`" in markdown
    assert f"Index: {simple_index} (from editor settings (indexUrl))" in markdown


def test_target_python_comes_from_requires_python(lsp, simple_index):
    client = lsp({"indexUrl": simple_index, "platform": "manylinux_2_28_x86_64"})
    uri = "file:///tmp/rp/pyproject.toml"
    open_document(client, uri, '[project]\nname = "x"\nrequires-python = ">=3.12"\ndependencies = ["idna"]\n')
    assert "Python 3.12 (requires-python >=3.12)" in hover(client, uri, 3, 18).contents.value


def test_requirements_options_and_uv_indexes_are_honoured(lsp, simple_index, tmp_path):
    """The editor's own index is unreachable; the files name the real one."""
    client = lsp({"indexUrl": "http://127.0.0.1:9/nothing/", **TARGET})
    project = tmp_path / "opts"
    (project / "requirements").mkdir(parents=True)
    (project / "requirements" / "base.txt").write_text(f"--index-url {simple_index}\nidna\n")
    uri = (project / "requirements" / "dev.txt").as_uri()
    open_document(client, uri, "-r base.txt\nidna==3.10\n")
    assert f"Index: {simple_index} (from dev.txt --index-url)" in hover(client, uri, 1, 1).contents.value

    uri = "file:///tmp/env/requirements.txt"
    open_document(client, uri, "--index-url ${LAZYWHEEL_TEST_INDEX}\nidna==3.10\n")  # unset: stays, and fails
    assert "**idna** `3.10`" not in hover(client, uri, 1, 1).contents.value

    for text in (f'[tool.uv]\nindex-url = "{simple_index}"\n', f'[[tool.uv.index]]\nurl = "{simple_index}"\ndefault = true\n'):
        uri = f"file:///tmp/uv{len(text)}/pyproject.toml"
        open_document(client, uri, '[project]\nname = "x"\ndependencies = ["idna==3.10"]\n' + text)
        markdown = hover(client, uri, 2, 18).contents.value
        assert "**idna** `3.10`" in markdown and "from pyproject.toml [" in markdown


def test_constraints_included_with_c_count_in_the_resolution_check(lsp, simple_index, tmp_path):
    client = lsp({"indexUrl": simple_index, **TARGET})
    (tmp_path / "constraints.txt").write_text("wsgitool<3\n")
    uri = (tmp_path / "requirements.txt").as_uri()
    open_document(client, uri, "-c constraints.txt\nwebframe==3.0.3\n")
    diagnostics = wait_diagnostics(client, uri, lambda ds: any(d.code == "unresolvable" for d in ds), timeout=30)
    assert "wsgitool" in next(d for d in diagnostics if d.code == "unresolvable").message


@pytest.mark.parametrize("path", ["requirements/dev.txt", "requirements-dev.in", "deps/constraints-web.txt", "requirements.in"])
def test_file_patterns(lsp, simple_index, path):
    client = lsp({"indexUrl": simple_index, **TARGET})
    uri = f"file:///tmp/patterns/{path}"
    open_document(client, uri, "no-such-project-here\n")
    wait_diagnostics(client, uri, lambda d: any(x.code == "unknown-project" for x in d))


def test_inlay_hints_code_actions_links_lenses_and_completion(lsp, simple_index):
    client = lsp({"indexUrl": simple_index, **TARGET})
    uri = "file:///tmp/features/requirements.txt"
    text = "idna==3.10\nurllib3>=2.0\ncertifi\nrequests[so\nreq\n"
    open_document(client, uri, text)
    whole = {"start": {"line": 0, "character": 0}, "end": {"line": 5, "character": 0}}
    hints = CONVERTER.structure(client.request("textDocument/inlayHint", {"textDocument": {"uri": uri}, "range": whole}, 30),
                                list[types.InlayHint])
    labels = {h.position.line: h.label for h in hints}
    assert labels[0] == "✓ 3.10"
    assert labels[1] == "✓ 2.2.3"
    assert hints[0].position.character == 10

    def actions_on(line):
        return client.request("textDocument/codeAction", {"textDocument": {"uri": uri}, "range": {
            "start": {"line": line, "character": 0}, "end": {"line": line, "character": 0}}, "context": {"diagnostics": []}}, 30)

    # urllib3>=2.0 resolves to 2.2.3: update keeps `>=`; pin uses `==`.
    titles = {a["title"]: a["edit"]["changes"][uri][0]["newText"] for a in actions_on(1)}
    assert titles["Update urllib3 to 2.2.3 (>=2.2.3)"] == ">=2.2.3"
    assert titles["Pin urllib3 to 2.2.3"] == "==2.2.3"
    pin = next(a for a in actions_on(2) if a["title"].startswith("Pin certifi"))
    assert pin["edit"]["changes"][uri][0]["range"]["start"] == {"line": 2, "character": 7}

    links = CONVERTER.structure(client.request("textDocument/documentLink", {"textDocument": {"uri": uri}}, 30),
                                list[types.DocumentLink])
    assert links[0].range.start.line == 0 and links[0].target

    # A lens that can update runs a real command: the server asks the client to apply the edit.
    open_document(client, "file:///tmp/features/constraints.txt", "idna==3.6\n")
    lenses = client.request("textDocument/codeLens", {"textDocument": {"uri": "file:///tmp/features/constraints.txt"}}, 30)
    assert lenses[0]["command"]["command"] == "lazywheel.updateToLatest"
    client.request("workspace/executeCommand", {"command": lenses[0]["command"]["command"],
                                                "arguments": lenses[0]["command"]["arguments"]}, 30)
    deadline = time.time() + 10
    while True:
        edits = [m for m in client.raw_messages if m.get("method") == "workspace/applyEdit"]
        if edits or time.time() > deadline:
            break
        time.sleep(0.05)
    assert edits[0]["params"]["edit"]["changes"]["file:///tmp/features/constraints.txt"][0]["newText"] == "==3.10"

    extras = client.request("textDocument/completion", {"textDocument": {"uri": uri}, "position": {"line": 3, "character": 11}}, 30)
    assert "socks" in [item["label"] for item in extras["items"]]
    names = client.request("textDocument/completion", {"textDocument": {"uri": uri}, "position": {"line": 4, "character": 3}}, 30)
    assert "requests" in [item["label"] for item in names["items"]]

    dependency_params = {"textDocument": {"uri": uri}, "position": {"line": 1, "character": 2}}
    dependency = client.request("lazywheel/dependency", dependency_params, 30)
    assert dependency["name"] == "urllib3" and dependency["specifier"] == ">=2.0"
    blank_line = client.request("lazywheel/dependency", {"textDocument": {"uri": uri}, "position": {"line": 40, "character": 0}}, 30)
    assert blank_line is None
    checker = SchemaChecker()
    for method, params, result in [("lazywheel/dependency", dependency_params, dependency), ("lazywheel/dependency", dependency_params, blank_line)]:
        checker.methods_by_id[1] = method
        checker.check({"jsonrpc": "2.0", "id": 1, "result": result})
        checker._validator(SCHEMA["methods"][method]["params"]).validate(params)
