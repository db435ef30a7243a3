/**
 * Saved graphs: `saveGraph` / `loadGraph` round-trip every op's configurations, gradient graphs
 * with their provenance and constants bit for bit; `loadGraph` of hostile input (truncated,
 * wrong types, unknown op or version, cycles, prototype keys, enormous shapes, constants whose
 * length lies) is a typed error that creates nothing; and a seeded fuzzer that mutates valid
 * files finds only typed errors and graphs that verify.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FormatError,
  GRAPH_FORMAT,
  GRAPH_VERSION,
  GraftError,
  Graph,
  compile,
  cpu,
  createStage,
  explainGradient,
  grad,
  loadGraph,
  ops,
  printGraph,
  saveGraph,
  unaryOp,
  S,
  verifyStage,
  type Node,
  type OpName,
} from 'graft';
import { exampleGraphs } from 'graft/programs';
import { expectValues } from './util/error-values.ts';
import { mulberry32, uniform } from './util/random.ts';

type Computed = Exclude<OpName, 'input' | 'constant' | 'fused'>;
const computed = (Object.keys(ops) as OpName[]).filter((k): k is Computed => k !== 'input' && k !== 'constant' && k !== 'fused');

/** Every op's example configurations, each with the gradient of Σ op(…)² by every operand. */
function opGraphs(): { name: string; outputs: Record<string, Node> }[] {
  const out: { name: string; outputs: Record<string, Node> }[] = [];
  for (const op of computed) {
    for (const example of ops[op].examples) {
      const g = new Graph({ dtype: 'float64' });
      const xs = example.inputs.map((s, i) => g.input(`x${i}`, s));
      const y = g.node(op, xs, example.attrs as never);
      const loss = g.sum(g.square(y));
      const outputs: Record<string, Node> = { y, loss };
      // Gradients where the op has rules for every operand (maxPoolGrad's are piecewise; all have rules).
      grad(loss, xs).forEach((d, i) => (outputs[`d${i}`] = d));
      out.push({ name: `${op} ${example.name}`, outputs });
    }
  }
  return out;
}

/** Feeds for every input of a graph, seeded. */
function feedsFor(graph: Graph, seed: number): Record<string, Float64Array | Float32Array> {
  const rng = mulberry32(seed);
  const feeds: Record<string, Float64Array | Float32Array> = {};
  for (const [name, n] of graph.inputs) {
    const v = uniform(rng, n.size, 0.1, 1);
    feeds[name] = n.dtype === 'float64' ? v : Float32Array.from(v);
  }
  return feeds;
}

async function run(outputs: Record<string, Node>, seed: number) {
  const program = compile(outputs, { backend: cpu() });
  const graph = Object.values(outputs)[0]!.graph;
  const all = feedsFor(graph, seed);
  const feeds = Object.fromEntries([...program.plan.feeds.keys()].map((k) => [k, all[k]!]));
  const result = await program.run(feeds);
  program.dispose();
  return result;
}

/** A loaded graph verifies: acyclic, one graph, every node re-infers to its shape. */
function verifies(outputs: Record<string, Node>): void {
  verifyStage(createStage(outputs), 'loadGraph');
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
    return undefined;
  } catch (e) {
    return e;
  }
}

