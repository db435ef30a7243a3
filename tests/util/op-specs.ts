/**
 * One entry per computed op: how to build it, its independent oracle, the value range its
 * operands are drawn from, and a fast-check generator of configurations. The table is typed
 * over graft's op names, so an op without an entry is a type error here.
 */
import fc from 'fast-check';
import { ops, type FusedValue, type Graph, type Node, type OpName, type OptionsOf } from 'graft';
import { convConfigArb, depthwiseConfigArb, depthwiseGeometryOf, geometryOf } from './conv-config.ts';
import {
  refBackpropFilter,
  refBackpropInput,
  refBiasAdd,
  refBinary,
  refBroadcastTo,
  refMaxPoolGrad,
  refMaxPoolGradGrad,
  refConcat,
  refConv2d,
  refDepthwiseBackpropFilter,
  refDepthwiseBackpropInput,
  refDepthwiseConv2d,
  refDilate,
  refMatmul,
  refPad,
  refPool,
  refReduce,
  refReshape,
  refReverse,
  refSoftmax,
  refTranspose,
  refUnary,
  refAxis,
  type PaddingSpec,
} from './oracle.ts';
import { mulberry32, signedAwayFromZero, uniform } from './random.ts';
import { fmtDims, sizeOfDims, type Dims, type Tensor } from './tensor.ts';

export type ComputedOp = Exclude<OpName, 'input' | 'constant'>;

/** A configuration: operand shapes and the op's options (the shape of an op record's `examples`). */
export interface OpCase<K extends ComputedOp> {
  readonly name: string;
  readonly inputs: readonly Dims[];
  readonly attrs: OptionsOf<K>;
}

/** Operand values are drawn uniformly from `[lo, hi)`, with a random sign when `signed`. */
export interface Domain {
  readonly lo: number;
  readonly hi: number;
  readonly signed?: boolean;
}

export interface OpSpec<K extends ComputedOp> {
  /** Value range per operand; default `[-1, 1)`. */
  readonly domain?: readonly (Domain | undefined)[];
  /**
   * Operands in which the op is linear and sums many terms: its float32 rounding error
   * scales with Σ|terms|, i.e. with the op applied to |those operands|, not with |result|.
   */
  readonly accumulates?: readonly number[];
  readonly build: (g: Graph, inputs: readonly Node[], attrs: OptionsOf<K>) => Node;
  readonly oracle: (inputs: readonly Tensor[], attrs: OptionsOf<K>) => Tensor;
  readonly cases: fc.Arbitrary<OpCase<K>>;
}

const DEFAULT_DOMAIN: Domain = { lo: -1, hi: 1 };

/** Draws one tensor per operand shape, seeded. */
export function drawInputs(spec: { readonly domain?: readonly (Domain | undefined)[] }, shapes: readonly Dims[], seed: number): Tensor[] {
  const rng = mulberry32(seed);
  return shapes.map((shape, i) => {
    const d = spec.domain?.[i] ?? DEFAULT_DOMAIN;
    const n = sizeOfDims(shape);
    return { shape, data: d.signed ? signedAwayFromZero(rng, n, d.lo, d.hi) : uniform(rng, n, d.lo, d.hi) };
  });
}

// ── shape generators ──────────────────────────────────────────────────────────

const dimsArb = (minRank: number, maxRank: number, maxDim = 4) =>
  fc.array(fc.integer({ min: 1, max: maxDim }), { minLength: minRank, maxLength: maxRank });

/** An operand that broadcasts to `out`: some leading axes dropped, some sizes set to 1. */
const broadcastOperand = (out: Dims) =>
  fc
    .record({
      drop: fc.integer({ min: 0, max: out.length }),
      ones: fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }),
    })
    .map(({ drop, ones }) => out.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d)));

const broadcastPair = (maxRank: number) =>
  dimsArb(0, maxRank).chain((out) => fc.tuple(broadcastOperand(out), broadcastOperand(out)));

