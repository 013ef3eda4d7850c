// The Lua libraries of Redis 7.0 scripts (cjson, cmsgpack, bit, struct) against redis-server
// 7.0 and marekvs: the same EVAL scripts, the same replies byte for byte (error texts
// included), in RESP2 and RESP3. Binary results are returned as they are or in hex. Only what
// Redis does deterministically is compared (no table addresses, no CPU-time limits); error
// texts stay ASCII (marekvs writes error replies as UTF-8 text).
import { diffSuite, Step } from '../support/diff'

const lua = String.raw
const HEX = lua`local function hex(s) return (s:gsub('.', function(c) return string.format('%02x', c:byte()) end)) end `
const evalStep = (script: string, ...args: Array<string | Buffer>): Step => ['EVAL', script, '0', ...args]

const CJSON_ENCODE = [
  lua`return cjson.encode({1, 2, 3})`, lua`return cjson.encode({})`, lua`return cjson.encode({a = 1})`,
  lua`return cjson.encode({1, {a = {2, 'x', true, false}}, 'y'})`, lua`return cjson.encode({false})`,
  lua`return cjson.encode(nil)`, lua`return cjson.encode(cjson.null)`, lua`return cjson.encode({cjson.null, 1})`,
  lua`return cjson.encode(true)`, lua`return cjson.encode('plain')`, lua`return cjson.encode('')`,
  // Strings: every escape, DEL, bytes past 127 as they are, UTF-8 untouched.
  lua`return cjson.encode('a/b"c\\d\n\r\t\b\f\1\31\127\128\255')`, lua`return cjson.encode('\194\169\226\130\172')`,
  lua`local s = '' for i = 0, 40 do s = s .. string.char(i) end return cjson.encode(s)`,
  lua`return cjson.encode({['a"b'] = 'c\\d'})`, lua`return cjson.encode('\0x\0')`,
  // Numbers: %.14g.
  lua`return cjson.encode(1/3)`, lua`return cjson.encode(-0.0)`, lua`return cjson.encode(0)`, lua`return cjson.encode(-7)`,
  lua`return cjson.encode(1e300)`, lua`return cjson.encode(-1e300)`, lua`return cjson.encode(123456789012345678)`,
  lua`return cjson.encode(0.1)`, lua`return cjson.encode(1e-5)`, lua`return cjson.encode(0.0001)`, lua`return cjson.encode(1e14)`,
  lua`return cjson.encode(1e15)`, lua`return cjson.encode(99999999999999)`, lua`return cjson.encode(999999999999999)`,
  lua`return cjson.encode(-123.456)`, lua`return cjson.encode(2^53)`, lua`return cjson.encode(-2^63)`, lua`return cjson.encode(5e-324)`,
  lua`return cjson.encode(1.7976931348623157e308)`, lua`return cjson.encode(12345678901234.5)`, lua`return cjson.encode(0.5)`,
  lua`return cjson.encode(2.5e-7)`, lua`return cjson.encode(math.pi)`, lua`return cjson.encode({1.5, -2.25, 1e20, 3})`,
  lua`return cjson.encode(1/0)`, lua`return cjson.encode(-1/0)`, lua`return cjson.encode(0/0)`, lua`return cjson.encode({[0/0 + 0] = 1})`,
  // Tables: arrays, holes, sparse arrays, keys.
  lua`return cjson.encode({[1] = 1, [3] = 3})`, lua`return cjson.encode({1, 2, nil, 4})`, lua`return cjson.encode({[1] = 1, [30] = 3})`,
  lua`return cjson.encode({[1] = 1, [11] = 3})`, lua`return cjson.encode({[1] = 1, [10] = 3})`, lua`return cjson.encode({[20] = 1, [2] = 2})`,
  lua`return cjson.encode({nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, 11})`, lua`return cjson.encode({[1] = 1, [2] = 2, [3] = 3, [20] = 20})`,
  lua`return cjson.encode({[1.5] = 1})`, lua`return cjson.encode({[-1] = 1})`, lua`return cjson.encode({[0] = 1})`,
  lua`return cjson.encode({[2^40] = 1})`, lua`return cjson.encode({[2^31] = 1})`, lua`return cjson.encode({[2^31 - 1] = 'x'})`,
  lua`return cjson.encode({1, 2, x = 3})`, lua`return cjson.encode({['1'] = 1})`, lua`return cjson.encode({[1/0] = 1})`,
  lua`return cjson.encode({[true] = 1})`, lua`return cjson.encode({[{}] = 1})`, lua`return cjson.encode(function() end)`,
  lua`return cjson.encode(coroutine.create(function() end))`, lua`return cjson.encode({f = type})`,
  lua`local t = {} t[1] = t return cjson.encode(t)`, lua`local t = {} t.a = t return cjson.encode(t)`,
  lua`local t = {} local c = t for i = 1, 999 do c[1] = {} c = c[1] end return #cjson.encode(t)`,
  lua`local t = {} local c = t for i = 1, 1000 do c[1] = {} c = c[1] end return cjson.encode(t)`,
  lua`local t = {} for i = 1, 300 do t[i] = i * 1.5 end return cjson.encode(t)`,
  lua`return cjson.encode()`, lua`return cjson.encode(1, 2)`, lua`local e = cjson.encode return e()`,
]

