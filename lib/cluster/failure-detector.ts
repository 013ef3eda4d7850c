// Phi-accrual failure detection (Hayashibara et al. 2004), as chitchat and Cassandra use it,
// with exponentially distributed inter-arrival times:
//
//   phi(t) = -log10(P(no heartbeat for Δ)) = Δ / mean × log10(e),   Δ = t - last arrival
//
// A node is suspected dead once phi exceeds the threshold, i.e. after
//   Δ > threshold × mean / log10(e) = 18.42 × mean   (threshold 8).
//
// "Arrival" means: this node learned a higher heartbeat of that node, directly or through any
// peer's gossip. Every node bumps its heartbeat once per gossip round, so the mean observed
// interval is about one round. The mean is clamped to [minMeanMs, maxMeanMs], which bounds the
// time to declare a silent node dead whatever the history:
//   with 200 ms rounds: at least 18.42 × 200 ms = 3.7 s, at most 18.42 × 400 ms = 7.4 s
// after the last heartbeat it got (docs/cluster.md). The staleness bound of 15 s rests on it.
//
// Pure: the caller passes the time; no clock is read here.

export interface DetectorParams {
  /** Suspect a node once phi exceeds this (8: Cassandra's and chitchat's default). */
  readonly thresholdPhi: number
  /** Inter-arrival samples kept (a sliding window). */
  readonly windowSize: number
  /** The first sample, before any interval was observed. */
  readonly initialIntervalMs: number
  /** Clamp of the mean: a burst of heartbeats must not make the detector trigger-happy... */
  readonly minMeanMs: number
  /** ...and a slow history must not delay a verdict beyond the stated bound. */
  readonly maxMeanMs: number
}

export const LOG10_E = Math.LOG10E

/** How long after its last heartbeat a node with this mean interval is declared dead. */
export function deadAfterMs (params: DetectorParams, meanMs: number): number {
  const mean = Math.min(params.maxMeanMs, Math.max(params.minMeanMs, meanMs))
  return (params.thresholdPhi * mean) / LOG10_E
}

/** The window of one observed node. */
export class ArrivalWindow {
  private readonly samples: number[] = []
  private next = 0
  private sum = 0
  lastArrivalMs: number

  constructor (private readonly params: DetectorParams, nowMs: number) {
    this.lastArrivalMs = nowMs
    this.add(params.initialIntervalMs)
  }

  private add (intervalMs: number): void {
    if (this.samples.length < this.params.windowSize) {
      this.samples.push(intervalMs)
    } else {
      this.sum -= this.samples[this.next]
      this.samples[this.next] = intervalMs
      this.next = (this.next + 1) % this.params.windowSize
    }
    this.sum += intervalMs
  }

  /** A higher heartbeat arrived. */
  heartbeat (nowMs: number): void {
    const interval = nowMs - this.lastArrivalMs
    if (interval > 0) this.add(interval)
    this.lastArrivalMs = Math.max(this.lastArrivalMs, nowMs)
  }

  /** The clamped mean interval. */
  meanMs (): number {
    return Math.min(this.params.maxMeanMs, Math.max(this.params.minMeanMs, this.sum / this.samples.length))
  }

  phi (nowMs: number): number {
    return (Math.max(0, nowMs - this.lastArrivalMs) / this.meanMs()) * LOG10_E
  }

  suspected (nowMs: number): boolean {
    return this.phi(nowMs) > this.params.thresholdPhi
  }
}
