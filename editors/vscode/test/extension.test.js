'use strict';
// extension.js driven as VS Code would drive it, against the `vscode` stand-in and the real server:
//   LAZYWHEEL_BIN=… LAZYWHEEL_TEST_INDEX_URL=http://127.0.0.1:PORT/simple/ node --test test/
const test = require('node:test');
const assert = require('node:assert');
const Module = require('node:module');
const path = require('node:path');

// `require('vscode')` in extension.js resolves to the stand-in.
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === 'vscode') return path.join(__dirname, '..', 'stand-in', 'vscode.js');
  return resolve.call(this, request, ...rest);
};
const vscode = require('vscode');
const { selector, isDependencyDocument } = require('../src/documents');

const binary = process.env.LAZYWHEEL_BIN;
const indexUrl = process.env.LAZYWHEEL_TEST_INDEX_URL;

async function eventually(check, what, timeout = 20000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 50));
  }
}

test('the selector and the file check agree with the server on file names', () => {
  for (const name of ['/p/requirements/dev.txt', '/p/requirements-dev.in', '/p/deps/constraints-web.txt', '/p/pyproject.toml']) {
    assert.ok(isDependencyDocument(name), name);
  }
  assert.ok(!isDependencyDocument('/p/docs/notes.txt'));
  assert.ok(selector.some((filter) => filter.pattern === '**/requirements/*.txt'));
});

test('the extension against lazywheel serve', { skip: !(binary && indexUrl) && 'set LAZYWHEEL_BIN and LAZYWHEEL_TEST_INDEX_URL' }, async () => {
  const { state, textDocument } = vscode.standIn;
  // Settings as a user sets them; python/platform pin the target.
  Object.assign(state.settings, {
    'lazywheel.serverPath': binary, 'lazywheel.indexUrl': indexUrl, 'lazywheel.python': '3.12',
    'lazywheel.platform': 'manylinux_2_28_x86_64',
  });
  const requirements = textDocument('/tmp/vscode-ext/requirements.txt', 'idna==3.10\nurllib3>=2.0\nreqeusts\nrequests[so\n');
  vscode.workspace.textDocuments.push(requirements);
  const extension = require('../src/extension');
  const context = { subscriptions: [] };
  await extension.activate(context);
  try {
    const uri = requirements.uri.toString();
    const diagnostics = await eventually(() => {
      const items = state.diagnostics.get(uri);
      return items && items.some((d) => d.code === 'unknown-project') && items;
    }, 'diagnostics');
    assert.match(diagnostics.find((d) => d.code === 'unknown-project').message, /did you mean 'requests'\?/);

    const hover = await state.providers.hover.provider.provideHover(requirements, new vscode.Position(0, 1), null);
    assert.match(hover.contents[0].value, /\*\*idna\*\* `3\.10`/);
    assert.match(hover.contents[0].value, /Index: http:\/\/127\.0\.0\.1:\d+\/simple\/ \(from editor settings \(indexUrl\)\)/);

    const versions = await state.providers.completion.provider.provideCompletionItems(requirements, new vscode.Position(0, 6));
    assert.deepStrictEqual(versions.map((item) => item.label), ['3.10']);
    const extras = await state.providers.completion.provider.provideCompletionItems(requirements, new vscode.Position(3, 11));
    assert.ok(extras.some((item) => item.label === 'socks'));

    const whole = new vscode.Range(0, 0, 4, 0);
    const hints = await state.providers.inlayHints.provider.provideInlayHints(requirements, whole, null);
    assert.deepStrictEqual(hints.map((hint) => [hint.position.line, hint.label]).slice(0, 2), [[0, '✓ 3.10'], [1, '✓ 2.2.3']]);

    const actions = await state.providers.codeActions.provider.provideCodeActions(requirements, new vscode.Range(1, 0, 1, 0), {}, null);
    const update = actions.find((action) => action.title.startsWith('Update urllib3'));
    assert.deepStrictEqual(update.edit.edits.map((edit) => edit.newText), ['>=2.2.3']);
    const fix = (await state.providers.codeActions.provider.provideCodeActions(requirements, new vscode.Range(2, 0, 2, 0), {}, null))
      .find((action) => action.title === "Replace with 'requests'");
    assert.strictEqual(fix.kind, 'quickfix');

    const links = await state.providers.documentLinks.provider.provideDocumentLinks(requirements, null);
    assert.ok(links.length >= 2 && links[0].target.toString().startsWith('http'));

    // A lens is a real command: the server answers with workspace/applyEdit, which VS Code applies.
    const lenses = await state.providers.codeLens.provider.provideCodeLenses(requirements, null);
    const lens = lenses.find((l) => l.range.start.line === 1);
    assert.strictEqual(lens.command.command, 'lazywheel.runServerCommand');
    await vscode.commands.executeCommand(lens.command.command, ...lens.command.arguments);
    const applied = await eventually(() => state.appliedEdits[0], 'workspace/applyEdit');
    assert.deepStrictEqual(applied.edits.map((edit) => [edit.uri, edit.newText]), [[uri, '>=2.2.3']]);

    // A changed setting reaches the server (didChangeConfiguration): the hover's target changes.
    state.settings['lazywheel.python'] = '3.11';
    state.events.configuration.fire({ affectsConfiguration: (section) => section === 'lazywheel' });
    await eventually(async () => {
      const changed = await state.providers.hover.provider.provideHover(requirements, new vscode.Position(0, 1), null);
      return /Python 3\.11/.test(changed.contents[0].value);
    }, 'the new python setting');
  } finally {
    await extension.deactivate();
  }
});