/** A subset of `0..rank-1` in random order, each axis possibly written negatively. */
const axesArb = (rank: number) =>
  fc
    .shuffledSubarray([...Array(rank).keys()])
    .chain((axes) =>
      fc.array(fc.boolean(), { minLength: axes.length, maxLength: axes.length }).map((neg) => axes.map((a, i) => (neg[i] ? a - rank : a))),
    );

const permutationArb = (rank: number) => fc.shuffledSubarray([...Array(rank).keys()], { minLength: rank, maxLength: rank });

// ── elementwise ────────────────────────────────────────────────────────────────

type UnaryName = 'neg' | 'exp' | 'log' | 'relu' | 'sigmoid' | 'tanh' | 'square' | 'sqrt' | 'step';
type BinaryName = 'add' | 'sub' | 'mul' | 'div';
type ReduceName = 'sum' | 'mean' | 'max';

function unary<K extends UnaryName>(name: K, f: (v: number) => number, domain?: Domain): OpSpec<K> {
  return {
    domain: [domain],
    build: (g, [x]) => g[name](x!),
    oracle: ([x]) => refUnary(x!, f),
    cases: dimsArb(0, 4).map((s) => ({ name: `x=${fmtDims(s)}`, inputs: [s], attrs: {} as OptionsOf<K> })),
  };
}

function binary<K extends BinaryName>(name: K, f: (a: number, b: number) => number, domain?: Domain): OpSpec<K> {
  return {
    domain: [undefined, domain],
    build: (g, [a, b]) => g[name](a!, b!),
    oracle: ([a, b]) => refBinary(a!, b!, f),
    cases: broadcastPair(4).map(([a, b]) => ({ name: `a=${fmtDims(a)} b=${fmtDims(b)}`, inputs: [a, b], attrs: {} as OptionsOf<K> })),
  };
}

function reduce<K extends ReduceName>(name: K): OpSpec<K> {
  return {
    accumulates: name === 'max' ? undefined : [0],
    build: (g, [x], o) => g[name](x!, o.axes, o.keepDims ?? false),
    oracle: ([x], o) => refReduce(name, x!, o.axes, o.keepDims ?? false),
    cases: dimsArb(0, 4).chain((s) =>
      fc
        .record({ axes: fc.option(axesArb(s.length), { nil: undefined }), keepDims: fc.option(fc.boolean(), { nil: undefined }) })
        .map((attrs) => ({ name: `x=${fmtDims(s)} axes=${attrs.axes ? fmtDims(attrs.axes) : 'all'} keepDims=${attrs.keepDims}`, inputs: [s], attrs: attrs as OptionsOf<K> })),
    ),
  };
}

function softmaxLike<K extends 'softmax' | 'logSoftmax'>(name: K): OpSpec<K> {
  return {
    domain: [{ lo: -3, hi: 3 }],
    build: (g, [x], o) => g[name](x!, o.axis),
    oracle: ([x], o) => refSoftmax(x!, o.axis, name === 'logSoftmax'),
    cases: dimsArb(1, 4).chain((s) =>
      fc
        .option(fc.integer({ min: -s.length, max: s.length - 1 }), { nil: undefined })
        .map((axis) => ({ name: `x=${fmtDims(s)} axis=${axis}`, inputs: [s], attrs: { axis } as OptionsOf<K> })),
    ),
  };
}

// ── conv family and pools ──────────────────────────────────────────────────────

const convAttrs = (c: { strides: readonly [number, number]; padding: PaddingSpec; dilations: readonly [number, number]; groups: number }) => ({
  strides: c.strides,
  padding: c.padding,
  dilations: c.dilations,
  groups: c.groups,
});

const windowAttrs = (c: { strides: readonly [number, number]; padding: PaddingSpec; dilations: readonly [number, number] }) => ({
  strides: c.strides,
  padding: c.padding,
  dilations: c.dilations,
});

// ── fused expressions ──────────────────────────────────────────────────────────

/** What each op a generated fused expression applies computes, written here from the definitions. */
const fusedOracles: Readonly<Record<string, ((...v: number[]) => number) | undefined>> = {
  neg: (v) => -v!,
  relu: (v) => (v! > 0 ? v! : 0),
  square: (v) => v! * v!,
  sigmoid: (v) => 1 / (1 + Math.exp(-v!)),
  tanh: (v) => Math.tanh(v!),
  add: (a, b) => a! + b!,
  sub: (a, b) => a! - b!,
  mul: (a, b) => a! * b!,
};

