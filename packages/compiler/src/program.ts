import type { BinaryOp, DType, FloatArray, Graph, Node, Shape, UnaryOp } from '@graft/ir';
import type { TraceEntry } from '@graft/rewrite';
import type { FusionGroup } from './stage.ts';

/**
 * Where a buffer's elements live: the caller's feed array of one run (`buffer` is the feed's
 * buffer id), or a region of the program's arena for the buffer's dtype, `offset` elements in.
 */
export type Storage = { readonly kind: 'feed'; readonly buffer: number } | { readonly kind: 'arena'; readonly offset: number };

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

/** A buffer: the value of one node, placed by the memory planner. */
export interface BufferSpec {
  readonly id: number;
  /** The node whose value the buffer holds. */
  readonly node: Node;
  readonly dtype: DType;
  readonly shape: Shape;
  /** Elements. */
  readonly size: number;
  readonly role: BufferRole;
  readonly storage: Storage;
  /**
   * Set for a view: a reshape whose elements are its operand's, in the same order, so it
   * shares the operand's storage and no step computes it.
   */
  readonly viewOf: number | undefined;
}

/** Run `node`'s kernel reading buffers `inputs`, writing buffer `output`. */
export interface KernelStep {
  readonly kind: 'kernel';
  readonly node: Node;
  readonly inputs: readonly number[];
  readonly output: number;
  /**
   * Index into `inputs` of the operand whose storage the output overwrites (an
   * elementwise op reading that operand at the output's own index), or undefined.
   */
  readonly inPlace: number | undefined;
}

/**
 * Several elementwise nodes evaluated as one loop over the output: `expr` computes one
 * output element from the input buffers' elements.
 */
export interface FusedStep {
  readonly kind: 'fused';
  /** The group's root: the node whose value the step writes. */
  readonly node: Node;
  /** Every node of the group, in topological order (the root last). */
  readonly nodes: readonly Node[];
  readonly expr: FusedExpr;
  readonly inputs: readonly number[];
  readonly output: number;
  readonly inPlace: number | undefined;
}

/** Copies a buffer into another of the same size (an output that is a feed, constant or view). */
export interface CopyStep {
  readonly kind: 'copy';
  /** The output node the copy materialises. */
  readonly node: Node;
  readonly inputs: readonly [number];
  readonly output: number;
  readonly inPlace: undefined;
}

/** One scheduled step. */
export type Step = KernelStep | FusedStep | CopyStep;

/**
 * A fused elementwise expression over an output of `shape`, in SSA form: value `i` is
 * `values[i]`, operands refer to earlier values, and `values[result]` is the output element.
 */
export interface FusedExpr {
  readonly shape: Shape;
  readonly dtype: DType;
  readonly values: readonly FusedValue[];
  readonly result: number;
}

/** One value of a fused expression. */
export type FusedValue =
  /**
   * Element of input `input` at flat offset `Σ_d i_d · strides[d]` for output index i
   * (`strides` has one entry per output axis; 0 repeats a broadcast axis).
   */
  | { readonly kind: 'load'; readonly input: number; readonly strides: readonly number[] }
  /** A number, already rounded to the expression's dtype. */
  | { readonly kind: 'literal'; readonly value: number }
  | { readonly kind: 'unary'; readonly op: UnaryOp; readonly x: number }
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly a: number; readonly b: number };

/** Elements of each dtype's arena. */
export interface ArenaSizes {
  readonly float32: number;
  readonly float64: number;
}

/** What the compiler hands an executor: steps in order over planned buffers. */
export interface ProgramPlan {
  /** Steps run by every `run`, in execution order (topological). */
  readonly steps: readonly Step[];
  /** Steps run once when the plan is prepared (the constants). */
  readonly prologue: readonly Step[];
  readonly buffers: readonly BufferSpec[];
  /** One allocation per dtype; every non-feed buffer is a region of its dtype's arena. */
  readonly arena: ArenaSizes;
  /** Fed inputs: name → buffer. */
  readonly feeds: ReadonlyMap<string, { readonly node: Node<'input'>; readonly buffer: number }>;
  /** Requested outputs: name → buffer (each in a dedicated arena region). */
  readonly outputs: ReadonlyMap<string, { readonly node: Node; readonly buffer: number }>;
}

/** Feeds by input name: a Float32Array for float32 inputs, a Float64Array for float64. */
export type Feeds = Readonly<Record<string, FloatArray>>;

/** A backend turns a plan into something that runs. */
export interface Backend {
  readonly name: string;
  prepare(plan: ProgramPlan): Executable;
}

/** A prepared plan on one backend. Feeds have been validated before `run` is called. */
export interface Executable {
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
  /** Steps that evaluate two or more fused elementwise nodes. */
  readonly fusedSteps: number;
  /** Steps that write over one of their operands. */
  readonly inPlaceSteps: number;
  /** Reshapes that became views (no step, no storage of their own). */
  readonly views: number;
  /** Bytes of the arenas (all dtypes): what a run of the program uses besides its feeds. */
  readonly arenaBytes: number;
  /**
   * Bytes of every intermediate with one buffer per node of the compiled graph (every
   * non-input node, constants and fused-away nodes included): memory without fusion,
   * views, reuse or in-place updates.
   */
  readonly unplannedBytes: number;
  /** Bytes of the buffers the steps write, each in its own region: memory without reuse. */
  readonly bufferBytes: number;
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
  /** Fused groups after the pass (0 before fusion). */
  readonly groups: number;
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
  /** The fused groups after the pass (kept only with `trace: true`). */
  readonly fusion: readonly FusionGroup[] | undefined;
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
  /** The compiled graph, its outputs and fused groups (what the plan was built from). */
  readonly graph: Graph;
  readonly outputs: Readonly<Record<O, Node>>;
  readonly fusion: readonly FusionGroup[];
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
