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
from conftest import isolated_environment  # noqa: E402

CONVERTER = converters.get_converter()
TARGET = {"python": "3.12", "platform": "manylinux_2_28_x86_64"}

REQUIREMENTS = """\
# fixture
--index-url http://example.invalid/ignored
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


def start(binary: str, options: dict | None, capabilities: dict | None = None) -> LazyWheelClient:
    env = isolated_environment()
    env["HOME"] = tempfile.mkdtemp(prefix="lazywheel-lsp-home-")
    process = subprocess.Popen([binary, "serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, env=env)
    client = LazyWheelClient(process)
    params = {"processId": os.getpid(), "rootUri": None, "clientInfo": {"name": "pytest-lsp"},
              "capabilities": capabilities or {"window": {"workDoneProgress": True}}}
    if options is not None:
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


def test_hover_without_index_explains_configuration(lsp):
    client = lsp({**TARGET})
    uri = "file:///tmp/elsewhere/requirements.txt"
    open_document(client, uri, "idna==3.10\n")
    result = hover(client, uri, 0, 1)
    assert "No package index is configured" in result.contents.value
    assert "indexUrl" in result.contents.value


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
