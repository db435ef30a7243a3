import { grad } from '@graft/autodiff';
import { cpu } from '@graft/backend-cpu';
import { compile, type Program } from '@graft/compiler';
import { AttrError, GradientError, fmtShape, shapesEqual, type Node } from '@graft/ir';
import { feedsOf, float64Copy, inputName, requireFeed, unravel, type FeedRecord } from './float64.ts';
import { mulberry32, streams, uniformSigned } from './random.ts';
import { formatReport, type GradcheckEntry, type GradcheckMode, type GradcheckReport, type InputReport } from './report.ts';

/**
 * Central differences with step h have truncation error `h²/6·|f‴|` and rounding error
 * about `ε_mach·|f|/h`; their sum is smallest at `h ∝ ε_mach^(1/3)`, where both are about
 * `ε_mach^(2/3) ≈ 4e-11` relative to the function's scale. So the step is
 * `h = cbrt(ε_mach)·max(1, |x|) ≈ 6.06e-6·max(1, |x|)` (scaled with x so that x ± h
 * differs from x in the same leading digits whatever x's magnitude).
 */
export const DEFAULT_EPS = Math.cbrt(Number.EPSILON);

/**
 * Default tolerances (float64): the numeric derivative is good to about 4e-11 of the
 * scale of f and its derivatives (see `DEFAULT_EPS`), so `rtol = 1e-6` leaves four orders
 * of magnitude for larger third derivatives and for sums over many terms, while still
 * catching any wrong rule (a wrong index or factor gives relative errors of order 1).
 * `atol = 1e-8` covers derivatives that are (nearly) zero, where the numeric side is
 * rounding noise of size `ε_mach·|f|/h ≈ 4e-11·|f|`, for |f| up to about 100.
 */
export const DEFAULT_TOLERANCE = { rtol: 1e-6, atol: 1e-8 } as const;

/** `mode: 'auto'` checks the full Jacobian when the xs have at most this many elements in all. */
export const DEFAULT_MAX_FULL_ELEMENTS = 2000;

export interface GradcheckOptions {
  /** Data for every input y depends on, by name (Float32Array or Float64Array; converted to float64). */
  readonly feeds: FeedRecord;
  /**
   * `'full'`: every element of every x; `'random'`: `directions` seeded random directions per x;
   * `'auto'` (default): full when the xs have at most `maxFullElements` elements in all.
   */
  readonly mode?: 'auto' | 'full' | 'random';
  /** Random mode: directions per input (default 6). */
  readonly directions?: number;
  /** Auto mode's threshold (default 2000). */
  readonly maxFullElements?: number;
  /** 1 (default): ∇f; 2: the gradient of `φ = ⟨∇f, v⟩` (= Hessian·v) for a seeded random v. */
  readonly order?: 1 | 2;
  /** Seed of every random draw (cotangent, v, directions); default 0. */
  readonly seed?: number;
  /** Relative tolerance (default 1e-6). */
  readonly rtol?: number;
  /** Absolute tolerance (default 1e-8). */
  readonly atol?: number;
  /** Relative step: `h = eps·max(1, |x|)` (default `cbrt(ε_mach) ≈ 6.06e-6`). */
  readonly eps?: number;
  /**
   * Builds the analytic gradient in the check's float64 copy of the graph (default `grad`).
   * For checking a hand-written gradient formula, and for testing the checker itself.
   */
  readonly gradientOf?: (f: Node, xs: readonly Node[]) => readonly Node[];
}

/**
 * Checks the gradient of `y` w.r.t. the input nodes `xs` against central differences,
 * `(f(x + h·e) − f(x − h·e)) / 2h`, in float64 on the CPU executor.
 *
 * - The graph is copied into float64 (`castGraph`) whatever its dtype, and feeds are
 *   converted to Float64Array; the caller's graph is not modified.
 * - f is y when y has one element; otherwise f = ⟨c, y⟩ = Σ c ⊙ y for a cotangent c drawn
 *   uniformly from [−1, 1] with `seed`, so that every output element contributes.
 * - Full mode compares each element of ∇f with its central difference (two runs of f per
 *   element); random mode compares `⟨∇ₓf, v⟩` with `(f(x + h·v) − f(x − h·v)) / 2h` for
 *   `directions` seeded directions v per input (two runs per direction), h = eps·max(1, ‖x‖∞).
 * - Order 2 replaces f by `φ(x) = Σᵢ ⟨∇ₓᵢ f, vᵢ⟩` for seeded random vᵢ: its gradient is the
 *   Hessian-vector product, built by differentiating the gradient graph (reverse over
 *   reverse), and its numeric side differentiates the compiled gradient.
 * - Non-differentiable points: relu, step, max and maxPool are piecewise smooth, and a kink
 *   within h of x makes one central difference meaningless (a large random-direction step
 *   over a big net crosses some kink easily). An entry that fails is therefore measured again
 *   with steps h/10 and h/100 and keeps the closest: a kink at distance d from x stops
 *   mattering once the step is below d, while a wrong gradient disagrees at every step.
 *   The entry's `step` says which step it used.
 */
