/**
 * The addon's interface (native/addon.cc). Arrays are read and written where they lie: a
 * Float32Array over an ArrayBuffer, a SharedArrayBuffer or a WebAssembly memory is passed to
 * oneDNN as a pointer, never copied.
 */

/** A conv geometry in graft's terms (NHWC, HWIO, TensorFlow dilations ≥ 1, pads per side). */
export interface OnednnConvGeometry {
  readonly batch: number;
  readonly inH: number;
  readonly inW: number;
  readonly inC: number;
  readonly outH: number;
  readonly outW: number;
  readonly outC: number;
  readonly kh: number;
  readonly kw: number;
  readonly sh: number;
  readonly sw: number;
  readonly dh: number;
  readonly dw: number;
  /** Padding: top, bottom, left, right. */
  readonly pt: number;
  readonly pb: number;
  readonly pl: number;
  readonly pr: number;
  /**
   * Filter groups (default 1), TensorFlow's feature_group_count: the filter is
   * `[kh, kw, inC / groups, outC]`, output channels split contiguously by group (a depthwise
   * conv is groups = inC).
   */
  readonly groups?: number;
}

/** What a conv primitive computes. */
export type OnednnConvKind =
  /** `y = conv2d(x, w)` (+ bias, then relu, as post-ops, when asked): run(x, w, y[, bias]). */
  | 'forward'
  /** `dx = conv2dBackpropInput(dy, w)`: run(dy, w, dx). */
  | 'backwardData'
  /** `dw = conv2dBackpropFilter(x, dy)`: run(x, dy, dw). */
  | 'backwardWeights';

export interface OnednnConvOptions extends OnednnConvGeometry {
  readonly kind: OnednnConvKind;
  /** OpenMP threads this primitive is created for and runs on. */
  readonly threads: number;
  /** Forward only: add a `[outC]` bias (run's fourth argument). */
  readonly bias?: boolean;
  /** Forward only: relu after the bias. */
  readonly relu?: boolean;
}

/** A created primitive (and its filter reorder), run any number of times. */
export interface OnednnPrimitive {
  /** oneDNN's name of the implementation it picked, e.g. `brgconv:avx512_core`. */
  readonly impl: string;
  run(a: Float32Array, b: Float32Array, out: Float32Array, bias?: Float32Array): void;
}

export interface OnednnAddon {
  /** A conv-family primitive over fixed shapes. */
  readonly Conv: new (options: OnednnConvOptions) => OnednnPrimitive;
  /**
   * `c = a · b` over row-major `[…, m, k]` and `[…, k, n]` of one rank (batch axes of size 1
   * broadcast), with `threads` OpenMP threads.
   */
  readonly Matmul: new (aShape: readonly number[], bShape: readonly number[], cShape: readonly number[], threads: number) => OnednnPrimitive;
  version(): { major: number; minor: number; patch: number; hash: string; cpuRuntime: string };
  /** The instruction set oneDNN dispatches to on this CPU, e.g. `avx512_core_bf16`. */
  isa(): string;
}

/** Why the addon is not available (not built, oneDNN missing, load error). */
export interface OnednnUnavailable {
  readonly reason: string;
}
