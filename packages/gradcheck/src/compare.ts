import { explainGradient } from '@graft/autodiff';
import { cpu } from '@graft/backend-cpu';
import { compile, type Backend, type Program } from '@graft/compiler';
import {
  AttrError,
  FeedError,
  GraphError,
  Node,
  RESERVED_NAMES,
  ancestors,
  castGraph,
  dtypeOfArray,
  fmtShape,
  formatAttrs,
  isDType,
  stridesOf,
  type DType,
  type FloatArray,
  type Provenance,
} from '@graft/ir';

/** An executor and the dtype the graph is run in on it. */
export interface ExecutorSide {
  readonly backend: Backend;
  /** The dtype every input, constant and node is cast to (`castGraph`). */
  readonly dtype: DType;
}

/**
 * When a candidate element `c` agrees with its reference `r`: `|c − r| ≤ atol + rtol·max(|r|, m)`,
 * `m` the mean `|r|` over the node, so an element near zero in a node of large values (a sum
 * that cancels) is held to the node's scale rather than to its own tiny value. NaN agrees
 * only with NaN, an infinity only with itself.
 */
export interface CompareTolerance {
  readonly rtol: number;
  readonly atol: number;
}

/** float32 against float64 through a few dozen ops: rounding stays well below 10⁻⁴ of the node's scale (about 10⁻⁷ on the example graphs). */
export const DEFAULT_COMPARE_TOLERANCE: CompareTolerance = Object.freeze({ rtol: 1e-4, atol: 1e-7 });

export interface CompareOptions {
  /** The executor taken as right (default `cpu()` in float64); a bare backend runs in float64. */
  readonly reference?: Backend | Partial<ExecutorSide>;
  /** The executor under test, e.g. `gpujs({ mode: 'webasm' })`; a bare backend runs in float32. */
  readonly candidate: Backend | Partial<ExecutorSide>;
  readonly tolerance?: Partial<CompareTolerance>;
}

/** The first node whose candidate value left the tolerance, and its worst element. */
export interface Divergence {
  /** The node, in the caller's graph. */
  readonly node: Node;
  readonly op: string;
  /** Its attrs as the printer writes them (`strides=[2,2] padding=SAME …`). */
  readonly attrs: string;
  readonly shape: readonly number[];
  /** For a gradient node: the forward node (in the caller's graph) and the rule that made it. */
  readonly provenance: Provenance | undefined;
  /** The worst element: its multi-index and row-major position. */
  readonly index: readonly number[];
  readonly flatIndex: number;
  readonly reference: number;
  readonly candidate: number;
  /** `|candidate − reference|`, and what the tolerance allowed there. */
  readonly difference: number;
  readonly allowed: number;
  /** Elements of the node outside the tolerance. */
  readonly diverging: number;
}

/** What `compareExecutors` found. `formatComparison` writes it out. */
export interface ExecutorComparison {
  /** `cpu float64`, `gpujs(webasm) float32`. */
  readonly reference: string;
  readonly candidate: string;
  readonly tolerance: CompareTolerance;
  /** Nodes compared (every node the outputs need but the inputs). */
  readonly nodes: number;
  /** The first diverging node in topological order, or undefined when every node agrees. */
  readonly first: Divergence | undefined;
  /** Nodes outside the tolerance (the first and what it reaches, typically). */
  readonly diverging: number;
  /** Per compared node, in topological order: the largest `|c − r| / allowed` over its elements. */
  readonly ratios: readonly { readonly node: Node; readonly ratio: number }[];
}

function side(op: string, what: 'reference' | 'candidate', v: unknown, dtype: DType): ExecutorSide {
  const isBackend = (b: unknown): b is Backend => b !== null && typeof b === 'object' && typeof (b as Backend).prepare === 'function';
  if (isBackend(v)) return { backend: v, dtype };
  if (v === undefined && what === 'reference') return { backend: cpu(), dtype };
  if (v === null || typeof v !== 'object') throw new AttrError(op, `${what} must be a backend or { backend, dtype }`, { [what]: String(v) });
  const s = v as Partial<ExecutorSide>;
  const backend = s.backend ?? (what === 'reference' ? cpu() : undefined);
  if (!isBackend(backend)) throw new AttrError(op, `${what}.backend must be a backend, e.g. cpu()`, { backend: String(backend) });
  const d = s.dtype ?? dtype;
  if (!isDType(d)) throw new AttrError(op, `${what}.dtype must be 'float32' or 'float64'`, { dtype: d });
  return { backend, dtype: d };
}

