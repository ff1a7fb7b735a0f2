'use strict';
// Which executable the extension runs, and a missing one failing as a rejected promise (no
// uncaught `spawn ENOENT`), so activation settles with one message (the `vscode` module replaced
// by the few calls activation makes before it has a server): `node --test test/`.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { findServer, notFoundMessage } = require('../src/serverPath');
const { LazyWheelClient } = require('../src/client');

function executable(folder, name = 'lazywheel', mode = 0o755) {
  fs.mkdirSync(folder, { recursive: true });
  const file = path.join(folder, name);
  fs.writeFileSync(file, '#!/bin/sh\n');
  fs.chmodSync(file, mode);
  return file;
}

test('the setting wins, then PATH, then the bundled binary', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lazywheel-serverpath-'));
  const onPath = executable(path.join(root, 'venv', 'bin'));
  const extensionPath = path.join(root, 'extension');
  const bundledBinary = executable(path.join(extensionPath, 'server', 'bin'), 'lazywheel', 0o644);
  const env = { PATH: [path.join(root, 'empty'), path.join(root, 'venv', 'bin')].join(path.delimiter) };

  assert.strictEqual(findServer({ setting: '/opt/lazywheel', extensionPath, env }), '/opt/lazywheel');
  assert.strictEqual(findServer({ setting: '~/bin/lazywheel', extensionPath, env }), path.join(os.homedir(), 'bin', 'lazywheel'));
  assert.strictEqual(findServer({ setting: '', extensionPath, env }), onPath);
  // The bundled binary lost its mode bits on extraction: made executable again.
  assert.strictEqual(findServer({ setting: ' ', extensionPath, env: { PATH: '' } }), bundledBinary);
  assert.ok(fs.statSync(bundledBinary).mode & 0o100);
  assert.strictEqual(findServer({ setting: undefined, extensionPath: path.join(root, 'none'), env: { PATH: '' } }), undefined);
});

test('a missing executable rejects initialize with ENOENT and later requests too', async () => {
  const client = new LazyWheelClient(path.join(os.tmpdir(), 'no-such-dir', 'lazywheel'));
  await assert.rejects(client.initialize({}), (error) => error.code === 'ENOENT');
  await assert.rejects(client.request('shutdown', null), (error) => error.code === 'ENOENT');
  const message = notFoundMessage('', undefined);
  assert.match(message, /lazywheel was not found/);
  assert.match(message, /pip install lazywheel/);
  assert.match(message, /lazywheel\.serverPath/);
  assert.match(notFoundMessage('/x/lazywheel', { code: 'ENOENT' }), /"\/x\/lazywheel".*ENOENT/);
});

test('activation without an executable settles and says once how to install it', async () => {
  const Module = require('node:module');
  const shown = [];
  let serverPath = '';
  const vscode = {
    workspace: { getConfiguration: () => ({ get: (key) => (key === 'serverPath' ? serverPath : undefined) }) },
    window: { showErrorMessage: (message) => { shown.push(message); return Promise.resolve(undefined); } },
  };
  const resolve = Module._resolveFilename;
  Module._resolveFilename = function (request, ...rest) {
    return request === 'vscode' ? 'vscode' : resolve.call(this, request, ...rest);
  };
  require.cache.vscode = { id: 'vscode', filename: 'vscode', loaded: true, exports: vscode };
  const savedPath = process.env.PATH;
  process.env.PATH = '';
  try {
    const extension = require('../src/extension');
    const extensionPath = fs.mkdtempSync(path.join(os.tmpdir(), 'lazywheel-extension-'));
    await extension.activate({ subscriptions: [], extensionPath });
    assert.strictEqual(shown.length, 1);
    assert.match(shown[0], /lazywheel was not found: no `lazywheel` on PATH/);
    await extension.deactivate();
    // A serverPath that does not exist: spawn's ENOENT becomes the same message, naming the setting.
    serverPath = path.join(extensionPath, 'missing', 'lazywheel');
    await extension.activate({ subscriptions: [], extensionPath });
    assert.strictEqual(shown.length, 2);
    assert.match(shown[1], /lazywheel\.serverPath is ".*missing\/lazywheel".*ENOENT/);
    await extension.deactivate();
  } finally {
    process.env.PATH = savedPath;
    Module._resolveFilename = resolve;
    delete require.cache.vscode;
  }
});