describe('saveGraph / loadGraph round trips', () => {
  it(`the format is versioned: "${GRAPH_FORMAT}" version ${GRAPH_VERSION}, nodes in topological order`, () => {
    const { outputs } = exampleGraphs.conv!();
    const saved = JSON.parse(saveGraph(outputs)) as { format: string; version: number; dtype: string; nodes: { op: string; inputs?: number[] }[]; outputs: Record<string, number> };
    expect(saved.format).toBe('graft-graph');
    expect(saved.version).toBe(1);
    expect(saved.dtype).toBe('float64');
    saved.nodes.forEach((n, i) => (n.inputs ?? []).forEach((k) => expect(k).toBeLessThan(i)));
    expect(Object.keys(saved.outputs)).toEqual(['loss', 'dx', 'dw']);
  });

  for (const [name, build] of Object.entries(exampleGraphs)) {
    it(`example "${name}": the same nodes, provenance and numbers after a round trip`, async () => {
      const { outputs } = build();
      const text = saveGraph(outputs);
      const loaded = loadGraph(text);
      verifies(loaded.outputs as Record<string, Node>);
      expect(Object.keys(loaded.outputs)).toEqual(Object.keys(outputs));
      // Saving the loaded graph writes the same text: nothing was lost or added.
      expect(saveGraph(loaded.outputs)).toBe(text);
      // Gradient nodes keep their rules and forward nodes.
      for (const [k, n] of Object.entries(outputs)) {
        const m = loaded.outputs[k]!;
        expect(m.op).toBe(n.op);
        expect(m.shape).toEqual(n.shape);
        expect(m.provenance?.rule).toBe(n.provenance?.rule);
        expect(m.provenance?.forward.op).toBe(n.provenance?.forward.op);
        expect(explainGradient(m).replace(/#\d+/g, '#')).toBe(explainGradient(n).replace(/#\d+/g, '#'));
      }
      const [a, b] = [await run(outputs, 3), await run(loaded.outputs as Record<string, Node>, 3)];
      for (const k of Object.keys(outputs)) expect(Array.from(b[k]!)).toEqual(Array.from(a[k]!));
    });
  }

  it('every op: its example configurations and their gradients save, load, verify and save to the same text', () => {
    const graphs = opGraphs();
    for (const { name, outputs } of graphs) {
      const text = saveGraph(outputs);
      const loaded = loadGraph(text);
      verifies(loaded.outputs as Record<string, Node>);
      expect(saveGraph(loaded.outputs), name).toBe(text);
      expect(printGraph(loaded.graph.nodes).split('\n').length, name).toBe(JSON.parse(text).nodes.length);
    }
    expect(graphs.length).toBeGreaterThan(100);
  });

  it('constants keep every bit: NaN, ±Infinity, −0, subnormals, float64 digits', () => {
    const g = new Graph({ dtype: 'float64' });
    const values = [NaN, Infinity, -Infinity, -0, 0, 5e-324, 0.1 + 0.2, -1.7976931348623157e308, Math.PI];
    const c = g.constant(values, [values.length]);
    const loaded = loadGraph(saveGraph({ c }));
    const v = (loaded.outputs.c as Node<'constant'>).attrs.values;
    expect(Array.from(v).map((x) => Object.is(x, -0) ? '-0' : String(x))).toEqual(values.map((x) => (Object.is(x, -0) ? '-0' : String(x))));
  });

  it('a forward node named by provenance but not needed by the outputs is saved with it', () => {
    const g = new Graph({ dtype: 'float64' });
    const x = g.input('x', [3]);
    const w = g.input('w', [3]);
    const loss = g.sum(g.mul(x, w));
    const [dx] = grad(loss, [x]);
    // dx = w · 1: the mul it differentiates is not an ancestor of dx.
    const loaded = loadGraph(saveGraph({ dx: dx! }));
    expect(loaded.outputs.dx!.provenance?.forward.op).toBe('mul');
  });

  it('saveGraph refuses what it cannot write: ops given by their record, fused nodes, reserved output names', () => {
    const g = new Graph();
    const x = g.input('x', [4]);
    const softplus = unaryOp('softplus', 'y = ln(1 + eˣ)', (v) => S.log(S.add(1, S.exp(v))), (gg, v, _y, t) => gg.mul(t, gg.sigmoid(v)));
    expectValues(thrown(() => saveGraph({ y: g.apply(softplus, [x]) })), FormatError);
    const program = compile({ y: g.relu(g.add(g.exp(x), 1)) }, { backend: cpu() });
    expect(program.outputs.y!.op).toBe('fused');
    expectValues(thrown(() => saveGraph(program.outputs)), FormatError);
    program.dispose();
    expectValues(thrown(() => saveGraph({ ['__proto__']: x })), FormatError);
    expectValues(thrown(() => saveGraph({})), FormatError);
  });
});

/** A small valid file to break: x → conv2d → relu → Σ, with the gradient by w (provenance, constants). */
function sampleText(): string {
  const g = new Graph({ dtype: 'float64' });
  const x = g.input('x', [1, 5, 5, 2]);
  const w = g.input('w', [3, 3, 2, 2]);
  const y = g.relu(g.conv2d(x, w, { strides: 2, padding: 'SAME' }));
  const loss = g.sum(g.mul(y, g.constant([0.5, -0.25], [2])));
  const [dw] = grad(loss, [w]);
  return saveGraph({ loss, dw: dw! });
}

type Json = Record<string, unknown>;
const edit = (patch: (f: Json & { nodes: Json[] }) => void): string => {
  const f = JSON.parse(sampleText()) as Json & { nodes: Json[] };
  patch(f);
  return JSON.stringify(f);
};
/** JSON text with a key written as an own property (assigning `__proto__` would set the prototype instead). */
const withKey = (o: object, key: string, value: unknown): object => Object.defineProperty(o, key, { value, enumerable: true, configurable: true, writable: true });
const nodeIndex = (f: { nodes: Json[] }, op: string) => f.nodes.findIndex((n) => n['op'] === op);

describe('loadGraph of hostile input', () => {
  const text = sampleText();
  const hostile: Record<string, (string | unknown)[]> = {
    truncated: [...Array.from({ length: 24 }, (_, k) => text.slice(0, Math.floor((k * text.length) / 24))), '', '{', '[]', 'null', '"graft-graph"', '42'],
    'wrong types': [
      edit((f) => (f['nodes'] = {} as never)),
      edit((f) => (f['nodes'] = [])),
      edit((f) => (f['outputs'] = [3])),
      edit((f) => (f['outputs'] = {})),
      edit((f) => (f['dtype'] = 'float16')),
      edit((f) => (f.nodes[0]!['shape'] = '1,5,5,2')),
      edit((f) => (f.nodes[0]!['shape'] = [1, 5.5, 5, 2])),
      edit((f) => (f.nodes[0]!['shape'] = [1, -5, 5, 2])),
      edit((f) => (f.nodes[0]!['shape'] = [1, 5, 5, 3])),
      edit((f) => (f.nodes[0]!['name'] = 7)),
      edit((f) => (f.nodes[0]!['name'] = '')),
      edit((f) => (f.nodes[0]!['dtype'] = 'int8')),
      edit((f) => (f.nodes[2]!['inputs'] = '0,1')),
      edit((f) => (f.nodes[2]!['inputs'] = [0])),
      edit((f) => (f.nodes[2]!['inputs'] = [0, 1.5])),
      edit((f) => (f.nodes[2]!['attrs'] = null)),
      edit((f) => (f.nodes[2]!['attrs'] = [])),
      edit((f) => ((f.nodes[2]!['attrs'] as Json)['strides'] = 'two')),
      edit((f) => ((f.nodes[2]!['attrs'] as Json)['padding'] = [[1, 2, 3]])),
      edit((f) => ((f.nodes[2]!['attrs'] as Json)['bogus'] = 1)),
      edit((f) => (f.nodes[2]!['shape'] = [1, 2, 2, 2])),
      edit((f) => (f.nodes[2]!['dtype'] = 'float32')),
      edit((f) => (f.nodes[2]!['extra'] = true)),
      edit((f) => (f['extra'] = true)),
      edit((f) => delete f.nodes[2]!['attrs']),
      edit((f) => delete f['outputs']),
      edit((f) => ((f['outputs'] as Json)['loss'] = 'last')),
      edit((f) => ((f['outputs'] as Json)['loss'] = 10 ** 6)),
      edit((f) => ((f['outputs'] as Json)[''] = 0)),
      edit((f) => (f.nodes[f.nodes.length - 1]!['provenance'] = { forward: 0, rule: '', mode: 'vjp' })),
      edit((f) => (f.nodes[f.nodes.length - 1]!['provenance'] = { forward: 0, rule: 'r', mode: 'backwards' })),
      edit((f) => (f.nodes[f.nodes.length - 1]!['provenance'] = 'conv2d.vjp.w')),
    ],
    'unknown op or version': [
      edit((f) => (f.nodes[2]!['op'] = 'conv3d')),
      edit((f) => (f.nodes[2]!['op'] = 'fused')),
      edit((f) => (f.nodes[2]!['op'] = 'toString')),
      edit((f) => (f.nodes[2]!['op'] = 42)),
      edit((f) => (f.nodes[0]!['op'] = 'input ')),
      edit((f) => (f['version'] = 2)),
      edit((f) => (f['version'] = '1')),
      edit((f) => delete f['version']),
      edit((f) => (f['format'] = 'graft-weights')),
      edit((f) => (f['format'] = 'onnx')),
    ],
    'cycles and forward references': [
      edit((f) => (f.nodes[2]!['inputs'] = [2, 1])),
      edit((f) => (f.nodes[2]!['inputs'] = [0, 3])),
      edit((f) => (f.nodes[3]!['inputs'] = [4])),
      edit((f) => (f.nodes[3]!['inputs'] = [-1])),
      edit((f) => (f.nodes[f.nodes.length - 1]!['provenance'] = { forward: f.nodes.length - 1, rule: 'r', mode: 'vjp' })),
      edit((f) => (f.nodes[f.nodes.length - 1]!['provenance'] = { forward: f.nodes.length + 5, rule: 'r', mode: 'vjp' })),
      edit((f) => ((f['outputs'] as Json)['loss'] = f.nodes.length)),
      edit((f) => f.nodes.reverse()),
    ],
    'prototype keys': [
      edit((f) => withKey(f, '__proto__', { polluted: 1 })),
      edit((f) => withKey(f.nodes[2]!, '__proto__', { polluted: 1 })),
      edit((f) => withKey(f.nodes[2]!['attrs'] as object, '__proto__', { strides: [3, 3] })),
      edit((f) => withKey(f['outputs'] as object, '__proto__', 0)),
      edit((f) => withKey(f['outputs'] as object, 'constructor', 0)),
      edit((f) => withKey(f.nodes[2]!['attrs'] as object, 'constructor', { prototype: { polluted: 1 } })),
      edit((f) => withKey(f, 'prototype', { polluted: 1 })),
      edit((f) => (f.nodes[0]!['name'] = '__proto__')),
      edit((f) => (f.nodes[0]!['name'] = 'hasOwnProperty')),
      text.replace('{"format"', '{"__proto__":{"polluted":1},"format"'),
    ],
    'enormous shapes': [
      edit((f) => (f.nodes[0]!['shape'] = [1e6, 1e6, 1e6, 1e6])),
      edit((f) => (f.nodes[0]!['shape'] = [2 ** 53, 2])),
      edit((f) => (f.nodes[0]!['shape'] = [1e300])),
      edit((f) => (f.nodes[0]!['shape'] = [1, 1e9 + 5, 5, 2])),
      edit((f) => ((f.nodes[2]!['attrs'] as Json)['padding'] = [[1e9, 0], [0, 0]])),
      edit((f) => ((f.nodes[2]!['attrs'] as Json)['strides'] = [2 ** 60, 1])),
      edit((f) => ((f.nodes[2]!['attrs'] as Json)['dilations'] = [1e300, 1])),
      edit((f) => (f.nodes[nodeIndex(f, 'constant')]!['shape'] = [1e6, 1e6, 1e6])),
      edit((f) => (f.nodes[nodeIndex(f, 'conv2dBackpropFilter')]!['attrs'] = { ...(f.nodes[nodeIndex(f, 'conv2dBackpropFilter')]!['attrs'] as Json), filterShape: [1e8, 1e8, 2, 2] })),
      `[${'['.repeat(100000)}${']'.repeat(100000)}]`,
      text.replace('"outputs"', `"deep":${'['.repeat(5000)}${']'.repeat(5000)},"outputs"`),
    ],
    'constants whose length lies': [
      edit((f) => (f.nodes[nodeIndex(f, 'constant')]!['values'] = [0.5])),
      edit((f) => (f.nodes[nodeIndex(f, 'constant')]!['values'] = [0.5, -0.25, 1])),
      edit((f) => (f.nodes[nodeIndex(f, 'constant')]!['shape'] = [3])),
      edit((f) => (f.nodes[nodeIndex(f, 'constant')]!['shape'] = [2 ** 40])),
      edit((f) => (f.nodes[nodeIndex(f, 'constant')]!['values'] = { length: 2, 0: 1, 1: 2 })),
      edit((f) => (f.nodes[nodeIndex(f, 'constant')]!['values'] = [0.5, '1'])),
      edit((f) => (f.nodes[nodeIndex(f, 'constant')]!['values'] = [0.5, null])),
      edit((f) => (f.nodes[nodeIndex(f, 'constant')]!['values'] = 'AAAA')),
      edit((f) => (f.nodes[nodeIndex(f, 'constant')]!['values'] = [0.5, 'nan'])),
    ],
  };

  for (const [kind, cases] of Object.entries(hostile)) {
    it(`${kind}: ${cases.length} files, each a FormatError with its path and values; nothing is polluted`, () => {
      for (const [k, c] of cases.entries()) {
        const err = thrown(() => loadGraph(c));
        expect(err, `${kind} case ${k} must be refused`).toBeInstanceOf(FormatError);
        const e = expectValues(err, FormatError);
        expect(e.values['path'], e.message).toMatch(/^\$/);
      }
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
      expect(Object.keys(Object.prototype)).toEqual([]);
    });
  }

  it('counts', () => {
    const counts = Object.fromEntries(Object.entries(hostile).map(([k, v]) => [k, v.length]));
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    console.log(`saved-graph: ${total} hostile inputs tried: ${JSON.stringify(counts)}`);
    expect(total).toBeGreaterThan(90);
  });

  it('the sample file itself loads (the hostile cases are hostile because of their edit)', () => {
    const loaded = loadGraph(text);
    verifies(loaded.outputs as Record<string, Node>);
    expect(loadGraph(JSON.parse(text)).outputs.dw!.provenance?.rule).toBe('conv2d.vjp.w');
  });
});

/** Paths of every value in a JSON tree: the parent and key of each. */
function slots(root: unknown): [Json | unknown[], string | number][] {
  const out: [Json | unknown[], string | number][] = [];
  const visit = (v: unknown) => {
    if (Array.isArray(v)) v.forEach((x, i) => (out.push([v, i]), visit(x)));
    else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) (out.push([v as Json, k]), visit(x));
  };
  visit(root);
  return out;
}

/** Values a mutation writes: what a file from a stranger could hold. */
const hostileValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(-1, 0, 1.5, 2 ** 31, 2 ** 53, 1e300, -0, '', 'NaN', 'float16', 'conv3d', '__proto__', [], {}, [[1e9, 0], [0, 0]], [1e6, 1e6, 1e6, 1e6]),
  fc.integer({ min: -3, max: 40 }),
);