export async function gradcheck(y: Node, xs: readonly Node[], options: GradcheckOptions): Promise<GradcheckReport> {
  if (options === null || typeof options !== 'object') throw new AttrError('gradcheck', 'options must be an object with feeds', { options: String(options) });
  if (!Array.isArray(xs) || xs.length === 0) throw new GradientError('gradcheck', 'xs must name at least one input node', { xs: Array.isArray(xs) ? 0 : String(xs) });
  const order = options.order ?? 1;
  const seed = options.seed ?? 0;
  const rtol = options.rtol ?? DEFAULT_TOLERANCE.rtol;
  const atol = options.atol ?? DEFAULT_TOLERANCE.atol;
  const eps = options.eps ?? DEFAULT_EPS;
  const directions = options.directions ?? 6;
  const maxFull = options.maxFullElements ?? DEFAULT_MAX_FULL_ELEMENTS;
  if (order !== 1 && order !== 2) throw new AttrError('gradcheck', 'order must be 1 or 2', { order });
  for (const [name, v] of Object.entries({ rtol, atol, eps })) {
    if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) throw new AttrError('gradcheck', `${name} must be a finite number ≥ 0`, { [name]: v });
  }
  if (!(eps > 0)) throw new AttrError('gradcheck', 'eps must be positive', { eps });
  if (!Number.isInteger(directions) || directions < 1) throw new AttrError('gradcheck', 'directions must be a positive integer', { directions });
  if (options.mode !== undefined && !['auto', 'full', 'random'].includes(options.mode)) {
    throw new AttrError('gradcheck', "mode must be 'auto', 'full' or 'random'", { mode: options.mode });
  }

  const copy = float64Copy('gradcheck', [y, ...xs], options.feeds);
  const g = copy.graph;
  const [y64, ...xs64] = copy.nodes as [Node, ...Node[]];
  const names = xs64.map((x) => inputName('gradcheck', x, 'xs'));
  const data = xs64.map((x, i) => requireFeed('gradcheck', copy.feeds, names[i]!, x));

  // f: the scalar whose gradient is checked.
  const cotangent = y64.size !== 1;
  let f: Node = cotangent ? g.sum(g.mul(y64, g.constant(uniformSigned(mulberry32(seed ^ streams.cotangent), y64.size), y64.shape))) : y64;
  if (order === 2) {
    const rng = mulberry32(seed ^ streams.secondOrder);
    const gs = grad(f, xs64);
    f = gs
      .map((d, i): Node => g.sum(g.mul(d, g.constant(uniformSigned(rng, xs64[i]!.size), xs64[i]!.shape))))
      .reduce((a, b) => g.add(a, b));
  }

  const analyticNodes = (options.gradientOf ?? grad)(f, xs64);
  if (analyticNodes.length !== xs64.length) {
    throw new GradientError('gradcheck', `gradientOf must return one node per x: ${xs64.length} xs, ${analyticNodes.length} nodes`, { xs: xs64.length, nodes: analyticNodes.length });
  }
  analyticNodes.forEach((d, i) => {
    if (!shapesEqual(d.shape, xs64[i]!.shape)) {
      throw new GradientError('gradcheck', `gradient ${i} must have x's shape ${fmtShape(xs64[i]!.shape)}, got ${fmtShape(d.shape)}`, { index: i, shape: xs64[i]!.shape, got: d.shape });
    }
  });

  const backend = cpu();
  const fProgram = compile({ f }, { backend });
  const gProgram = compile(Object.fromEntries([['f', f], ...analyticNodes.map((d, i) => [`d${i}`, d] as const)]), { backend });
  const gOut = await gProgram.run(feedsOf(gProgram, copy.feeds));
  const value = gOut['f']![0]!;
  const analytic = analyticNodes.map((_, i) => Float64Array.from(gOut[`d${i}`]!));

  const total = xs64.reduce((s, x) => s + x.size, 0);
  const mode: GradcheckMode = options.mode === 'full' || options.mode === 'random' ? options.mode : total <= maxFull ? 'full' : 'random';
  const fFeeds = feedsOf(fProgram, copy.feeds);
  const evaluate = async (): Promise<number> => (await fProgram.run(fFeeds))['f']![0]!;
  const compare = makeComparison(rtol, atol);

  const perInput: InputReport[] = [];
  const failing: GradcheckEntry[] = [];
  const dirRng = mulberry32(seed ^ streams.directions);
  for (let i = 0; i < xs64.length; i++) {
    const x = xs64[i]!;
    const name = names[i]!;
    const arr = data[i]!;
    const used = fProgram.plan.feeds.has(name);
    const entries: GradcheckEntry[] = [];
    let numericAll: Float64Array | undefined;
    if (mode === 'full') {
      numericAll = new Float64Array(x.size);
      for (let j = 0; j < x.size; j++) {
        const x0 = arr[j]!;
        const difference = async (h: number): Promise<number> => {
          if (!used) return 0;
          const xp = x0 + h;
          const xm = x0 - h;
          arr[j] = xp;
          const fp = await evaluate();
          arr[j] = xm;
          const fm = await evaluate();
          arr[j] = x0;
          return (fp - fm) / (xp - xm);
        };
        const entry = await withRetries(eps * Math.max(1, Math.abs(x0)), async (h) =>
          compare(name, unravel(j, x.shape), undefined, analytic[i]![j]!, await difference(h), h),
        );
        numericAll[j] = entry.numeric;
        entries.push(entry);
      }
    } else {
      const x0 = Float64Array.from(arr);
      let scale = 1;
      for (const v of x0) scale = Math.max(scale, Math.abs(v));
      for (let k = 0; k < directions; k++) {
        const v = uniformSigned(dirRng, x.size);
        const entry = await withRetries(eps * scale, async (h) => {
          let numeric = 0;
          // The realised direction: (x + h·v) − (x − h·v) = 2h·v′ with v′ rounded like the perturbed x.
          const realised = new Float64Array(x.size);
          if (used) {
            for (let j = 0; j < x.size; j++) arr[j] = x0[j]! + h * v[j]!;
            const fp = await evaluate();
            for (let j = 0; j < x.size; j++) {
              const xm = x0[j]! - h * v[j]!;
              realised[j] = (arr[j]! - xm) / (2 * h);
              arr[j] = xm;
            }
            const fm = await evaluate();
            arr.set(x0);
            numeric = (fp - fm) / (2 * h);
          } else {
            realised.set(v);
          }
          let directional = 0;
          for (let j = 0; j < x.size; j++) directional += analytic[i]![j]! * realised[j]!;
          return compare(name, [], k, directional, numeric, h);
        });
        entries.push(entry);
      }
    }
    perInput.push(summarise(name, x.shape, entries, analytic[i]!, numericAll));
    failing.push(...entries.filter((e) => !(e.ratio <= 1)));
  }
  fProgram.dispose();
  gProgram.dispose();

  const all = perInput.flatMap((p) => (p.worst === undefined ? [] : [p.worst]));
  const worst = all.reduce<GradcheckEntry | undefined>((w, e) => (w === undefined || e.ratio > w.ratio ? e : w), undefined);
  const body = {
    ok: perInput.every((p) => p.failed === 0),
    mode,
    order,
    tolerance: { rtol, atol },
    eps,
    checked: perInput.reduce((s, p) => s + p.checked, 0),
    failed: perInput.reduce((s, p) => s + p.failed, 0),
    worst,
    failures: failing.sort((a, b) => b.ratio - a.ratio).slice(0, 10),
    perInput,
    maxError: Math.max(0, ...perInput.map((p) => p.maxError)),
    maxRelativeError: Math.max(0, ...perInput.map((p) => p.maxRelativeError)),
    maxRatio: worst?.ratio ?? 0,
    cotangent,
    value,
    seed,
  };
  return { ...body, toString: () => formatReport(body) };
}

