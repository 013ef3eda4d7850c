-- The scripting environment of Redis 7.0, built once per VM (native/src/lua/mod.rs).
-- Runs with the full base library and `debug`; what scripts see is the table `R` behind a
-- read-only proxy. Redis 7.0 makes its tables read-only inside the Lua VM (a patch to Lua);
-- stock Lua 5.1 cannot, so every protected table is an empty proxy whose metatable reads
-- through to the real table and refuses writes with Redis's message. Frames of this chunk
-- ('=marekvs') are skipped when an error is given its script position.
local I, G = ...

local type, tostring, tonumber, error, select, next, pairs, ipairs = G.type, G.tostring, G.tonumber, G.error, G.select, G.next, G.pairs, G.ipairs
local rawget, rawset, setmetatable, getmetatable, setfenv, loadstring, xpcall, pcall = G.rawget, G.rawset, G.setmetatable, G.getmetatable, G.setfenv, G.loadstring, G.xpcall, G.pcall
local floor, byte, find, sub, concat = G.math.floor, G.string.byte, G.string.find, G.string.sub, G.table.concat
local getinfo = G.debug.getinfo
-- I.call is replaced by each run's own callback: always looked up, never kept.
local sha1hex, setresp, rand, srand, raising, raising_command = I.sha1hex, I.setresp, I.rand, I.srand, I.raising, I.raising_command

local READONLY = 'Attempt to modify a readonly table'

-- proxy -> the real table it stands for
local protected = setmetatable({}, { __mode = 'k' })

local function refuse_write()
  error(READONLY, 2)
end

-- `view`: what getmetatable(proxy) answers (false hides the metatable, which would let a
-- script reach the real table through __index; R.getmetatable turns it into nil, as Redis).
local function readonly(real, view)
  local proxy = {}
  setmetatable(proxy, { __index = real, __newindex = refuse_write, __metatable = view })
  protected[proxy] = real
  return proxy
end

