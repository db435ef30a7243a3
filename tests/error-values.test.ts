/**
 * Every error a user can reach is a typed GraftError whose `values` holds the numbers its message
 * states (never a TypeError or RangeError from inside graft, never empty values). The walk:
 * every op's example configurations with each option, operand shape, operand count and dtype
 * made invalid; feeds; compile; nn layers, models, weights and datasets; gpu.js. `errors.test.ts`
 * checks the same of its hand-written cases, message by message.
 */
import { describe, expect, it } from 'vitest';
import {
  AttrError,
  CPU_MAX_ELEMENTS,
  FeedError,
  GraftError,
  Graph,
  GraphError,
  PrecisionError,
  ResourceError,
  ShapeError,
  compile,
  cpu,
  gpujs,
  nn,
  ops,
  type Node,
  type OpName,
} from 'graft';
import { expectValues } from './util/error-values.ts';

/** Runs `fn`; returns what it threw (undefined when it returned). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
    return undefined;
  } catch (e) {
    return e;
  }
}

async function rejected(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
    return undefined;
  } catch (e) {
    return e;
  }
}

/** Options values a user can get wrong: non-numbers, NaN, negatives, fractions, sizes past every limit. */
const badOptionValues: readonly unknown[] = [
  NaN,
  -1,
  0,
  1.5,
  2 ** 60,
  1e300,
  Infinity,
  '2',
  null,
  true,
  [],
  {},
  [2 ** 60, 1],
  // Safe integers whose products are not: each passes an attr's own check, the output's size fails.
  2 ** 40,
  [2 ** 40, 1],
  [[2 ** 40, 0], [0, 0]],
  [2 ** 30, 2 ** 30, 1, 1],
  [-3, 2],
  [[2 ** 60, 0], [0, 0]],
  [[1e9, 0], [0, 0]],
  [1, 2 ** 40, 3, 1],
];

type Computed = Exclude<OpName, 'input' | 'constant'>;
const computed = (Object.keys(ops) as OpName[]).filter((k): k is Computed => k !== 'input' && k !== 'constant');

/** Tally of a sweep: configurations tried, typed errors seen, nodes that built. */
interface Tally {
  tried: number;
  typed: number;
  built: number;
}

/**
 * Builds `op` over fresh inputs of `shapes` with `opts`; a typed error must carry its values, a
 * node that builds must have a safe size and, when larger than the CPU allows, be refused by
 * compile with a ResourceError (before anything is allocated).
 */
function attempt(tally: Tally, op: Computed, shapes: readonly (readonly number[])[], opts: unknown, dtypes?: readonly ('float32' | 'float64')[]): void {
  tally.tried++;
  let node: Node | undefined;
  const e = thrown(() => {
    const g = new Graph({ dtype: 'float64' });
    const inputs = shapes.map((s, i) => g.input(`x${i}`, s, dtypes?.[i] ?? 'float64'));
    node = g.node(op, inputs, opts as never);
  });
  if (e !== undefined) {
    expect(e, `${op} ${JSON.stringify(shapes)} ${String(JSON.stringify(opts))} threw ${String(e)}`).toBeInstanceOf(GraftError);
    expectValues(e);
    tally.typed++;
    return;
  }
  tally.built++;
  expect(Number.isSafeInteger(node!.size)).toBe(true);
  if (node!.size > CPU_MAX_ELEMENTS) expectValues(thrown(() => compile({ y: node! }, { backend: cpu() })), ResourceError);
}

