import { FeedError, GradientError, Node, RESERVED_NAMES, castGraph, dtypeOfArray, fmtShape, type FloatArray, type Graph } from '@graft/ir';
import type { Program } from '@graft/compiler';

/** Feeds by input name, as `program.run` takes them. */
export type FeedRecord = Readonly<Record<string, FloatArray>>;

/** A float64 copy of the nodes a check needs, with float64 copies of the feeds. */
export interface Float64Copy {
  readonly graph: Graph;
  /** The copies of the nodes passed in, in order. */
  readonly nodes: Node[];
  /** Every feed converted to a fresh Float64Array (the check perturbs them in place). */
  readonly feeds: Record<string, Float64Array>;
}

/**
 * Copies the graph of `nodes` into a new float64 graph (`castGraph`), whatever the original
 * dtype, so that checks never add nodes to the caller's graph and always run in float64.
 */
export function float64Copy(op: string, nodes: readonly Node[], feeds: FeedRecord | undefined): Float64Copy {
  for (const n of nodes) {
    if (!(n instanceof Node)) throw new GradientError(op, 'y and xs must be nodes', { value: n });
  }
  const { graph, map } = castGraph(nodes, 'float64');
  const copies: Record<string, Float64Array> = {};
  if (feeds !== undefined) {
    if (feeds === null || typeof feeds !== 'object') {
      throw new FeedError(op, 'feeds must be a record of typed arrays by input name', { feeds });
    }
    for (const [name, v] of Object.entries(feeds)) {
      if (RESERVED_NAMES.has(name)) throw new FeedError(op, `feed names must not be keys every object inherits, got "${name}"`, { name });
      if (dtypeOfArray(v) === undefined) {
        throw new FeedError(op, `feed "${name}" must be a Float32Array or Float64Array`, { name, got: v === null ? 'null' : typeof v });
      }
      copies[name] = Float64Array.from(v);
    }
  }
  return { graph, nodes: nodes.map((n) => map.get(n)!), feeds: copies };
}

/** The name of an input node; anything else cannot be perturbed and is refused. */
export function inputName(op: string, x: Node, role: string): string {
  if (!x.is('input')) {
    throw new GradientError(op, `${role} must be input nodes (fed tensors) so they can be perturbed; ${x} is a ${x.op}`, { node: String(x), op: x.op });
  }
  return x.attrs.name;
}

/** The subset of `feeds` a program reads (a program refuses feeds it does not know). */
export function feedsOf(program: Program, feeds: Readonly<Record<string, Float64Array>>): Record<string, Float64Array> {
  const out: Record<string, Float64Array> = {};
  for (const name of program.plan.feeds.keys()) {
    const v = feeds[name];
    if (v !== undefined) out[name] = v;
  }
  return out;
}

/** Checks that a feed exists for input `name` with `x`'s size. */
export function requireFeed(op: string, feeds: Readonly<Record<string, Float64Array>>, name: string, x: Node): Float64Array {
  const v = Object.hasOwn(feeds, name) ? feeds[name] : undefined;
  if (v === undefined) throw new FeedError(op, `every x must be fed; missing "${name}"`, { expected: name });
  if (v.length !== x.size) {
    throw new FeedError(op, `feed "${name}" must have ${x.size} elements for shape ${fmtShape(x.shape)}, got ${v.length}`, { name, elements: x.size, shape: x.shape, length: v.length });
  }
  return v;
}

/** ⟨a, b⟩ and Σ|aᵢ bᵢ| (the scale its rounding error is proportional to). */
export function inner(a: ArrayLike<number>, b: ArrayLike<number>): { value: number; scale: number } {
  let value = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    const p = a[i]! * b[i]!;
    value += p;
    scale += Math.abs(p);
  }
  return { value, scale };
}

/** Multi-index of flat position `flat` in row-major `shape`. */
export function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length).fill(0);
  for (let i = shape.length - 1; i >= 0; i--) {
    idx[i] = flat % shape[i]!;
    flat = Math.floor(flat / shape[i]!);
  }
  return idx;
}