/** Evaluates a fused expression over operand tensors by the oracles above, broadcasting as TensorFlow. */
function refFused(inputs: readonly Tensor[], shape: Dims, values: readonly FusedValue[], result: number): Tensor {
  const at: Tensor[] = [];
  for (const v of values) {
    if (v.kind === 'load') at.push(inputs[v.input]!);
    else if (v.kind === 'literal') at.push({ shape: [], data: Float64Array.of(v.value) });
    else {
      const f = fusedOracles[v.op.name];
      if (f === undefined) throw new Error(`oracle: no fused oracle for ${v.op.name}`);
      at.push(v.args.length === 1 ? refUnary(at[v.args[0]!]!, f) : refBinary(at[v.args[0]!]!, at[v.args[1]!]!, f));
    }
  }
  return refBroadcastTo(at[result]!, shape);
}

/** Random fused expressions: 1–3 operands broadcasting to a shape, 1–5 ops of the table above, sometimes a literal. */
const fusedCases: fc.Arbitrary<OpCase<'fused'>> = dimsArb(0, 3)
  .chain((out) =>
    fc.record({
      out: fc.constant(out),
      operands: fc.array(broadcastOperand(out), { minLength: 1, maxLength: 3 }),
      steps: fc.array(fc.record({ op: fc.constantFrom(...Object.keys(fusedOracles)), a: fc.nat(), b: fc.nat(), literal: fc.option(fc.integer({ min: -8, max: 8 }).map((v) => v / 4), { nil: undefined }) }), {
        minLength: 1,
        maxLength: 5,
      }),
    }),
  )
  .map(({ out, operands, steps }) => {
    const values: FusedValue[] = operands.map((_, input) => ({ kind: 'load', input }));
    for (const st of steps) {
      if (st.literal !== undefined) values.push({ kind: 'literal', value: st.literal });
      const record = ops[st.op as 'add'];
      const n = values.length;
      values.push({ kind: 'apply', op: record, args: record.operands.length === 1 ? [st.a % n] : [st.a % n, st.b % n] });
    }
    return {
      name: `shape=${fmtDims(out)} operands ${operands.map(fmtDims).join(' ')} ops ${steps.map((x) => x.op).join(',')}`,
      inputs: operands,
      attrs: { shape: out, expr: { values, result: values.length - 1 } },
    };
  });

/** Valid pooling configurations: H/W 1–9, windows 1–4, strides 1–3 or omitted, explicit padding < window. */
const poolCases = <K extends 'maxPool' | 'avgPool' | 'maxPoolGrad' | 'maxPoolGradGrad'>(second?: 'pooled' | 'x') =>
  fc
    .record({
      n: fc.integer({ min: 1, max: 2 }),
      h: fc.integer({ min: 1, max: 9 }),
      w: fc.integer({ min: 1, max: 9 }),
      c: fc.integer({ min: 1, max: 3 }),
      ksize: fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 })),
      strides: fc.option(fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })), { nil: undefined }),
      mode: fc.constantFrom('VALID' as const, 'SAME' as const, 'EXPLICIT' as const),
      pads: fc.tuple(fc.nat(3), fc.nat(3), fc.nat(3), fc.nat(3)),
    })
    .map(({ n, h, w, c, ksize, strides, mode, pads }): OpCase<K> | undefined => {
      const padding: PaddingSpec =
        mode === 'EXPLICIT'
          ? [
              [pads[0] % ksize[0], pads[1] % ksize[0]],
              [pads[2] % ksize[1], pads[3] % ksize[1]],
            ]
          : mode;
      const shape = [n, h, w, c];
      const [sh, sw] = strides ?? ksize;
      const gh = refAxis(h, ksize[0], sh, 1, padding, 0);
      const gw = refAxis(w, ksize[1], sw, 1, padding, 1);
      if (gh === undefined || gw === undefined) return undefined;
      const pooled = [n, gh.out, gw.out, c];
      return {
        name: `x=${fmtDims(shape)} k=${fmtDims(ksize)} s=${strides ? fmtDims(strides) : 'k'} p=${typeof padding === 'string' ? padding.toLowerCase() : JSON.stringify(padding)}`,
        inputs: second === undefined ? [shape] : [shape, second === 'pooled' ? pooled : shape],
        attrs: { ksize, strides, padding } as OptionsOf<K>,
      };
    })
    .filter((cs): cs is OpCase<K> => cs !== undefined);

