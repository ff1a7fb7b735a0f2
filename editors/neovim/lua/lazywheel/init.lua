-- lazywheel for Neovim (0.7.2 and newer): starts `lazywheel serve` as a language server for
-- requirements*.txt / requirements/*.txt / *.in / constraints*.txt and pyproject.toml buffers
-- (hover on `K`, diagnostics, completion, code actions, code lenses, and the resolved and latest
-- version at the end of each line, drawn as virtual text since Neovim 0.7 has no inlay hints),
-- and :LazyWheelInfo to browse the wheel of the dependency under the cursor with the server's own
-- methods (lazywheel/dependency, getMetadata, openWheel, listEntries, readEntry).
local M = {}

M.config = {
  -- nil: `lazywheel serve`, the executable found by M.server_command().
  cmd = nil,
  index_url = nil,
  python = nil,
  platform = nil,
  -- Extra initializationOptions (memoryBudgetBytes, extraIndexUrls, findLinks, logFile…).
  init_options = {},
  -- The resolved and latest version at the end of each dependency line (virtual text).
  hints = true,
  -- Map `K` to hover in dependency buffers where you have no `K` mapping of your own.
  map_hover = true,
}

local hint_namespace = vim.api.nvim_create_namespace('lazywheel_hints')

local client_id = nil

-- The same names the server recognizes (DependencyDocumentKind.detect).
local function is_dependency_file(name)
  local base = vim.fn.fnamemodify(name, ':t'):lower()
  local directory = vim.fn.fnamemodify(name, ':h:t'):lower()
  if base == 'pyproject.toml' then return true end
  if base:match('%.in$') then return true end
  if base:match('%.txt$') == nil then return false end
  return base:match('requirement') ~= nil or base:match('^constraint') ~= nil
    or directory:match('^requirement') ~= nil or directory:match('^constraint') ~= nil
end
M.is_dependency_file = is_dependency_file

local function init_options()
  local options = vim.deepcopy(M.config.init_options or {})
  options.indexUrl = M.config.index_url or options.indexUrl
  options.python = M.config.python or options.python
  options.platform = M.config.platform or options.platform
  -- An empty Lua table encodes as a JSON array; the protocol wants an object.
  if next(options) == nil then return vim.empty_dict() end
  return options
end

local function is_executable(path)
  return path ~= nil and path ~= '' and vim.fn.executable(path) == 1
end

--- Where `lazywheel` is, in the order of the README: on PATH, in the active virtual environment
--- ($VIRTUAL_ENV/bin), or where `uv tool install` and `pipx` put commands ($UV_TOOL_BIN_DIR,
--- $PIPX_BIN_DIR, $XDG_BIN_HOME, else ~/.local/bin). Returns the path, or nil and the places tried.
function M.find_executable()
  local home = vim.loop.os_homedir() or ''
  local candidates = { vim.fn.exepath('lazywheel') }
  -- Absent variables are nil, so the folders are listed by name (ipairs stops at a nil).
  local folders = {
    { vim.env.VIRTUAL_ENV, '/bin' }, { vim.env.UV_TOOL_BIN_DIR, '' }, { vim.env.PIPX_BIN_DIR, '' },
    { vim.env.XDG_BIN_HOME, '' }, { home, '/.local/bin' },
  }
  for _, folder in ipairs(folders) do
    if folder[1] and folder[1] ~= '' then table.insert(candidates, folder[1] .. folder[2] .. '/lazywheel') end
  end
  for _, candidate in ipairs(candidates) do
    if is_executable(candidate) then return candidate end
  end
  return nil, { 'PATH', '$VIRTUAL_ENV/bin', '~/.local/bin (uv tool, pipx)' }
end

local missing_reported = false

--- The command that starts the server: `cmd` from setup when it names an executable, else
--- `<found> serve` (also for a `cmd` whose program is the bare name `lazywheel`). When there is
--- no executable, says so once per session (how to install it or point at it) and returns nil.
function M.server_command()
  local cmd = M.config.cmd
  if cmd and cmd[1] and cmd[1] ~= 'lazywheel' and is_executable(cmd[1]) then return cmd end
  local found, tried = nil, nil
  if not cmd or cmd[1] == 'lazywheel' then found, tried = M.find_executable() end
  if found then
    local command = vim.deepcopy(cmd or { 'lazywheel', 'serve' })
    command[1] = found
    return command
  end
  if not missing_reported then
    missing_reported = true
    local where = cmd and ('cmd = { ' .. vim.inspect(cmd[1]) .. ', … } is not an executable')
      or ('not on ' .. table.concat(tried, ', '))
    vim.notify('lazywheel: the lazywheel executable was not found (' .. where .. '). Install it with '
      .. '`uv tool install lazywheel`, `pipx install lazywheel` or `pip install lazywheel` (the wheel '
      .. 'scripts/package builds), or point at it: require(\'lazywheel\').setup { cmd = { '
      .. '\'/path/to/lazywheel\', \'serve\' } }', vim.log.levels.ERROR)
  end
  return nil
end

--- Waits (up to `timeout` ms) until the client finished `initialize`, so requests made right
--- after opening a file are not refused as unsupported.
local function wait_initialized(client, timeout)
  if client.initialized then return true end
  return vim.wait(timeout or 10000, function() return client.initialized == true end, 10)
end

--- Draws each inlay hint the server sends as virtual text at the end of its line.
function M.draw_hints(bufnr, hints)
  if not vim.api.nvim_buf_is_valid(bufnr) then return end
  vim.api.nvim_buf_clear_namespace(bufnr, hint_namespace, 0, -1)
  for _, hint in ipairs(hints or {}) do
    local label = hint.label
    if type(label) == 'table' then
      local parts = {}
      for _, part in ipairs(label) do table.insert(parts, part.value) end
      label = table.concat(parts)
    end
    pcall(vim.api.nvim_buf_set_extmark, bufnr, hint_namespace, hint.position.line, 0, {
      virt_text = { { '  ' .. label, 'Comment' } }, virt_text_pos = 'eol', hl_mode = 'combine',
    })
  end
end

--- Asks the server for the buffer's inlay hints and draws them.
function M.refresh_hints(bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  if not M.config.hints or not client_id then return end
  local c = vim.lsp.get_client_by_id(client_id)
  if not c or not c.initialized or not vim.lsp.buf_is_attached(bufnr, client_id) then return end
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = { start = { line = 0, character = 0 }, ['end'] = { line = vim.api.nvim_buf_line_count(bufnr), character = 0 } },
  }
  c.request('textDocument/inlayHint', params, function(err, result)
    if not err then M.draw_hints(bufnr, result) end
  end, bufnr)
end

--- `K`: hover once the server is ready (a hover sent before `initialize` completes would be
--- refused by Neovim as "not supported").
function M.hover()
  local c = client_id and vim.lsp.get_client_by_id(client_id)
  if c then wait_initialized(c, 10000) end
  vim.lsp.buf.hover()
end

local function has_own_mapping(bufnr, lhs)
  for _, map in ipairs(vim.api.nvim_buf_get_keymap(bufnr, 'n')) do
    if map.lhs == lhs then return true end
  end
  for _, map in ipairs(vim.api.nvim_get_keymap('n')) do
    if map.lhs == lhs then return true end
  end
  return false
end

--- `K` would run `man` (keywordprg) in a requirements file: hover instead, unless mapped
--- already. Set when the buffer is attached, before the server has answered `initialize`
--- (Neovim calls `on_attach` only after), so an early `K` already waits for the server.
local function map_hover(bufnr)
  if M.config.map_hover and not has_own_mapping(bufnr, 'K') then
    vim.api.nvim_buf_set_keymap(bufnr, 'n', 'K', '<cmd>lua require("lazywheel").hover()<CR>',
      { noremap = true, silent = true, desc = 'lazywheel: hover' })
  end
end

local function on_attach(_, bufnr)
  vim.api.nvim_buf_set_option(bufnr, 'omnifunc', 'v:lua.vim.lsp.omnifunc')
  local group = vim.api.nvim_create_augroup('lazywheel_buffer_' .. bufnr, { clear = true })
  -- Code lenses (the latest version of each dependency; run one with vim.lsp.codelens.run()).
  if vim.lsp.codelens and vim.lsp.codelens.refresh then
    pcall(vim.lsp.codelens.refresh)
    vim.api.nvim_create_autocmd({ 'BufEnter', 'InsertLeave', 'BufWritePost' }, {
      group = group, buffer = bufnr,
      callback = function() pcall(vim.lsp.codelens.refresh) end,
    })
  end
  vim.api.nvim_create_autocmd({ 'InsertLeave', 'BufWritePost' }, {
    group = group, buffer = bufnr, callback = function() M.refresh_hints(bufnr) end,
  })
  M.refresh_hints(bufnr)
end

--- Diagnostics arrive when the server's lookups are done: redraw the hints then (answered from memory).
local function on_diagnostics(err, result, ctx, config)
  vim.lsp.handlers['textDocument/publishDiagnostics'](err, result, ctx, config)
  if result and result.uri then
    local bufnr = vim.uri_to_bufnr(result.uri)
    if vim.api.nvim_buf_is_loaded(bufnr) then M.refresh_hints(bufnr) end
  end
end

--- Starts the server once per Neovim session and returns its client id (nil without an executable).
function M.start()
  if client_id and vim.lsp.get_client_by_id(client_id) then return client_id end
  local cmd = M.server_command()
  if not cmd then return nil end
  client_id = vim.lsp.start_client({
    name = 'lazywheel',
    cmd = cmd,
    root_dir = vim.fn.getcwd(),
    init_options = init_options(),
    -- Answered to the server's workspace/configuration (section `lazywheel`).
    settings = { lazywheel = init_options() },
    handlers = { ['textDocument/publishDiagnostics'] = on_diagnostics },
    on_attach = on_attach,
  })
  return client_id
end

--- Attaches the server to `bufnr` when it is a dependency document.
function M.attach(bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  if not is_dependency_file(vim.api.nvim_buf_get_name(bufnr)) then return end
  local id = M.start()
  if id then
    vim.lsp.buf_attach_client(bufnr, id)
    map_hover(bufnr)
  end
end

local function client()
  local id = M.start()
  return id and vim.lsp.get_client_by_id(id)
end

local function request_sync(method, params, timeout)
  local c = client()
  if not c then error('lazywheel: the server is not running') end
  local response = c.request_sync(method, params, timeout or 30000, vim.api.nvim_get_current_buf())
  if not response then error('lazywheel: ' .. method .. ' timed out') end
  if response.err then error('lazywheel: ' .. method .. ': ' .. (response.err.message or vim.inspect(response.err))) end
  return response.result
end
M.request_sync = request_sync

--- The dependency under the cursor as the server parsed it (PEP 508, poetry tables and
--- constraints, dependency groups…): name and PEP 440 specifier, or nil.
function M.dependency_under_cursor()
  local c = client()
  if not c then return nil end
  wait_initialized(c, 10000)
  local cursor = vim.api.nvim_win_get_cursor(0)
  local line = vim.api.nvim_get_current_line()
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(0) },
    position = { line = cursor[1] - 1, character = vim.str_utfindex(line, math.min(cursor[2], #line)) },
  }
  local dependency = request_sync('lazywheel/dependency', params)
  if not dependency or dependency == vim.NIL then return nil end
  local specifier = dependency.specifier ~= '' and dependency.specifier or nil
  return dependency.name, specifier
end

--- Opens a member of `url`'s wheel in a scratch buffer.
function M.show_member(handle, member)
  local entry = request_sync('readEntry', { handle = handle, name = member, encoding = 'utf-8' })
  vim.cmd('new')
  local buf = vim.api.nvim_get_current_buf()
  vim.api.nvim_buf_set_option(buf, 'buftype', 'nofile')
  vim.api.nvim_buf_set_option(buf, 'bufhidden', 'wipe')
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, vim.split(entry.data, '\n', { plain = true }))
  pcall(vim.api.nvim_buf_set_name, buf, 'lazywheel://' .. member)
  vim.api.nvim_buf_set_option(buf, 'modifiable', false)
  return buf
end

--- :LazyWheelInfo [member]: the wheel of the dependency under the cursor; lists its members and
--- opens the chosen one (or `member`) in a scratch buffer.
function M.info(member)
  local name, specifier = M.dependency_under_cursor()
  if not name then
    vim.notify('lazywheel: no dependency on this line', vim.log.levels.WARN)
    return
  end
  local metadata = request_sync('getMetadata', { project = name, specifier = specifier })
  local wheel = request_sync('openWheel', { url = metadata.fileUrl })
  local listing = request_sync('listEntries', { handle = wheel.handle })
  local names = {}
  for _, entry in ipairs(listing.entries) do table.insert(names, entry.name) end
  M.last_info = { name = name, version = metadata.version, url = metadata.fileUrl, handle = wheel.handle, entries = names }
  if member then return M.show_member(wheel.handle, member) end
  vim.ui.select(names, { prompt = wheel.filename .. ' (' .. #names .. ' members)' }, function(choice)
    if choice then M.show_member(wheel.handle, choice) end
  end)
end

function M.setup(opts)
  M.config = vim.tbl_deep_extend('force', M.config, opts or {})
  local group = vim.api.nvim_create_augroup('lazywheel', { clear = true })
  vim.api.nvim_create_autocmd({ 'BufReadPost', 'BufNewFile' }, {
    group = group,
    pattern = { '*requirements*.txt', '*/requirements/*.txt', '*/constraints/*.txt', '*constraints*.txt', '*.in', 'pyproject.toml' },
    callback = function(args) M.attach(args.buf) end,
  })
  vim.api.nvim_create_user_command('LazyWheelInfo', function(command)
    M.info(command.args ~= '' and command.args or nil)
  end, { nargs = '?', desc = 'Browse the wheel of the dependency under the cursor' })
  -- Buffers already open when setup runs.
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) then M.attach(bufnr) end
  end
end

return M
