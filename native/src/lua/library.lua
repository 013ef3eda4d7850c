-- Function libraries (FUNCTION LOAD, FCALL) as Redis 7.0's function_lua.c builds them, on the
-- scripts' VM (native/src/lua/library.rs). A library's body runs with only the loading API in
-- sight: `redis.register_function`, `redis.log` and the constants; any other global fails as
-- an undefined one, and globals stay read-only. The functions it registers run later with the
-- scripts' globals, KEYS and ARGV passed as their two arguments. Built once per VM, from the
-- sandbox's internals (sandbox.lua).
local S = ...

local R, readonly, refuse_write, raising = S.R, S.readonly, S.refuse_write, S.raising
local type, tostring, select, next, pcall, ipairs = type, tostring, select, next, pcall, ipairs
local setmetatable, getmetatable, lower, find = setmetatable, getmetatable, string.lower, string.find

-- Redis's script flags, in the order FUNCTION LIST shows them.
local FLAGS = { 'no-writes', 'allow-oom', 'allow-stale', 'no-cluster', 'allow-cross-slot-keys' }

-- What the body being loaded has registered ({ list = {...}, names = {...} }); nil otherwise.
local loading = nil

local function fail(message)
  return { err = 'ERR ' .. message }
end

-- lua_isstring: strings, and numbers (read as their %.14g text).
local function stringish(v)
  local t = type(v)
  return t == 'string' or t == 'number'
end

-- The flags table: a sequence of flag names (any case), up to its first nil; nil if one is unknown.
local function read_flags(t)
  local given = {}
  local j = 1
  while true do
    local v = t[j]
    if v == nil then break end
    if not stringish(v) then return nil end
    local name = lower(tostring(v))
    local known = false
    for _, flag in ipairs(FLAGS) do
      if flag == name then given[flag], known = true, true end
    end
    if not known then return nil end
    j = j + 1
  end
  local flags = {}
  for _, flag in ipairs(FLAGS) do
    if given[flag] then flags[#flags + 1] = flag end
  end
  return flags
end

-- redis.register_function{function_name=..., callback=..., flags=..., description=...}:
-- keys in any case, read in table order (the first bad one is the error).
local function named_args(t)
  if type(t) ~= 'table' then
    return fail('calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).')
  end
  local name, callback, flags, description = nil, nil, {}, nil
  for k, v in next, t do
    if not stringish(k) then return fail('named argument key given to redis.register_function is not a string') end
    local key = lower(tostring(k))
    if key == 'function_name' then
      if not stringish(v) then return fail('function_name argument given to redis.register_function must be a string') end
      name = tostring(v)
    elseif key == 'description' then
      if not stringish(v) then return fail('description argument given to redis.register_function must be a string') end
      description = tostring(v)
    elseif key == 'callback' then
      if type(v) ~= 'function' then return fail('callback argument given to redis.register_function must be a function') end
      callback = v
    elseif key == 'flags' then
      if type(v) ~= 'table' then return fail('flags argument to redis.register_function must be a table representing function flags') end
      flags = read_flags(v)
      if flags == nil then return fail('unknown flag given') end
    else
      return fail('unknown argument given to redis.register_function')
    end
  end
  if name == nil then return fail('redis.register_function must get a function name argument') end
  if callback == nil then return fail('redis.register_function must get a callback argument') end
  return false, { name = name, callback = callback, flags = flags, description = description }
end

local function positional_args(name, callback)
  if not stringish(name) then return fail('first argument to redis.register_function must be a string') end
  if type(callback) ~= 'function' then return fail('second argument to redis.register_function must be a function') end
  return false, { name = tostring(name), callback = callback, flags = {} }
end

-- (Errors are raised as Redis's error tables, without a position, as its C function does.)
local register_function = raising(function(...)
  if loading == nil then return fail('redis.register_function can only be called on FUNCTION LOAD command') end
  local argc = select('#', ...)
  if argc < 1 or argc > 2 then return fail('wrong number of arguments to redis.register_function') end
  local err, fn
  if argc == 1 then
    err, fn = named_args((...))
  else
    err, fn = positional_args(...)
  end
  if err then return err end
  if #fn.name == 0 or find(fn.name, '[^a-zA-Z0-9_]') then
    return fail('Library names can only contain letters, numbers, or underscores(_) and must be at least one character long')
  end
  if loading.names[fn.name] then return fail('Function already exists in the library') end
  loading.names[fn.name] = true
  loading.list[#loading.list + 1] = fn
  return false
end)

-- A table whose missing fields fail as undefined globals do (the sandbox's own error).
local nonexistent = getmetatable(R).__index
local function strict(t)
  return setmetatable(t, { __index = nonexistent })
end

local redis = S.redis
local load_redis = strict({ register_function = register_function, log = redis.log })
for _, name in ipairs({ 'LOG_DEBUG', 'LOG_VERBOSE', 'LOG_NOTICE', 'LOG_WARNING', 'REDIS_VERSION', 'REDIS_VERSION_NUM' }) do
  load_redis[name] = redis[name]
end
local load_api = strict({ redis = readonly(load_redis, false) })

-- The libraries' globals: read-only, reading through to the loading API while a body runs and
-- to the scripts' globals otherwise (Redis switches its globals' __index the same way).
local globals_mt = { __index = R, __newindex = refuse_write, __metatable = false }
local env = setmetatable({}, globals_mt)

-- load(body): run a compiled body with the loading API; answers pcall's results.
local function load(body)
  loading = { list = {}, names = {} }
  globals_mt.__index = load_api
  return pcall(body)
end

-- finish(): back to the scripts' globals; answers the functions the body registered.
local function finish()
  globals_mt.__index = R
  local registered = loading and loading.list or {}
  loading = nil
  return registered
end

-- FCALL: the host puts the function in slot.f and KEYS, ARGV beside it, then runs invoke.
local slot = {}
local function invoke()
  return slot.f(slot.KEYS, slot.ARGV)
end

return { env = env, load = load, finish = finish, invoke = invoke, slot = slot }
