import { isDType, type DType } from './dtype.ts';
import { FormatError, GraftError, fmtValue } from './errors.ts';
import { Graph } from './graph.ts';
import { RESERVED_NAMES } from './names.ts';
import { Node, type Provenance } from './node.ts';
import { ops, type OpName } from './ops/index.ts';
import { MAX_TENSOR_ELEMENTS, shapesEqual, sizeOf, type Shape } from './shape/shape.ts';

/**
 * The saved-graph format (`saveGraph` / `loadGraph`), version 1: JSON text of
 *
 *     { "format": "graft-graph", "version": 1, "dtype": "float32" | "float64",
 *       "nodes": [node, …], "outputs": { name: index, … } }
 *
 * Nodes are listed in topological order and referred to by their index in `nodes`; each is
 *
 *     { "op": "input",    "name": string, "shape": [d, …], "dtype": … }
 *     { "op": "constant", "values": [v, …], "shape": [d, …], "dtype": …, "provenance"?: … }
 *     { "op": <op>, "inputs": [index, …], "attrs": { … }, "shape": [d, …], "dtype": …,
 *       "provenance"?: { "forward": index, "rule": string, "mode": "vjp" | "jvp" } }
 *
 * `attrs` are the node's normalised attrs (valid options of its op), `shape` and `dtype` what the
 * op infers from them (checked on load), `provenance` the forward node and rule that made a
 * gradient node. Constant values are JSON numbers, written exactly (shortest round-trip form);
 * `"NaN"`, `"Infinity"`, `"-Infinity"` and `"-0"` stand for what JSON cannot write.
 */
export const GRAPH_FORMAT = 'graft-graph';
export const GRAPH_VERSION = 1;

/** The deepest nesting `loadGraph` reads (a conv attr is 4 deep; a hostile file may be 10⁵ deep). */
const MAX_DEPTH = 32;

/** A saved node as JSON. */
type SavedNode = Record<string, unknown>;

/** The encodings of the numbers JSON has no literal for. */
const special: Readonly<Record<string, number>> = { NaN: Number.NaN, Infinity: Infinity, '-Infinity': -Infinity, '-0': -0 };

function encodeNumber(v: number): number | string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  if (Object.is(v, -0)) return '-0';
  return v;
}

/** An attr value as JSON: numbers, strings, booleans, arrays and plain records of them. */
function encodeAttr(v: unknown, path: string): unknown {
  if (typeof v === 'string' || typeof v === 'boolean' || v === null) return v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new FormatError('saveGraph', `attrs must be finite numbers, strings, booleans, arrays or records; ${path} is ${fmtValue(v)}`, { path, value: v });
    return v;
  }
  if (Array.isArray(v)) return v.map((x, i) => encodeAttr(x, `${path}[${i}]`));
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).map(([k, x]) => [k, encodeAttr(x, `${path}.${k}`)]));
  }
  throw new FormatError('saveGraph', `attrs must be finite numbers, strings, booleans, arrays or records; ${path} is a ${typeof v}`, { path, type: typeof v });
}

/**
 * The nodes `outputs` need, with the forward nodes their provenance names (and what those
 * need), so a gradient graph keeps its provenance; in topological (id) order.
 */
function savedNodes(outputs: readonly Node[]): Node[] {
  const seen = new Set<Node>();
  const stack = [...outputs];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    stack.push(...n.inputs);
    if (n.provenance !== undefined) stack.push(n.provenance.forward);
  }
  return [...seen].sort((a, b) => a.id - b.id);
}

/**
 * Saves the graph that named outputs need as versioned JSON text (see `GRAPH_FORMAT`): ops,
 * attrs, shapes, dtypes, input names, constants, and the provenance of gradient nodes (with
 * the forward nodes it names). `loadGraph` rebuilds it through the builder. Ops outside the IR's
 * table (`g.apply` records) and fused nodes (compiled graphs: save before compiling) cannot be
 * saved and throw a `FormatError`.
 */