const CJSON_DECODE = [
  lua`return cjson.decode('[1, 2, 3]')`, lua`return cjson.decode('{"a": 1}').a`, lua`return cjson.decode('"text"')`,
  lua`return cjson.decode('null') == cjson.null`, lua`return type(cjson.decode('null'))`, lua`return cjson.decode('[true, false]')`,
  lua`return cjson.decode('{"a":1, "a":2}').a`, lua`return cjson.decode('  [ 1 , 2 ]  ')[2]`, lua`return cjson.decode('\t\r\n 1')`,
  lua`return cjson.decode('[1, 2, 3, "x", {"k": [true, false, null]}]')[5].k[3] == cjson.null`,
  lua`return cjson.decode('[' .. string.rep('1,', 100) .. '1]')[101]`, lua`return cjson.decode('[[[[1]]]]')[1][1][1][1]`,
  lua`local t = cjson.decode('{"a":[1,2,{"b":null}],"c":{}}') return {#t.a, type(t.c), t.a[3].b == cjson.null}`,
  // Unicode escapes and string escapes.
  lua`return cjson.decode('"\\u00e9\\ud83d\\ude00"')`, lua`return cjson.decode('"\\u0041\\u00DF\\u6771\\uD834\\uDD1E"')`,
  lua`return cjson.decode('"\\u0000x"')`, lua`return cjson.decode('{"k\\u0000ey": 1}')["k\0ey"]`,
  lua`return cjson.decode('"a\\/b\\"c\\\\d\\b\\f\\n\\r\\t"')`, lua`return cjson.decode('"tab	in \1 raw"')`, lua`return cjson.decode('"\128\255"')`,
  lua`return cjson.decode('"\\ud83d"')`, lua`return cjson.decode('"\\uD834x"')`, lua`return cjson.decode('"\\uDD1E"')`,
  lua`return cjson.decode('"\\uD834\\u0041"')`, lua`return cjson.decode('"\\u12"')`, lua`return cjson.decode('"\\u12g4"')`,
  lua`return cjson.decode('"\\q"')`, lua`return cjson.decode('"abc')`, lua`return cjson.decode('"ab\0c"')`,
  // Numbers: what strtod reads.
  lua`return cjson.decode('0x10')`, lua`return cjson.decode('+1')`, lua`return tostring(cjson.decode('nan'))`,
  lua`return tostring(cjson.decode('-Infinity'))`, lua`return cjson.decode('007')`, lua`return tostring(cjson.decode('1e400'))`,
  lua`return tostring(cjson.decode('1e-400'))`, lua`return cjson.decode('0x1p4')`, lua`return tostring(cjson.decode('0X1.8P+1'))`, lua`return tostring(cjson.decode('0x.8'))`,
  lua`return cjson.decode('1e5')`, lua`return cjson.decode('1E+5')`, lua`return tostring(cjson.decode('-.5'))`, lua`return tostring(cjson.decode('1.'))`,
  lua`return tostring(cjson.decode('Infinity'))`, lua`return tostring(cjson.decode('-nan'))`, lua`return tostring(cjson.decode('NaN'))`,
  lua`return tostring(cjson.decode('infinit'))`, lua`return tostring(cjson.decode('nan(123)'))`, lua`return cjson.decode('[infinity]')`,
  lua`return cjson.encode(cjson.decode('[1e308, 1e-308, -0.0, 123456789012, 0.1, 1.5e-7]'))`,
  lua`return cjson.decode('123456789012345678901234567890') == 1.2345678901234568e29`,
  // Errors: token and position.
  lua`return cjson.decode('x')`, lua`return cjson.decode('')`, lua`return cjson.decode('[1,2')`, lua`return cjson.decode('{"a":1,}')`,
  lua`return cjson.decode('{1:2}')`, lua`return cjson.decode('[1] x')`, lua`return cjson.decode('1e')`, lua`return cjson.decode('.5')`,
  lua`return cjson.decode('[1,]')`, lua`return cjson.decode('[,1]')`, lua`return cjson.decode('{"a" 1}')`, lua`return cjson.decode('{"a":}')`,
  lua`return cjson.decode('tru')`, lua`return cjson.decode('nul')`, lua`return cjson.decode('falsey')`, lua`return cjson.decode('true false')`,
  lua`return cjson.decode('-')`, lua`return cjson.decode('-x')`, lua`return cjson.decode('1.5.5')`, lua`return cjson.decode('0x')`,
  lua`return cjson.decode('i')`, lua`return cjson.decode('n')`, lua`return cjson.decode('N')`, lua`return cjson.decode('[1]\0garbage')[1]`,
  lua`return cjson.decode('\128')`, lua`return cjson.decode('\0a')`, lua`return cjson.decode('a\0')`, lua`return cjson.decode('{"a":1 "b":2}')`,
  lua`return cjson.decode(string.rep(' ', 10) .. '"x')`, lua`return cjson.decode()`, lua`return cjson.decode(1, 2)`,
  lua`return cjson.decode({})`, lua`return cjson.decode(123)`, lua`local d = cjson.decode return d(1, 2)`,
  lua`return cjson.decode(string.rep('[', 1000) .. string.rep(']', 1000)) ~= nil`,
  lua`return cjson.decode(string.rep('[', 1001) .. string.rep(']', 1001))`,
  lua`return cjson.decode(string.rep('{"a":', 1001) .. '1' .. string.rep('}', 1001))`,
  // Round trips.
  lua`return cjson.encode(cjson.decode('{"a":[1,2,{"b":null}]}'))`,
  lua`local t = {name = 'x', list = {1, 2.5, 'three', true}, nested = {deep = {deeper = {'end'}}}} local u = cjson.decode(cjson.encode(t)) return {u.name, u.list[2], u.list[3], tostring(u.list[4]), u.nested.deep.deeper[1]}`,
]

