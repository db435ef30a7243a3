import { AttrError } from '../errors.ts';

/**
 * The arithmetic of elementwise ops, as data. An elementwise record states `y = f(a, b, …)`
 * for one element as a `Scalar` expression over its operands and the primitives below; every
 * executor generates its elementwise code from that expression (the CPU's TypeScript loops,
 * its fused WebAssembly evaluator, gpu.js kernels), so an op's arithmetic is written once.
 *
 * float32 semantics: every primitive's result is rounded to float32, as a float32 machine
 * computes; the `exact` primitives return one of their (float32) operands or 0/1 and need no
 * rounding.
 */
export const primitives = {
  /** −a */
  neg: { arity: 1, exact: true, cheap: true },
  /** |a| */
  abs: { arity: 1, exact: true, cheap: true },
  /** a + b */
  add: { arity: 2, exact: false, cheap: true },
  /** a − b */
  sub: { arity: 2, exact: false, cheap: true },
  /** a · b */
  mul: { arity: 2, exact: false, cheap: true },
  /** a / b (IEEE: x / 0 = ±∞, 0 / 0 = NaN) */
  div: { arity: 2, exact: false, cheap: false },
  /** √a (NaN for a < 0) */
  sqrt: { arity: 1, exact: false, cheap: false },
  /** eᵃ */
  exp: { arity: 1, exact: false, cheap: false },
  /** ln a (ln 0 = −∞, NaN for a < 0) */
  log: { arity: 1, exact: false, cheap: false },
  /** tanh a */
  tanh: { arity: 1, exact: false, cheap: false },
  /** max(a, b), NaN if either is NaN (JavaScript's Math.max) */
  max: { arity: 2, exact: true, cheap: true },
  /** min(a, b), NaN if either is NaN */
  min: { arity: 2, exact: true, cheap: true },
  /** 1 if a < b else 0 (0 when either is NaN) */
  lt: { arity: 2, exact: true, cheap: true },
  /** 1 if a > b else 0 (0 when either is NaN) */
  gt: { arity: 2, exact: true, cheap: true },
  /** a if c ≠ 0 else b (a NaN c selects a), as select(c, a, b) */
  select: { arity: 3, exact: true, cheap: true },
} as const satisfies Record<string, { readonly arity: 1 | 2 | 3; readonly exact: boolean; readonly cheap: boolean }>;

/** A primitive scalar function every executor implements. */
export type Primitive = keyof typeof primitives;

export const primitiveNames = Object.keys(primitives) as Primitive[];

/** One scalar expression: an operand of the op, a number, or a primitive applied to expressions. */
export type Scalar =
  | { readonly kind: 'arg'; readonly index: number }
  | { readonly kind: 'literal'; readonly value: number }
  | { readonly kind: 'call'; readonly fn: Primitive; readonly args: readonly Scalar[] };

/** What the arithmetic builders accept: an expression or a number. */
export type ScalarLike = Scalar | number;

function lift(v: ScalarLike): Scalar {
  if (typeof v === 'number') return Object.freeze({ kind: 'literal', value: v });
  return v;
}

function call(fn: Primitive, ...args: ScalarLike[]): Scalar {
  return Object.freeze({ kind: 'call', fn, args: Object.freeze(args.map(lift)) });
}

/** Operand `index` of the op (0 for x, or a; 1 for b). */
export function arg(index: number): Scalar {
  return Object.freeze({ kind: 'arg', index });
}

/** Builders of scalar expressions, one per primitive: `S.div(1, S.add(1, S.exp(S.neg(x))))`. */
export const S = {
  neg: (a: ScalarLike) => call('neg', a),
  abs: (a: ScalarLike) => call('abs', a),
  add: (a: ScalarLike, b: ScalarLike) => call('add', a, b),
  sub: (a: ScalarLike, b: ScalarLike) => call('sub', a, b),
  mul: (a: ScalarLike, b: ScalarLike) => call('mul', a, b),
  div: (a: ScalarLike, b: ScalarLike) => call('div', a, b),
  sqrt: (a: ScalarLike) => call('sqrt', a),
  exp: (a: ScalarLike) => call('exp', a),
  log: (a: ScalarLike) => call('log', a),
  tanh: (a: ScalarLike) => call('tanh', a),
  max: (a: ScalarLike, b: ScalarLike) => call('max', a, b),
  min: (a: ScalarLike, b: ScalarLike) => call('min', a, b),
  lt: (a: ScalarLike, b: ScalarLike) => call('lt', a, b),
  gt: (a: ScalarLike, b: ScalarLike) => call('gt', a, b),
  select: (c: ScalarLike, a: ScalarLike, b: ScalarLike) => call('select', c, a, b),
} as const satisfies { readonly [P in Primitive]: (...args: ScalarLike[]) => Scalar };

/**
 * Checks an op's arithmetic: known primitives with their arities, operand indices below
 * `operands`, finite-or-not numbers (any number is allowed, NaN included). Throws AttrError
 * naming the op; the check is what lets executors interpolate the expression into code.
 */
export function checkScalar(op: string, e: unknown, operands: number): Scalar {
  const bad = (rule: string, values: Record<string, unknown>): never => {
    throw new AttrError(op, `arithmetic: ${rule}`, values);
  };
  const visit = (v: unknown): void => {
    if (v === null || typeof v !== 'object') return bad('every expression must be an object', { expression: v });
    const s = v as { kind?: unknown; index?: unknown; value?: unknown; fn?: unknown; args?: unknown };
    switch (s.kind) {
      case 'arg':
        if (typeof s.index !== 'number' || !Number.isInteger(s.index) || s.index < 0 || s.index >= operands) {
          bad(`an operand index must be an integer in [0, ${operands})`, { index: s.index, operands });
        }
        return;
      case 'literal':
        if (typeof s.value !== 'number') bad('a literal must be a number', { value: s.value });
        return;
      case 'call': {
        const p = typeof s.fn === 'string' && Object.hasOwn(primitives, s.fn) ? primitives[s.fn as Primitive] : undefined;
        if (p === undefined) return bad(`fn must be one of ${primitiveNames.join(', ')}`, { fn: s.fn });
        if (!Array.isArray(s.args) || s.args.length !== p.arity) return bad(`${String(s.fn)} takes ${p.arity} arguments`, { arity: p.arity, args: s.args });
        for (const a of s.args) visit(a);
        return;
      }
      default:
        bad("kind must be 'arg', 'literal' or 'call'", { kind: s.kind });
    }
  };
  visit(e);
  return e as Scalar;
}

/** Whether every primitive of `e` is cheap and there are at most `limit` of them (fusion may then recompute it). */
export function isCheap(e: Scalar, limit = 3): boolean {
  let count = 0;
  const visit = (v: Scalar): boolean => {
    if (v.kind !== 'call') return true;
    count++;
    return primitives[v.fn].cheap && v.args.every(visit);
  };
  return visit(e) && count <= limit;
}

/** `e` as text over operand names, e.g. `select(lt(x, 0), 0, x)`. */
export function formatScalar(e: Scalar, names: readonly string[]): string {
  switch (e.kind) {
    case 'arg':
      return names[e.index] ?? `arg${e.index}`;
    case 'literal':
      return Object.is(e.value, -0) ? '-0' : String(e.value);
    case 'call':
      return `${e.fn}(${e.args.map((a) => formatScalar(a, names)).join(', ')})`;
  }
}