export function saveGraph(outputs: Readonly<Record<string, Node>>): string {
  if (outputs === null || typeof outputs !== 'object') throw new FormatError('saveGraph', 'outputs must be a record of named nodes', { outputs: String(outputs) });
  const entries = Object.entries(outputs);
  if (entries.length === 0) throw new FormatError('saveGraph', 'outputs must name at least one node', { outputs: 0 });
  for (const [name, n] of entries) {
    if (!(n instanceof Node)) throw new FormatError('saveGraph', `output "${name}" must be a Node`, { name, value: String(n) });
    if (RESERVED_NAMES.has(name)) throw new FormatError('saveGraph', `output names must not be keys every object inherits, got "${name}"`, { name });
  }
  const graph = entries[0]![1].graph;
  const nodes = savedNodes(entries.map(([, n]) => n));
  const index = new Map<Node, number>();
  const saved = nodes.map((n, i): SavedNode => {
    if (n.graph !== graph) throw new FormatError('saveGraph', `all nodes must belong to one graph; ${n} does not`, { node: String(n) });
    index.set(n, i);
    const common = { shape: [...n.shape], dtype: n.dtype };
    if (n.is('input')) return { op: 'input', name: n.attrs.name, ...common };
    const provenance = n.provenance === undefined ? {} : { provenance: { forward: index.get(n.provenance.forward)!, rule: n.provenance.rule, mode: n.provenance.mode } };
    if (n.is('constant')) return { op: 'constant', values: Array.from(n.attrs.values, encodeNumber), ...common, ...provenance };
    if (!Object.hasOwn(ops, n.op) || ops[n.op as OpName] !== n.record) {
      throw new FormatError('saveGraph', `every op must be one of the IR's op table; ${n} is an op given by its record (g.apply)`, { node: String(n), op: n.op });
    }
    if (n.op === 'fused') {
      throw new FormatError('saveGraph', `fused nodes (a compiled graph's) cannot be saved; save the graph before compiling it, got ${n}`, { node: String(n) });
    }
    return { op: n.op, inputs: n.inputs.map((x) => index.get(x)!), attrs: encodeAttr(n.attrs, `${n}.attrs`), ...common, ...provenance };
  });
  return JSON.stringify({
    format: GRAPH_FORMAT,
    version: GRAPH_VERSION,
    dtype: graph.dtype,
    nodes: saved,
    outputs: Object.fromEntries(entries.map(([name, n]) => [name, index.get(n)!])),
  });
}

/** A loaded graph: a new `Graph` and its named outputs. */
export interface LoadedGraph {
  readonly graph: Graph;
  readonly outputs: Readonly<Record<string, Node>>;
}

/** Throws the FormatError for `path`; its values hold the path, its indices (`at`) and `values`. */
function fail(path: string, rule: string, values: Record<string, unknown>, cause?: unknown): never {
  const at = [...path.matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1]));
  throw new FormatError('loadGraph', `${path} ${rule}`, { path, ...(at.length > 0 ? { at } : {}), ...values }, undefined, cause === undefined ? undefined : { cause });
}

/** What a JSON value is, for messages: `an array of 3`, `null`, `a record`, `string "x"`, `number 3`. */
function what(v: unknown): string {
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (v === null) return 'null';
  if (typeof v === 'object') return 'a record';
  return `${typeof v} ${fmtValue(v)}`;
}

/** `what(v)` as values: the value itself when it is a primitive, else its kind (and an array's length). */
function got(v: unknown): Record<string, unknown> {
  if (Array.isArray(v)) return { got: 'array', length: v.length };
  if (v !== null && typeof v === 'object') return { got: 'record' };
  return { got: v === undefined ? 'undefined' : v };
}

/** The path of `key` in the record at `path`: `$.nodes`, or `$.outputs["a b"]` for a key that is not an identifier. */
function child(path: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/**
 * Refuses, before anything is built, JSON whose records use keys every object inherits
 * (`__proto__`, `constructor`, …, and `prototype`), or that nests deeper than any saved graph.
 * Iterative, so a hostile depth cannot overflow the stack.
 */
function checkTree(root: unknown): void {
  const stack: [unknown, string, number][] = [[root, '$', 0]];
  while (stack.length > 0) {
    const [v, path, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > MAX_DEPTH) fail(path, `must nest at most ${MAX_DEPTH} levels deep`, { depth, limit: MAX_DEPTH });
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${path}[${i}]`, depth + 1]);
      continue;
    }
    for (const key of Object.keys(v)) {
      if (RESERVED_NAMES.has(key) || key === 'prototype') fail(path, `must not use the key "${key}", which every object inherits (or a function's prototype)`, { key });
      stack.push([(v as Record<string, unknown>)[key], child(path, key), depth + 1]);
    }
  }
}

function record(v: unknown, path: string, keys: readonly string[], required: readonly string[]): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(path, `must be a record, got ${what(v)}`, got(v));
  const r = v as Record<string, unknown>;
  const extra = Object.keys(r).filter((k) => !keys.includes(k));
  if (extra.length > 0) fail(path, `must have only the keys ${keys.join(', ')}; unknown ${extra.map((k) => JSON.stringify(k)).join(', ')}`, { unknown: extra, keys });
  const missing = required.filter((k) => !Object.hasOwn(r, k));
  if (missing.length > 0) fail(path, `must have the keys ${required.join(', ')}; missing ${missing.map((k) => JSON.stringify(k)).join(', ')}`, { missing, keys: required });
  return r;
}