const CJSON_SETTINGS = [
  lua`local c = cjson.new() return {c.encode_sparse_array()}`, lua`local c = cjson.new() return {c.encode_sparse_array(true, 3, 5)}`,
  lua`local c = cjson.new() return {c.encode_sparse_array(nil, 0)}`, lua`local c = cjson.new() return {c.encode_sparse_array(1)}`,
  lua`local c = cjson.new() return {c.encode_sparse_array('on')}`, lua`local c = cjson.new() return {c.encode_sparse_array('x')}`,
  lua`local c = cjson.new() return {c.encode_sparse_array(true, -1)}`, lua`local c = cjson.new() return {c.encode_sparse_array(true, 1, -1)}`,
  lua`local c = cjson.new() return {c.encode_sparse_array(true, 1, 1, 1)}`,
  lua`local c = cjson.new() c.encode_sparse_array(true) return c.encode({[1] = 1, [30] = 3})`,
  lua`local c = cjson.new() c.encode_sparse_array(false, 0) return c.encode({[1] = 1, [30] = 3})`,
  lua`local c = cjson.new() c.encode_sparse_array(false, 1, 0) return c.encode({[1] = 1, [3] = 3})`,
  lua`local c = cjson.new() return c.encode_max_depth()`, lua`local c = cjson.new() return c.encode_max_depth(0)`,
  lua`local c = cjson.new() return c.encode_max_depth('x')`, lua`local c = cjson.new() return c.encode_max_depth(2.7)`,
  lua`local c = cjson.new() c.encode_max_depth(2) return c.encode({{1}})`, lua`local c = cjson.new() c.encode_max_depth(2) return c.encode({{{1}}})`,
  lua`local c = cjson.new() return c.decode_max_depth(3)`, lua`local c = cjson.new() c.decode_max_depth(2) return c.encode(c.decode('[[1]]'))`,
  lua`local c = cjson.new() c.decode_max_depth(2) return c.decode('[[[1]]]')`, lua`local c = cjson.new() c.decode_max_depth(2) return c.decode(' {"a": {"b": {}}}')`,
  lua`local c = cjson.new() return {c.encode_number_precision(), c.encode_number_precision(3), c.encode(math.pi), c.encode(1234567), c.encode(0.00012345)}`,
  lua`local c = cjson.new() return c.encode_number_precision(15)`, lua`local c = cjson.new() return c.encode_number_precision(0)`,
  lua`local c = cjson.new() c.encode_number_precision(1) return c.encode({0.5, 1.5, 2.5, 95, 0.05})`,
  lua`local c = cjson.new() return {c.encode_keep_buffer(), c.encode_keep_buffer(false), c.encode_keep_buffer('on'), c.encode({1})}`,
  lua`local c = cjson.new() c.encode_keep_buffer(false) return {c.encode({1, 'a'}), c.encode('b')}`,
  lua`local c = cjson.new() return c.encode_keep_buffer(1)`, lua`local c = cjson.new() return {c.encode_invalid_numbers()}`,
  lua`local c = cjson.new() return {c.encode_invalid_numbers(true), c.encode(1/0), c.encode(-1/0), c.encode(0/0), c.encode({[1/0] = 1})}`,
  lua`local c = cjson.new() return {c.encode_invalid_numbers('null'), c.encode({1/0, 0/0, 5})}`,
  lua`local c = cjson.new() return {c.encode_invalid_numbers('on')}`, lua`local c = cjson.new() return {c.encode_invalid_numbers('off')}`,
  lua`local c = cjson.new() return {c.encode_invalid_numbers('bogus')}`, lua`local c = cjson.new() return {c.encode_invalid_numbers({})}`,
  lua`local c = cjson.new() return {c.decode_invalid_numbers()}`, lua`local c = cjson.new() return {c.decode_invalid_numbers('off')}`,
  lua`local c = cjson.new() c.decode_invalid_numbers(false) return c.decode('0x10')`,
  lua`local c = cjson.new() c.decode_invalid_numbers(false) return c.decode('01')`,
  lua`local c = cjson.new() c.decode_invalid_numbers(false) return c.decode('-01')`,
  lua`local c = cjson.new() c.decode_invalid_numbers(false) return c.decode('+1')`,
  lua`local c = cjson.new() c.decode_invalid_numbers(false) return c.decode('nan')`,
  lua`local c = cjson.new() c.decode_invalid_numbers(false) return c.decode('-inf')`,
  lua`local c = cjson.new() c.decode_invalid_numbers(false) return c.encode(c.decode('[1.5e3, -0, 10, 0.25]'))`,
  lua`local c = cjson.new() return c.decode_invalid_numbers(1, 2)`,
  lua`return cjson.encode(cjson.new().null)`, lua`local c = cjson.new() return c.new().encode({1})`,
  lua`local c = cjson.new() c.x = 5 return c.x`, lua`local c = cjson.new() return {c._NAME, c._VERSION}`,
  lua`local a, b = cjson.new(), cjson.new() a.encode_number_precision(2) return {a.encode(1/3), b.encode(1/3)}`,
]

