/**
 * A fast-check generator of conv configurations larger than conv-config.ts's (H/W up to 20,
 * channels up to 9, kernels up to 5), for the float32 WebAssembly kernels, and a replay of those
 * kernels' walkers (packages/backend-cpu/wasm/assembly/conv.ts) that names the paths a
 * configuration takes, so that a property test can show it reached them.
 */
import fc from 'fast-check';
import { validInputSizes } from 'graft';
import { convConfig, geometryOf, type ConvConfig, type Dims4 } from './conv-config.ts';
import { refAxis, type PaddingSpec, type RefAxis } from './oracle.ts';

/** A configuration and the output shape its conv2dTranspose is asked for (one of the sizes that map to dy's). */
export interface WideCase {
  readonly name: string;
  readonly conv: ConvConfig;
  readonly transposeShape: Dims4;
}

/** Explicit padding of one side, 0–4: 0 in about half the runs. */
const sideArb = fc.oneof({ arbitrary: fc.constant(0), weight: 1 }, { arbitrary: fc.integer({ min: 0, max: 4 }), weight: 2 });

const axisArb = fc.record({
  size: fc.integer({ min: 1, max: 20 }),
  k: fc.integer({ min: 1, max: 5 }),
  s: fc.integer({ min: 1, max: 3 }),
  d: fc.oneof({ arbitrary: fc.constant(1), weight: 2 }, { arbitrary: fc.integer({ min: 2, max: 3 }), weight: 1 }),
  before: sideArb,
  after: sideArb,
  /** Explicit padding of this axis: each side its own 0–4 (`free`), or `(k − 1)·d` on one side and 0 on the other. */
  pad: fc.constantFrom('free' as const, 'before' as const, 'after' as const, 'free' as const),
  /** The transpose's output size: the smallest (0) or the largest (1) of those that map to dy's size. */
  transpose: fc.integer({ min: 0, max: 1 }),
});

type Axis = typeof axisArb extends fc.Arbitrary<infer A> ? A : never;
type Mode = 'VALID' | 'SAME' | 'EXPLICIT';

/**
 * Explicit padding is per axis either each side's own 0–4 or one-sided, `(k − 1)·d` before (a
 * causal conv's padding) or after: a border gathered on one side only, read in place to the end
 * of the row on the other, the walkers' least common case.
 */
function paddingOf(mode: Mode, h: Axis, w: Axis): PaddingSpec {
  if (mode !== 'EXPLICIT') return mode;
  const sides = (a: Axis): [number, number] =>
    a.pad === 'free' ? [a.before, a.after] : a.pad === 'before' ? [(a.k - 1) * a.d, 0] : [0, (a.k - 1) * a.d];
  return [sides(h), sides(w)];
}

/** Channel counts around the kernels' blocking: the narrow path (< 8, runs of 4 lanes), one 8-column panel, a partial second one. */
const channelsArb = fc.oneof(fc.integer({ min: 1, max: 9 }), fc.constantFrom(4, 8, 9));

/**
 * Batch 1–3, H/W 1–20, kernels 1–5, strides 1–3, dilations 1–3 (1 in two thirds), VALID / SAME /
 * explicit padding (half the runs; per axis 0–4 a side, or one-sided), channels 1–9 (4, 8 and 9
 * more often); groups 1 (three runs in five), 2 or 3 with 1–4 channels per group in and out
 * (one per group: the depthwise loops, not these kernels). The transpose asks for the smallest
 * or the largest output size that maps to dy's. Invalid configurations are filtered out.
 */