/** Steps tried, as fractions of the first, for an entry that fails (see `gradcheck`). */
const RETRY_STEPS = [1, 0.1, 0.01] as const;

/** Measures with step h; if that fails, with smaller steps, keeping the closest agreement. */
async function withRetries(h: number, measure: (h: number) => Promise<GradcheckEntry>): Promise<GradcheckEntry> {
  let best: GradcheckEntry | undefined;
  for (const f of RETRY_STEPS) {
    const e = await measure(h * f);
    if (best === undefined || e.ratio < best.ratio || Number.isNaN(best.ratio)) best = e;
    if (best.ratio <= 1) break;
  }
  return best!;
}

/**
 * An entry passes when `|a − n| ≤ atol + rtol·max(|a|, |n|)`; NaN on either side fails.
 */
export function makeComparison(rtol: number, atol: number) {
  return (input: string, index: readonly number[], direction: number | undefined, analytic: number, numeric: number, step: number): GradcheckEntry => {
    const error = Math.abs(analytic - numeric);
    const magnitude = Math.max(Math.abs(analytic), Math.abs(numeric));
    const bound = atol + rtol * magnitude;
    const ratio = Number.isNaN(error) ? Infinity : error === 0 ? 0 : bound === 0 ? Infinity : error / bound;
    const relativeError = error === 0 ? 0 : Number.isNaN(error) ? Infinity : error / magnitude;
    return { input, index, direction, analytic, numeric, error: Number.isNaN(error) ? Infinity : error, relativeError, ratio, step };
  };
}

function summarise(input: string, shape: readonly number[], entries: GradcheckEntry[], analytic: Float64Array, numeric: Float64Array | undefined): InputReport {
  let worst: GradcheckEntry | undefined;
  let failed = 0;
  let maxError = 0;
  let maxRelativeError = 0;
  for (const e of entries) {
    if (worst === undefined || e.ratio > worst.ratio) worst = e;
    if (!(e.ratio <= 1)) failed++;
    maxError = Math.max(maxError, e.error);
    maxRelativeError = Math.max(maxRelativeError, e.relativeError);
  }
  return { input, shape: [...shape], checked: entries.length, failed, worst, maxError, maxRelativeError, analytic, numeric };
}
