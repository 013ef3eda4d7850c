// Function libraries without a VM: the `#!lua name=` line, the set of one VM's libraries, and
// Redis's rules for FUNCTION LOAD [REPLACE] and RESTORE (checked against redis-server by
// test/integration/diff-functions.test.ts).
import assert from 'node:assert/strict'
import { error } from '../../lib/core/reply'
import { createLibrary, Evaluate, joinError, Library, LibrarySet, parseLibraryCode } from '../../lib/commands/function-libraries'

const code = (text: string): Buffer => Buffer.from(text)

/** A stand-in VM: a body names its functions, one per line (`!` fails to compile). */
const evaluate: Evaluate = (body) => {
  if (body.includes('!')) return 'ERR Error compiling function: user_function:2: bad'
  return body.toString().split('\n').filter((line) => line !== '').map((name) => ({ name, description: null, flags: [] }))
}

function made(set: LibrarySet, text: string, replace = false): Library {
  const library = createLibrary(set, code(text), replace, evaluate)
  assert.ok('code' in library, JSON.stringify(library))
  return library
}

describe('function libraries', () => {
  it('parses the #! line as Redis: name, engine, quoting, and the body from its newline', () => {
    assert.deepEqual(parseLibraryCode(code('#!lua name=lib\nf')), { name: 'lib', body: code('\nf') })
    assert.deepEqual(parseLibraryCode(code('#!LUA   "name=q"  \r\nf')), { name: 'q', body: code('\nf') })
    assert.deepEqual(parseLibraryCode(code('#!lua NAME=x\n')), { name: 'x', body: code('\n') })
    const errors: Array<[string, string]> = [
      ['return 1', 'ERR Missing library metadata'],
      ['#!lua name=x', 'ERR Invalid library metadata'],
      ['#!lua "name=x\n', 'ERR Invalid library metadata'],
      ['#!lua\n', 'ERR Library name was not given'],
      ['#!lua foo=1\n', 'ERR Invalid metadata value given: foo=1'],
      ['#!lua name=a name=b\n', 'ERR Invalid metadata value, name argument was given multiple times'],
      ['#!lua name=a-b\n', 'ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long'],
      ['#!lua name=\n', 'ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long'],
      ['#!js name=a\n', "ERR Engine 'js' not found"],
    ]
    for (const [text, message] of errors) assert.deepEqual(parseLibraryCode(code(text)), error(message), text)
  })

  it('finds functions by name in any case; of two that differ in case, the first registered', () => {
    const set = new LibrarySet()
    set.add(made(set, '#!lua name=b\nfoo\nFOO'))
    set.add(made(set, '#!lua name=a\nbar'))
    assert.equal(set.find('Foo')?.info.name, 'foo')
    assert.equal(set.find('BAR')?.library.name, 'a')
    assert.deepEqual(set.libraries().map((library) => library.name), ['a', 'b'])
    set.remove('b')
    assert.equal(set.find('foo'), undefined)
    assert.equal(set.get('b'), undefined)
  })

  it('FUNCTION LOAD: a library is new unless REPLACE, registers something, and takes no other library\'s function names', () => {
    const set = new LibrarySet()
    set.add(made(set, '#!lua name=one\nf\ng'))
    assert.deepEqual(createLibrary(set, code('#!lua name=one\nh'), false, evaluate), error("ERR Library 'one' already exists"))
    assert.equal(made(set, '#!lua name=one\nf\nh', true).functions.length, 2)
    assert.deepEqual(createLibrary(set, code('#!lua name=two\nG'), false, evaluate), error('ERR Function G already exists'))
    assert.deepEqual(createLibrary(set, code('#!lua name=two\n'), false, evaluate), error('ERR No functions registered'))
    assert.deepEqual(createLibrary(set, code('#!lua name=two\n!'), false, evaluate), error('ERR Error compiling function: user_function:2: bad'))
    assert.deepEqual(createLibrary(set, code('return 1'), false, evaluate), error('ERR Missing library metadata'))
  })

  it('FUNCTION RESTORE: joining refuses namesakes unless REPLACE, and function names of libraries that stay', () => {
    const set = new LibrarySet()
    set.add(made(set, '#!lua name=one\nf'))
    set.add(made(set, '#!lua name=two\ng'))
    const incoming = new LibrarySet()
    const one = made(incoming, '#!lua name=one\ng2')
    assert.deepEqual(joinError(set, [one], false), error('ERR Library one already exists'))
    assert.equal(joinError(set, [one], true), null)
    const three = made(incoming, '#!lua name=three\nF')
    assert.deepEqual(joinError(set, [three], true), error('ERR Function F already exists'))
    assert.equal(joinError(set, [made(incoming, '#!lua name=one\nF')], true), null)
  })
})
