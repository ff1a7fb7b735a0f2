'use strict';
// A JSON-RPC client of `lazywheel serve` over the child process's stdio (no vscode dependency).
const { spawn } = require('node:child_process');
const { EventEmitter } = require('node:events');
const { encodeFrame, FrameDecoder } = require('./framing');

class LazyWheelClient extends EventEmitter {
  /** Starts `serverPath serve`; `env` defaults to the current environment. */
  constructor(serverPath, { env } = {}) {
    super();
    this.nextId = 1;
    this.pending = new Map();
    /** Answers to requests the server sends, by method: `(params) => result` (may return a promise). */
    this.requestHandlers = new Map();
    this.process = spawn(serverPath, ['serve'], { stdio: ['pipe', 'pipe', 'pipe'], env: env || process.env });
    const decoder = new FrameDecoder((message) => this.dispatch(message));
    this.process.stdout.on('data', (chunk) => decoder.push(chunk));
    this.process.stderr.on('data', (chunk) => this.emit('log', chunk.toString()));
    // Spawn failures (ENOENT: no such executable, EACCES) reject what is pending and later
    // requests, instead of being thrown from the event loop; writes to the dead pipe are dropped.
    this.process.on('error', (error) => {
      this.failure = error;
      for (const { reject } of this.pending.values()) reject(error);
      this.pending.clear();
      this.emit('failed', error);
    });
    this.process.stdin.on('error', () => {});
    this.process.on('exit', (code) => {
      for (const { reject } of this.pending.values()) reject(new Error(`lazywheel exited with ${code}`));
      this.pending.clear();
      this.emit('exit', code);
    });
  }

  dispatch(message) {
    if (message.method !== undefined && message.id !== undefined) {
      // A request from the server: answered by its handler, else accepted with null
      // (window/workDoneProgress/create).
      const handler = this.requestHandlers.get(message.method);
      Promise.resolve(handler ? handler(message.params) : null).then(
        (result) => this.write({ jsonrpc: '2.0', id: message.id, result: result === undefined ? null : result }),
        (error) => this.write({ jsonrpc: '2.0', id: message.id, error: { code: -32603, message: String(error && error.message || error) } }),
      );
    } else if (message.method !== undefined) {
      this.emit('notification', message);
      this.emit(message.method, message.params);
    } else {
      const waiter = this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id);
      if (message.error) {
        const error = new Error(message.error.message);
        error.code = message.error.code;
        error.data = message.error.data;
        waiter.reject(error);
      } else {
        waiter.resolve(message.result);
      }
    }
  }

  write(message) {
    this.process.stdin.write(encodeFrame(message));
  }

  request(method, params) {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    const promise = new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
    promise.id = id;
    this.write({ jsonrpc: '2.0', id, method, params });
    return promise;
  }

  notify(method, params) {
    this.write({ jsonrpc: '2.0', method, params });
  }

  cancel(promise) {
    this.notify('$/cancelRequest', { id: promise.id });
  }

  /** `initialize` + `initialized`, with lazywheel's initializationOptions. With
   * `configuration`, the client also answers the server's `workspace/configuration`. */
  async initialize({ indexUrl, python, platform } = {}, { configuration = false } = {}) {
    const initializationOptions = {};
    if (indexUrl) initializationOptions.indexUrl = indexUrl;
    if (python) initializationOptions.python = python;
    if (platform) initializationOptions.platform = platform;
    const result = await this.request('initialize', {
      processId: process.pid, clientInfo: { name: 'lazywheel-vscode' }, rootUri: null,
      capabilities: {
        textDocument: { hover: { contentFormat: ['markdown'] } },
        workspace: { configuration, applyEdit: true },
      },
      initializationOptions,
    });
    this.notify('initialized', {});
    return result;
  }

  async shutdown() {
    await this.request('shutdown', null);
    this.notify('exit');
  }
}

module.exports = { LazyWheelClient };