// Integer width boundaries, both signs.
const MSGPACK_INTEGERS = [
  '0', '1', '127', '128', '255', '256', '65535', '65536', '4294967295', '4294967296', '2^53', '2^63-1024',
  '-1', '-32', '-33', '-128', '-129', '-32768', '-32769', '-2147483648', '-2147483649', '-2^53', '-2^63',
]

const CMSGPACK = [
  HEX + lua`return hex(cmsgpack.pack(${MSGPACK_INTEGERS.join(', ')}))`,
  lua`return {cmsgpack.unpack(cmsgpack.pack(${MSGPACK_INTEGERS.slice(0, 10).join(', ')}))}`,
  lua`return {cmsgpack.unpack(cmsgpack.pack(${MSGPACK_INTEGERS.slice(12, 21).join(', ')}))}`,
  lua`local t = {cmsgpack.unpack(cmsgpack.pack(2^53, 2^63-1024, -2^53, -2^63))} for i = 1, #t do t[i] = string.format('%.17g', t[i]) end return t`,
  // Floats: float when exact as one, else double; NaN keeps its bits.
  HEX + lua`return hex(cmsgpack.pack(2^63, 2^64, -2^63-4096, 1.5, -1.5, 0.1, 1e300, 1/0, -1/0, 0/0, -0.0, 3.4028234663852886e38, 1e-45))`,
  lua`return {tostring(cmsgpack.unpack(cmsgpack.pack(0.1))), tostring(cmsgpack.unpack(cmsgpack.pack(1.5))), tostring(cmsgpack.unpack(cmsgpack.pack(1/0))), tostring(cmsgpack.unpack(cmsgpack.pack(-1e300)))}`,
  lua`return {tostring(cmsgpack.unpack('\203\127\240\0\0\0\0\0\0')), tostring(cmsgpack.unpack('\202\63\192\0\0')), tostring(cmsgpack.unpack('\202\127\192\0\0'))}`,
  lua`return {cmsgpack.unpack('\207\255\255\255\255\255\255\255\255')}`, lua`return tostring(cmsgpack.unpack('\211\128\0\0\0\0\0\0\0'))`,
  lua`return tostring(cmsgpack.unpack('\207\128\0\0\0\0\0\0\1'))`, lua`return {cmsgpack.unpack('\206\255\255\255\255')}`,
  lua`return {cmsgpack.unpack('\210\255\255\255\255')}`, lua`return {cmsgpack.unpack('\209\128\0\208\128\204\255\205\255\255\224\255')}`,
  // Other scalars; what MessagePack lacks is nil.
  HEX + lua`return hex(cmsgpack.pack(true, false, nil, cjson.null, function() end, coroutine.create(function() end)))`,
  lua`return {cmsgpack.unpack('\192\195\194')}`,
  // Strings: fixstr, str8, str16, str32 at their boundaries.
  HEX + lua`local t = {} for _, n in ipairs({0, 1, 31, 32, 255, 256, 65535, 65536}) do local p = cmsgpack.pack(string.rep('a', n)) t[#t + 1] = hex(p:sub(1, 6)) .. ':' .. #p .. ':' .. tostring(cmsgpack.unpack(p) == string.rep('a', n)) end return t`,
  lua`return cmsgpack.unpack('\217\5hello')`, lua`return cmsgpack.unpack('\218\0\3abc')`, lua`return cmsgpack.unpack('\219\0\0\0\3abc')`,
  lua`return cmsgpack.pack('\0\1\255')`, lua`return cmsgpack.unpack(cmsgpack.pack('\0\1\255\r\n'))`,
  // Tables: arrays when the keys are exactly 1..n, else maps; 16 levels deep at most.
  HEX + lua`return hex(cmsgpack.pack({}, {1, 2, 3}, {a = 1}, {1, 2, nil, 4}, {[1] = 1, [3] = 3}, {[0] = 1}, {[1.5] = 1}, {[2^31] = 1}))`,
  HEX + lua`return hex(cmsgpack.pack({['1'] = 1}, {[true] = 1}, {1, 2, 3, a = 4}, {x = {1, {y = 'z'}}}))`,
  HEX + lua`local t = {} for i = 1, 15 do t[i] = i end local u = {} for i = 1, 16 do u[i] = i end return {hex(cmsgpack.pack(t):sub(1, 3)), hex(cmsgpack.pack(u):sub(1, 3))}`,
  HEX + lua`local t = {} for i = 1, 65535 do t[i] = 0 end local u = {} for i = 1, 65536 do u[i] = 0 end return {hex(cmsgpack.pack(t):sub(1, 5)), hex(cmsgpack.pack(u):sub(1, 5)), #cmsgpack.pack(u)}`,
  HEX + lua`local t = {} for i = 1, 15 do t['k' .. i] = i end local u = {} for i = 1, 16 do u['k' .. i] = i end return {hex(cmsgpack.pack(t):sub(1, 1)), hex(cmsgpack.pack(u):sub(1, 3)), #cmsgpack.pack(u)}`,
  HEX + lua`local t = {} t[1] = t return hex(cmsgpack.pack(t))`, HEX + lua`local t = {} t.a = t return hex(cmsgpack.pack(t))`,
  lua`local t = {} local c = t for i = 1, 20 do c[1] = {} c = c[1] end local u = cmsgpack.unpack(cmsgpack.pack(t)) local d = 0 while type(u) == 'table' do d = d + 1 u = u[1] end return d`,
  lua`return cjson.encode(cmsgpack.unpack(cmsgpack.pack({1, 2, {a = 'b', c = {true, false}}})))`,
  lua`local u = cmsgpack.unpack(cmsgpack.pack({list = {1, 2.5, 'x'}, n = -7})) return {u.list[1], tostring(u.list[2]), u.list[3], u.n}`,
  lua`local t = {} for i = 1, 100 do t[i] = i * 1.5 end local u = cmsgpack.unpack(cmsgpack.pack(t)) return {#u, tostring(u[100])}`,
  lua`return {cmsgpack.unpack('\147\1\2\3')}`, lua`return cjson.encode(cmsgpack.unpack('\130\161a\1\161b\145\192'))`,
  lua`return cjson.encode(cmsgpack.unpack('\220\0\2\1\2'))`, lua`return cjson.encode(cmsgpack.unpack('\222\0\1\161k\161v'))`,
  // Streams: unpack_one and unpack_limit return the next offset (-1 at the end) first.
  lua`return {cmsgpack.unpack(cmsgpack.pack(1, 'two', 3.5, true))}`,
  lua`return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3))}`, lua`return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), 1)}`,
  lua`return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), 2)}`, lua`return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), 3)}`,
  lua`return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), 4)}`, lua`return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), -1)}`,
  lua`return {cmsgpack.unpack_one('')}`, lua`return {cmsgpack.unpack_one()}`, lua`return {cmsgpack.unpack_one('\1', 'x')}`,
  lua`local s = cmsgpack.pack('a', {1, 2}, 3.5, 'bb') local out, offset = {}, 0 while offset >= 0 do local v offset, v = cmsgpack.unpack_one(s, offset) out[#out + 1] = offset out[#out + 1] = cjson.encode(v) end return out`,
  lua`return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3, 4), 2)}`, lua`return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3, 4), 2, 2)}`,
  lua`return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3, 4), 10, 1)}`, lua`return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3, 4), 0)}`,
  lua`return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3, 4), 0, 1)}`, lua`return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3, 4), 1, 0)}`,
  lua`return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3, 4))}`, lua`return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3, 4), 'x')}`,
  lua`return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3, 4), 1, -5)}`, lua`return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3, 4), -1)}`,
  lua`return {cmsgpack.unpack_limit('abc', 1, 3)}`, lua`return {cmsgpack.unpack_limit('abc', 1, 5)}`,
  lua`return {cmsgpack.unpack_limit(cmsgpack.pack('hello', {1, 2}), 1, 6)}`, lua`return {cmsgpack.unpack_limit(cmsgpack.pack('hello', {1, 2}), 1, 5)}`,
  lua`return {cmsgpack.unpack_limit(cmsgpack.pack(1), 2^33, 0)}`, lua`return {cmsgpack.unpack_one(cmsgpack.pack(1), 2^32)}`,
  // Errors.
  lua`return cmsgpack.pack()`, lua`local p = cmsgpack.pack return p()`, lua`return cmsgpack.unpack('\193')`, lua`return cmsgpack.unpack('\196\1a')`,
  lua`return cmsgpack.unpack('\199\1\1a')`, lua`return cmsgpack.unpack('\212\1\1')`, lua`return cmsgpack.unpack('\205\1')`,
  lua`return cmsgpack.unpack('\219\0\0\0\5abc')`, lua`return cmsgpack.unpack('\217\5abc')`, lua`return cmsgpack.unpack('\146\1')`,
  lua`return cmsgpack.unpack('\130\1')`, lua`return cmsgpack.unpack('\129\192\1')`, lua`return cmsgpack.unpack('\129\203\127\248\0\0\0\0\0\0\1')`,
  lua`return {cmsgpack.unpack('')}`, lua`return cmsgpack.unpack()`, lua`return cmsgpack.unpack({})`, lua`return cmsgpack.unpack(12)`,
  lua`local ok, e = pcall(cmsgpack.unpack, '\193') return e`,
  lua`local s = string.rep('\145', 5000) .. '\1' local ok, e = pcall(cmsgpack.unpack, s) return e`,
  lua`local s = string.rep('\1', 9000) local ok, e = pcall(cmsgpack.unpack, s) return e`,
  lua`local s = string.rep('\1', 9000) return {cmsgpack.unpack_limit(s, 3, 8990)}`,
]