// ── the table ──────────────────────────────────────────────────────────────────

export const specs: { readonly [K in ComputedOp]: OpSpec<K> } = {
  neg: unary('neg', (v) => -v),
  exp: unary('exp', Math.exp, { lo: -4, hi: 4 }),
  log: unary('log', Math.log, { lo: 0.05, hi: 10 }),
  relu: unary('relu', (v) => (v > 0 ? v : 0)),
  sigmoid: unary('sigmoid', (v) => 1 / (1 + Math.exp(-v)), { lo: -6, hi: 6 }),
  tanh: unary('tanh', Math.tanh, { lo: -3, hi: 3 }),
  square: unary('square', (v) => v * v, { lo: -3, hi: 3 }),
  sqrt: unary('sqrt', Math.sqrt, { lo: 0.01, hi: 10 }),
  step: unary('step', (v) => (v > 0 ? 1 : 0)),

  add: binary('add', (a, b) => a + b),
  sub: binary('sub', (a, b) => a - b),
  mul: binary('mul', (a, b) => a * b),
  div: binary('div', (a, b) => a / b, { lo: 0.25, hi: 2, signed: true }),

  sum: reduce('sum'),
  mean: reduce('mean'),
  max: reduce('max'),

  softmax: softmaxLike('softmax'),
  logSoftmax: softmaxLike('logSoftmax'),

  reshape: {
    build: (g, [x], o) => g.reshape(x!, o.shape),
    oracle: ([x], o) => refReshape(x!, o.shape),
    // A permutation of the dims, adjacent ones merged at random, at most one replaced by −1.
    cases: dimsArb(1, 4).chain((s) =>
      fc
        .record({
          perm: permutationArb(s.length),
          merge: fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }),
          infer: fc.option(fc.nat(4), { nil: undefined }),
        })
        .map(({ perm, merge, infer }) => {
          const target: number[] = [];
          perm.forEach((p, i) => {
            if (i > 0 && merge[i]) target[target.length - 1]! *= s[p]!;
            else target.push(s[p]!);
          });
          if (infer !== undefined && infer < target.length) target[infer] = -1;
          return { name: `x=${fmtDims(s)} shape=${fmtDims(target)}`, inputs: [s], attrs: { shape: target } };
        }),
    ),
  },

  transpose: {
    build: (g, [x], o) => g.transpose(x!, o.perm),
    oracle: ([x], o) => refTranspose(x!, o.perm),
    cases: dimsArb(0, 5).chain((s) =>
      fc
        .option(permutationArb(s.length), { nil: undefined })
        .map((perm) => ({ name: `x=${fmtDims(s)} perm=${perm ? fmtDims(perm) : 'reversed'}`, inputs: [s], attrs: { perm } })),
    ),
  },

  reverse: {
    build: (g, [x], o) => g.reverse(x!, o.axes),
    oracle: ([x], o) => refReverse(x!, o.axes),
    cases: dimsArb(1, 4).chain((s) => axesArb(s.length).map((axes) => ({ name: `x=${fmtDims(s)} axes=${fmtDims(axes)}`, inputs: [s], attrs: { axes } }))),
  },

  pad: {
    build: (g, [x], o) => g.pad(x!, o.pads),
    oracle: ([x], o) => refPad(x!, o.pads),
    // Amounts in [−2, 3] per side (negative crops), every padded size ≥ 1.
    cases: dimsArb(1, 4, 5).chain((s) =>
      fc
        .array(fc.tuple(fc.integer({ min: -2, max: 3 }), fc.integer({ min: -2, max: 3 })), { minLength: s.length, maxLength: s.length })
        .filter((pads) => pads.every(([b, a], i) => s[i]! + b + a >= 1))
        .map((pads) => ({ name: `x=${fmtDims(s)} pads=${JSON.stringify(pads)}`, inputs: [s], attrs: { pads } })),
    ),
  },

  dilate: {
    build: (g, [x], o) => g.dilate(x!, o.rates),
    oracle: ([x], o) => refDilate(x!, o.rates),
    cases: fc
      .record({
        shape: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 3 })),
        rates: fc.oneof(fc.integer({ min: 1, max: 3 }), fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }))),
      })
      .map(({ shape, rates }) => ({ name: `x=${fmtDims(shape)} rates=${JSON.stringify(rates)}`, inputs: [shape], attrs: { rates } })),
  },

  broadcastTo: {
    build: (g, [x], o) => g.broadcastTo(x!, o.shape),
    oracle: ([x], o) => refBroadcastTo(x!, o.shape),
    cases: dimsArb(0, 4).chain((target) =>
      broadcastOperand(target).map((x) => ({ name: `x=${fmtDims(x)} shape=${fmtDims(target)}`, inputs: [x], attrs: { shape: target } })),
    ),
  },

  matmul: {
    accumulates: [0, 1],
    build: (g, [a, b]) => g.matmul(a!, b!),
    oracle: ([a, b]) => refMatmul(a!, b!),
    cases: fc
      .record({ batch: broadcastPair(2), m: fc.integer({ min: 1, max: 4 }), k: fc.integer({ min: 1, max: 5 }), n: fc.integer({ min: 1, max: 4 }) })
      .map(({ batch: [ba, bb], m, k, n }) => {
        const a = [...ba, m, k];
        const b = [...bb, k, n];
        return { name: `a=${fmtDims(a)} b=${fmtDims(b)}`, inputs: [a, b], attrs: {} };
      }),
  },

  biasAdd: {
    build: (g, [x, b]) => g.biasAdd(x!, b!),
    oracle: ([x, b]) => refBiasAdd(x!, b!),
    cases: dimsArb(2, 4).map((s) => ({ name: `x=${fmtDims(s)} b=[${s[s.length - 1]}]`, inputs: [s, [s[s.length - 1]!]], attrs: {} })),
  },

  concat: {
    build: (g, xs, o) => g.concat(xs, o.axis),
    oracle: (xs, o) => refConcat(xs, o.axis),
    cases: dimsArb(1, 4).chain((s) =>
      fc
        .record({ axis: fc.integer({ min: -s.length, max: s.length - 1 }), sizes: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }) })
        .map(({ axis, sizes }) => {
          const a = axis < 0 ? axis + s.length : axis;
          const inputs = sizes.map((k) => s.map((d, i) => (i === a ? k : d)));
          return { name: `xs=${inputs.map(fmtDims).join(',')} axis=${axis}`, inputs, attrs: { axis } };
        }),
    ),
  },

  fused: {
    build: (g, inputs, o) => g.node('fused', inputs, o),
    oracle: (inputs, o) => refFused(inputs, o.shape, o.expr.values, o.expr.result),
    cases: fusedCases,
  },

  depthwiseConv2d: {
    accumulates: [0, 1],
    build: (g, [x, w], o) => g.depthwiseConv2d(x!, w!, o),
    oracle: ([x, w], o) => refDepthwiseConv2d(x!, w!, o.strides, o.padding ?? 'VALID', o.dilations),
    cases: depthwiseConfigArb.map((c) => ({ name: c.name, inputs: [c.x, c.w], attrs: windowAttrs(c) })),
  },

  depthwiseConv2dBackpropInput: {
    accumulates: [0, 1],
    build: (g, [dy, w], o) => g.depthwiseConv2dBackpropInput(dy!, w!, o),
    oracle: ([dy, w], o) => refDepthwiseBackpropInput(dy!, w!, o.inputShape, o.strides, o.padding ?? 'VALID', o.dilations),
    cases: depthwiseConfigArb.map((c) => ({ name: c.name, inputs: [depthwiseGeometryOf(c).outShape, c.w], attrs: { ...windowAttrs(c), inputShape: c.x } })),
  },

  depthwiseConv2dBackpropFilter: {
    accumulates: [0, 1],
    build: (g, [x, dy], o) => g.depthwiseConv2dBackpropFilter(x!, dy!, o),
    oracle: ([x, dy], o) => refDepthwiseBackpropFilter(x!, dy!, o.filterShape, o.strides, o.padding ?? 'VALID', o.dilations),
    cases: depthwiseConfigArb.map((c) => ({ name: c.name, inputs: [c.x, depthwiseGeometryOf(c).outShape], attrs: { ...windowAttrs(c), filterShape: c.w } })),
  },

  conv2d: {
    accumulates: [0, 1],
    build: (g, [x, w], o) => g.conv2d(x!, w!, o),
    oracle: ([x, w], o) => refConv2d(x!, w!, o.strides, o.padding ?? 'VALID', o.dilations, o.groups ?? 1),
    cases: convConfigArb.map((c) => ({ name: c.name, inputs: [c.x, c.w], attrs: convAttrs(c) })),
  },

  conv2dBackpropInput: {
    accumulates: [0, 1],
    build: (g, [dy, w], o) => g.conv2dBackpropInput(dy!, w!, o),
    oracle: ([dy, w], o) => refBackpropInput(dy!, w!, o.inputShape, o.strides, o.padding ?? 'VALID', o.dilations, o.groups ?? 1),
    cases: convConfigArb.map((c) => ({ name: c.name, inputs: [geometryOf(c).outShape, c.w], attrs: { ...convAttrs(c), inputShape: c.x } })),
  },

  conv2dBackpropFilter: {
    accumulates: [0, 1],
    build: (g, [x, dy], o) => g.conv2dBackpropFilter(x!, dy!, o),
    oracle: ([x, dy], o) => refBackpropFilter(x!, dy!, o.filterShape, o.strides, o.padding ?? 'VALID', o.dilations, o.groups ?? 1),
    cases: convConfigArb.map((c) => ({ name: c.name, inputs: [c.x, geometryOf(c).outShape], attrs: { ...convAttrs(c), filterShape: c.w } })),
  },

  conv2dTranspose: {
    accumulates: [0, 1],
    build: (g, [v, w], o) => g.conv2dTranspose(v!, w!, o),
    oracle: ([v, w], o) => refBackpropInput(v!, w!, o.outputShape, o.strides, o.padding ?? 'VALID', o.dilations, o.groups ?? 1),
    cases: convConfigArb.map((c) => ({ name: c.name, inputs: [geometryOf(c).outShape, c.w], attrs: { ...convAttrs(c), outputShape: c.x } })),
  },

  maxPool: {
    build: (g, [x], o) => g.maxPool(x!, o),
    oracle: ([x], o) => refPool('max', x!, o.ksize, o.strides, o.padding),
    cases: poolCases<'maxPool'>(),
  },

  maxPoolGrad: {
    accumulates: [1],
    build: (g, [x, dy], o) => g.maxPoolGrad(x!, dy!, o),
    oracle: ([x, dy], o) => refMaxPoolGrad(x!, dy!, o.ksize, o.strides, o.padding),
    cases: poolCases<'maxPoolGrad'>('pooled'),
  },

  maxPoolGradGrad: {
    build: (g, [x, ddx], o) => g.maxPoolGradGrad(x!, ddx!, o),
    oracle: ([x, ddx], o) => refMaxPoolGradGrad(x!, ddx!, o.ksize, o.strides, o.padding),
    cases: poolCases<'maxPoolGradGrad'>('x'),
  },

  avgPool: {
    accumulates: [0],
    build: (g, [x], o) => g.avgPool(x!, o),
    oracle: ([x], o) => refPool('avg', x!, o.ksize, o.strides, o.padding),
    cases: poolCases<'avgPool'>(),
  },
};

/** The spec of one op, keeping its option type. */
export function specOf<K extends ComputedOp>(op: K): OpSpec<K> {
  return specs[op] as OpSpec<K>;
}
