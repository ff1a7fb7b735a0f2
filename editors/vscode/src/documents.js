'use strict';
// Which documents the extension sends to the server, and LSP message shapes for them.

function isDependencyDocument(fileName) {
  const base = fileName.split(/[\\/]/).pop().toLowerCase();
  if (base === 'pyproject.toml' || base.endsWith('.in')) return true;
  return base.endsWith('.txt') && (base.includes('requirement') || base.startsWith('constraint'));
}

const didOpen = (uri, version, text) => ({ textDocument: { uri, languageId: 'plaintext', version, text } });
const didChangeFull = (uri, version, text) => ({ textDocument: { uri, version }, contentChanges: [{ text }] });
const position = (uri, line, character) => ({ textDocument: { uri }, position: { line, character } });

module.exports = { isDependencyDocument, didOpen, didChangeFull, position };
