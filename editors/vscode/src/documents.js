'use strict';
// Which documents the extension sends to the server, and LSP message shapes for them.

// The names the server recognizes (DependencyDocumentKind.detect): requirements*.txt,
// *requirements.txt, any .txt in requirements/ or constraints/, *.in, constraints*.txt, pyproject.toml.
function isDependencyDocument(fileName) {
  const parts = fileName.split(/[\\/]/);
  const base = parts.pop().toLowerCase();
  const directory = (parts.pop() || '').toLowerCase();
  if (base === 'pyproject.toml' || base.endsWith('.in')) return true;
  if (!base.endsWith('.txt')) return false;
  return base.includes('requirement') || base.startsWith('constraint')
    || directory.startsWith('requirement') || directory.startsWith('constraint');
}

/** The document selector of every provider: the same names as `isDependencyDocument`. */
const selector = [
  { pattern: '**/*requirement*.txt' }, { pattern: '**/requirements/*.txt' }, { pattern: '**/constraints/*.txt' },
  { pattern: '**/constraint*.txt' }, { pattern: '**/*.in' }, { pattern: '**/pyproject.toml' },
];

const didOpen = (uri, version, text) => ({ textDocument: { uri, languageId: 'plaintext', version, text } });
const didChangeFull = (uri, version, text) => ({ textDocument: { uri, version }, contentChanges: [{ text }] });
const position = (uri, line, character) => ({ textDocument: { uri }, position: { line, character } });

module.exports = { isDependencyDocument, selector, didOpen, didChangeFull, position };
