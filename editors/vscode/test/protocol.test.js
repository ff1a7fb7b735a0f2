'use strict';
// The extension's protocol and document code against the real server:
//   LAZYWHEEL_BIN=… LAZYWHEEL_TEST_INDEX_URL=http://127.0.0.1:PORT/simple/ node --test test/
const test = require('node:test');
const assert = require('node:assert');
const { encodeFrame, FrameDecoder } = require('../src/framing');
const { LazyWheelClient } = require('../src/client');
const { isDependencyDocument, didOpen, didChangeFull, position } = require('../src/documents');

test('framing round-trips split and joined frames', () => {
  const messages = [];
  const decoder = new FrameDecoder((message) => messages.push(message));
  const frames = Buffer.concat([encodeFrame({ id: 1, text: 'é😀' }), encodeFrame({ id: 2 })]);
  for (let i = 0; i < frames.length; i += 7) decoder.push(frames.subarray(i, i + 7));
  assert.deepStrictEqual(messages, [{ id: 1, text: 'é😀' }, { id: 2 }]);
  assert.throws(() => new FrameDecoder(() => {}).push(Buffer.from('Bad: 1\r\n\r\n{}')));
});

test('dependency documents are recognized', () => {
  assert.ok(isDependencyDocument('/x/requirements-dev.txt'));
  assert.ok(isDependencyDocument('/x/pyproject.toml'));
  assert.ok(isDependencyDocument('C:\\x\\constraints.txt'));
  assert.ok(!isDependencyDocument('/x/README.txt'));
});

const binary = process.env.LAZYWHEEL_BIN;
const indexUrl = process.env.LAZYWHEEL_TEST_INDEX_URL;

test('hover, diagnostics, completion against lazywheel serve', { skip: !(binary && indexUrl) && 'set LAZYWHEEL_BIN and LAZYWHEEL_TEST_INDEX_URL' }, async () => {
  const client = new LazyWheelClient(binary);
  try {
    const init = await client.initialize({ indexUrl, python: '3.12', platform: 'manylinux_2_28_x86_64' });
    assert.strictEqual(init.capabilities.hoverProvider, true);
    const uri = 'file:///tmp/vscode-test/requirements.txt';
    const diagnostics = new Promise((resolve) => {
      client.on('textDocument/publishDiagnostics', (params) => {
        if (params.uri === uri && params.diagnostics.some((d) => d.code === 'unknown-project')) resolve(params.diagnostics);
      });
    });
    client.notify('textDocument/didOpen', didOpen(uri, 1, 'idna==3.1\n'));
    client.notify('textDocument/didChange', didChangeFull(uri, 2, 'idna==3.10\nno-such-project-here\n'));
    // Notifications are applied in order; the diagnostics of version 2 show the change arrived.
    const published = await diagnostics;
    const hover = await client.request('textDocument/hover', position(uri, 0, 2));
    assert.match(hover.contents.value, /\*\*idna\*\* `3\.10`/);
    assert.strictEqual(published.find((d) => d.code === 'unknown-project').range.start.line, 1);
    const completion = await client.request('textDocument/completion', position(uri, 0, 6));
    assert.deepStrictEqual(completion.items.map((item) => item.label), ['3.10']);
    await client.shutdown();
  } finally {
    client.process.kill();
  }
});
