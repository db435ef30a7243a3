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
  /** The median of each pass that timed it (the reported one is the smallest). */
  readonly passMediansMs?: readonly number[];
  readonly gflops?: number;
  /** Train step only. */
  readonly imagesPerSec?: number;
  /** Per graft path: its speed ÷ this row's speed (row median ÷ its median): above 1, that graft path is faster. */
  readonly ratios?: Readonly<Record<string, number>>;
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

function ratioCell(v: number | undefined): string {
  if (v === undefined) return '';
  return v < 0.1 || v >= 1000 ? v.toPrecision(2) : v.toFixed(2);
}

/**
 * A fixed-width table, one block per case, graft's paths first; one ratio column per graft
 * path in `bases` (`onednn÷` for `graft-onednn`: that path's speed ÷ the row's).
 */
export function table(results: readonly CaseResult[], bases: readonly string[]): string {
  const short = (b: string) => `${b.replace(/^graft-/, '')}÷`;
  const head = ['case', 'impl', 'median ms', 'GFLOP/s', 'runs', ...bases.map(short), 'agree (rel err)'];
  const widths = [50, 12, 11, 14, 5, ...bases.map(() => 8), 18];
  const last = head.length - 1;
  const line = (cells: readonly string[]) =>
    cells.map((s, i) => (i < 2 || i === last ? s.padEnd(widths[i]!) : s.padStart(widths[i]!))).join(' ').trimEnd();
  const out = [line(head), '-'.repeat(widths.reduce((a, b) => a + b + 1, 0))];
  for (const cr of results) {
    cr.results.forEach((r, i) => {
      const caseCell = i === 0 ? caseLabel(cr.case) : i === 1 ? `  (${cr.gflop.toFixed(3)} GFLOP)` : '';
      if (r.status !== 'ok') {
        out.push(line([caseCell, r.impl, `${r.status}: ${oneLine(r.reason ?? '', 96)}`]));
        return;
      }
      const runs = r.single ? '1*' : String(r.runs ?? '');
      out.push(line([caseCell, r.impl, fmt(r.medianMs, 2), throughput(r), runs, ...bases.map((b) => ratioCell(r.ratios?.[b])), agreeCell(r)]));
    });
    out.push('');
  }
  return out.join('\n');
}

/**
 * The two-thread table: per case, each graft path at 1 and 2 threads (`×1t` = its 2-thread
 * speed ÷ its 1-thread speed) and the peers at 2 threads, with each graft path's 2-thread
 * speed ÷ the row's.
 */
export function threadTable(results: readonly CaseResult[]): string {
  const bases = ['graft-onednn 2t', 'graft-wasm 2t'];
  const head = ['case', 'impl', 'median ms', 'GFLOP/s', 'runs', '2t÷1t', 'onednn 2t÷', 'wasm 2t÷'];
  const widths = [50, 16, 11, 14, 5, 7, 10, 10];
  const line = (cells: readonly string[]) => cells.map((s, i) => (i < 2 ? s.padEnd(widths[i]!) : s.padStart(widths[i]!))).join(' ').trimEnd();
  const out = [line(head), '-'.repeat(widths.reduce((a, b) => a + b + 1, 0))];
  for (const cr of results) {
    const median = (impl: string) => cr.results.find((r) => r.impl === impl && r.status === 'ok')?.medianMs;
    cr.results.forEach((r, i) => {
      const caseCell = i === 0 ? caseLabel(cr.case) : i === 1 ? `  (${cr.gflop.toFixed(3)} GFLOP)` : '';
      if (r.status !== 'ok') {
        out.push(line([caseCell, r.impl, `${r.status}: ${oneLine(r.reason ?? '', 80)}`]));
        return;
      }
      const one = r.impl.endsWith(' 2t') ? median(r.impl.replace(/ 2t$/, ' 1t')) : undefined;
      const scaling = one !== undefined && r.impl.startsWith('graft') ? ratioCell(one / r.medianMs!) : '';
      out.push(line([caseCell, r.impl, fmt(r.medianMs, 2), throughput(r), r.single ? '1*' : String(r.runs ?? ''), scaling, ...bases.map((b) => ratioCell(r.ratios?.[b]))]));
    });
    out.push('');
  }
  return out.join('\n');
}

export function oneLine(s: string, max: number): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}
