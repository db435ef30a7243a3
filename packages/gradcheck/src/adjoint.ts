import { vjp } from '@graft/autodiff';
import { cpu } from '@graft/backend-cpu';
import { compile } from '@graft/compiler';
import { AttrError, type Node } from '@graft/ir';
import { feedsOf, float64Copy, inner, inputName, type FeedRecord } from './float64.ts';
import { mulberry32, streams, uniformSigned } from './random.ts';

/**
 * Default tolerance of the adjoint test: 1e-10 relative to `Σ|termᵢ|` of the inner
 * products (the scale their float64 rounding error is proportional to, so cancellation
 * cannot fail a correct rule), while an index or factor bug gives errors of order 1.
 */
export const DEFAULT_ADJOINT_RTOL = 1e-10;

export interface AdjointCheckOptions {
  /**
   * Data for the other inputs y depends on; any input not given (x included) gets seeded
   * uniform [−1, 1) data. A feed for x is used as the first of the two random points.
   */
  readonly feeds?: FeedRecord;
  readonly seed?: number;
  /** Tolerance of the identity and of the linearity check, relative (default 1e-10). */
  readonly rtol?: number;
}

/** The outcome of `adjointCheck`; `String(report)` states both sides and the tolerance. */
export interface AdjointReport {
  readonly ok: boolean;
  /** The name of x. */
  readonly input: string;
  /** `⟨A x, c⟩` where `A x = y(x) − y(0)`. */
  readonly output: number;
  /** `⟨x, Aᵀ c⟩` where `Aᵀ c = vjp(y, x, c)`. */
  readonly adjoint: number;
  /** `max(Σ|(A x)ᵢ cᵢ|, Σ|xᵢ (Aᵀc)ᵢ|)`. */
  readonly scale: number;
  /** `|output − adjoint| / scale`. */
  readonly error: number;
  /** `max |y(x₁) + y(x₂) − y(x₁ + x₂) − y(0)| / max (|y(x₁)| + |y(x₂)| + |y(x₁ + x₂)| + |y(0)|)`. */
  readonly linearityError: number;
  /**
   * True when every term of both inner products is exactly zero (A x = 0 and Aᵀc = 0, e.g. a
   * dilated conv whose taps all fall in the padding): the identity holds but proves little.
   */
  readonly trivial: boolean;
  readonly rtol: number;
  toString(): string;
}

/**
 * The adjoint (dot-product) test of a node y linear (or affine) in the input node x:
 * with `A x = y(x) − y(0)` and `Aᵀ c = vjp([y], [x], [c])`, checks
 * `⟨A x, c⟩ = ⟨x, Aᵀ c⟩` for seeded random x and c, in float64 on the CPU executor.
 * It also checks that y is affine in x (`y(x₁) + y(x₂) = y(x₁ + x₂) + y(0)`), since the
 * identity says nothing about a VJP rule of a nonlinear map. The graph is copied into
 * float64; the caller's graph is not modified.
 */
export async function adjointCheck(y: Node, x: Node, options: AdjointCheckOptions = {}): Promise<AdjointReport> {
  const rtol = options.rtol ?? DEFAULT_ADJOINT_RTOL;
  if (typeof rtol !== 'number' || !(rtol >= 0)) throw new AttrError('adjointCheck', 'rtol must be a number ≥ 0', { rtol });
  const seed = options.seed ?? 0;
  const copy = float64Copy('adjointCheck', [y, x], options.feeds);
  const g = copy.graph;
  const [y64, x64] = copy.nodes as [Node, Node];
  const name = inputName('adjointCheck', x64, 'x');
  const rng = mulberry32(seed ^ streams.adjoint);
  const c = uniformSigned(rng, y64.size);
  const [dx] = vjp([y64], [x64], [g.constant(c, y64.shape)]);
  const program = compile({ y: y64, dx: dx! }, { backend: cpu() });

  const feeds = copy.feeds;
  for (const [input, { node }] of program.plan.feeds) {
    if (feeds[input] === undefined || feeds[input].length !== node.size) feeds[input] = uniformSigned(rng, node.size);
  }
  const x1 = feeds[name] ?? uniformSigned(rng, x64.size);
  const x2 = uniformSigned(rng, x64.size);
  const run = async (xv: Float64Array) => {
    const fed = feedsOf(program, feeds);
    if (program.plan.feeds.has(name)) fed[name] = xv;
    return program.run(fed);
  };
  const r1 = await run(x1);
  const y1 = Float64Array.from(r1['y']!);
  const aTc = Float64Array.from(r1['dx']!);
  const y2 = Float64Array.from((await run(x2))['y']!);
  const y12 = Float64Array.from((await run(x1.map((v, i) => v + x2[i]!)))['y']!);
  const y0 = Float64Array.from((await run(new Float64Array(x64.size)))['y']!);
  program.dispose();

  const ax = y1.map((v, i) => v - y0[i]!);
  const lhs = inner(ax, c);
  const rhs = inner(x1, aTc);
  const scale = Math.max(lhs.scale, rhs.scale);
  const error = scale === 0 ? 0 : Math.abs(lhs.value - rhs.value) / scale;
  let residual = 0;
  let magnitude = 0;
  for (let i = 0; i < y1.length; i++) {
    residual = Math.max(residual, Math.abs(y1[i]! + y2[i]! - y12[i]! - y0[i]!));
    magnitude = Math.max(magnitude, Math.abs(y1[i]!) + Math.abs(y2[i]!) + Math.abs(y12[i]!) + Math.abs(y0[i]!));
  }
  const linearityError = residual === 0 ? 0 : residual / magnitude;
  const linear = linearityError <= rtol;
  const trivial = scale === 0;
  const ok = linear && error <= rtol;
  const sci = (v: number) => v.toExponential(2);
  const text = [
    `adjointCheck ${ok ? 'passed' : 'FAILED'} for ${name}: ⟨A x, c⟩ = ${lhs.value.toPrecision(15)}, ⟨x, Aᵀc⟩ = ${rhs.value.toPrecision(15)}`,
    `  relative error ${sci(error)} (of Σ|terms| ${sci(scale)}) ${error <= rtol ? '≤' : '>'} rtol ${sci(rtol)}`,
    `  linearity: max |y(x₁) + y(x₂) − y(x₁+x₂) − y(0)| relative ${sci(linearityError)}${linear ? '' : ' — y is not affine in x, the identity does not apply'}`,
    ...(trivial ? ['  trivial: every term of both sides is zero (A x = 0 and Aᵀc = 0)'] : []),
  ].join('\n');
  return { ok, input: name, output: lhs.value, adjoint: rhs.value, scale, error, linearityError, trivial, rtol, toString: () => text };
}
