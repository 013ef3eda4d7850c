// A canonical text of a merge state: equal states give equal text whatever the insertion order of
// their Maps. The property tests compare states by it; anti-entropy may hash it.

export function canonical(value: unknown): string {
  if (value === null || value === undefined) return 'null'
  if (typeof value === 'bigint') return `${value}n`
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value)
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'boolean') return String(value)
  if (Buffer.isBuffer(value)) return `<${value.toString('hex')}>`
  if (value instanceof Map) {
    const entries = [...value.entries()].map(([k, v]) => [canonical(k), canonical(v)])
    entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    return `{${entries.map(([k, v]) => `${k}:${v}`).join(',')}}`
  }
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (typeof value === 'object') {
    const keys = Object.keys(value).sort()
    return `(${keys.map((k) => `${k}=${canonical((value as Record<string, unknown>)[k])}`).join(',')})`
  }
  throw new Error(`canonical: unsupported ${typeof value}`)
}