type Mutation =
  | { kind: 'replace'; at: number; value: unknown }
  | { kind: 'delete'; at: number }
  | { kind: 'duplicate'; at: number }
  | { kind: 'nudge'; at: number; by: number }
  | { kind: 'proto'; at: number; key: string }
  | { kind: 'truncate'; at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), value: hostileValue }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('nudge' as const), at: fc.nat(), by: fc.constantFrom(-2, -1, 1, 2, 1e9, 2 ** 53) }),
  fc.record({ kind: fc.constant('proto' as const), at: fc.nat(), key: fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString') }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

/** Applies mutations to a parsed file; returns the text to load. */
function mutate(text: string, mutations: readonly Mutation[]): string {
  const file = JSON.parse(text) as unknown;
  let cut: number | undefined;
  for (const m of mutations) {
    const all = slots(file);
    if (m.kind === 'truncate') {
      cut = m.at;
      continue;
    }
    const [parent, key] = all[m.at % all.length]!;
    const arr = Array.isArray(parent) ? parent : undefined;
    const obj = parent as Json;
    switch (m.kind) {
      case 'replace':
        obj[key as string] = m.value;
        break;
      case 'delete':
        if (arr !== undefined) arr.splice(key as number, 1);
        else delete obj[key as string];
        break;
      case 'duplicate':
        if (arr !== undefined) arr.splice(key as number, 0, structuredClone(arr[key as number]));
        else obj[`${String(key)}2`] = structuredClone(obj[key as string]);
        break;
      case 'nudge': {
        const v = obj[key as string];
        if (typeof v === 'number') obj[key as string] = v + m.by;
        break;
      }
      case 'proto': {
        const target = obj[key as string];
        if (target !== null && typeof target === 'object') withKey(target, m.key, { polluted: 1 });
        break;
      }
    }
  }
  const out = JSON.stringify(file);
  return cut === undefined ? out : out.slice(0, cut % (out.length + 1));
}

const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 10000);
const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 150015);

