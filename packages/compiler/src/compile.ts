import { AttrError, FeedError, GraphError, Node, RESERVED_NAMES, bytesPerElement, dtypeOfArray, fmtShape, type FloatArray } from '@graft/ir';
import type { TraceEntry } from '@graft/rewrite';
import { formatListing } from './listing.ts';
import { defaultMemoryOptions, planMemory, type MemoryOptions } from './memory.ts';
import { DEFAULT_MEMORY_LIMIT, checkMemoryLimit, checkTensorLimits } from './resources.ts';
import { defaultPipeline, runPipeline } from './pipeline.ts';
import type { Backend, Feeds, MemoryPlan, PassRecord, Program, ProgramPlan, ProgramStats, RunOptions } from './program.ts';
import { liveNodes, schedule } from './schedule.ts';
import { createStage, type Pass, type Stage } from './stage.ts';

/** Options of `compile`. */
export interface CompileOptions {
  /** The executor to run on, e.g. `cpu()`. */
  readonly backend: Backend;
  /**
   * Lower conv2dBackpropInput / conv2dBackpropFilter / conv2dTranspose into plain conv2d
   * of padded, dilated, reversed and transposed tensors (default false: dedicated kernels).
   * Applies to the default pipeline; with `passes`, list `lowerConvGradientsPass` instead.
   */
  readonly lowerConvGradients?: boolean;
  /** The passes to run instead of `defaultPipeline()` (`[]` runs none: one step per node). */
  readonly passes?: readonly Pass[];
  /** Keep every pass's output graph in `program.passes` (default false: names, counts and traces only). */
  readonly trace?: boolean;
  /** Verify the whole graph after every pass (default false: a cheap check of each pass's result). */
  readonly debug?: boolean;
  /**
   * What memory planning may do (default: all of it): `views` here, `reuse` and `inPlace`
   * in executors that plan an arena (the CPU's), which `prepare` passes them to.
   */
  readonly memory?: Partial<MemoryOptions>;
  /**
   * The most bytes the program's memory plan may take (default `DEFAULT_MEMORY_LIMIT`, 4 GiB):
   * the arenas `planMemory` lays out, every value a run holds at once after reuse — what the
   * CPU allocates, and what gpu.js keeps alive at its peak. A larger plan is refused with a
   * `ResourceError` naming the largest buffers and the total; `Infinity` turns the check off.
   */
  readonly memoryLimit?: number;
}

/**
 * Compiles named output nodes into a program: runs the pass pipeline (by default
 * verify → simplify → foldConstants → cse → dce → fuse), schedules the result as steps over
 * buffers with their lifetimes, then prepares the plan on the backend (the CPU then plans
 * its memory: buffers reused by liveness, in-place elementwise updates, one arena per dtype).
 *
 * The program asks for every input the outputs need as given (optimisation never changes
 * the feeds), and accepts and ignores feeds for other inputs of the graph.
 */
export function compile<O extends string>(outputs: Readonly<Record<O, Node>>, options: CompileOptions): Program<O> {
  if (outputs === null || typeof outputs !== 'object') {
    throw new GraphError('compile', 'outputs must be a record of named nodes', { outputs });
  }
  const entries = Object.entries(outputs) as [O, unknown][];
  if (entries.length === 0) throw new GraphError('compile', 'outputs must name at least one node', { outputs: 0 });
  for (const [name, n] of entries) {
    if (RESERVED_NAMES.has(name)) {
      throw new GraphError('compile', `output names must not be keys every object inherits, got "${name}"`, { name, reserved: [...RESERVED_NAMES] });
    }
    if (!(n instanceof Node)) throw new GraphError('compile', `output "${name}" must be a Node`, { [name]: n });
  }
  const graph = (entries[0]![1] as Node).graph;
  for (const [name, n] of entries) {
    if ((n as Node).graph !== graph) {
      throw new GraphError('compile', `all outputs must belong to one graph; output "${name}" (${n}) does not`, { name, node: String(n) });
    }
  }
  if (options === null || typeof options !== 'object' || options.backend === undefined) {
    throw new GraphError('compile', 'options.backend must be an executor, e.g. cpu()', { backend: String(options?.backend) });
  }
  if (options.passes !== undefined && options.lowerConvGradients === true) {
    throw new AttrError('compile', 'lowerConvGradients applies to the default pipeline; with passes, list lowerConvGradientsPass among them', {
      lowerConvGradients: true,
      passes: options.passes.length,
    });
  }
  const memoryLimit = options.memoryLimit ?? DEFAULT_MEMORY_LIMIT;
  if (typeof memoryLimit !== 'number' || Number.isNaN(memoryLimit) || memoryLimit < 0) {
    throw new AttrError('compile', 'memoryLimit must be a non-negative number of bytes (Infinity for none)', { memoryLimit });
  }
  const source = createStage(Object.fromEntries(entries) as Record<string, Node>);
  const sourceNodes = liveNodes(source.outputs, 'compile');
  const feeds = new Map(sourceNodes.filter((n): n is Node<'input'> => n.is('input')).map((n) => [n.attrs.name, n]));
  const passes = options.passes ?? defaultPipeline({ lowerConvGradients: options.lowerConvGradients ?? false });
  const result = runPipeline(source, passes, { backend: options.backend }, { debug: options.debug === true, keep: options.trace === true });
  const memory = { ...defaultMemoryOptions, ...options.memory };
  const plan = schedule(result.stage, { feeds, views: memory.views, pass: result.last });
  // Sizes are refused here, before any executor allocates: each tensor against the
  // executor's limit, then the memory plan against the budget.
  checkTensorLimits(plan, options.backend);
  const memoryPlan = planMemory(plan, memory);
  checkMemoryLimit(plan, memoryPlan, memoryLimit);
  return new CompiledProgram<O>(plan, options.backend, memory, memoryPlan, result.stage, result.records, result.trace, sourceNodes.length, graph.inputs);
}