const BIT = [
  lua`return {bit.tobit(1), bit.tobit(-1), bit.tobit(2^32), bit.tobit(2^32 + 5), bit.tobit(2^31), bit.tobit(1.5), bit.tobit(2.5), bit.tobit(-1.5), bit.tobit(2^52), bit.tobit(2^53 + 3), bit.tobit('12'), bit.tobit(' 0x10 ')}`,
  lua`return {bit.tobit(1/0), bit.tobit(-1/0), bit.tobit(0/0), bit.tobit(1e300), bit.tobit(-2^31 - 1), bit.tobit(0x7fffffff + 1), bit.tobit(-0x80000000 - 1)}`,
  lua`return {bit.bnot(0), bit.bnot(-1), bit.bnot(5), bit.bnot(2^31)}`,
  lua`return {bit.band(0xff, 0x0f), bit.band(-1, 7), bit.band(1), bit.band(7, 3, 1), bit.bor(1, 2, 4, 8), bit.bxor(5, 3), bit.bxor(-1, 1), bit.bor(-2^31, 1)}`,
  lua`return {bit.band(2^40 + 3, 1), bit.bor(2^51, 0), bit.bxor(2^51 + 2^50, 0), bit.band(-7, -3)}`,
  lua`return {bit.lshift(1, 0), bit.lshift(1, 31), bit.lshift(1, 32), bit.lshift(1, 33), bit.lshift(1, -1), bit.lshift(-1, 4), bit.lshift(3, 64)}`,
  lua`return {bit.rshift(-1, 1), bit.rshift(-1, 32), bit.rshift(-1, 31), bit.rshift(256, 4), bit.rshift(1, -1), bit.rshift(-256, 36)}`,
  lua`return {bit.arshift(-256, 4), bit.arshift(-1, 31), bit.arshift(2^31, 1), bit.arshift(256, 36), bit.arshift(-1, 32), bit.arshift(-8, 2)}`,
  lua`return {bit.rol(0x12345678, 8), bit.rol(-1, 13), bit.rol(1, 0), bit.rol(1, 32), bit.rol(0x80000000, 1), bit.rol(1, -1)}`,
  lua`return {bit.ror(0x12345678, 8), bit.ror(1, 1), bit.ror(1, 0), bit.ror(1, 33), bit.ror(-2, 1)}`,
  lua`return {bit.bswap(0x12345678), bit.bswap(-1), bit.bswap(1), bit.bswap(0x80)}`,
  lua`return {bit.tohex(255), bit.tohex(-1), bit.tohex(255, 2), bit.tohex(255, -2), bit.tohex(0x12345678, 4), bit.tohex(1, 0), bit.tohex(1, 10), bit.tohex(1, -10), bit.tohex(-1, -8), bit.tohex(2^32 + 1), bit.tohex(0xabcdef, -3), bit.tohex(-2^31)}`,
  lua`return bit.band()`, lua`return bit.band(1, 'x')`, lua`return bit.band(1, nil, 2)`, lua`return bit.bor(1, {})`, lua`return bit.tohex()`,
  lua`return bit.tohex(1, 'x')`, lua`return bit.lshift(1)`, lua`return bit.tobit()`, lua`return bit.tobit({})`, lua`local f = bit.band return f(nil)`,
  lua`return (bit.band('a'))`, lua`local ok, e = pcall(bit.band) return e`, lua`return bit.tohex(-1, 2^31)`,
]

