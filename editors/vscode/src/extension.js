'use strict';
// The thin part that touches the `vscode` API: everything else (framing, client, documents) is
// plain Node and tested with `node --test` against the real server.
const vscode = require('vscode');
const { LazyWheelClient } = require('./client');
const { isDependencyDocument, didOpen, didChangeFull, position } = require('./documents');
const { findServer, notFoundMessage } = require('./serverPath');

let client;

function toRange(range) {
  return new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character);
}

/**
 * Starts and initializes the server found by `findServer`; when there is none or it cannot be
 * started, says so once and resolves to undefined, so activation settles without a server.
 */
async function startServer(setting, extensionPath, options) {
  const command = findServer({ setting, extensionPath });
  if (!command) {
    vscode.window.showErrorMessage(notFoundMessage(setting));
    return undefined;
  }
  const started = new LazyWheelClient(command);
  try {
    await started.initialize(options);
    return started;
  } catch (error) {
    if (error && (error.code === 'ENOENT' || error.code === 'EACCES')) {
      vscode.window.showErrorMessage(notFoundMessage(setting, error));
    } else {
      vscode.window.showErrorMessage(`lazywheel: the server did not start: ${error && error.message}`);
    }
    return undefined;
  }
}

async function activate(context) {
  const settings = vscode.workspace.getConfiguration('lazywheel');
  client = await startServer(settings.get('serverPath'), context.extensionPath, {
    indexUrl: settings.get('indexUrl'), python: settings.get('python'), platform: settings.get('platform'),
  });
  if (!client) return;
  const diagnostics = vscode.languages.createDiagnosticCollection('lazywheel');
  context.subscriptions.push(diagnostics);
  client.on('textDocument/publishDiagnostics', ({ uri, diagnostics: items }) => {
    diagnostics.set(vscode.Uri.parse(uri), items.map((item) => {
      const diagnostic = new vscode.Diagnostic(toRange(item.range), item.message, item.severity - 1);
      diagnostic.code = item.code;
      diagnostic.source = item.source;
      return diagnostic;
    }));
  });
  const open = (document) => {
    if (isDependencyDocument(document.fileName)) {
      client.notify('textDocument/didOpen', didOpen(document.uri.toString(), document.version, document.getText()));
    }
  };
  vscode.workspace.textDocuments.forEach(open);
  context.subscriptions.push(
    vscode.workspace.onDidOpenTextDocument(open),
    vscode.workspace.onDidChangeTextDocument(({ document }) => {
      if (!isDependencyDocument(document.fileName)) return;
      client.notify('textDocument/didChange', didChangeFull(document.uri.toString(), document.version, document.getText()));
    }),
    vscode.workspace.onDidCloseTextDocument((document) => {
      if (isDependencyDocument(document.fileName)) client.notify('textDocument/didClose', { textDocument: { uri: document.uri.toString() } });
    }),
  );
  const selector = [{ pattern: '**/*requirements*.txt' }, { pattern: '**/*.in' }, { pattern: '**/pyproject.toml' }];
  context.subscriptions.push(
    vscode.languages.registerHoverProvider(selector, {
      async provideHover(document, at, token) {
        const request = client.request('textDocument/hover', position(document.uri.toString(), at.line, at.character));
        token.onCancellationRequested(() => client.cancel(request));
        const result = await request;
        if (!result) return undefined;
        return new vscode.Hover(new vscode.MarkdownString(result.contents.value), result.range && toRange(result.range));
      },
    }),
    vscode.languages.registerCompletionItemProvider(selector, {
      async provideCompletionItems(document, at) {
        const list = await client.request('textDocument/completion', position(document.uri.toString(), at.line, at.character));
        return list.items.map((item) => {
          const completion = new vscode.CompletionItem(item.label, vscode.CompletionItemKind.Value);
          completion.detail = item.detail;
          completion.sortText = item.sortText;
          if (item.textEdit) completion.range = toRange(item.textEdit.range);
          return completion;
        });
      },
    }, '=', '>', '<', '~', '^', '.'),
    vscode.languages.registerCodeLensProvider(selector, {
      async provideCodeLenses(document) {
        const lenses = await client.request('textDocument/codeLens', { textDocument: { uri: document.uri.toString() } });
        return lenses.map((lens) => new vscode.CodeLens(toRange(lens.range), { title: lens.command.title, command: '' }));
      },
    }),
  );
}

async function deactivate() {
  if (client) await client.shutdown().catch(() => {});
}

module.exports = { activate, deactivate };