class CompiledProgram<O extends string> implements Program<O> {
  readonly #executable;
  readonly #stage: Stage;
  readonly #sourceNodes: number;
  readonly #known: ReadonlyMap<string, unknown>;
  #disposed = false;

  constructor(
    readonly plan: ProgramPlan,
    readonly backend: Backend,
    memory: MemoryOptions,
    memoryPlan: MemoryPlan,
    stage: Stage,
    readonly passes: readonly PassRecord[],
    readonly trace: readonly TraceEntry[],
    sourceNodes: number,
    known: ReadonlyMap<string, unknown>,
  ) {
    this.#stage = stage;
    this.#sourceNodes = sourceNodes;
    this.#known = known;
    this.#executable = backend.prepare(plan, { memory, memoryPlan });
  }

  get graph() {
    return this.#stage.graph;
  }

  get outputs(): Readonly<Record<O, Node>> {
    return this.#stage.outputs as Readonly<Record<O, Node>>;
  }

  get memory(): MemoryPlan | undefined {
    return this.#executable.memory;
  }

  async run(feeds: Feeds, options: RunOptions = {}): Promise<Record<O, FloatArray>> {
    if (this.#disposed) throw new GraphError('run', 'the program must not be disposed', { disposed: true });
    const byBuffer = checkFeeds(this.plan, feeds, this.#known);
    const results = await this.#executable.run(byBuffer);
    const copy = options.copy ?? true;
    const out = {} as Record<O, FloatArray>;
    for (const [name, { buffer }] of this.plan.outputs) {
      const r = results.get(buffer)!;
      out[name as O] = copy ? r.slice() : r;
    }
    return out;
  }

  stats(): ProgramStats {
    const { steps, buffers } = this.plan;
    const memory = this.memory;
    const bytes = (b: { size: number; dtype: 'float32' | 'float64' }) => b.size * bytesPerElement(b.dtype);
    const nodes = liveNodes(this.#stage.outputs, 'stats');
    return {
      sourceNodes: this.#sourceNodes,
      nodes: nodes.length,
      steps: steps.length,
      fusedSteps: steps.filter((s) => s.node.op === 'fused' && s.kind === 'kernel').length,
      inPlaceSteps: memory === undefined ? 0 : memory.inPlace.filter((k) => k !== undefined).length,
      views: buffers.filter((b) => b.viewOf !== undefined).length,
      arenaBytes: memory === undefined ? 0 : memory.arena.float32 * 4 + memory.arena.float64 * 8,
      // A fused node stands for one node per op of its expression, each of its shape.
      unplannedBytes: nodes.filter((n) => !n.is('input')).reduce((s, n) => s + bytes(n) * (n.is('fused') ? fusedOps(n) : 1), 0),
      bufferBytes: buffers.filter((b) => b.role !== 'feed' && b.viewOf === undefined).reduce((s, b) => s + bytes(b), 0),
      executor: this.#executable.describe?.() ?? {},
      ...(this.#executable.kernelCounts === undefined ? {} : { kernels: this.#executable.kernelCounts() }),
    };
  }

  listing(): string {
    return formatListing(this.plan, this.memory);
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#executable.dispose?.();
  }
}

/** Ops in a fused node's expression. */
function fusedOps(n: Node<'fused'>): number {
  return n.attrs.expr.values.filter((v) => v.kind === 'apply').length;
}

/**
 * Validates feeds against the plan's inputs: presence, typed-array type and length. Feeds
 * named in `known` (other inputs of the graph) are accepted and ignored. Only the record's
 * own properties count as feeds, never what it inherits.
 */
export function checkFeeds(plan: ProgramPlan, feeds: Feeds, known: ReadonlyMap<string, unknown> = new Map()): Map<number, FloatArray> {
  if (feeds === null || typeof feeds !== 'object') {
    throw new FeedError('run', 'feeds must be a record of typed arrays by input name', { feeds });
  }
  const byBuffer = new Map<number, FloatArray>();
  const missing = [...plan.feeds.keys()].filter((name) => !Object.hasOwn(feeds, name));
  if (missing.length > 0) {
    throw new FeedError('run', `every input must be fed; missing ${missing.map((m) => `"${m}"`).join(', ')}`, {
      missing,
      expected: [...plan.feeds.keys()],
    });
  }
  const unknown = Object.keys(feeds).filter((name) => !plan.feeds.has(name) && !known.has(name));
  if (unknown.length > 0) {
    throw new FeedError('run', `feeds must name inputs of the program; unknown ${unknown.map((u) => `"${u}"`).join(', ')}`, {
      unknown,
      expected: [...new Set([...plan.feeds.keys(), ...known.keys()])],
    });
  }
  for (const [name, { node, buffer }] of plan.feeds) {
    const v: unknown = feeds[name];
    const dtype = dtypeOfArray(v);
    const expected = node.dtype === 'float32' ? 'Float32Array' : 'Float64Array';
    if (dtype !== node.dtype) {
      const got = v === null ? 'null' : typeof v === 'object' ? (v as object).constructor.name : typeof v;
      throw new FeedError('run', `feed "${name}" must be a ${expected} (input is ${node.dtype}), got ${got}`, { name, expected, got });
    }
    const arr = v as FloatArray;
    if (arr.length !== node.size) {
      throw new FeedError(
        'run',
        `feed "${name}" must have ${node.size} elements for shape ${fmtShape(node.shape)}, got ${arr.length}`,
        { name, elements: node.size, shape: node.shape, length: arr.length },
      );
    }
    byBuffer.set(buffer, arr);
  }
  return byBuffer;
}
