import type { MemoryOptions } from './memory.ts';
import type { DType, FloatArray, Graph, Node, Shape } from '@graft/ir';
import type { TraceEntry } from '@graft/rewrite';

/** What a buffer holds, which decides whether the planner may reuse its storage. */
export type BufferRole =
  /** A fed input: the caller's array, never written. */
  | 'feed'
  /** A constant: written once when the program is prepared, never reused. */
  | 'constant'
  /** A requested output: a dedicated arena region, never reused or written in place. */
  | 'output'
  /** Anything else: its storage is reused once its last reader has run. */
  | 'intermediate';

/** A buffer: the value of one node. Every executor keeps it its own way (arena regions, device handles). */
export interface BufferSpec {
  readonly id: number;
  /** The node whose value the buffer holds. */
  readonly node: Node;
  readonly dtype: DType;
  readonly shape: Shape;
  /** Elements. */
  readonly size: number;
  readonly role: BufferRole;
  /**
   * Set for a view: a reshape whose elements are its operand's, in the same order, so it
   * shares the operand's value and no step computes it.
   */
  readonly viewOf: number | undefined;
  /**
   * The steps between which the value lives (for a view, its root's): `first` writes it
   * (−1 for feeds and the prologue's constants), `last` is the last step that reads it or a
   * view of it, or `steps.length` for values read after the run (outputs) and for constants.
   * Both executors free or reuse a value's storage after `last`.
   */
  readonly live: { readonly first: number; readonly last: number };
}

/** Run `node`'s kernel reading buffers `inputs`, writing buffer `output`. */
export interface KernelStep {
  readonly kind: 'kernel';
  readonly node: Node;
  readonly inputs: readonly number[];
  readonly output: number;
}

/** Copies a buffer into another of the same size (an output that is a feed, constant or view). */
export interface CopyStep {
  readonly kind: 'copy';
  /** The output node the copy materialises. */
  readonly node: Node;
  readonly inputs: readonly [number];
  readonly output: number;
}

/** One scheduled step. Fused elementwise loops are kernel steps of `fused` nodes. */
export type Step = KernelStep | CopyStep;

/**
 * What the compiler hands an executor: steps in order over buffers, each buffer the value
 * of one node, with its lifetime. Where values live is the executor's business (the CPU
 * places them in an arena with `planMemory`, gpu.js keeps device handles).
 */
export interface ProgramPlan {
  /** Steps run by every `run`, in execution order (topological). */
  readonly steps: readonly Step[];
  /** Steps run once when the plan is prepared (the constants). */
  readonly prologue: readonly Step[];
  readonly buffers: readonly BufferSpec[];
  /** Fed inputs: name → buffer. */
  readonly feeds: ReadonlyMap<string, { readonly node: Node<'input'>; readonly buffer: number }>;
  /** Requested outputs: name → buffer (a buffer of its own, never shared with another output). */
  readonly outputs: ReadonlyMap<string, { readonly node: Node; readonly buffer: number }>;
}

/**
 * Where a buffer's elements live on an arena executor: the caller's feed array of one run
 * (`buffer` is the feed's buffer id), or a region of the arena for the buffer's dtype,
 * `offset` elements in.
 */
export type Storage = { readonly kind: 'feed'; readonly buffer: number } | { readonly kind: 'arena'; readonly offset: number };

/** Elements of each dtype's arena. */
export interface ArenaSizes {
  readonly float32: number;
  readonly float64: number;
}

/** A plan's memory on an arena executor (the CPU's), from `planMemory`. */
export interface MemoryPlan {
  /** Per buffer: where its elements live. */
  readonly storage: readonly Storage[];
  /**
   * Per step: the index into its `inputs` of the operand whose storage the output overwrites
   * (an elementwise op reading that operand at the output's own index), or undefined.
   */
  readonly inPlace: readonly (number | undefined)[];
  /** One allocation per dtype; every non-feed buffer is a region of its dtype's arena. */
  readonly arena: ArenaSizes;
}

/** Feeds by input name: a Float32Array for float32 inputs, a Float64Array for float64. */
export type Feeds = Readonly<Record<string, FloatArray>>;

/** What `compile` passes `prepare` besides the plan. */
export interface PrepareOptions {
  /** What an executor that plans memory (the CPU's arena) may do. */
  readonly memory: MemoryOptions;
  /**
   * The memory plan `compile` made with those options (and checked against its
   * `memoryLimit`); an arena executor lays its memory out by it instead of planning again.
   */
  readonly memoryPlan?: MemoryPlan;
}

/** A backend turns a plan into something that runs. */
export interface Backend {
  readonly name: string;
  /**
   * The most elements one tensor may have on this executor (default: the IR's
   * `MAX_TENSOR_ELEMENTS`); `compile` refuses a larger one with a `ResourceError`.
   */
  readonly maxElements?: number;
  prepare(plan: ProgramPlan, options?: PrepareOptions): Executable;
}

