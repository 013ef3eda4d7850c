// When the main thread hands large batches to the shard threads (lib/engine/inline-policy.ts).
import { strict as assert } from 'node:assert'
import { OffloadDecision } from '../../lib/engine/inline-policy'

/** The decisions after each event-loop utilization sample. */
function run(samples: number[]): boolean[] {
  const decision = new OffloadDecision()
  return samples.map((utilization) => decision.next(utilization))
}

describe('inline policy: offloading to the shards', () => {
  it('stays inline while the main thread has time to spare', () => {
    assert.deepEqual(run([0.1, 0.5, 0.89, 0.9]), [false, false, false, false])
  })

  it('offloads once the main thread is saturated', () => {
    assert.deepEqual(run([0.5, 0.91, 0.99]), [false, true, true])
  })

  it('keeps offloading until the main thread relaxes below 0.7 (hysteresis), then runs inline again', () => {
    assert.deepEqual(run([0.95, 0.8, 0.71, 0.69, 0.85, 0.95]), [true, true, true, false, false, true])
  })
})
