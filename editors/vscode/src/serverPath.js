'use strict';
// Which `lazywheel` the extension runs: the `lazywheel.serverPath` setting when set, else the
// first `lazywheel` on PATH (a `pip install`, `uv tool install` or `pipx` install, or a source
// build), else the binary bundled in the VSIX (scripts/package puts it under server/bin).
// Plain Node, no `vscode` dependency, so `node --test` covers it.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const EXECUTABLE = process.platform === 'win32' ? 'lazywheel.exe' : 'lazywheel';

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The first executable `lazywheel` in the folders of `PATH`, or undefined. */
function onPath(pathVariable) {
  for (const folder of (pathVariable || '').split(path.delimiter)) {
    if (folder && isExecutable(path.join(folder, EXECUTABLE))) return path.join(folder, EXECUTABLE);
  }
  return undefined;
}

/** The binary bundled in the VSIX, made executable when the installer dropped the mode bits. */
function bundled(extensionPath) {
  if (!extensionPath) return undefined;
  const file = path.join(extensionPath, 'server', 'bin', EXECUTABLE);
  if (!fs.existsSync(file)) return undefined;
  if (!isExecutable(file)) {
    try { fs.chmodSync(file, 0o755); } catch { return undefined; }
  }
  return file;
}

/**
 * The command to run as `<command> serve`, or undefined when there is none.
 * `setting` is `lazywheel.serverPath` (a path, `~/…`, or a name looked up on PATH by spawn).
 */
function findServer({ setting, extensionPath, env = process.env }) {
  if (setting && setting.trim()) {
    const value = setting.trim();
    return value.startsWith('~/') ? path.join(os.homedir(), value.slice(2)) : value;
  }
  return onPath(env.PATH) || bundled(extensionPath);
}

/** What the user reads, once, when there is no executable to run (or it failed to start). */
function notFoundMessage(setting, error) {
  const which = setting && setting.trim()
    ? `lazywheel.serverPath is "${setting.trim()}", which could not be started${error ? ` (${error.code || error.message})` : ''}`
    : 'no `lazywheel` on PATH and no bundled binary';
  return `lazywheel was not found: ${which}. Install it with \`pip install lazywheel\` or \`uv tool install lazywheel\` `
    + '(the wheel scripts/package builds), install the lazywheel VSIX that bundles it, or set '
    + '`lazywheel.serverPath` to the executable.';
}

module.exports = { findServer, notFoundMessage, onPath, bundled };