/** `index` of a row-major position in `shape`. */
function unravel(flat: number, shape: readonly number[]): number[] {
  const strides = stridesOf(shape);
  return strides.map((s, k) => Math.floor(flat / s) % shape[k]!);
}

/** Runs the nodes on one side: the graph cast to its dtype, one step per node, every node an output. */
async function evaluate(nodes: readonly Node[], outputs: readonly Node[], s: ExecutorSide, feeds: Readonly<Record<string, FloatArray>>): Promise<Map<Node, FloatArray>> {
  const { map } = castGraph(outputs, s.dtype);
  const named = Object.fromEntries(nodes.map((n) => [`n${n.id}`, map.get(n)!]));
  // No passes: fusion or simplification would leave some nodes without a value of their own.
  const program: Program = compile(named, { backend: s.backend, passes: [] });
  try {
    const fed: Record<string, FloatArray> = {};
    for (const name of program.plan.feeds.keys()) {
      const v = feeds[name]!;
      fed[name] = s.dtype === 'float64' ? Float64Array.from(v) : Float32Array.from(v);
    }
    const values = await program.run(fed);
    return new Map(nodes.map((n) => [n, values[`n${n.id}`]!]));
  } finally {
    program.dispose();
  }
}

/**
 * Where do two executors part ways? Runs every node `outputs` need on a reference executor
 * (default `cpu()` in float64) and on a candidate (e.g. `gpujs({ mode: 'webasm' })` or `cpu()`,
 * in float32 by default), each over its own copy of the graph cast to its dtype and compiled
 * without passes so every node keeps its own value, and compares them node by node in
 * topological order. Reports the first node whose values leave the tolerance (see
 * `CompareTolerance`) — its op, attrs, provenance for a gradient node (the forward node and
 * the rule), the worst element's index and both values — since everything after it may
 * diverge only because it does.
 */
