-- Headless check used by Tests/EndToEnd/test_editors.py: opens a requirements.txt and a
-- pyproject.toml, waits for the server's diagnostics, asks for hovers, runs :LazyWheelInfo, and
-- writes what it saw as JSON to $LAZYWHEEL_TEST_OUT.
local out = os.getenv('LAZYWHEEL_TEST_OUT')
local results = { errors = {} }
local function finish()
  local file = io.open(out, 'w')
  file:write(vim.fn.json_encode(results))
  file:close()
  vim.cmd('qa!')
end

local ok, err = pcall(function()
  vim.opt.runtimepath:append(os.getenv('LAZYWHEEL_PLUGIN_DIR'))
  local lazywheel = require('lazywheel')
  lazywheel.setup({
    cmd = { os.getenv('LAZYWHEEL_BIN'), 'serve' },
    index_url = os.getenv('LAZYWHEEL_TEST_INDEX_URL'),
    python = '3.12',
    platform = 'manylinux_2_28_x86_64',
  })
  local function check(path, line, col, key)
    vim.cmd('edit ' .. path)
    local bufnr = vim.api.nvim_get_current_buf()
    assert(vim.wait(10000, function() return #vim.lsp.buf_get_clients(bufnr) > 0 end), 'server did not attach')
    local diagnostics_ready = vim.wait(15000, function()
      for _, d in ipairs(vim.diagnostic.get(bufnr)) do
        if d.code == 'unknown-project' or d.code == 'no-matching-version' then return true end
      end
      return false
    end, 50)
    local diagnostics = {}
    for _, d in ipairs(vim.diagnostic.get(bufnr)) do
      table.insert(diagnostics, { line = d.lnum, code = d.code, message = d.message })
    end
    local params = { textDocument = { uri = vim.uri_from_bufnr(bufnr) }, position = { line = line, character = col } }
    local responses = vim.lsp.buf_request_sync(bufnr, 'textDocument/hover', params, 15000) or {}
    local hover
    for _, response in pairs(responses) do
      if response.result then hover = response.result.contents.value end
    end
    results[key] = { diagnostics = diagnostics, hover = hover, diagnostics_ready = diagnostics_ready }
  end
  check(os.getenv('LAZYWHEEL_TEST_REQUIREMENTS'), 0, 1, 'requirements')
  check(os.getenv('LAZYWHEEL_TEST_PYPROJECT'), 2, 19, 'pyproject')
  -- :LazyWheelInfo on the idna line of requirements.txt, opening its WHEEL file.
  vim.cmd('edit ' .. os.getenv('LAZYWHEEL_TEST_REQUIREMENTS'))
  vim.api.nvim_win_set_cursor(0, { 1, 0 })
  vim.cmd('LazyWheelInfo idna-3.10.dist-info/WHEEL')
  results.info = {
    entries = lazywheel.last_info.entries,
    member = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), '\n'),
  }
end)
if not ok then table.insert(results.errors, tostring(err)) end
finish()