const STRUCT = [
  lua`return struct.pack('>i', 1) == '\0\0\0\1'`,
  HEX + lua`return {hex(struct.pack('b', -1)), hex(struct.pack('B', 255)), hex(struct.pack('<h', -2)), hex(struct.pack('>H', 65535)), hex(struct.pack('<l', -3)), hex(struct.pack('>L', 2^63)), hex(struct.pack('<T', 42)), hex(struct.pack('i', 7)), hex(struct.pack('>I2', 513)), hex(struct.pack('<i3', -1)), hex(struct.pack('>i16', -1)), hex(struct.pack('<I16', 1))}`,
  HEX + lua`return {hex(struct.pack('>L', 2^64)), hex(struct.pack('>L', -1)), hex(struct.pack('>l', -2^64)), hex(struct.pack('>L', 0/0)), hex(struct.pack('>L', 1/0)), hex(struct.pack('>l', -1/0)), hex(struct.pack('>B', 256)), hex(struct.pack('>b', 1.9)), hex(struct.pack('>b', -1.9)), hex(struct.pack('>h', '12'))}`,
  HEX + lua`return {hex(struct.pack('<f', 1.5)), hex(struct.pack('>f', 1.5)), hex(struct.pack('>d', 0.1)), hex(struct.pack('<d', -0.0)), hex(struct.pack('>f', 0.1)), hex(struct.pack('>f', 1e300)), hex(struct.pack('>d', 0/0)), hex(struct.pack('d', 1))}`,
  HEX + lua`return {hex(struct.pack('!4 b i', 1, 2)), hex(struct.pack('!b d', 1, 2)), hex(struct.pack('!2 b h b i', 1, 2, 3, 4)), hex(struct.pack('b x h', 1, 2)), hex(struct.pack('!8 b i3', 1, 2)), hex(struct.pack('!b c3 i', 1, 'abc', 5)), hex(struct.pack('!4 b !1 i', 1, 2)), hex(struct.pack('! b T', 1, 2))}`,
  HEX + lua`return {hex(struct.pack('c0', 'hello')), hex(struct.pack('c3', 'hello')), hex(struct.pack('s', 'hi')), hex(struct.pack('s', 'a\0b')), hex(struct.pack('c', 'xy')), hex(struct.pack('c0c0', 'a', 'bc')), hex(struct.pack('', 1)), hex(struct.pack('b\0b', 1, 2)), hex(struct.pack('i0 b', 1, 2))}`,
  lua`return {struct.unpack('b', '\255')}`, lua`return {struct.unpack('B', '\255')}`, lua`return {struct.unpack('<h', '\254\255')}`,
  lua`return {struct.unpack('>H', '\255\254')}`, lua`return {struct.unpack('<i', '\1\0\0\128')}`, lua`return {struct.unpack('>I', '\255\255\255\255')}`,
  lua`return {struct.unpack('<l', '\255\255\255\255\255\255\255\127')}`, lua`return {tostring(struct.unpack('<L', '\255\255\255\255\255\255\255\255'))}`,
  lua`return {tostring(struct.unpack('<l', '\0\0\0\0\0\0\0\128'))}`, lua`return {struct.unpack('<T', '\5\0\0\0\0\0\0\0')}`,
  lua`return {struct.unpack('>i3', '\255\255\254')}`, lua`return {struct.unpack('>I3', '\255\255\254')}`,
  lua`return {struct.unpack('>i16', string.rep('\255', 16))}`, lua`return {struct.unpack('>i9', string.rep('\255', 9))}`,
  lua`return {struct.unpack('<i9', '\1' .. string.rep('\0', 8))}`, lua`return {struct.unpack('>I12', string.rep('\1', 12))}`, lua`return {struct.unpack('i0', '')}`,
  lua`return {tostring(struct.unpack('<f', struct.pack('<f', 0.1))), tostring(struct.unpack('>d', struct.pack('>d', math.pi))), tostring(struct.unpack('>d', '\127\240\0\0\0\0\0\0'))}`,
  lua`return {struct.unpack('c3', 'abcdef')}`, lua`return {struct.unpack('c3', 'ab')}`, lua`return {struct.unpack('s', 'ab\0cd')}`, lua`return {struct.unpack('s', 'abc')}`,
  lua`return {struct.unpack('b c0', '\3abcdef')}`, lua`return {struct.unpack('c0', 'abc')}`, lua`return {struct.unpack('b c0', '\9abc')}`,
  lua`return {struct.unpack('b c0', '\255abc')}`, lua`return {struct.unpack('c0', 'abc', 1, 'extra')}`,
  lua`return {struct.unpack('b', 'abc', 2)}`, lua`return {struct.unpack('b', 'abc', 3)}`, lua`return {struct.unpack('b', 'abc', 4)}`,
  lua`return {struct.unpack('b', 'abc', 5)}`, lua`return {struct.unpack('b', 'abc', 0)}`, lua`return {struct.unpack('b', 'abc', -1)}`,
  lua`return {struct.unpack('', 'abc', -1)}`, lua`return {struct.unpack('b', 'abc', 'x')}`, lua`return {struct.unpack('!4 b i', '\1\0\0\0\2\0\0\0')}`,
  lua`return {struct.unpack('!4 b i', '\1\0\0\0\2\0\0')}`, lua`return {struct.unpack('x b', '\1\2')}`, lua`return {struct.unpack('>!4 b i3', '\1\0\0\0\0\0\5')}`,
  lua`return {struct.unpack('bbb', '\1\2')}`, lua`return {struct.unpack('', 'abc')}`, lua`return {struct.unpack('', 'abc', 2)}`,
  lua`return select('#', struct.unpack(string.rep('b', 100), string.rep('\1', 100)))`,
  lua`local ok, e = pcall(struct.unpack, string.rep('b', 9000), string.rep('\1', 9000)) return e`,
  lua`local s = struct.pack('>I4c0', 5, 'hello') return {struct.unpack('>I4c0', s)}`,
  lua`local s = struct.pack('<hbsd', -300, 7, 'str', 2.25) return {struct.unpack('<hbsd', s)}`,
  lua`return {struct.size('b'), struct.size('h'), struct.size('i'), struct.size('l'), struct.size('T'), struct.size('f'), struct.size('d'), struct.size('x'), struct.size('c5'), struct.size('i3'), struct.size('!4 b i'), struct.size('!8 b d'), struct.size('<>! '), struct.size(''), struct.size('z'), struct.size('!2 b i3 h')}`,
  // Errors.
  lua`return struct.pack('b')`, lua`return struct.pack('bb', 1)`, lua`return struct.pack('b', 'x')`, lua`return struct.pack('c2', 'a')`,
  lua`return struct.pack('s', {})`, lua`return struct.pack('!3')`, lua`return struct.pack('!0')`, lua`return struct.pack('i33', 1)`,
  lua`return struct.pack('i2147483648', 1)`, lua`return struct.pack('c99999999999', 'a')`, lua`return struct.pack('q', 1)`, lua`return struct.pack('#', 1)`,
  lua`return struct.pack({})`, lua`return struct.pack()`, lua`return {struct.unpack('z', 'a')}`, lua`return {struct.unpack('b')}`, lua`return {struct.unpack()}`,
  lua`return {struct.unpack('b', {})}`, lua`return {struct.unpack('i', 'ab')}`, lua`return struct.unpack('c99999999999', 'a')`,
  lua`return struct.size('s')`, lua`return struct.size('c0')`, lua`return struct.size('#')`, lua`return struct.size('!3')`, lua`return struct.size('i40')`,
  lua`return struct.size()`, lua`local ok, e = pcall(struct.pack, 'z') return e`, lua`local p = struct.pack return p('q')`,
]

