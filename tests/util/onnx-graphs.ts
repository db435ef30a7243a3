/**
 * fast-check generator of random graft graphs made of the ops ONNX export supports, for the
 * onnxruntime and round-trip property tests. A case is a start shape and a list of steps, each
 * with its own seed; the step picks valid parameters for the shape it meets, so every case
 * builds, and its description (printed on failure) says exactly what was built.
 */
import fc from 'fast-check';
import { Graph, axisGeometry, validInputSizes, type Node, type Padding } from 'graft';
import { mulberry32, uniform } from './random.ts';

export const stepKinds = [
  'conv',
  'convTranspose',
  'maxPool',
  'avgPool',
  'unary',
  'binary',
  'biasAdd',
  'pad',
  'reverse',
  'transpose',
  'reshape',
  'reduce',
  'softmax',
  'matmul',
  'groupedConv',
  'depthwise',
  'depthwiseTranspose',
  'concat',
] as const;
export type StepKind = (typeof stepKinds)[number];

export interface GraphCase {
  readonly shape: readonly [number, number, number, number];
  readonly steps: readonly { readonly kind: StepKind; readonly seed: number }[];
  /** Weights stored in the model (initializers) or fed at run time (graph inputs). */
  readonly weightsFed: boolean;
  readonly seed: number;
}

export const graphCaseArb: fc.Arbitrary<GraphCase> = fc.record({
  shape: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 4 })),
  steps: fc.array(fc.record({ kind: fc.constantFrom(...stepKinds), seed: fc.integer({ min: 0, max: 0x7fffffff }) }), { minLength: 1, maxLength: 5 }),
  weightsFed: fc.boolean(),
  seed: fc.integer({ min: 0, max: 0x7fffffff }),
});

export interface BuiltCase {
  readonly graph: Graph;
  readonly outputs: Record<string, Node>;
  /** Values of every input: x and the weights. */
  readonly values: Record<string, Float32Array>;
  /** The weights (a subset of values). */
  readonly weights: readonly string[];
  /** One line per step: what it built. */
  readonly description: string[];
  /** Traits the suite must be seen to cover (see requiredGraphTraits). */
  readonly traits: Set<string>;
}

export const requiredGraphTraits = [
  'conv SAME asymmetric',
  'conv explicit padding',
  'conv dilation > 1',
  'conv stride > 1',
  'transpose stride 2, smallest output',
  'transpose stride 2, largest output',
  'transpose asymmetric padding',
  'avgPool with padding',
  'maxPool with padding',
  'pad crop',
  'reverse',
  'reduction',
  'weights as graph inputs',
  'grouped conv',
  'depthwise conv',
  'depthwise transpose',
  'concat',
] as const;

const pick = <T>(rng: () => number, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
const int = (rng: () => number, lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));

/** A padding and per-axis kernel/stride/dilation valid for `[h, w]`, trying random ones first. */
function windowFor(rng: () => number, hw: readonly [number, number], maxK: number, withDilation: boolean, poolPads: boolean) {
  for (let attempt = 0; attempt < 20; attempt++) {
    const k = [int(rng, 1, maxK), int(rng, 1, maxK)] as const;
    const s = [int(rng, 1, 3), int(rng, 1, 3)] as const;
    const d = withDilation ? ([int(rng, 1, 3), int(rng, 1, 3)] as const) : ([1, 1] as const);
    const mode = pick(rng, ['SAME', 'VALID', 'EXPLICIT'] as const);
    const explicit = (i: 0 | 1): [number, number] => {
      const most = poolPads ? k[i] - 1 : 3;
      return [int(rng, 0, most), int(rng, 0, most)];
    };
    const padding: Padding = mode === 'EXPLICIT' ? [explicit(0), explicit(1)] : mode;
    const axis = (i: 0 | 1) => axisGeometry(hw[i], k[i], s[i], d[i], padding === 'SAME' || padding === 'VALID' ? padding : padding[i]);
    const gh = axis(0);
    const gw = axis(1);
    if (gh !== undefined && gw !== undefined) return { k, s, d, padding, gh, gw };
  }
  const padding: Padding = 'VALID';
  return { k: [1, 1] as const, s: [1, 1] as const, d: [1, 1] as const, padding, gh: axisGeometry(hw[0], 1, 1, 1, 'VALID')!, gw: axisGeometry(hw[1], 1, 1, 1, 'VALID')! };
}