export async function compareExecutors(
  outputs: Readonly<Record<string, Node>>,
  feeds: Readonly<Record<string, FloatArray>>,
  options: CompareOptions,
): Promise<ExecutorComparison> {
  const op = 'compareExecutors';
  if (outputs === null || typeof outputs !== 'object') throw new GraphError(op, 'outputs must be a record of named nodes', { outputs: String(outputs) });
  const roots = Object.values(outputs);
  if (roots.length === 0) throw new GraphError(op, 'outputs must name at least one node', { outputs: 0 });
  for (const n of roots) if (!(n instanceof Node)) throw new GraphError(op, 'outputs must be nodes', { output: String(n) });
  if (options === null || typeof options !== 'object') throw new AttrError(op, 'options must be an object with a candidate', { options: String(options) });
  const reference = side(op, 'reference', options.reference, 'float64');
  const candidate = side(op, 'candidate', options.candidate, 'float32');
  const tolerance = { ...DEFAULT_COMPARE_TOLERANCE, ...options.tolerance };
  for (const [k, v] of Object.entries(tolerance)) {
    if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) throw new AttrError(op, `tolerance.${k} must be a finite number ≥ 0`, { [k]: v });
  }
  if (feeds === null || typeof feeds !== 'object') throw new FeedError(op, 'feeds must be a record of typed arrays by input name', { feeds: String(feeds) });
  const nodes = ancestors(roots);
  for (const n of nodes.filter((m): m is Node<'input'> => m.is('input'))) {
    const name = n.attrs.name;
    const v = !RESERVED_NAMES.has(name) && Object.hasOwn(feeds, name) ? feeds[name] : undefined;
    if (dtypeOfArray(v) === undefined) throw new FeedError(op, `every input must be fed a Float32Array or Float64Array; "${name}" is not`, { name });
    if (v!.length !== n.size) {
      throw new FeedError(op, `feed "${name}" must have ${n.size} elements for shape ${fmtShape(n.shape)}, got ${v!.length}`, { name, elements: n.size, shape: n.shape, length: v!.length });
    }
  }
  const compared = nodes.filter((n) => !n.is('input'));
  const [r, c] = [await evaluate(compared, roots, reference, feeds), await evaluate(compared, roots, candidate, feeds)];

  let first: Divergence | undefined;
  let diverging = 0;
  const ratios = compared.map((n) => {
    const rv = r.get(n)!;
    const cv = c.get(n)!;
    let mean = 0;
    for (let i = 0; i < rv.length; i++) if (Number.isFinite(rv[i]!)) mean += Math.abs(rv[i]!);
    mean /= Math.max(1, rv.length);
    let worst = 0;
    let worstRatio = 0;
    let worstDifference = 0;
    let count = 0;
    for (let i = 0; i < rv.length; i++) {
      const a = rv[i]!;
      const b = cv[i]!;
      const difference = Math.abs(b - a);
      let ratio: number;
      if (Number.isNaN(a) || Number.isNaN(b)) ratio = Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
      else if (!Number.isFinite(a) || !Number.isFinite(b)) ratio = a === b ? 0 : Infinity;
      else ratio = difference === 0 ? 0 : difference / (tolerance.atol + tolerance.rtol * Math.max(Math.abs(a), mean));
      if (ratio > 1) count++;
      // The worst element: the largest ratio; among equal ratios (infinite with no tolerance), the largest difference.
      if (ratio > worstRatio || (ratio === worstRatio && difference > worstDifference)) [worst, worstRatio, worstDifference] = [i, ratio, difference];
    }
    if (count > 0) {
      diverging++;
      if (first === undefined) {
        const a = rv[worst]!;
        first = {
          node: n,
          op: n.op,
          attrs: formatAttrs(n),
          shape: n.shape,
          provenance: n.provenance,
          index: unravel(worst, n.shape),
          flatIndex: worst,
          reference: a,
          candidate: cv[worst]!,
          difference: Math.abs(cv[worst]! - a),
          allowed: tolerance.atol + tolerance.rtol * Math.max(Math.abs(a), mean),
          diverging: count,
        };
      }
    }
    return { node: n, ratio: worstRatio };
  });
  const name = (s: ExecutorSide) => `${s.backend.name} ${s.dtype}`;
  return { reference: name(reference), candidate: name(candidate), tolerance, nodes: compared.length, first, diverging, ratios };
}

/** A readable account: where the executors part ways (or that they agree) and, for a gradient node, its derivation. */
export function formatComparison(c: ExecutorComparison): string {
  const tol = `rtol ${c.tolerance.rtol}, atol ${c.tolerance.atol}`;
  const head = `${c.candidate} against ${c.reference} over ${c.nodes} nodes (${tol})`;
  const d = c.first;
  if (d === undefined) {
    const worst = c.ratios.reduce((a, b) => (b.ratio > a.ratio ? b : a), c.ratios[0]!);
    return `${head}: every node agrees; closest to the tolerance: ${worst.node} at ${worst.ratio.toPrecision(3)} of it`;
  }
  const lines = [
    `${head}: they part ways at ${d.node}, ${c.diverging} node${c.diverging === 1 ? '' : 's'} diverge in all`,
    `  first diverging node: ${d.node} = ${d.op}(${d.node.inputs.map(String).join(', ')})${d.attrs === '' ? '' : ` ${d.attrs}`} : ${fmtShape(d.shape)}`,
    d.provenance === undefined
      ? '  a forward node (no gradient rule made it)'
      : `  ${d.provenance.mode === 'vjp' ? 'gradient' : 'tangent'} node of ${d.provenance.forward} (${d.provenance.forward.op}${formatAttrs(d.provenance.forward) === '' ? '' : ` ${formatAttrs(d.provenance.forward)}`}) by rule ${d.provenance.rule}`,
    `  worst element [${d.index.join(',')}]: reference ${d.reference}, candidate ${d.candidate}, |difference| ${d.difference.toPrecision(3)} > allowed ${d.allowed.toPrecision(3)} (${d.diverging} of ${d.node.size} elements outside)`,
  ];
  if (d.provenance !== undefined) lines.push('  derivation:', ...explainGradient(d.node, { depth: 1 }).split('\n').map((l) => `    ${l}`));
  return lines.join('\n');
}