describe('every op: invalid configurations throw typed errors that carry their values', () => {
  const total: Tally = { tried: 0, typed: 0, built: 0 };
  for (const op of computed) {
    it(`${op}: each option, operand shape, operand count, dtype and options object made invalid`, () => {
      const record = ops[op];
      const tally: Tally = { tried: 0, typed: 0, built: 0 };
      for (const example of record.examples) {
        const shapes = example.inputs;
        const g = new Graph({ dtype: 'float64' });
        const valid = g.node(op, shapes.map((s, i) => g.input(`x${i}`, s)), example.attrs as never);
        const attrs = valid.attrs as Record<string, unknown>;
        for (const key of Object.keys(attrs)) {
          for (const bad of badOptionValues) attempt(tally, op, shapes, { ...attrs, [key]: bad });
        }
        // Unknown options, including keys every object inherits.
        attempt(tally, op, shapes, { ...attrs, bogus: 1 });
        attempt(tally, op, shapes, { ...attrs, constructor: 2 });
        attempt(tally, op, shapes, { ...attrs, ...(JSON.parse('{"__proto__": 3}') as object) });
        for (const opts of [null, 'SAME', 3]) attempt(tally, op, shapes, opts);
        // Operand shapes: an extra axis, a size changed, a size past every limit.
        shapes.forEach((s, i) => {
          for (const changed of [[...s, 2], s.map((d, k) => (k === 0 ? d * 2 + 1 : d)), s.map((d, k) => (k === s.length - 1 ? 2 ** 40 : d))]) {
            if (changed.length === 0) continue;
            attempt(tally, op, shapes.map((t, j) => (j === i ? changed : t)), attrs);
          }
        });
        // Operand count and dtypes.
        attempt(tally, op, shapes.slice(0, -1), attrs);
        if (record.variadic !== true) attempt(tally, op, [...shapes, shapes[0]!], attrs);
        if (shapes.length > 1) attempt(tally, op, shapes, attrs, shapes.map((_, i) => (i === 0 ? 'float64' : 'float32')));
      }
      total.tried += tally.tried;
      total.typed += tally.typed;
      total.built += tally.built;
      // The sweep reached the op's checks: most of what it tried was refused.
      expect(tally.typed).toBeGreaterThan(tally.tried / 4);
    });
  }
  it('the sweep tried thousands of configurations', () => {
    console.log(`error-values: ${total.tried} invalid op configurations tried, ${total.typed} typed errors, ${total.built} built anyway (valid after all)`);
    expect(total.tried).toBeGreaterThan(3000);
  });
});

describe('graph, feeds, compile', () => {
  it('shapes a user can write: a padding of 1e9 compiles to a ResourceError, 10^24 elements is a ShapeError at the input', () => {
    const g = new Graph();
    const y = g.conv2d(g.input('x', [1, 4, 3, 1]), g.input('w', [1, 1, 1, 1]), { padding: [[1e9, 0], [0, 0]] });
    const e = expectValues(thrown(() => compile({ y }, { backend: cpu() })), ResourceError);
    expect(e.message).toBe(
      `compile: every tensor must have at most ${CPU_MAX_ELEMENTS} elements on cpu, got conv2d#2 float32[1,1000000004,3,1] with 3000000012 (backend "cpu", limit 1073741824, node "conv2d#2", dtype "float32", shape [1,1000000004,3,1], elements 3000000012)`,
    );
    const big = expectValues(thrown(() => g.input('a', [1e6, 1e6, 1e6, 1e6])), ShapeError);
    expect(big.values).toMatchObject({ elements: 1e24, limit: Number.MAX_SAFE_INTEGER });
  });

  it('a memory plan above memoryLimit names the total and the largest buffers; the default is 4 GiB', () => {
    const g = new Graph();
    // A small budget first: were the check missing, this compiles (and the 5 GiB plan below is never tried).
    const small = expectValues(thrown(() => compile({ y: g.relu(g.input('s', [1000])) }, { backend: cpu(), memoryLimit: 1000 })), ResourceError);
    expect(small.values).toMatchObject({ limit: 1000, total: 4032 });
    const x = g.input('x', [16, 512, 512, 64]);
    // Five float32 outputs of 2^28 elements: 5 GiB of arena, none of it allocated.
    const outputs = Object.fromEntries([1, 2, 3, 4, 5].map((k) => [`y${k}`, g.mul(x, k)]));
    const e = expectValues(thrown(() => compile(outputs, { backend: cpu() })), ResourceError);
    expect(e.values).toMatchObject({ limit: 2 ** 32, float64Bytes: 0 });
    // Five outputs of 2^30 bytes (x·1 simplifies to a copy of x) and the four other scalar
    // constants, one 16-element region each.
    expect(e.values['total']).toBe(5 * 2 ** 30 + 4 * 16 * 4);
    expect((e.values['largest'] as { bytes: number }[]).map((b) => b.bytes)).toEqual([2 ** 30, 2 ** 30, 2 ** 30]);
    expect(e.message).toContain('largest buffers: mul#');
    expectValues(thrown(() => compile({ y: g.relu(g.input('t', [4])) }, { backend: cpu(), memoryLimit: -1 })), AttrError);
  });

  it('feeds: missing, unknown, wrong type, wrong length, not a record', async () => {
    const g = new Graph();
    const p = compile({ y: g.relu(g.input('x', [2, 3])) }, { backend: cpu() });
    const x = new Float32Array(6);
    for (const feeds of [{}, { x, z: x }, { x: new Float64Array(6) }, { x: new Float32Array(5) }, { x: [1, 2] }, null, 3]) {
      expectValues(await rejected(() => p.run(feeds as never)), FeedError);
    }
    expectValues(thrown(() => g.constant([1, 2, 3], [2, 2])), ShapeError);
    expectValues(thrown(() => g.constant([1, 2], null as never)), AttrError);
    expectValues(thrown(() => g.broadcastTo(g.input('b', [2]), undefined as never)), AttrError);
    p.dispose();
    expectValues(await rejected(() => p.run({ x })), GraphError);
  });

  it('compile: outputs and options', () => {
    const g = new Graph();
    const y = g.relu(g.input('x', [2]));
    for (const [outputs, options] of [
      [{}, { backend: cpu() }],
      [{ y: 3 }, { backend: cpu() }],
      [null, { backend: cpu() }],
      [{ y }, {}],
      [{ y }, { backend: cpu(), passes: [], lowerConvGradients: true }],
      [{ y }, { backend: cpu(), passes: [{ name: 'broken' }] }],
    ] as const) {
      expectValues(thrown(() => compile(outputs as never, options as never)));
    }
  });
});

