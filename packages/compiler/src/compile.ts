import {
  FeedError,
  GraphError,
  Node,
  ancestors,
  bytesPerElement,
  dtypeOfArray,
  fmtShape,
  formatNode,
  sizeOf,
  type FloatArray,
} from '@graft/ir';
import { lowerConvGradients, rewrite, type TraceEntry } from '@graft/rewrite';
import type { Backend, BufferSpec, Feeds, Program, ProgramPlan, ProgramStats, Step } from './program.ts';

export interface CompileOptions {
  /** The executor to run on, e.g. `cpu()`. */
  readonly backend: Backend;
  /**
   * Lower conv2dBackpropInput / conv2dBackpropFilter / conv2dTranspose into plain conv2d
   * of padded, dilated, reversed and transposed tensors (default false: dedicated kernels).
   */
  readonly lowerConvGradients?: boolean;
}

/**
 * Compiles named output nodes into a program: the nodes they need in topological order,
 * one buffer per node. (Optimisation passes and memory planning slot in here.)
 */
export function compile<O extends string>(outputs: Readonly<Record<O, Node>>, options: CompileOptions): Program<O> {
  if (outputs === null || typeof outputs !== 'object') {
    throw new GraphError('compile', 'outputs must be a record of named nodes', { outputs });
  }
  const entries = Object.entries(outputs) as [O, unknown][];
  if (entries.length === 0) throw new GraphError('compile', 'outputs must name at least one node', {});
  for (const [name, n] of entries) {
    if (!(n instanceof Node)) throw new GraphError('compile', `output "${name}" must be a Node`, { [name]: n });
  }
  const outNodes = entries.map(([, n]) => n as Node);
  const graph = outNodes[0]!.graph;
  for (const [name, n] of entries) {
    if ((n as Node).graph !== graph) {
      throw new GraphError('compile', `all outputs must belong to one graph; output "${name}" (${n}) does not`, {});
    }
  }
  if (options === null || typeof options !== 'object' || options.backend === undefined) {
    throw new GraphError('compile', 'options.backend must be an executor, e.g. cpu()', {});
  }
  let named = Object.fromEntries(entries) as Record<O, Node>;
  let trace: readonly TraceEntry[] = [];
  if (options.lowerConvGradients === true) {
    const lowered = rewrite(named, lowerConvGradients, { name: 'lowerConvGradients' });
    named = lowered.outputs as Record<O, Node>;
    trace = lowered.trace;
  }
  const nodes = ancestors(Object.values(named) as Node[]);
  const buffers: BufferSpec[] = nodes.map((n, id) => ({ id, dtype: n.dtype, shape: n.shape, size: sizeOf(n.shape) }));
  const bufferOf = new Map(nodes.map((n, i) => [n, i]));
  const steps: Step[] = nodes
    .filter((n) => n.op !== 'input')
    .map((n) => ({ node: n, inputs: n.inputs.map((i) => bufferOf.get(i)!), output: bufferOf.get(n)! }));
  const feeds = new Map(
    nodes.filter((n): n is Node<'input'> => n.op === 'input').map((n) => [n.attrs.name, { node: n, buffer: bufferOf.get(n)! }]),
  );
  const plan: ProgramPlan = {
    steps,
    buffers,
    feeds,
    outputs: new Map(
      (Object.entries(named) as [O, Node][]).map(([name, n]) => [name, { node: n, buffer: bufferOf.get(n)! }]),
    ),
  };
  return new CompiledProgram<O>(plan, options.backend, trace);
}

class CompiledProgram<O extends string> implements Program<O> {
  readonly #executable;

  constructor(
    readonly plan: ProgramPlan,
    readonly backend: Backend,
    /** Rewrites applied while compiling (e.g. conv-gradient lowering), in firing order. */
    readonly trace: readonly TraceEntry[],
  ) {
    this.#executable = backend.prepare(plan);
  }

  async run(feeds: Feeds): Promise<Record<O, FloatArray>> {
    const byBuffer = checkFeeds(this.plan, feeds);
    const results = await this.#executable.run(byBuffer);
    const out = {} as Record<O, FloatArray>;
    for (const [name, { buffer }] of this.plan.outputs) out[name as O] = results.get(buffer)!;
    return out;
  }

  stats(): ProgramStats {
    const fed = new Set([...this.plan.feeds.values()].map((f) => f.buffer));
    return {
      nodes: this.plan.buffers.length,
      steps: this.plan.steps.length,
      unplannedBytes: this.plan.buffers
        .filter((b) => !fed.has(b.id))
        .reduce((s, b) => s + b.size * bytesPerElement(b.dtype), 0),
    };
  }

  listing(): string {
    return this.plan.steps
      .map((s, i) => {
        const b = this.plan.buffers[s.output]!;
        return `${String(i).padStart(3)}  ${s.node.op.padEnd(22)} [${s.inputs.map((x) => `b${x}`).join(', ')}] → b${s.output} ${b.dtype}${fmtShape(b.shape)} ${b.size * bytesPerElement(b.dtype)} B   ${formatNode(s.node)}`;
      })
      .join('\n');
  }

  dispose(): void {
    this.#executable.dispose?.();
  }
}

/** Validates feeds against the plan's inputs: presence, typed-array type and length. */
export function checkFeeds(plan: ProgramPlan, feeds: Feeds): Map<number, FloatArray> {
  if (feeds === null || typeof feeds !== 'object') {
    throw new FeedError('run', 'feeds must be a record of typed arrays by input name', { feeds });
  }
  const byBuffer = new Map<number, FloatArray>();
  const missing = [...plan.feeds.keys()].filter((name) => !(name in feeds));
  if (missing.length > 0) {
    throw new FeedError('run', `every input must be fed; missing ${missing.map((m) => `"${m}"`).join(', ')}`, {
      expected: [...plan.feeds.keys()],
    });
  }
  // Feeds for inputs of the graph that these outputs do not need are accepted and ignored.
  const graphInputs = [...plan.outputs.values()][0]?.node.graph.inputs;
  const unknown = Object.keys(feeds).filter((name) => !plan.feeds.has(name) && !graphInputs?.has(name));
  if (unknown.length > 0) {
    throw new FeedError('run', `feeds must name inputs of the program; unknown ${unknown.map((u) => `"${u}"`).join(', ')}`, {
      expected: [...(graphInputs?.keys() ?? plan.feeds.keys())],
    });
  }
  for (const [name, { node, buffer }] of plan.feeds) {
    const v: unknown = feeds[name];
    const dtype = dtypeOfArray(v);
    const expected = node.dtype === 'float32' ? 'Float32Array' : 'Float64Array';
    if (dtype !== node.dtype) {
      const got = v === null ? 'null' : typeof v === 'object' ? (v as object).constructor.name : typeof v;
      throw new FeedError('run', `feed "${name}" must be a ${expected} (input is ${node.dtype}), got ${got}`, {});
    }
    const arr = v as FloatArray;
    if (arr.length !== node.size) {
      throw new FeedError(
        'run',
        `feed "${name}" must have ${node.size} elements for shape ${fmtShape(node.shape)}, got ${arr.length}`,
        {},
      );
    }
    byBuffer.set(buffer, arr);
  }
  return byBuffer;
}