/** A prepared plan on one backend. Feeds have been validated before `run` is called. */
export interface Executable {
  /** The memory plan of an arena executor (the CPU's); undefined for executors without one. */
  readonly memory?: MemoryPlan | undefined;
  /**
   * Runs every step; resolves to each output buffer's array. The arrays belong to the
   * executable and are overwritten by the next run.
   */
  run(feeds: ReadonlyMap<number, FloatArray>): Promise<ReadonlyMap<number, FloatArray>>;
  /**
   * `run` without a promise, where the backend can compute synchronously; constant folding
   * evaluates through it (a backend without it gets no constant folding).
   */
  runSync?(feeds: ReadonlyMap<number, FloatArray>): ReadonlyMap<number, FloatArray>;
  /** What the executor chose for this plan (kernels, precision, …), shown by `program.stats().executor`. */
  describe?(): Readonly<Record<string, string | number | boolean>>;
  dispose?(): void;
  /** Steps per kernel implementation, where the backend tells (`program.stats().kernels`). */
  kernelCounts?(): Readonly<Record<string, number>>;
}

/** Sizes of a compiled program (`program.stats()`). */
export interface ProgramStats {
  /** Nodes the outputs need before the pipeline ran (inputs and constants included). */
  readonly sourceNodes: number;
  /** Nodes in the compiled graph (inputs and constants included). */
  readonly nodes: number;
  /** Kernel steps per run. */
  readonly steps: number;
  /** Steps that evaluate two or more elementwise ops as one loop (fused nodes). */
  readonly fusedSteps: number;
  /** Steps that write over one of their operands (0 on executors without an arena). */
  readonly inPlaceSteps: number;
  /** Reshapes that became views (no step, no storage of their own). */
  readonly views: number;
  /** Bytes of the arenas (all dtypes): what a run of the program uses besides its feeds (0 on executors without an arena). */
  readonly arenaBytes: number;
  /**
   * Bytes of every intermediate with one buffer per node of the compiled graph (every
   * non-input node, constants included, and a fused node counted once per op it fuses):
   * memory without fusion, views, reuse or in-place updates.
   */
  readonly unplannedBytes: number;
  /** Bytes of the buffers the steps write, each in its own region: memory without reuse. */
  readonly bufferBytes: number;
  /** What the executor chose for this program (e.g. gpu.js's mode and precision); empty if it says nothing. */
  readonly executor: Readonly<Record<string, string | number | boolean>>;
  /**
   * Steps per kernel implementation that runs them, where the backend tells, e.g. the CPU
   * executor's `{ 'onednn brgconv:avx512_core': 3, wasm: 9, typescript: 4 }`.
   */
  readonly kernels?: Readonly<Record<string, number>>;
}

/** What one pass did, for `program.passes`. */
export interface PassRecord {
  readonly name: string;
  /** Nodes the outputs need after the pass. */
  readonly nodes: number;
  /** Fused nodes after the pass (0 before fusion). */
  readonly fused: number;
  /** Rewrite firings of the pass, in order (empty for passes that are not rewrites). */
  readonly trace: readonly TraceEntry[];
  /** Remarks, e.g. why a pass did nothing. */
  readonly notes: readonly string[];
  /** Milliseconds the pass took. */
  readonly ms: number;
  /** The pass's output graph (kept only with `trace: true`). */
  readonly graph: Graph | undefined;
  /** The outputs in that graph (kept only with `trace: true`). */
  readonly outputs: Readonly<Record<string, Node>> | undefined;
}

/** Options of `program.run`. */
export interface RunOptions {
  /**
   * true (default): return fresh copies the caller owns. false: return the program's own
   * output arrays — the same arrays every run, no allocation, but owned by the program:
   * overwritten by the next run and invalid once the program is disposed (copy what you
   * keep); this is what a training loop wants.
   */
  readonly copy?: boolean;
}

/** A compiled program: `await program.run(feeds)` resolves to the outputs by name. */
export interface Program<O extends string = string> {
  readonly plan: ProgramPlan;
  readonly backend: Backend;
  /** The compiled graph and its outputs (what the plan was built from; fused loops are `fused` nodes). */
  readonly graph: Graph;
  readonly outputs: Readonly<Record<O, Node>>;
  /** The executor's memory plan, for arena executors (the CPU's); undefined otherwise. */
  readonly memory: MemoryPlan | undefined;
  /** Rewrites applied while compiling, all passes together, in firing order. */
  readonly trace: readonly TraceEntry[];
  /** What each pass did, in order. */
  readonly passes: readonly PassRecord[];
  run(feeds: Feeds, options?: RunOptions): Promise<Record<O, FloatArray>>;
  stats(): ProgramStats;
  /** One line per step: kernel, buffers, shapes, bytes, arena offsets. */
  listing(): string;
  /** Releases the program's memory (its arenas); `run` refuses afterwards. Calling it twice is harmless. */
  dispose(): void;
}
