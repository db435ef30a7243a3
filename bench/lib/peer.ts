/** What every implementation (graft and each peer) provides to the harness. */
import type { Case, Shape4 } from './cases.ts';
import type { Outputs } from './data.ts';

export interface ConvInputs {
  readonly kind: 'conv';
  /** NHWC input, HWIO filter and NHWC output cotangent, float32. */
  readonly x: Float32Array;
  readonly w: Float32Array;
  readonly dy: Float32Array;
  /** Output shape and pads `[top, bottom, left, right]` (TensorFlow's SAME rule). */
  readonly y: Shape4;
  readonly pads: readonly [number, number, number, number];
}

export interface TrainInputs {
  readonly kind: 'train';
  /** x [batch,28,28,1], one-hot labels [batch,10], and the parameters, by graft's input names. */
  readonly feeds: Readonly<Record<string, Float32Array>>;
  readonly shapes: Readonly<Record<string, readonly number[]>>;
  /** Parameter names in graft's order: w1, b1, w2, b2, wd, bd. */
  readonly params: readonly string[];
}

export type Inputs = ConvInputs | TrainInputs;

/**
 * One prepared case of one implementation. `run` is what is timed: it computes the case's
 * outputs and has them in JS memory when it resolves (readback included, for every
 * implementation alike). `outputs` turns a run's result into graft's layout and names,
 * outside the timed region.
 */
export interface Runner {
  /** Outside the timed region, before each run (e.g. select the tfjs backend). */
  enter?(): Promise<void> | void;
  run(): Promise<unknown>;
  outputs(result: unknown): Outputs;
  dispose?(): void;
  /** `run` resolves to `{ ms }`, the run's own time measured where it ran (a subprocess). */
  readonly selfTimed?: boolean;
  /** Said in the JSON, e.g. "W as initializer, NCHW pre-transposed". */
  readonly note?: string;
}

export interface Impl {
  readonly name: string;
  /** Builds the runner; throws `Unsupported` where the implementation has no such op. */
  prepare(c: Case, inputs: Inputs): Promise<Runner>;
}

/** The implementation cannot express this case (the message says why). */
export class Unsupported extends Error {}

/** The implementation is not available here (e.g. PyTorch not installed). */
export class Skipped extends Error {}

/** Output names per case: conv2d → y, backpropInput → dx, backpropFilter → dw. */
export const convOutputName = { conv2d: 'y', backpropInput: 'dx', backpropFilter: 'dw' } as const;
