import assert from 'node:assert/strict'
import { threadPoolSize } from '../../lib/cli'

describe('marekvs-server: libuv thread pool size', () => {
  it('is one more than the cores when the environment sets none', () => {
    assert.equal(threadPoolSize({}, 2), '3')
    assert.equal(threadPoolSize({ PATH: '/bin' }, 16), '17')
  })

  it('leaves UV_THREADPOOL_SIZE as the environment sets it', () => {
    assert.equal(threadPoolSize({ UV_THREADPOOL_SIZE: '8' }, 2), '8')
    assert.equal(threadPoolSize({ UV_THREADPOOL_SIZE: '1' }, 64), '1')
  })
})
