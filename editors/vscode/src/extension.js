'use strict';
// The thin part that touches the `vscode` API: everything else (framing, client, documents) is
// plain Node. Tested with `node --test` against a stand-in for the `vscode` module
// (stand-in/vscode.js) and the real server.
const vscode = require('vscode');
const { LazyWheelClient } = require('./client');
const { isDependencyDocument, selector, didOpen, didChangeFull, position } = require('./documents');
const { findServer, notFoundMessage } = require('./serverPath');

let client;

function toRange(range) {
  return new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character);
}

function fromRange(range) {
  return { start: { line: range.start.line, character: range.start.character }, end: { line: range.end.line, character: range.end.character } };
}

/** The `lazywheel` settings as the server reads them (empty strings mean "not set"). */
function settingsObject() {
  const settings = vscode.workspace.getConfiguration('lazywheel');
  const object = {};
  for (const key of ['indexUrl', 'python', 'platform']) {
    const value = settings.get(key);
    if (value) object[key] = value;
  }
  return object;
}

/** An LSP WorkspaceEdit as a vscode.WorkspaceEdit. */
function toWorkspaceEdit(edit) {
  const result = new vscode.WorkspaceEdit();
  for (const [uri, edits] of Object.entries(edit.changes || {})) {
    for (const change of edits) result.replace(vscode.Uri.parse(uri), toRange(change.range), change.newText);
  }
  return result;
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
  // The server asks for the settings (workspace/configuration) and for edits (a code lens's command).
  started.requestHandlers.set('workspace/configuration', ({ items }) => items.map(() => settingsObject()));
  started.requestHandlers.set('workspace/applyEdit', async ({ edit }) => ({ applied: await vscode.workspace.applyEdit(toWorkspaceEdit(edit)) }));
  try {
    await started.initialize(options, { configuration: true });
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
  client.on('window/showMessage', ({ type, message }) => {
    if (type === 1) vscode.window.showErrorMessage(message);
    else if (type === 2) vscode.window.showWarningMessage(message);
    else vscode.window.showInformationMessage(message);
  });
  const open = (document) => {
    if (isDependencyDocument(document.fileName)) {
      client.notify('textDocument/didOpen', didOpen(document.uri.toString(), document.version, document.getText()));
    }
  };
  vscode.workspace.textDocuments.forEach(open);
  const documentParams = (document) => ({ textDocument: { uri: document.uri.toString() } });
  const cancellable = (request, token) => {
    if (token) token.onCancellationRequested(() => client.cancel(request));
    return request;
  };
  context.subscriptions.push(
    vscode.workspace.onDidOpenTextDocument(open),
    vscode.workspace.onDidChangeTextDocument(({ document }) => {
      if (!isDependencyDocument(document.fileName)) return;
      client.notify('textDocument/didChange', didChangeFull(document.uri.toString(), document.version, document.getText()));
    }),
    vscode.workspace.onDidCloseTextDocument((document) => {
      if (isDependencyDocument(document.fileName)) client.notify('textDocument/didClose', documentParams(document));
    }),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('lazywheel')) {
        client.notify('workspace/didChangeConfiguration', { settings: { lazywheel: settingsObject() } });
      }
    }),
    // A code lens runs a server command (lazywheel.updateToLatest, lazywheel.showVersions).
    vscode.commands.registerCommand('lazywheel.runServerCommand', (command, args) =>
      client.request('workspace/executeCommand', { command, arguments: args })),
  );
  context.subscriptions.push(
    vscode.languages.registerHoverProvider(selector, {
      async provideHover(document, at, token) {
        const result = await cancellable(client.request('textDocument/hover', position(document.uri.toString(), at.line, at.character)), token);
        if (!result) return undefined;
        return new vscode.Hover(new vscode.MarkdownString(result.contents.value), result.range && toRange(result.range));
      },
    }),
    vscode.languages.registerCompletionItemProvider(selector, {
      async provideCompletionItems(document, at) {
        const list = await client.request('textDocument/completion', position(document.uri.toString(), at.line, at.character));
        return list.items.map((item) => {
          const completion = new vscode.CompletionItem(item.label, item.kind === 9 ? vscode.CompletionItemKind.Module : vscode.CompletionItemKind.Value);
          completion.detail = item.detail;
          completion.sortText = item.sortText;
          if (item.textEdit) {
            completion.range = toRange(item.textEdit.range);
            completion.insertText = item.textEdit.newText;
          }
          return completion;
        });
      },
    }, '=', '>', '<', '~', '^', '.', '[', ','),
    vscode.languages.registerCodeLensProvider(selector, {
      async provideCodeLenses(document, token) {
        const lenses = await cancellable(client.request('textDocument/codeLens', documentParams(document)), token);
        return lenses.map((lens) => new vscode.CodeLens(toRange(lens.range), {
          title: lens.command.title, command: 'lazywheel.runServerCommand', arguments: [lens.command.command, lens.command.arguments],
        }));
      },
    }),
    vscode.languages.registerInlayHintsProvider(selector, {
      async provideInlayHints(document, range, token) {
        const hints = await cancellable(client.request('textDocument/inlayHint', { ...documentParams(document), range: fromRange(range) }), token);
        return hints.map((hint) => {
          const inlay = new vscode.InlayHint(new vscode.Position(hint.position.line, hint.position.character), hint.label);
          inlay.paddingLeft = hint.paddingLeft;
          return inlay;
        });
      },
    }),
    vscode.languages.registerCodeActionsProvider(selector, {
      async provideCodeActions(document, range, _context, token) {
        const actions = await cancellable(client.request('textDocument/codeAction', {
          ...documentParams(document), range: fromRange(range), context: { diagnostics: [] },
        }), token);
        return actions.map((action) => {
          const kind = action.kind === 'quickfix' ? vscode.CodeActionKind.QuickFix : vscode.CodeActionKind.RefactorRewrite;
          const codeAction = new vscode.CodeAction(action.title, kind);
          codeAction.edit = toWorkspaceEdit(action.edit);
          codeAction.isPreferred = action.isPreferred;
          return codeAction;
        });
      },
    }),
    vscode.languages.registerDocumentLinkProvider(selector, {
      async provideDocumentLinks(document, token) {
        const links = await cancellable(client.request('textDocument/documentLink', documentParams(document)), token);
        return links.map((link) => {
          const documentLink = new vscode.DocumentLink(toRange(link.range), vscode.Uri.parse(link.target));
          documentLink.tooltip = link.tooltip;
          return documentLink;
        });
      },
    }),
  );
}

async function deactivate() {
  if (client) await client.shutdown().catch(() => {});
}

module.exports = { activate, deactivate };