describe('nn', () => {
  it('layers, models and optimisers refuse what cannot work, with values', () => {
    const cases: (() => unknown)[] = [
      () => nn.conv2d({ filters: 0, kernel: 3 }),
      () => nn.conv2d({ filters: 4, kernel: 3, activation: 'gelu' as never }),
      () => nn.conv2d({ filters: 4, kernel: 2 ** 60 }),
      () => nn.sequential([nn.conv2dTranspose({ filters: 2, kernel: 3, strides: 2, outputPadding: 5 })], { inputShape: [4, 4, 1] }),
      () => nn.sequential([nn.conv2dTranspose({ filters: 2, kernel: 3, strides: 1e9, outputPadding: 2e9 })], { inputShape: [4, 4, 1] }),
      () => nn.dense({ units: 2 ** 60 }),
      () => nn.dropout(1),
      () => nn.sequential([], { inputShape: [3] }),
      () => nn.sequential([nn.flatten()], { inputShape: [0, 2] }),
      () => nn.sequential([nn.conv2d({ filters: 2, kernel: 3 })], { inputShape: [4, 4] }),
      () => nn.sequential([nn.conv2d({ filters: 2, kernel: 3, groups: 2 })], { inputShape: [4, 4, 3] }),
      () => nn.sequential([nn.dense({ units: 2 })], { inputShape: [3], seed: 0.5 }),
      () => nn.sgd({ learningRate: -1 }),
      () => nn.adam({ beta1: 1 }),
    ];
    for (const c of cases) expectValues(thrown(c));
  });

  it('setWeights, Trainer.step and datasets', async () => {
    const m = nn.sequential([nn.dense({ units: 2 })], { inputShape: [3], seed: 1 });
    expectValues(thrown(() => m.setWeights({})), ShapeError);
    const w = m.getWeights();
    const name = Object.keys(w)[0]!;
    expectValues(thrown(() => m.setWeights({ ...w, [name]: new Float32Array(1) })), ShapeError);
    expectValues(thrown(() => m.setWeights({ ...w, [name]: new Float64Array(w[name]!.length) })), ShapeError);
    const trainer = new nn.Trainer(m, { batchSize: 2, optimizer: nn.sgd() });
    expectValues(await rejected(() => trainer.step(new Float32Array(5), new Float32Array(4))), ShapeError);
    expectValues(await rejected(() => trainer.step(new Float32Array(6), new Float32Array(3))), ShapeError);
    const data: nn.Dataset = { length: 2, inputs: new Float32Array(5), inputShape: [3], targets: new Float32Array(4), targetShape: [2] };
    expectValues(await rejected(() => trainer.fit(data)), ShapeError);
    expectValues(await rejected(() => trainer.fit({ ...data, inputs: undefined } as never)), AttrError);
    expectValues(thrown(() => nn.classification(new Float32Array(3), [3], Uint8Array.of(5), 2)), AttrError);
  });

  it('weights files: every refusal is a WeightsError with values', () => {
    const m = nn.sequential([nn.dense({ units: 2 })], { inputShape: [3], seed: 1 });
    const good = nn.encodeWeights(m);
    const header = (patch: (h: Record<string, unknown>) => unknown): Uint8Array => {
      const length = new DataView(good.buffer, good.byteOffset).getUint32(8, true);
      const h = JSON.parse(new TextDecoder().decode(good.subarray(12, 12 + length))) as Record<string, unknown>;
      const text = new TextEncoder().encode(JSON.stringify(patch(h) ?? h));
      const out = new Uint8Array(12 + text.length + (good.length - 12 - length));
      out.set(good.subarray(0, 8));
      new DataView(out.buffer).setUint32(8, text.length, true);
      out.set(text, 12);
      out.set(good.subarray(12 + length), 12 + text.length);
      return out;
    };
    const files = [
      good.subarray(0, 5),
      good.subarray(0, 10),
      good.subarray(0, good.length - 4),
      Uint8Array.of(...good, 0),
      header((h) => ({ ...h, version: 2 })),
      header((h) => ({ ...h, dtype: 'int8' })),
      header((h) => ({ ...h, tensors: 'x' })),
      header((h) => ({ ...h, tensors: [{ name: 'a', shape: [2 ** 60], offset: 0, length: 2 ** 60 }] })),
      header((h) => ({ ...h, tensors: [{ name: 'a', shape: [3], offset: 0, length: 4 }] })),
      header((h) => ({ ...h, tensors: [{ name: 'a', shape: [1], offset: 2, length: 1 }] })),
    ];
    for (const f of files) expectValues(thrown(() => nn.loadWeights(m, f)), nn.WeightsError);
  });

  it('IDX files: every refusal is a DatasetError with values', () => {
    const idx = (type: number, dims: number[], data: number[]) => {
      const b = new Uint8Array(4 + 4 * dims.length + data.length);
      b.set([0, 0, type, dims.length]);
      const v = new DataView(b.buffer);
      dims.forEach((d, i) => v.setUint32(4 + 4 * i, d));
      b.set(data, 4 + 4 * dims.length);
      return b;
    };
    for (const bytes of [Uint8Array.of(0, 0), Uint8Array.of(1, 0, 8, 1), idx(0x07, [1], [1]), idx(8, [], []), idx(8, [2, 3], [1]), idx(8, [2], [1, 2, 3]), idx(8, [0xffffffff, 0xffffffff], [])]) {
      expectValues(thrown(() => nn.parseIdx(bytes, 'hostile.idx')), nn.DatasetError);
    }
  });
});

describe('gpu.js', () => {
  it('options, float64 programs, tensors over 2^24 elements', () => {
    expectValues(thrown(() => gpujs({ mode: 'metal' as never })), AttrError);
    expectValues(thrown(() => gpujs({ mode: 'cpu', float64: 'maybe' as never })), AttrError);
    const backend = gpujs({ mode: 'cpu' });
    try {
      const g64 = new Graph({ dtype: 'float64' });
      expectValues(thrown(() => compile({ y: g64.exp(g64.input('x', [3])) }, { backend })), PrecisionError);
      const g = new Graph();
      expectValues(thrown(() => compile({ y: g.relu(g.input('x', [4097, 4097])) }, { backend })), ResourceError);
    } finally {
      void backend.dispose();
    }
  });
});
