'use strict';
// A small stand-in for the `vscode` module (VS Code itself cannot run here): the classes and
// registration functions extension.js uses, recording what the extension registers, shows and
// edits so tests can drive its providers the way VS Code would.

class Position {
  constructor(line, character) { this.line = line; this.character = character; }
}

class Range {
  constructor(startLine, startCharacter, endLine, endCharacter) {
    this.start = new Position(startLine, startCharacter);
    this.end = new Position(endLine, endCharacter);
  }
}

class Uri {
  constructor(text) { this.text = text; this.fsPath = text.replace(/^file:\/\//, ''); }
  static parse(text) { return new Uri(text); }
  static file(path) { return new Uri(`file://${path}`); }
  toString() { return this.text; }
}

class MarkdownString { constructor(value) { this.value = value; } }
class Hover { constructor(contents, range) { this.contents = [contents]; this.range = range; } }
class Diagnostic { constructor(range, message, severity) { Object.assign(this, { range, message, severity }); } }
class CompletionItem { constructor(label, kind) { Object.assign(this, { label, kind }); } }
class CodeLens { constructor(range, command) { Object.assign(this, { range, command }); } }
class InlayHint { constructor(position, label) { Object.assign(this, { position, label }); } }
class CodeAction { constructor(title, kind) { Object.assign(this, { title, kind }); } }
class DocumentLink { constructor(range, target) { Object.assign(this, { range, target }); } }

class WorkspaceEdit {
  constructor() { this.edits = []; }
  replace(uri, range, newText) { this.edits.push({ uri: uri.toString(), range, newText }); }
}

/** An event source: `event(listener)` subscribes, `fire(value)` calls every listener. */
class Emitter {
  constructor() {
    this.listeners = [];
    this.event = (listener) => {
      this.listeners.push(listener);
      return { dispose: () => { this.listeners = this.listeners.filter((l) => l !== listener); } };
    };
  }

  fire(value) { for (const listener of this.listeners) listener(value); }
}

/** A text document as extension.js reads it. */
function textDocument(path, text, version = 1) {
  return { uri: Uri.file(path), fileName: path, version, getText: () => text };
}

const state = {
  settings: {},
  providers: {},
  commands: new Map(),
  diagnostics: new Map(),
  messages: [],
  appliedEdits: [],
  events: {
    open: new Emitter(), change: new Emitter(), close: new Emitter(), configuration: new Emitter(),
  },
};

function register(kind) {
  return (selector, provider) => {
    state.providers[kind] = { selector, provider };
    return { dispose() {} };
  };
}

module.exports = {
  Position, Range, Uri, MarkdownString, Hover, Diagnostic, CompletionItem, CodeLens, InlayHint, CodeAction,
  DocumentLink, WorkspaceEdit,
  CompletionItemKind: { Value: 11, Module: 8 },
  CodeActionKind: { QuickFix: 'quickfix', RefactorRewrite: 'refactor.rewrite' },
  workspace: {
    textDocuments: [],
    getConfiguration: (section) => ({ get: (key) => state.settings[`${section}.${key}`] }),
    onDidOpenTextDocument: state.events.open.event,
    onDidChangeTextDocument: state.events.change.event,
    onDidCloseTextDocument: state.events.close.event,
    onDidChangeConfiguration: state.events.configuration.event,
    applyEdit: async (edit) => { state.appliedEdits.push(edit); return true; },
  },
  languages: {
    createDiagnosticCollection: () => ({
      set: (uri, items) => state.diagnostics.set(uri.toString(), items),
      dispose() {},
    }),
    registerHoverProvider: register('hover'),
    registerCompletionItemProvider: register('completion'),
    registerCodeLensProvider: register('codeLens'),
    registerInlayHintsProvider: register('inlayHints'),
    registerCodeActionsProvider: register('codeActions'),
    registerDocumentLinkProvider: register('documentLinks'),
  },
  commands: {
    registerCommand: (name, callback) => { state.commands.set(name, callback); return { dispose() {} }; },
    executeCommand: (name, ...args) => state.commands.get(name)(...args),
  },
  window: {
    showErrorMessage: (message) => state.messages.push(['error', message]),
    showWarningMessage: (message) => state.messages.push(['warning', message]),
    showInformationMessage: (message) => state.messages.push(['information', message]),
  },
  // For tests only.
  standIn: { state, textDocument },
};