const fmtPad = (p: Padding) => (typeof p === 'string' ? p : JSON.stringify(p));

/** Builds a case: a float32 graph with input `x`, weights `w0`, `w1`, …, outputs `y` and `mid`. */
export function buildCase(c: GraphCase): BuiltCase {
  const g = new Graph();
  const values: Record<string, Float32Array> = {};
  const weights: string[] = [];
  const description: string[] = [`x ${JSON.stringify(c.shape)}${c.weightsFed ? '' : ', weights as graph inputs'}`];
  const traits = new Set<string>();
  if (!c.weightsFed) traits.add('weights as graph inputs');
  const data = mulberry32(c.seed);
  const x = g.input('x', c.shape);
  values.x = Float32Array.from(uniform(data, x.size));
  const weight = (shape: number[], scale: number): Node => {
    const name = `w${weights.length}`;
    weights.push(name);
    const n = g.input(name, shape);
    values[name] = Float32Array.from(uniform(data, n.size, -scale, scale));
    return n;
  };
  let cur: Node = x;
  let mid: Node | undefined;
  c.steps.forEach(({ kind, seed }, index) => {
    const rng = mulberry32(seed);
    const [n, h, w, ch] = cur.shape as [number, number, number, number];
    let line: string;
    switch (kind) {
      case 'conv': {
        const { k, s, d, padding, gh, gw } = windowFor(rng, [h, w], 4, true, false);
        const cout = int(rng, 1, 4);
        cur = g.conv2d(cur, weight([k[0], k[1], ch, cout], 1 / Math.sqrt(k[0] * k[1] * ch)), { strides: s, dilations: d, padding });
        line = `conv2d k=[${k}] s=[${s}] d=[${d}] p=${fmtPad(padding)} → ${cout} channels`;
        if (padding === 'SAME' && [gh, gw].some((a) => (a.before + a.after) % 2 === 1)) traits.add('conv SAME asymmetric');
        if (Array.isArray(padding)) traits.add('conv explicit padding');
        if (d.some((v) => v > 1)) traits.add('conv dilation > 1');
        if (s.some((v) => v > 1)) traits.add('conv stride > 1');
        break;
      }
      case 'convTranspose': {
        if (h * w > 120) return void description.push(`(convTranspose skipped: ${h}×${w} is large enough)`);
        const s = [int(rng, 1, 3), int(rng, 1, 3)] as const;
        const k = [int(rng, 1, 4), int(rng, 1, 4)] as const;
        const d = [int(rng, 1, 2), int(rng, 1, 2)] as const;
        const mode = pick(rng, ['SAME', 'VALID', 'EXPLICIT'] as const);
        const padding: Padding = mode === 'EXPLICIT' ? [[int(rng, 0, 2), int(rng, 0, 2)], [int(rng, 0, 2), int(rng, 0, 2)]] : mode;
        const largest = rng() < 0.5;
        const sizes = [0, 1].map((i) => validInputSizes([h, w][i]!, k[i]!, s[i]!, d[i]!, padding === 'SAME' || padding === 'VALID' ? padding : padding[i]!));
        if (sizes.some((l) => l.length === 0)) return void description.push('(convTranspose skipped: no output size maps to this input)');
        const out = sizes.map((l) => (largest ? l[l.length - 1]! : l[0]!));
        const cout = int(rng, 1, 4);
        cur = g.conv2dTranspose(cur, weight([k[0], k[1], cout, ch], 1 / Math.sqrt(k[0] * k[1] * ch)), {
          strides: s,
          dilations: d,
          padding,
          outputShape: [n, out[0]!, out[1]!, cout],
        });
        line = `conv2dTranspose k=[${k}] s=[${s}] d=[${d}] p=${fmtPad(padding)} → [${out}] (${largest ? 'largest' : 'smallest'} of ${JSON.stringify(sizes)}), ${cout} channels`;
        if (s.includes(2) && sizes.some((l) => l.length > 1)) traits.add(`transpose stride 2, ${largest ? 'largest' : 'smallest'} output`);
        const geo = [0, 1].map((i) => axisGeometry(out[i]!, k[i]!, s[i]!, d[i]!, padding === 'SAME' || padding === 'VALID' ? padding : padding[i]!)!);
        if (geo.some((a) => a.before !== a.after)) traits.add('transpose asymmetric padding');
        break;
      }
      case 'maxPool':
      case 'avgPool': {
        const { k, s, padding, gh, gw } = windowFor(rng, [h, w], 3, false, true);
        cur = g.node(kind, [cur], { ksize: k, strides: s, padding });
        line = `${kind} k=[${k}] s=[${s}] p=${fmtPad(padding)}`;
        if (gh.before + gh.after + gw.before + gw.after > 0) traits.add(`${kind} with padding`);
        break;
      }
      case 'unary': {
        const f = pick(rng, ['relu', 'sigmoid', 'tanh', 'neg', 'square', 'exp', 'log', 'sqrt', 'recip', 'step'] as const);
        // log, sqrt and division see x² + 1 ≥ 1; step is multiplied by x so that a sign flip near 0 moves the result by ~0.
        if (f === 'log' || f === 'sqrt') cur = g.node(f, [g.add(g.square(cur), 1)], {});
        else if (f === 'recip') cur = g.div(cur, g.add(g.square(cur), 1));
        else if (f === 'step') cur = g.mul(cur, g.step(cur));
        else if (f === 'exp') cur = g.exp(g.mul(cur, 0.5));
        else cur = g.node(f, [cur], {});
        line = `unary ${f}`;
        break;
      }
      case 'binary': {
        const op = pick(rng, ['add', 'sub', 'mul', 'div'] as const);
        const other = pick(rng, ['channels', 'scalar', 'itself'] as const);
        const rhs =
          other === 'scalar'
            ? g.constant(op === 'div' ? 1.5 + rng() : rng() * 2 - 1)
            : other === 'channels'
              ? g.constant(Array.from({ length: ch }, () => (op === 'div' ? 1 + rng() : rng() * 2 - 1)), [ch])
              : op === 'div'
                ? g.add(g.square(cur), 1)
                : g.tanh(cur);
        cur = g.node(op, [cur, rhs], {});
        line = `${op} with ${other}`;
        break;
      }
      case 'biasAdd':
        cur = g.biasAdd(cur, weight([ch], 1));
        line = 'biasAdd';
        break;
      case 'pad': {
        const pads = cur.shape.map((d) => {
          const b = int(rng, d > 1 ? -1 : 0, 2);
          const a = int(rng, d + Math.min(b, 0) > 1 ? -1 : 0, 2);
          return [b, a] as [number, number];
        });
        if (pads.flat().some((p) => p < 0)) traits.add('pad crop');
        cur = g.pad(cur, pads);
        line = `pad ${JSON.stringify(pads)}`;
        break;
      }
      case 'reverse': {
        const axes = [0, 1, 2, 3].filter(() => rng() < 0.5);
        if (axes.length === 0) axes.push(int(rng, 0, 3));
        cur = g.reverse(cur, axes);
        traits.add('reverse');
        line = `reverse [${axes}]`;
        break;
      }
      case 'transpose': {
        const perm = [0, 1, 2, 3].sort(() => rng() - 0.5);
        cur = g.transpose(cur, perm);
        line = `transpose [${perm}]`;
        break;
      }
      case 'reshape': {
        const shapes = [
          [n, h * w, 1, ch],
          [1, n * h, w, ch],
          [n, w, h, ch],
          [ch, n, h, w],
        ];
        const to = pick(rng, shapes);
        cur = g.reshape(g.relu(g.reshape(cur, [n, h * w * ch])), to);
        line = `reshape via [${n},${h * w * ch}] (relu) to [${to}]`;
        break;
      }
      case 'reduce': {
        const op = pick(rng, ['sum', 'mean', 'max'] as const);
        const axes = [0, 1, 2, 3].filter(() => rng() < 0.5);
        if (axes.length === 0) axes.push(int(rng, 0, 3));
        const keepDims = rng() < 0.5;
        let r: Node = g.node(op, [cur], { axes, keepDims });
        if (!keepDims) r = g.reshape(r, cur.shape.map((d, i) => (axes.includes(i) ? 1 : d)));
        // x − broadcast(reduce(x)): the reduction, its broadcast and a same-shape subtraction.
        cur = g.sub(cur, g.broadcastTo(r, cur.shape));
        traits.add('reduction');
        line = `${op} over [${axes}] keepDims ${keepDims}, broadcast back, subtracted`;
        break;
      }
      case 'softmax': {
        const op = pick(rng, ['softmax', 'logSoftmax'] as const);
        const axis = int(rng, 0, 3);
        cur = g.node(op, [cur], { axis });
        line = `${op} axis ${axis}`;
        break;
      }
      case 'groupedConv': {
        const divisors = [1, 2, 3, 4].filter((d) => ch % d === 0 && d > 1);
        if (divisors.length === 0) return void description.push(`(groupedConv skipped: ${ch} channels do not split)`);
        const groups = pick(rng, divisors);
        const { k, s, d, padding } = windowFor(rng, [h, w], 3, true, false);
        const cout = groups * int(rng, 1, 2);
        cur = g.conv2d(cur, weight([k[0], k[1], ch / groups, cout], 1 / Math.sqrt(k[0] * k[1] * (ch / groups))), { strides: s, dilations: d, padding, groups });
        traits.add('grouped conv');
        line = `conv2d groups=${groups} k=[${k}] s=[${s}] d=[${d}] p=${fmtPad(padding)} → ${cout} channels`;
        break;
      }
      case 'depthwise': {
        const { k, s, d, padding } = windowFor(rng, [h, w], 3, true, false);
        const m = int(rng, 1, 2);
        cur = g.depthwiseConv2d(cur, weight([k[0], k[1], ch, m], 1 / Math.sqrt(k[0] * k[1])), { strides: s, dilations: d, padding });
        traits.add('depthwise conv');
        line = `depthwiseConv2d k=[${k}] s=[${s}] d=[${d}] p=${fmtPad(padding)} multiplier ${m} → ${ch * m} channels`;
        break;
      }
      case 'depthwiseTranspose': {
        // The input gradient of a depthwise conv whose output is `cur`: channels must split by the multiplier.
        const m = ch % 2 === 0 && rng() < 0.5 ? 2 : 1;
        const s = [int(rng, 1, 2), int(rng, 1, 2)] as const;
        const k = [int(rng, 1, 3), int(rng, 1, 3)] as const;
        const padding: Padding = pick(rng, ['SAME', 'VALID'] as const);
        const sizes = [0, 1].map((i) => validInputSizes([h, w][i]!, k[i]!, s[i]!, 1, padding));
        if (sizes.some((l) => l.length === 0) || h * w > 120) return void description.push('(depthwiseTranspose skipped)');
        const out = sizes.map((l) => l[l.length - 1]!);
        cur = g.depthwiseConv2dBackpropInput(cur, weight([k[0], k[1], ch / m, m], 1 / Math.sqrt(k[0] * k[1])), {
          strides: s,
          padding,
          inputShape: [n, out[0]!, out[1]!, ch / m],
        });
        traits.add('depthwise transpose');
        line = `depthwiseConv2dBackpropInput k=[${k}] s=[${s}] p=${fmtPad(padding)} multiplier ${m} → [${out}], ${ch / m} channels`;
        break;
      }
      case 'concat': {
        const axis = int(rng, 0, 3);
        cur = g.concat([cur, g.tanh(cur)], axis);
        traits.add('concat');
        line = `concat with tanh of itself along axis ${axis}`;
        break;
      }
      case 'matmul': {
        const cout = int(rng, 1, 4);
        cur = g.matmul(cur, weight([ch, cout], 1 / Math.sqrt(ch)));
        line = `matmul [${ch},${cout}] (batch axes broadcast)`;
        break;
      }
    }
    description.push(`${index + 1}. ${line} → ${JSON.stringify(cur.shape)}`);
    if (index === Math.floor(c.steps.length / 2) && c.steps.length > 1) mid = cur;
  });
  const outputs: Record<string, Node> = { y: cur };
  if (mid !== undefined && mid !== cur) outputs.mid = mid;
  return { graph: g, outputs, values, weights, description, traits };
}
