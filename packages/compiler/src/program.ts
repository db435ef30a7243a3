import type { DType, FloatArray, Node, Shape } from '@graft/ir';
import type { TraceEntry } from '@graft/rewrite';

/** One scheduled step: run `node`'s kernel reading buffers `inputs`, writing buffer `output`. */
export interface Step {
  readonly node: Node;
  readonly inputs: readonly number[];
  readonly output: number;
}

/** A buffer slot chosen by the planner. */
export interface BufferSpec {
  readonly id: number;
  readonly dtype: DType;
  readonly shape: Shape;
  readonly size: number;
}

/** What the compiler hands an executor: steps in order over planned buffers. */
export interface ProgramPlan {
  /** Steps in execution order (topological). */
  readonly steps: readonly Step[];
  readonly buffers: readonly BufferSpec[];
  /** Fed inputs: name → buffer. */
  readonly feeds: ReadonlyMap<string, { readonly node: Node<'input'>; readonly buffer: number }>;
  /** Requested outputs: name → buffer. */
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
  run(feeds: ReadonlyMap<number, FloatArray>): Promise<ReadonlyMap<number, FloatArray>>;
  dispose?(): void;
}

export interface ProgramStats {
  /** Nodes in the compiled graph (inputs and constants included). */
  readonly nodes: number;
  /** Kernel steps per run. */
  readonly steps: number;
  /** Bytes of all intermediates (every non-input buffer), one buffer per node. */
  readonly unplannedBytes: number;
}

/** A compiled program: `await program.run(feeds)` resolves to the outputs by name. */
export interface Program<O extends string = string> {
  readonly plan: ProgramPlan;
  readonly backend: Backend;
  /** Rewrites applied while compiling, in firing order. */
  readonly trace: readonly TraceEntry[];
  run(feeds: Feeds): Promise<Record<O, FloatArray>>;
  stats(): ProgramStats;
  /** One line per step: kernel, buffers, shapes. */
  listing(): string;
  dispose(): void;
}
