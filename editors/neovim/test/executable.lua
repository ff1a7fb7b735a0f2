-- Where the plugin finds `lazywheel`, and what it says once when there is none:
--   LAZYWHEEL_TEST_RESULT=out.json nvim --headless -u NONE -c 'luafile test/executable.lua'
-- with PATH, HOME and VIRTUAL_ENV set by the caller (Tests/EndToEnd/test_editor_executables.py).
vim.opt.runtimepath:append(vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':h:h'))
local messages = {}
vim.notify = function(message, level) table.insert(messages, { message = message, level = level }) end
local lazywheel = require('lazywheel')
local found = lazywheel.find_executable()
lazywheel.setup {}
local commands = {}
-- Two dependency buffers: the missing executable is reported once, not per buffer.
for _, name in ipairs({ 'requirements.txt', 'pyproject.toml' }) do
  vim.cmd('edit ' .. vim.fn.tempname() .. '-' .. name)
  table.insert(commands, lazywheel.server_command() or vim.NIL)
end
local result = vim.fn.json_encode({ found = found or vim.NIL, messages = messages, commands = commands })
vim.fn.writefile({ result }, vim.env.LAZYWHEEL_TEST_RESULT)
for _, id in ipairs(vim.tbl_keys(vim.lsp.get_active_clients())) do pcall(vim.lsp.stop_client, id, true) end
vim.cmd('qa!')
