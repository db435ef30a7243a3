/** The result records (written as JSON) and the printed table. */
import type { Case } from './cases.ts';
import { caseLabel } from './cases.ts';

export type Status = 'ok' | 'unsupported' | 'mismatch' | 'error' | 'skipped';

export interface ImplResult {
  readonly impl: string;
  readonly status: Status;
  /** Median of the timed runs (or the one run, where `single`). */
  readonly medianMs?: number;
  readonly minMs?: number;
  readonly runs?: number;
  /** Reported from one run only: the first run took at least `singleRunMs`. */
  readonly single?: boolean;
  readonly gflops?: number;
  /** Train step only. */
  readonly imagesPerSec?: number;
  /** graft's speed ÷ this peer's speed (peer median ms ÷ graft median ms): above 1, graft is faster. */
  readonly ratio?: number;
  /** max |peer − graft| / max |graft| over the outputs (graft itself: its float32 results against its float64 ones). */
  readonly maxRelErr?: number;
  readonly agree?: boolean;
  readonly worst?: string;
  readonly note?: string;
  /** Why an implementation was not timed (unsupported, mismatch, error, skipped). */
  readonly reason?: string;
}

export interface CaseResult {
  readonly case: Case;
  readonly label: string;
  /** GFLOP of the conv ops of one run (train step: conv forward and gradients only). */
  readonly gflop: number;
  readonly results: ImplResult[];
}

const fmt = (v: number | undefined, digits: number) => (v === undefined || !Number.isFinite(v) ? '' : v.toFixed(digits));

function throughput(r: ImplResult): string {
  if (r.imagesPerSec !== undefined) return `${fmt(r.imagesPerSec, 1)} img/s`;
  return r.gflops === undefined ? '' : `${fmt(r.gflops, 2)}`;
}

function agreeCell(r: ImplResult): string {
  if (r.impl === 'graft') {
    if (r.status !== 'ok') return '';
    return r.maxRelErr === undefined ? 'reference' : `reference; vs float64 ${r.agree ? 'ok' : 'NO'} (${r.maxRelErr.toExponential(1)})`;
  }
  if (r.maxRelErr === undefined) return '';
  return `${r.agree ? 'yes' : 'NO'} (${r.maxRelErr.toExponential(1)})`;
}

/** A fixed-width table, one block per case, graft first. */
export function table(results: readonly CaseResult[]): string {
  const head = ['case', 'impl', 'median ms', 'GFLOP/s', 'runs', 'graft/peer', 'agree (rel err)'];
  const widths = [50, 12, 11, 14, 5, 11, 18];
  const line = (cells: readonly string[]) =>
    cells.map((s, i) => (i < 2 || i === 6 ? s.padEnd(widths[i]!) : s.padStart(widths[i]!))).join(' ').trimEnd();
  const out = [line(head), '-'.repeat(widths.reduce((a, b) => a + b + 1, 0))];
  for (const cr of results) {
    cr.results.forEach((r, i) => {
      const caseCell = i === 0 ? caseLabel(cr.case) : i === 1 ? `  (${cr.gflop.toFixed(3)} GFLOP)` : '';
      if (r.status !== 'ok') {
        out.push(line([caseCell, r.impl, `${r.status}: ${oneLine(r.reason ?? '', 96)}`]));
        return;
      }
      const runs = r.single ? '1*' : String(r.runs ?? '');
      const ratio = r.impl === 'graft' || r.ratio === undefined ? '' : r.ratio < 0.1 || r.ratio >= 1000 ? r.ratio.toPrecision(2) : r.ratio.toFixed(2);
      out.push(line([caseCell, r.impl, fmt(r.medianMs, 2), throughput(r), runs, ratio, agreeCell(r)]));
    });
    out.push('');
  }
  return out.join('\n');
}

export function oneLine(s: string, max: number): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}
