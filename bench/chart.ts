// The marekvs/Redis ratio of each workload as a horizontal bar chart, in SVG
// (no dependency; the README shows bench/results/latest.svg). Every bar reads
// "marekvs as a share of Redis, higher is better": throughput rows plot
// marekvs ops/s / Redis ops/s; fixed-rate rows plot Redis p99 / marekvs p99.
// The issue's targets, where it sets one, are drawn as a tick on the row.
import type { SuiteResult, WorkloadResult } from './report'

const WIDTH = 820
const LABEL_WIDTH = 300
const VALUE_WIDTH = 70
const ROW_HEIGHT = 22
const TOP = 58
const BOTTOM = 40
const BAR_WIDTH = WIDTH - LABEL_WIDTH - VALUE_WIDTH - 20

const COLOR_THROUGHPUT = '#3b6fb6'
const COLOR_LATENCY = '#d9822b'
const COLOR_TARGET = '#222'

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

/** What a row plots: the ratio (higher is better) or why there is none. */
export function chartValue(w: WorkloadResult): { value: number; latency: boolean } | { missing: string } {
  if (w.pending !== null) return { missing: w.pending.split(' (')[0] }
  if (w.kind === 'latency') {
    return w.p99Ratio === null ? { missing: 'failed' } : { value: 1 / w.p99Ratio, latency: true }
  }
  return w.ratio === null ? { missing: 'failed' } : { value: w.ratio, latency: false }
}

/** `NAME=value` pairs, space-separated: the marekvs settings a run inherited (SuiteResult.marekvsEnv). */
export function envText(env: Record<string, string>): string {
  return Object.entries(env).map(([name, value]) => `${name}=${value}`).join(' ')
}

export function ratioChartSvg(suite: SuiteResult): string {
  const rows = suite.workloads
  const values = rows.map(chartValue)
  const largest = Math.max(1, ...values.map((v) => ('value' in v ? v.value : 0)), ...rows.map((w) => w.target ?? 0))
  const scaleMax = Math.ceil(largest * 4) / 4 + (largest >= 1 ? 0.25 : 0)
  const x = (ratio: number) => LABEL_WIDTH + (Math.min(ratio, scaleMax) / scaleMax) * BAR_WIDTH
  const height = TOP + rows.length * ROW_HEIGHT + BOTTOM
  const out: string[] = []
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`)
  out.push(`<rect width="${WIDTH}" height="${height}" fill="#fff"/>`)
  const settings = Object.keys(suite.marekvsEnv).length === 0 ? '' : `, ${envText(suite.marekvsEnv)}`
  const title = `marekvs / Redis per workload, ${suite.date}, ${suite.commit}${suite.dirty ? '-dirty' : ''} (${suite.mode}${suite.only === null ? '' : `, --only ${suite.only}`}${settings})`
  out.push(`<text x="10" y="20" font-size="14" font-weight="bold">${escapeXml(title)}</text>`)
  out.push(`<text x="10" y="38" fill="#555">Higher is better; 1 = as fast as Redis. <tspan fill="${COLOR_THROUGHPUT}">■</tspan> ops/s ratio  ` +
    `<tspan fill="${COLOR_LATENCY}">■</tspan> Redis p99 / marekvs p99 at a fixed rate  <tspan font-weight="bold">|</tspan> target</text>`)
  // Grid: every 0.25 (0.5 past 2).
  const step = scaleMax > 2 ? 0.5 : 0.25
  for (let g = 0; g <= scaleMax + 1e-9; g += step) {
    const gx = x(g).toFixed(1)
    out.push(`<line x1="${gx}" y1="${TOP - 6}" x2="${gx}" y2="${TOP + rows.length * ROW_HEIGHT}" stroke="${g === 1 ? '#999' : '#e3e3e3'}" stroke-width="${g === 1 ? 1.5 : 1}"/>`)
    out.push(`<text x="${gx}" y="${TOP + rows.length * ROW_HEIGHT + 16}" text-anchor="middle" fill="#555">${g.toFixed(2).replace(/0$/, '')}</text>`)
  }
  out.push(`<text x="${x(1).toFixed(1)}" y="${TOP + rows.length * ROW_HEIGHT + 32}" text-anchor="middle" fill="#555">Redis</text>`)
  rows.forEach((w, i) => {
    const y = TOP + i * ROW_HEIGHT
    const v = values[i]
    out.push(`<text x="${LABEL_WIDTH - 8}" y="${y + 15}" text-anchor="end">${escapeXml(w.name)}</text>`)
    if ('missing' in v) {
      out.push(`<text x="${LABEL_WIDTH + 4}" y="${y + 15}" fill="#888" font-style="italic">${escapeXml(v.missing)}</text>`)
    } else {
      const width = Math.max(1, x(v.value) - LABEL_WIDTH)
      out.push(`<rect x="${LABEL_WIDTH}" y="${y + 4}" width="${width.toFixed(1)}" height="${ROW_HEIGHT - 8}" fill="${v.latency ? COLOR_LATENCY : COLOR_THROUGHPUT}"/>`)
      // Past the target tick when it is close, so the tick does not cross the figure.
      const after = w.target != null && x(w.target) >= LABEL_WIDTH + width - 2 && x(w.target) < LABEL_WIDTH + width + 40 ? x(w.target) : LABEL_WIDTH + width
      out.push(`<text x="${(after + 4).toFixed(1)}" y="${y + 15}">${v.value.toFixed(2)}×</text>`)
    }
    if (w.target !== null && w.target !== undefined) {
      const tx = x(w.target).toFixed(1)
      out.push(`<line x1="${tx}" y1="${y + 1}" x2="${tx}" y2="${y + ROW_HEIGHT - 1}" stroke="${COLOR_TARGET}" stroke-width="2"/>`)
    }
  })
  out.push('</svg>')
  return out.join('\n') + '\n'
}
