// Helpers of the scripting tests.
import assert from 'node:assert/strict'

/** Scheduling slack on a loaded 2-core machine: a script's hook looks at the clock every 10k instructions. */
export const SLACK_MS = 400

/** The error message `promise` (a script call) fails with; fails the test when it succeeds. */
export async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (err) {
    return (err as Error).message
  }
  assert.fail('the script was expected to fail')
}
