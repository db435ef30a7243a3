import { fmtShape } from '@graft/ir';

/** How the numeric side was formed: every Jacobian element, or random directional derivatives. */
export type GradcheckMode = 'full' | 'random';

/**
 * One compared quantity: in full mode `∂f/∂x[index]`, in random mode the directional
 * derivative `⟨∇ₓf, v⟩` along seeded random direction number `direction`.
 */
export interface GradcheckEntry {
  /** The input's name (as given to `g.input`). */
  readonly input: string;
  /** Full mode: the element's multi-index; random mode: `[]`. */
  readonly index: readonly number[];
  /** Random mode: the direction's number (0-based); full mode: undefined. */
  readonly direction: number | undefined;
  /** From the gradient graph (`grad`). */
  readonly analytic: number;
  /** From central differences of f. */
  readonly numeric: number;
  /** `|analytic − numeric|`. */
  readonly error: number;
  /** `|analytic − numeric| / max(|analytic|, |numeric|)` (0 when both are 0). */
  readonly relativeError: number;
  /** `error / (atol + rtol·max(|analytic|, |numeric|))`: the entry passes when this is ≤ 1. */
  readonly ratio: number;
  /** The step h used for this entry. */
  readonly step: number;
}

/** The check of one input. */
export interface InputReport {
  readonly input: string;
  readonly shape: readonly number[];
  /** Entries compared (elements in full mode, directions in random mode). */
  readonly checked: number;
  readonly failed: number;
  /** The entry with the largest `ratio` (closest to, or furthest past, the tolerance). */
  readonly worst: GradcheckEntry | undefined;
  readonly maxError: number;
  readonly maxRelativeError: number;
  /** The analytic gradient of f w.r.t. this input, row-major. */
  readonly analytic: Float64Array;
  /** Full mode: the numeric gradient, row-major; random mode: undefined. */
  readonly numeric: Float64Array | undefined;
}

/** The outcome of `gradcheck`; `String(report)` is a readable summary that names the worst element. */
export interface GradcheckReport {
  readonly ok: boolean;
  readonly mode: GradcheckMode;
  readonly order: 1 | 2;
  /** An entry passes when `|analytic − numeric| ≤ atol + rtol·max(|analytic|, |numeric|)`. */
  readonly tolerance: { readonly rtol: number; readonly atol: number };
  /** Relative step: `h = eps·max(1, |x|)` (see `gradcheck`). */
  readonly eps: number;
  /** Entries compared over all inputs. */
  readonly checked: number;
  readonly failed: number;
  /** The entry with the largest `ratio` over all inputs. */
  readonly worst: GradcheckEntry | undefined;
  /** Up to 10 failing entries, worst first. */
  readonly failures: readonly GradcheckEntry[];
  readonly perInput: readonly InputReport[];
  readonly maxError: number;
  readonly maxRelativeError: number;
  /** The largest `ratio` (≤ 1 when ok). */
  readonly maxRatio: number;
  /** True when y was not a scalar and `⟨c, y⟩` was checked for a seeded random cotangent c. */
  readonly cotangent: boolean;
  /** The scalar whose gradient was checked, at the given feeds. */
  readonly value: number;
  readonly seed: number;
  toString(): string;
}

/** `w[2,0,1,3]` in full mode, `⟨∇w, v3⟩` in random mode. */
export function entryLabel(e: GradcheckEntry): string {
  return e.direction === undefined ? `${e.input}[${e.index.join(',')}]` : `⟨∇${e.input}, v${e.direction}⟩`;
}

const num = (v: number) => (Number.isFinite(v) ? v.toPrecision(12) : String(v));
const sci = (v: number) => (Number.isFinite(v) ? v.toExponential(2) : String(v));

function entryLines(e: GradcheckEntry, tol: { rtol: number; atol: number }): string[] {
  const bound = tol.atol + tol.rtol * Math.max(Math.abs(e.analytic), Math.abs(e.numeric));
  return [
    `${entryLabel(e)}: analytic ${num(e.analytic)}, numeric ${num(e.numeric)}`,
    `|error| ${sci(e.error)}, relative ${sci(e.relativeError)}, ${e.ratio <= 1 ? '≤' : '>'} tolerance ${sci(bound)} = atol ${sci(tol.atol)} + rtol ${sci(tol.rtol)} × max(|analytic|, |numeric|)  (step h ${sci(e.step)})`,
  ];
}

/** The text of a report, in the manner of PyTensor's verify_grad. */
export function formatReport(r: Omit<GradcheckReport, 'toString'>): string {
  const what = r.mode === 'full' ? 'full Jacobian' : 'random directions';
  const order = r.order === 1 ? 'first order' : 'second order (gradient of ⟨∇f, v⟩, i.e. Hessian·v)';
  const lines = [
    r.ok
      ? `gradcheck passed: ${r.checked} values (${order}, ${what}, central differences in float64)`
      : `gradcheck FAILED: ${r.failed} of ${r.checked} values outside tolerance (${order}, ${what}, central differences in float64)`,
  ];
  if (r.worst !== undefined) {
    const [a, b] = entryLines(r.worst, r.tolerance);
    lines.push(`  worst   ${a}`, `          ${b}`);
  }
  for (const e of r.failures.slice(1)) {
    const [a, b] = entryLines(e, r.tolerance);
    lines.push(`  failing ${a}`, `          ${b}`);
  }
  if (r.failed > r.failures.length) lines.push(`          … and ${r.failed - r.failures.length} more`);
  lines.push(`  step    h = eps × max(1, |x|) with eps ${sci(r.eps)}${r.mode === 'random' ? ' (|x| the largest magnitude of the input; directions v uniform in [−1, 1])' : ''}`);
  r.perInput.forEach((p, i) => {
    lines.push(
      `  ${i === 0 ? 'inputs ' : '       '} ${p.input} ${fmtShape(p.shape)}: ${p.checked} checked, ${p.failed} failed, max |error| ${sci(p.maxError)}, max relative ${sci(p.maxRelativeError)}`,
    );
  });
  lines.push(`  f       ${num(r.value)}${r.cotangent ? ` = ⟨c, y⟩ (y not scalar; c a seeded random cotangent, seed ${r.seed})` : ''}`);
  return lines.join('\n');
}