function shapeOf(v: unknown, path: string): Shape {
  if (!Array.isArray(v) || !v.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 1)) {
    fail(path, `must be an array of positive integers, got ${Array.isArray(v) ? fmtValue(v) : what(v)}`, Array.isArray(v) ? { shape: v } : got(v));
  }
  const elements = sizeOf(v as number[]);
  if (!(elements <= MAX_TENSOR_ELEMENTS)) fail(path, `must have at most ${MAX_TENSOR_ELEMENTS} elements, got ${elements}`, { shape: v, elements, limit: MAX_TENSOR_ELEMENTS });
  return v as number[];
}

function dtypeOf(v: unknown, path: string): DType {
  if (!isDType(v)) fail(path, `must be "float32" or "float64", got ${what(v)}`, got(v));
  return v;
}

/** An index of an earlier node: references only go backwards, so a file cannot describe a cycle. */
function earlier(v: unknown, path: string, at: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= at) {
    fail(path, `must be the index of an earlier node (0 to ${at - 1}), got ${what(v)}`, { ...got(v), node: at, range: [0, at - 1] });
  }
  return v;
}

function constantValues(v: unknown, path: string, shape: Shape): Float64Array {
  const size = sizeOf(shape);
  // The length is checked before anything is allocated: a file's shape can lie.
  if (!Array.isArray(v) || v.length !== size) {
    fail(path, `must be an array of ${size} values for shape [${shape.join(',')}], got ${what(v)}`, { expected: size, shape, ...got(v) });
  }
  const out = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    const x: unknown = (v as unknown[])[i];
    if (typeof x === 'number') out[i] = x;
    else if (typeof x === 'string' && Object.hasOwn(special, x)) out[i] = special[x]!;
    else fail(`${path}[${i}]`, `must be a number or "NaN", "Infinity", "-Infinity", "-0", got ${what(x)}`, got(x));
  }
  return out;
}

/**
 * Loads a graph saved by `saveGraph` (JSON text, or the value it parses to) into a new `Graph`,
 * rebuilding every node through the builder so each op record validates it, and checking that
 * each rebuilt node has the saved shape and dtype. Anything else — malformed or truncated JSON,
 * an unknown format, version or op, wrong types, references to later nodes (cycles), keys every
 * object inherits, shapes beyond `MAX_TENSOR_ELEMENTS`, constants whose length is not their
 * shape's size — is a `FormatError` naming the path (`nodes[3].attrs`) and its values; nothing
 * outside the new graph is created or changed, and the graph is dropped.
 */