export const wideCaseArb: fc.Arbitrary<WideCase> = fc
  .record({
    n: fc.integer({ min: 1, max: 3 }),
    cin: channelsArb,
    cout: channelsArb,
    groups: fc.constantFrom(1, 1, 1, 2, 3),
    perGroupIn: fc.integer({ min: 1, max: 4 }),
    perGroupOut: fc.integer({ min: 1, max: 4 }),
    h: axisArb,
    w: axisArb,
    mode: fc.constantFrom<Mode>('VALID', 'SAME', 'EXPLICIT', 'EXPLICIT'),
    seed: fc.integer({ min: 0, max: 0x7fffffff }),
  })
  .filter(
    ({ h, w, mode }) =>
      refAxis(h.size, h.k, h.s, h.d, paddingOf(mode, h, w), 0) !== undefined && refAxis(w.size, w.k, w.s, w.d, paddingOf(mode, h, w), 1) !== undefined,
  )
  .map(({ n, cin, cout, groups, perGroupIn, perGroupOut, h, w, mode, seed }) => {
    const padding = paddingOf(mode, h, w);
    const cx = groups === 1 ? cin : groups * perGroupIn;
    const cy = groups === 1 ? cout : groups * perGroupOut;
    const conv = convConfig(
      { x: [n, h.size, w.size, cx], w: [h.k, w.k, cx / groups, cy], strides: [h.s, w.s], dilations: [h.d, w.d], padding, groups },
      seed,
    );
    const g = geometryOf(conv);
    const size = (a: RefAxis, pick: number, axis: 0 | 1) => {
      const sizes = validInputSizes(a.out, a.k, a.s, a.d, typeof padding === 'string' ? padding : padding[axis]);
      return pick === 0 ? sizes[0]! : sizes[sizes.length - 1]!;
    };
    const transposeShape: Dims4 = [n, size(g.h, h.transpose, 0), size(g.w, w.transpose, 1), cx];
    return { name: `${conv.name} t=[${transposeShape.join(',')}]`, conv, transposeShape };
  });

// ── the kernels' walkers, replayed ────────────────────────────────────────────

/** Whether some tap of output index `i` of the axis is inside the input. */
function reads(a: RefAxis, i: number): boolean {
  for (let t = 0; t < a.k; t++) {
    const p = i * a.s + t * a.d - a.before;
    if (p >= 0 && p < a.in) return true;
  }
  return false;
}

/**
 * Whether convForward's walker (one chunk: one thread) ends on a block read in place while
 * gathered pixels whose windows read x (so that their output is not 0) are queued. Blocks of 6
 * pixels of one output row whose windows lie inside x horizontally are read in place when
 * cout ≥ 8 and the runs (a filter row, or one tap when dilated) are long enough; the other
 * pixels queue up, 6 to a gathered block.
 */
function forwardEndsInPlaceQueued(batch: number, h: RefAxis, w: RefAxis, cin: number, cout: number): boolean {
  const pointwise = h.k === 1 && w.k === 1 && h.s === 1 && w.s === 1 && h.before + h.after + w.before + w.after === 0;
  const runLen = w.d === 1 ? w.k * cin : cin;
  if (pointwise || cout < 8 || runLen < (w.d === 1 ? 4 : 32)) return false;
  let jLo = w.out;
  let jHi = 0;
  for (let j = 0; j < w.out; j++) {
    const w0 = j * w.s - w.before;
    if (w0 >= 0 && w0 + (w.k - 1) * w.d < w.in) {
      jLo = Math.min(jLo, j);
      jHi = j + 1;
    }
  }
  const m = batch * h.out * w.out;
  let i = 0;
  let j = 0;
  let queued: boolean[] = [];
  const next = () => {
    if (++j === w.out) {
      j = 0;
      if (++i === h.out) i = 0;
    }
  };
  for (let p = 0; p < m; ) {
    if (j >= jLo && j + 6 <= jHi && p + 6 <= m) {
      p += 6;
      for (let r = 0; r < 6; r++) next();
      if (p === m) return queued.some((x) => x);
      continue;
    }
    queued.push(reads(h, i) && reads(w, j));
    p++;
    next();
    if (queued.length === 6 || p === m) queued = [];
  }
  return false;
}

const mod = (v: number, s: number) => ((v % s) + s) % s;

/**
 * Whether convBackpropInput's walker ends some residue class (one chunk per class on one
 * thread) on a block read in place while gathered pixels that some tap reaches (so that their
 * dx is not 0) are queued; and whether any class reads blocks in place on the narrow path
 * (< 8 input channels, runs a multiple of 4 floats). `h`, `w` are the axes of the forward conv
 * of dx's shape.
 */