// The libraries as globals: read-only tables without a metatable, and their contents.
const SANDBOX = [
  lua`return {type(getmetatable(redis)), type(getmetatable(string)), type(getmetatable(math)), type(getmetatable(bit)), type(getmetatable(struct)), type(getmetatable(cmsgpack)), type(getmetatable(cjson)), type(getmetatable(_G)), type(getmetatable('')), type(getmetatable({}))}`,
  lua`return getmetatable()`, lua`local t = setmetatable({}, {__metatable = false}) return tostring(getmetatable(t))`,
  lua`local t = setmetatable({}, {__metatable = 'locked'}) return getmetatable(t)`,
  lua`local t = {} for k in pairs(_G) do t[#t + 1] = k end table.sort(t) return t`,
  lua`local t = {} for k, v in pairs(cjson) do t[#t + 1] = k .. '=' .. type(v) end table.sort(t) return t`,
  lua`local t = {} for k, v in pairs(cmsgpack) do t[#t + 1] = k .. '=' .. type(v) end table.sort(t) return t`,
  lua`local t = {} for k, v in pairs(bit) do t[#t + 1] = k .. '=' .. type(v) end table.sort(t) return t`,
  lua`local t = {} for k, v in pairs(struct) do t[#t + 1] = k .. '=' .. type(v) end table.sort(t) return t`,
  lua`return {cjson._NAME, cjson._VERSION, cmsgpack._NAME, cmsgpack._VERSION, cmsgpack._COPYRIGHT, cmsgpack._DESCRIPTION}`,
  lua`cjson.encode = nil`, lua`cjson.x = 1`, lua`cmsgpack.pack = 1`, lua`bit.band = 1`, lua`struct.pack = 1`,
  lua`rawset(cjson, 'x', 1)`, lua`rawset(bit, 'x', 1)`, lua`setmetatable(struct, {})`, lua`cjson = 1`,
  lua`return rawget(cjson, 'encode') == cjson.encode`, lua`return tostring(cjson.null)`, lua`return cjson.null`, lua`return {cjson.null, 1}`,
  lua`local ok, e = pcall(struct.pack) return e`, lua`local ok, e = pcall(bit.band) return e`, lua`local ok, e = pcall(cjson.decode, 'x') return e`,
  lua`local x = {f = bit.tohex} return x.f()`, lua`return cjson.decode('x')`,
  lua`return redis.sha1hex(cjson.encode({1, 2})) .. ':' .. redis.sha1hex(cmsgpack.pack({1, 2}))`,
]