export function loadGraph(json: string | unknown): LoadedGraph {
  let parsed: unknown = json;
  if (typeof json === 'string') {
    try {
      parsed = JSON.parse(json);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      fail('$', 'must be JSON text', { length: json.length, error: message }, e);
    }
  }
  checkTree(parsed);
  const top = record(parsed, '$', ['format', 'version', 'dtype', 'nodes', 'outputs'], ['format', 'version', 'dtype', 'nodes', 'outputs']);
  if (top['format'] !== GRAPH_FORMAT) fail('$.format', `must be "${GRAPH_FORMAT}", got ${what(top['format'])}`, got(top['format']));
  if (top['version'] !== GRAPH_VERSION) {
    fail('$.version', `must be ${GRAPH_VERSION} (the versions this graft reads), got ${what(top['version'])}`, { ...got(top['version']), supported: [GRAPH_VERSION] });
  }
  const graph = new Graph({ dtype: dtypeOf(top['dtype'], '$.dtype') });
  const list = top['nodes'];
  if (!Array.isArray(list) || list.length === 0) fail('$.nodes', `must be a non-empty array of nodes, got ${what(list)}`, got(list));
  const nodes: Node[] = [];
  list.forEach((raw: unknown, i) => {
    const path = `$.nodes[${i}]`;
    const op = (raw as { op?: unknown } | null)?.op;
    if (typeof op !== 'string' || !Object.hasOwn(ops, op) || op === 'fused') {
      fail(`${path}.op`, `must be an op of the IR's table (not fused), got ${what(op)}`, got(op));
    }
    const shape = (r: Record<string, unknown>) => (savedShape = shapeOf(r['shape'], `${path}.shape`));
    const dtype = (r: Record<string, unknown>) => dtypeOf(r['dtype'], `${path}.dtype`);
    let savedShape: Shape = [];
    const provenanceOf = (r: Record<string, unknown>): Provenance | undefined => {
      if (r['provenance'] === undefined) return undefined;
      const p = record(r['provenance'], `${path}.provenance`, ['forward', 'rule', 'mode'], ['forward', 'rule', 'mode']);
      const forward = nodes[earlier(p['forward'], `${path}.provenance.forward`, i)]!;
      if (typeof p['rule'] !== 'string' || p['rule'].length === 0) fail(`${path}.provenance.rule`, `must be a rule name, got ${what(p['rule'])}`, got(p['rule']));
      if (p['mode'] !== 'vjp' && p['mode'] !== 'jvp') fail(`${path}.provenance.mode`, `must be "vjp" or "jvp", got ${what(p['mode'])}`, got(p['mode']));
      return { forward, rule: p['rule'], mode: p['mode'] };
    };
    /** Runs the builder (tagged with the node's provenance); its refusal becomes a FormatError for this node. */
    const built = (provenance: Provenance | undefined, build: () => Node): Node => {
      try {
        return provenance === undefined ? build() : graph.withProvenance(provenance, build);
      } catch (e) {
        if (!(e instanceof GraftError)) throw e;
        fail(path, `(${op}) must be a node its op accepts: ${e.message}`, { op, ...e.values }, e);
      }
    };
    let n: Node;
    if (op === 'input') {
      const r = record(raw, path, ['op', 'name', 'shape', 'dtype'], ['op', 'name', 'shape', 'dtype']);
      const s = shape(r);
      const d = dtype(r);
      if (typeof r['name'] === 'string' && graph.inputs.has(r['name'])) fail(`${path}.name`, `must be unique, "${r['name']}" is taken`, { name: r['name'] });
      n = built(undefined, () => graph.input(r['name'] as string, s, d));
    } else if (op === 'constant') {
      const r = record(raw, path, ['op', 'values', 'shape', 'dtype', 'provenance'], ['op', 'values', 'shape', 'dtype']);
      const s = shape(r);
      const d = dtype(r);
      const values = constantValues(r['values'], `${path}.values`, s);
      n = built(provenanceOf(r), () => graph.constant(values, s, d));
    } else {
      const r = record(raw, path, ['op', 'inputs', 'attrs', 'shape', 'dtype', 'provenance'], ['op', 'inputs', 'attrs', 'shape', 'dtype']);
      const s = shape(r);
      const d = dtype(r);
      const refs = r['inputs'];
      if (!Array.isArray(refs)) fail(`${path}.inputs`, `must be an array of node indices, got ${what(refs)}`, got(refs));
      const inputs = refs.map((x: unknown, k) => nodes[earlier(x, `${path}.inputs[${k}]`, i)]!);
      const attrs = r['attrs'];
      if (attrs === null || typeof attrs !== 'object' || Array.isArray(attrs)) fail(`${path}.attrs`, `must be a record, got ${what(attrs)}`, got(attrs));
      n = built(provenanceOf(r), () => graph.node(op as Exclude<OpName, 'input' | 'constant'>, inputs, attrs as never));
      if (n.dtype !== d) fail(`${path}.dtype`, `must be the dtype its op gives (${n.dtype}), got ${d}`, { dtype: d, inferred: n.dtype });
    }
    if (!shapesEqual(n.shape, savedShape)) {
      fail(`${path}.shape`, `must be the shape its op infers [${n.shape.join(',')}], got [${savedShape.join(',')}]`, { shape: savedShape, inferred: n.shape });
    }
    nodes.push(n);
  });
  const outs = top['outputs'];
  if (outs === null || typeof outs !== 'object' || Array.isArray(outs) || Object.keys(outs).length === 0) {
    fail('$.outputs', `must be a non-empty record of node indices by name, got ${what(outs)}`, got(outs));
  }
  const outputs: Record<string, Node> = {};
  for (const [name, v] of Object.entries(outs as Record<string, unknown>)) {
    if (name.length === 0) fail('$.outputs', 'names must be non-empty', { name });
    outputs[name] = nodes[earlier(v, child('$.outputs', name), nodes.length)]!;
  }
  return { graph, outputs: Object.freeze(outputs) };
}