-- Redis's __redis__err__handler: any error becomes {err=..., source=..., line=...}, the
-- position being the script line that raised it (the caller of a C function such as error or
-- redis.call, past this chunk's own frames).
local function err_handler(err)
  local level = 2
  local info = getinfo(level, 'nSl')
  if info and info.what == 'C' then
    level = level + 1
    info = getinfo(level, 'nSl')
  end
  while info and info.source == '=marekvs' do
    level = level + 1
    info = getinfo(level, 'nSl')
  end
  if type(err) ~= 'table' or protected[err] ~= nil then
    err = { err = 'ERR ' .. tostring(err) }
  end
  if info then
    err.source = info.source
    err.line = info.currentline
  end
  return err
end

-- The real globals. Redis 7.0 has no print, dofile, loadfile, setfenv, getfenv, newproxy,
-- os, io, debug, package, require or module.
local R = {}
for _, name in ipairs({ 'assert', 'collectgarbage', 'error', 'gcinfo', 'ipairs', 'rawequal', 'select',
  'tonumber', 'tostring', 'type', 'unpack', 'xpcall', '_VERSION' }) do
  R[name] = G[name]
end

local proxyG = readonly(R, readonly({}, false))
R._G = proxyG
R.__redis__err__handler = err_handler

setmetatable(R, {
  __index = function(_, name)
    error("Script attempted to access nonexistent global variable '" .. tostring(name) .. "'", 2)
  end,
})

-- (raise `true, message`: raised without a position, as from Redis's C functions.)
R.rawset = raising(function(t, k, v)
  if protected[t] ~= nil then return true, READONLY end
  return false, rawset(t, k, v)
end)

R.setmetatable = raising(function(t, mt)
  if protected[t] ~= nil then return true, READONLY end
  return false, setmetatable(t, mt)
end)

-- Redis's library tables have no metatable; their proxies answer nil as well.
R.getmetatable = raising(function(...)
  if select('#', ...) == 0 then return "bad argument #1 to 'getmetatable' (value expected)" end
  local v = ...
  local mt = getmetatable(v)
  if mt == false and protected[v] ~= nil then mt = nil end
  return false, mt
end)

function R.rawget(t, k)
  local real = protected[t]
  if real ~= nil then t = real end
  local r = rawget(t, k)
  return r
end

function R.next(t, k)
  local real = protected[t]
  if real ~= nil then t = real end
  return next(t, k)
end

function R.pairs(t)
  if protected[t] ~= nil then return R.next, t, nil end
  return pairs(t)
end

-- Redis 7's pcall: an error table with an `err` field is answered as that string.
local function pcall_result(ok, ...)
  if ok then return ok, ... end
  local e = ...
  if type(e) == 'table' then
    local m = e.err
    if type(m) == 'string' or type(m) == 'number' then return false, m end
  end
  return false, e
end

function R.pcall(...)
  return pcall_result(pcall(...))
end

-- Code loaded at run time sees the same sandbox; binary chunks are refused, as Redis 7 does.
function R.loadstring(s, name)
  if type(s) == 'string' and byte(s, 1) == 27 then
    return nil, 'binary chunks are not allowed'
  end
  local f, e = loadstring(s, name)
  if f then setfenv(f, proxyG) end
  return f, e
end

function R.load(reader, name)
  if type(reader) ~= 'function' then
    error("bad argument #1 to 'load' (function expected, got " .. type(reader) .. ")", 2)
  end
  local parts = {}
  while true do
    local part = reader()
    if part == nil or part == '' then break end
    if type(part) ~= 'string' then return nil, 'reader function must return a string' end
    parts[#parts + 1] = part
  end
  return R.loadstring(concat(parts), name or '=(load)')
end

-- math.random and math.randomseed as Redis: its own rand48, the same sequence on every
-- platform; not reseeded per script (Redis 7.0 replicates effects, not scripts).
local RAND_MAX = 2147483647

-- Functions that can fail are written as impl(...) -> raise, results...: `raising(impl)`
-- wraps one in a C function that raises `raise` when it is set (a string gets the script
-- position, as luaL_error does; a table is raised as it is), so that the error points at the
-- script line even when the script tail-calls it (`return redis.call(...)`), as with Redis's
-- C functions.
local function checkint(v, n, argc, fname)
  local x = tonumber(v)
  if x == nil then
    local got = n > argc and 'no value' or type(v)
    return nil, 'bad argument #' .. n .. " to '" .. fname .. "' (number expected, got " .. got .. ')'
  end
  if x >= 0 then return floor(x) end
  return -floor(-x)
end

local math = {}
for k, v in pairs(G.math) do math[k] = v end

math.random = raising(function(...)
  local r = (rand() % RAND_MAX) / RAND_MAX
  local argc = select('#', ...)
  if argc == 0 then return false, r end
  local a, b = ...
  if argc == 1 then
    local u, e = checkint(a, 1, argc, 'random')
    if e then return e end
    if u < 1 then return "bad argument #1 to 'random' (interval is empty)" end
    return false, floor(r * u) + 1
  end
  if argc == 2 then
    local l, e1 = checkint(a, 1, argc, 'random')
    if e1 then return e1 end
    local u, e2 = checkint(b, 2, argc, 'random')
    if e2 then return e2 end
    if l > u then return "bad argument #2 to 'random' (interval is empty)" end
    return false, floor(r * (u - l + 1)) + l
  end
  return 'wrong number of arguments'
end)

math.randomseed = raising(function(...)
  local seed, e = checkint((...), 1, select('#', ...), 'randomseed')
  if e then return e end
  srand(seed)
  return false
end)

-- The redis table.
local redis = {}

redis.call = raising_command(function(...)
  local r, raise = I.call(0, ...)
  if raise then return r end
  return false, r
end)

redis.pcall = raising_command(function(...)
  local r = I.call(1, ...)
  return false, r
end)

redis.acl_check_cmd = raising_command(function(...)
  local r, raise = I.call(2, ...)
  if raise then return r end
  return false, r
end)

redis.sha1hex = raising(function(...)
  if select('#', ...) ~= 1 then return { err = 'ERR wrong number of arguments' } end
  return false, sha1hex((...))
end)

-- Redis's luaPushErrorBuff: '-CODE message' keeps its code, anything else gets ERR.
local function error_text(s)
  if byte(s, 1) ~= 45 then s = '-' .. s end
  local space = find(s, ' ', 1, true)
  local code, msg
  if space == nil then
    code, msg = 'ERR', sub(s, 2)
  else
    code, msg = sub(s, 2, space - 1), sub(s, space + 1)
  end
  local first, last = 1, #msg
  while first <= last and (byte(msg, first) == 13 or byte(msg, first) == 10) do first = first + 1 end
  while last >= first and (byte(msg, last) == 13 or byte(msg, last) == 10) do last = last - 1 end
  return code .. ' ' .. sub(msg, first, last)
end

local function bad_reply_args()
  return { err = 'ERR wrong number or type of arguments' }
end

function redis.error_reply(...)
  local s = ...
  if select('#', ...) ~= 1 or type(s) ~= 'string' then return bad_reply_args() end
  return { err = error_text(s) }
end

function redis.status_reply(...)
  local s = ...
  if select('#', ...) ~= 1 or type(s) ~= 'string' then return bad_reply_args() end
  return { ok = s }
end

local function trunc(x)
  if x >= 0 then return floor(x) end
  return -floor(-x)
end

redis.log = raising(function(...)
  local argc = select('#', ...)
  if argc < 2 then return { err = 'ERR redis.log() requires two arguments or more.' } end
  local level = tonumber((...))
  if level == nil then return { err = 'ERR First argument must be a number (log level).' } end
  level = trunc(level)
  if level < 0 or level > 3 then return { err = 'ERR Invalid debug level.' } end
  local parts = {}
  for i = 2, argc do
    local v = select(i, ...)
    local t = type(v)
    if t == 'string' or t == 'number' then parts[#parts + 1] = tostring(v) end
  end
  I.call(3, tostring(level), concat(parts, ' '))
  return false
end)

redis.setresp = raising(function(...)
  if select('#', ...) ~= 1 then return { err = 'ERR redis.setresp() requires one argument.' } end
  local resp = trunc(tonumber((...)) or 0)
  if resp ~= 2 and resp ~= 3 then return { err = 'ERR RESP version must be 2 or 3.' } end
  setresp(resp)
  return false
end)

redis.set_repl = raising(function(...)
  if select('#', ...) ~= 1 then return { err = 'ERR redis.set_repl() requires two arguments.' } end
  local flags = trunc(tonumber((...)) or 0)
  if flags ~= 0 and flags ~= 1 and flags ~= 2 and flags ~= 3 then
    return { err = 'ERR Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.' }
  end
  return false
end)

function redis.replicate_commands() return true end
function redis.breakpoint() return false end
function redis.debug() end

redis.REPL_NONE, redis.REPL_AOF, redis.REPL_SLAVE, redis.REPL_REPLICA, redis.REPL_ALL = 0, 1, 2, 2, 3
redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING = 0, 1, 2, 3
redis.REDIS_VERSION, redis.REDIS_VERSION_NUM = I.version, I.version_num

R.redis = readonly(redis, false)
R.math = readonly(math, false)
R.string = readonly(G.string, false)
R.table = readonly(G.table, false)
R.coroutine = readonly(G.coroutine, false)
-- cjson, cmsgpack, bit and struct (native/src/lua/libs/).
for name, lib in pairs(I.libs) do
  R[name] = readonly(lib, false)
end

-- ('x'):upper() reads the real string table; getmetatable('') answers a read-only view.
local string_mt = getmetatable('')
string_mt.__metatable = readonly({ __index = R.string }, false)

-- run(f): the script under the error handler.
local function run(f)
  return xpcall(f, err_handler)
end

-- (The last value: what library.lua builds function libraries from.)
return proxyG, R, run, { R = R, redis = redis, readonly = readonly, refuse_write = refuse_write, raising = raising }