// Library results written to keys and read back: a script's usual round trip.
const WITH_KEYS: Step[] = [
  evalStep(lua`redis.call('set', 'doc', cjson.encode({id = 7, tags = {'a', 'b'}})) return redis.call('get', 'doc')`),
  evalStep(lua`local d = cjson.decode(redis.call('get', 'doc')) return {d.id, d.tags[2]}`),
  evalStep(lua`redis.call('set', 'packed', cmsgpack.pack({1, 'x', {k = true}})) return #redis.call('get', 'packed')`),
  ['GET', 'packed'],
  evalStep(lua`local v = cmsgpack.unpack(redis.call('get', 'packed')) return {v[1], v[2], tostring(v[3].k)}`),
  evalStep(lua`redis.call('set', 'rec', struct.pack('>I2c0', 3, 'abc')) return {struct.unpack('>I2c0', redis.call('get', 'rec'))}`),
  evalStep(lua`return cjson.decode(ARGV[1])`, '[1,"two",{"three":3}]'),
  evalStep(lua`return cmsgpack.unpack(ARGV[1])`, Buffer.from([0x93, 0x01, 0xa3, 0x74, 0x77, 0x6f, 0xc3])),
  evalStep(lua`return {struct.unpack('<i', ARGV[1])}`, Buffer.from([0xff, 0xff, 0xff, 0xff])),
  evalStep(lua`return bit.bxor(tonumber(ARGV[1]), tonumber(ARGV[2]))`, '12345', '54321'),
]

const GROUPS: Array<[string, string[]]> = [
  ['cjson.encode', CJSON_ENCODE], ['cjson.decode', CJSON_DECODE], ['cjson settings and cjson.new', CJSON_SETTINGS],
  ['cmsgpack', CMSGPACK], ['bit', BIT], ['struct', STRUCT], ['the libraries in the sandbox', SANDBOX],
]

// Scripts here build tables of 65536 entries: a generous budget keeps a loaded machine from
// turning them into timeouts (the budget itself is scripting-budget.test's subject).
diffSuite('scripting libraries', (diff) => {
  for (const [title, scripts] of GROUPS) {
    diff(`${title} (RESP2)`, scripts.map((script) => evalStep(script)))
    diff(`${title} (RESP3)`, scripts.map((script) => evalStep(script)), { proto: 3 })
  }
  diff('library results through keys (RESP2)', WITH_KEYS)
  diff('library results through keys (RESP3)', WITH_KEYS, { proto: 3 })
}, { MAREKVS_SCRIPT_TIME_LIMIT_MS: '2000' })