function backpropInputWalk(batch: number, h: RefAxis, w: RefAxis, cin: number, cout: number): { endsQueued: boolean; narrowInPlace: boolean } {
  let endsQueued = false;
  let narrowInPlace = false;
  for (let rh = 0; rh < h.s; rh++) {
    const p0 = mod(rh - h.before, h.s);
    const rows = p0 < h.in ? Math.ceil((h.in - p0) / h.s) : 0;
    const offA: number[] = [];
    for (let a = 0; a < h.k; a++) if (mod(a * h.d, h.s) === rh) offA.push((p0 + h.before - a * h.d) / h.s);
    for (let rw = 0; rw < w.s; rw++) {
      const q0 = mod(rw - w.before, w.s);
      const cols = q0 < w.in ? Math.ceil((w.in - q0) / w.s) : 0;
      if (rows === 0 || cols === 0) continue;
      const offB: number[] = [];
      for (let b = w.k - 1; b >= 0; b--) if (mod(b * w.d, w.s) === rw) offB.push((q0 + w.before - b * w.d) / w.s);
      const mergeB = offB.every((o, t) => o === offB[0]! + t);
      const run = offB.length * cout;
      const inPlace = mergeB && offA.length * run > 0 && run >= 4 && (cin >= 8 || run % 4 === 0);
      if (!inPlace) continue;
      const jFirst = offB[0]!;
      const jLast = offB[offB.length - 1]!;
      const t1 = batch * rows * cols;
      let u = 0;
      let v = 0;
      let queued: boolean[] = [];
      const next = () => {
        if (++v === cols) {
          v = 0;
          if (++u === rows) u = 0;
        }
      };
      for (let t = 0; t < t1; ) {
        if (t + 6 <= t1 && v + 6 <= cols && v + jFirst >= 0 && v + 5 + jLast < w.out) {
          if (cin < 8) narrowInPlace = true;
          t += 6;
          for (let r = 0; r < 6; r++) next();
          if (t === t1 && queued.some((x) => x)) endsQueued = true;
          continue;
        }
        queued.push(offA.some((o) => u + o >= 0 && u + o < h.out) && offB.some((o) => v + o >= 0 && v + o < w.out));
        t++;
        next();
        if (queued.length === 6 || t === t1) queued = [];
      }
    }
  }
  return { endsQueued, narrowInPlace };
}

/** Traits of the wasm kernels' paths that the runs must be seen to reach. */
export function walkerTraits(c: WideCase): string[] {
  const conv = c.conv;
  const g = geometryOf(conv);
  const cin = conv.w[2];
  const cout = conv.w[3] / conv.groups;
  const traits: string[] = [];
  const wasm = conv.groups === 1 || cin > 1; // one input channel per group runs the depthwise loops
  if (!wasm) return ['depthwise loops (not the wasm kernels)'];
  if (conv.groups > 1) traits.push('grouped, on the wasm kernels');
  if (cout >= 8) traits.push('forward: 8-column panels');
  if (cout > 8) traits.push('forward: a partial panel');
  if (cin >= 8) traits.push('input gradient: 8-column panels');
  if (cin > 8) traits.push('input gradient: a partial panel');
  if (forwardEndsInPlaceQueued(g.n, g.h, g.w, cin, cout)) traits.push('forward: the chunk ends in place with pixels queued');
  const t = [refAxis(c.transposeShape[1], g.h.k, g.h.s, g.h.d, conv.padding, 0)!, refAxis(c.transposeShape[2], g.w.k, g.w.s, g.w.d, conv.padding, 1)!] as const;
  const walks = [backpropInputWalk(g.n, g.h, g.w, cin, cout), backpropInputWalk(g.n, t[0], t[1], cin, cout)];
  if (walks.some((r) => r.endsQueued)) traits.push('input gradient: a class ends in place with pixels queued');
  if (walks.some((r) => r.narrowInPlace)) traits.push('input gradient: in place on the narrow path');
  if (c.transposeShape[1] !== conv.x[1] || c.transposeShape[2] !== conv.x[2]) traits.push('transpose: output size ≠ the conv input size');
  if (Math.max(conv.x[1], conv.x[2]) >= 16) traits.push('H or W ≥ 16');
  return traits;
}

/** Every trait `walkerTraits` can report but the depthwise one: each must occur in the property test's runs. */
export const wideRequiredTraits = [
  'grouped, on the wasm kernels',
  'forward: 8-column panels',
  'forward: a partial panel',
  'input gradient: 8-column panels',
  'input gradient: a partial panel',
  'forward: the chunk ends in place with pixels queued',
  'input gradient: a class ends in place with pixels queued',
  'input gradient: in place on the narrow path',
  'transpose: output size ≠ the conv input size',
  'H or W ≥ 16',
] as const;