describe('loadGraph fuzzing', () => {
  it(`property: ${FUZZ_RUNS} mutated files (seed ${FUZZ_SEED}) each load to a typed error or a graph that verifies`, () => {
    const valid = [sampleText(), saveGraph(exampleGraphs.conv!().outputs), ...opGraphs().filter((_, i) => i % 9 === 0).map((x) => saveGraph(x.outputs))];
    const outcome = { typed: 0, loaded: 0 };
    const kinds = new Map<string, number>();
    fc.assert(
      fc.property(fc.nat({ max: valid.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 3 }), (which, mutations) => {
        const text = mutate(valid[which]!, mutations);
        let loaded;
        try {
          loaded = loadGraph(text);
        } catch (e) {
          // The configuration is printed by fast-check with the seed and path when this fails.
          if (!(e instanceof GraftError)) throw e;
          expectValues(e);
          outcome.typed++;
          kinds.set(e.constructor.name, (kinds.get(e.constructor.name) ?? 0) + 1);
          return;
        }
        verifies(loaded.outputs as Record<string, Node>);
        outcome.loaded++;
      }),
      { seed: FUZZ_SEED, numRuns: FUZZ_RUNS },
    );
    console.log(`saved-graph fuzzer: ${FUZZ_RUNS} runs (seed ${FUZZ_SEED}): ${outcome.typed} typed errors ${JSON.stringify(Object.fromEntries(kinds))}, ${outcome.loaded} graphs that verify`);
    expect(outcome.typed + outcome.loaded).toBe(FUZZ_RUNS);
    expect(outcome.typed).toBeGreaterThan(FUZZ_RUNS / 2);
    expect(outcome.loaded).toBeGreaterThan(0);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
