/**
 * `exportOnnx`: a graft graph (named outputs) or an nn Model → a serialised ONNX ModelProto.
 * Each graft node becomes the ONNX nodes of its entry in `exportRules`; values live in
 * whichever axis order their producer left them (see layouts.ts), and Transpose nodes appear
 * only where a consumer needs another order.
 */
import {
  AttrError,
  FeedError,
  Graph,
  GraphError,
  ShapeError,
  ancestors,
  fmtShape,
  sizeOf,
  type DType,
  type FloatArray,
  type Node,
} from '@graft/ir';
import { OnnxExportError, type UnsupportedNode } from './errors.ts';
import type { Attr, ExportContext, ExportEntry, OnnxValue } from './export-context.ts';
import { exportRules, type ExportedOp } from './export-rules.ts';
import { Layouts, NCHW, OIHW, identity, isIdentity, permuteData, permuteShape, type Perm } from './layouts.ts';
import { DataType, encodeModel, type AttributeValue, type ModelProto, type NodeProto, type Tensor, type ValueInfo } from './onnx-proto.ts';

/** The oldest and newest opsets the exporter writes (Softmax's one-axis form needs 13). */
export const MIN_OPSET = 13;
export const MAX_OPSET = 17;
/** Default opset written. */
export const DEFAULT_OPSET = 17;

/** ONNX IR version that goes with an opset (ONNX's versioning table). */
function irVersionFor(opset: number): number {
  return opset <= 14 ? 7 : 8;
}

/**
 * What `exportOnnx` needs of a model (an `@graft/nn` Model has it): its example shape, dtype,
 * parameter values, and a build of its graph on an input node.
 */
export interface ExportableModel {
  readonly inputShape: readonly number[];
  readonly dtype: DType;
  readonly params: ReadonlyMap<string, { readonly value: FloatArray }>;
  /** Values the model owns besides its parameters (e.g. batch norm's moving statistics), stored like them. */
  readonly state?: ReadonlyMap<string, { readonly value: FloatArray }>;
  apply(x: Node, options: { readonly training: boolean }): { readonly output: Node; readonly noise?: ReadonlyMap<string, Node> };
}

export interface ExportOptions {
  /** ONNX opset, 13–17 (default 17). */
  readonly opset?: number;
  /**
   * Values of graph inputs to store in the model as initializers (weights); inputs not named
   * here stay graph inputs. For a Model: its parameters, always.
   */
  readonly feeds?: Readonly<Record<string, FloatArray | ArrayLike<number>>>;
  /** Model only: the batch size of the exported graph (graft graphs have static shapes; default 1). */
  readonly batch?: number;
  /** Model only: the name of the data input (default `x`). */
  readonly inputName?: string;
  /** Model only: the name of the output (default `y`). */
  readonly outputName?: string;
  /** The ONNX graph's name (default `graft`). */
  readonly graphName?: string;
  /** Written to the model's doc_string. */
  readonly docString?: string;
}

function isModel(source: unknown): source is ExportableModel {
  return typeof source === 'object' && source !== null && typeof (source as ExportableModel).apply === 'function' && (source as ExportableModel).params instanceof Map;
}

const elemType = (dtype: DType) => (dtype === 'float32' ? DataType.FLOAT : DataType.DOUBLE);

/**
 * Exports a graft graph to ONNX.
 *
 * - `exportOnnx(model, { batch })`: an nn Model's inference graph (no dropout) on an input
 *   `x` of shape `[batch, ...inputShape]`, its current weights (and state, where it has
 *   any) as initializers, output `y`.
 * - `exportOnnx({ logits, probs }, { feeds: { w: wValues } })`: named outputs of a graph; the
 *   inputs given values in `feeds` become initializers, the others graph inputs.
 *
 * Layouts: NHWC activations enter ONNX's NCHW Conv/ConvTranspose/MaxPool/AveragePool through
 * Transpose nodes (only where the order changes), constant HWIO filters are stored as OIHW,
 * SAME padding is written as explicit pads per side. Throws `OnnxExportError` listing every
 * node whose op has no ONNX mapping.
 */
export function exportOnnx(source: ExportableModel | Readonly<Record<string, Node>>, options: ExportOptions = {}): Uint8Array {
  return encodeModel(exportOnnxModel(source, options));
}

/** As `exportOnnx`, returning the model as objects (to inspect, or to encode with `encodeModel`). */
export function exportOnnxModel(source: ExportableModel | Readonly<Record<string, Node>>, options: ExportOptions = {}): ModelProto {
  if (options === null || typeof options !== 'object') throw new AttrError('exportOnnx', 'options must be an object', { options });
  const opset = options.opset ?? DEFAULT_OPSET;
  if (!Number.isInteger(opset) || opset < MIN_OPSET || opset > MAX_OPSET) {
    throw new AttrError('exportOnnx', `opset must be an integer from ${MIN_OPSET} to ${MAX_OPSET}`, { opset });
  }
  let outputs: Readonly<Record<string, Node>>;
  let feeds: Readonly<Record<string, FloatArray | ArrayLike<number>>>;
  if (isModel(source)) {
    const batch = options.batch ?? 1;
    if (!Number.isInteger(batch) || batch < 1) throw new AttrError('exportOnnx', 'batch must be a positive integer', { batch });
    if (options.feeds !== undefined) throw new AttrError('exportOnnx', 'feeds are for graph outputs; a model exports its own parameters', { feeds: Object.keys(options.feeds) });
    const g = new Graph({ dtype: source.dtype });
    const built = source.apply(g.input(options.inputName ?? 'x', [batch, ...source.inputShape], source.dtype), { training: false });
    if (built.noise !== undefined && built.noise.size > 0) {
      throw new AttrError('exportOnnx', 'the inference graph of a model must not draw noise', { noise: [...built.noise.keys()] });
    }
    outputs = { [options.outputName ?? 'y']: built.output };
    feeds = Object.fromEntries([...source.params, ...(source.state ?? [])].map(([name, p]) => [name, p.value]));
  } else {
    if (source === null || typeof source !== 'object') throw new AttrError('exportOnnx', 'source must be a Model or a record of named output nodes', { source });
    for (const k of ['batch', 'inputName', 'outputName'] as const) {
      if (options[k] !== undefined) throw new AttrError('exportOnnx', `${k} is for models; graph outputs have their own inputs and names`, { [k]: options[k] });
    }
    outputs = source;
    feeds = options.feeds ?? {};
  }
  return new Exporter(outputs, feeds, opset, options).model();
}

class Exporter {
  readonly #nodes: NodeProto[] = [];
  readonly #initializers: Tensor[] = [];
  readonly #inputs: ValueInfo[] = [];
  readonly #taken = new Set<string>();
  readonly #int64s = new Map<string, string>();
  readonly #reshaped = new Map<string, string>();
  readonly #layouts: Layouts<Node, string>;
  readonly #fed = new Map<Node, FloatArray | ArrayLike<number>>();
  readonly #graph: readonly Node[];
  readonly #dtype: DType;
  /** The graft node an ONNX node is being emitted for (its name prefix). */
  #current: Node | undefined;

  constructor(
    readonly outputs: Readonly<Record<string, Node>>,
    feeds: Readonly<Record<string, FloatArray | ArrayLike<number>>>,
    readonly opset: number,
    readonly options: ExportOptions,
  ) {
    const outs = Object.entries(outputs);
    if (outs.length === 0) throw new AttrError('exportOnnx', 'at least one output must be named', { outputs: 0 });
    for (const [name, n] of outs) {
      if (name === '') throw new AttrError('exportOnnx', 'output names must be non-empty', { name });
      if (n === null || typeof n !== 'object' || typeof n.op !== 'string' || n.graph === undefined) {
        throw new AttrError('exportOnnx', `output "${name}" must be a graph node`, { output: n });
      }
    }
    this.#graph = ancestors(outs.map(([, n]) => n));
    this.#dtype = outs[0]![1].dtype;
    const inputs = this.#graph.filter((n): n is Node<'input'> => n.op === 'input');
    const byName = new Map(inputs.map((n) => [n.attrs.name, n]));
    for (const [name, values] of Object.entries(feeds)) {
      const n = byName.get(name);
      if (n === undefined) {
        throw new FeedError('exportOnnx', `feeds must name inputs the outputs depend on; "${name}" is not one`, { inputs: [...byName.keys()] });
      }
      if (values === null || typeof values !== 'object' || typeof values.length !== 'number') throw new FeedError('exportOnnx', `feed "${name}" must be an array of numbers`, { name, feed: String(values) });
      if (values.length !== n.size) {
        throw new FeedError('exportOnnx', `feed "${name}" must have ${n.size} values for shape ${fmtShape(n.shape)}, got ${values.length}`, { name, elements: n.size, shape: n.shape, length: values.length });
      }
      this.#fed.set(n, values);
    }
    for (const n of this.#graph) {
      if (n.dtype !== this.#dtype) throw new GraphError('exportOnnx', `every node must have one dtype; ${n} is ${n.dtype}, not ${this.#dtype}`, { node: String(n), dtype: n.dtype, expected: this.#dtype });
    }
    for (const n of inputs) this.#take(n.attrs.name);
    for (const [name] of outs) {
      if (byName.has(name)) throw new AttrError('exportOnnx', `output names must differ from input names; "${name}" is both`, { name });
      this.#take(name);
    }
    this.#layouts = new Layouts<Node, string>(
      (n, from, perm, to) => this.#emit('Transpose', [from], { perm: [...perm] }, n, this.#fresh(`${baseName(n)}_${layoutTag(to)}`)),
      (n, perm) => this.#direct(n, perm),
      (n) => n.rank,
    );
  }

  model(): ModelProto {
    const unsupported: UnsupportedNode[] = [];
    for (const n of this.#graph) {
      if (n.op === 'input' || n.op === 'constant') continue;
      const entry = exportRules[n.op as ExportedOp];
      if ('unsupported' in entry) unsupported.push({ op: n.op, node: String(n), reason: entry.unsupported });
    }
    if (unsupported.length > 0) throw new OnnxExportError(unsupported);

    for (const n of this.#graph) {
      if (n.op === 'input' && !this.#fed.has(n)) {
        const name = (n as Node<'input'>).attrs.name;
        this.#inputs.push({ name, elemType: elemType(n.dtype), dims: [...n.shape] });
        this.#layouts.set(n, identity(n.rank), name);
      } else if (n.op !== 'input' && n.op !== 'constant') {
        this.#current = n;
        const result = this.#run(n, exportRules[n.op as ExportedOp] as ExportEntry<ExportedOp>);
        const v: OnnxValue = typeof result === 'string' ? { name: result, perm: identity(n.rank) } : result;
        this.#layouts.set(n, v.perm, v.name);
        this.#current = undefined;
      }
    }

    // An output takes over the name of the node output that computes it; an output that is a
    // graph input, an initializer or another output's value gets an Identity node.
    // Every output's value is made first (a Transpose to graft's order may read a value that
    // another output is about to rename), then the renames.
    const outputs: ValueInfo[] = [];
    const renamed = new Map<string, string>();
    const values = Object.entries(this.outputs).map(([name, n]) => {
      this.#current = n;
      return [name, n, this.#layouts.get(n, identity(n.rank))] as const;
    });
    for (const [name, n, computed] of values) {
      this.#current = n;
      const value = renamed.get(computed) ?? computed;
      if (value === computed && this.#nodes.some((p) => p.outputs.includes(value))) {
        this.#rename(value, name);
        renamed.set(value, name);
      } else {
        this.#emit('Identity', [value], {}, n, name);
      }
      outputs.push({ name, elemType: elemType(n.dtype), dims: [...n.shape] });
    }
    this.#current = undefined;

    return {
      irVersion: irVersionFor(this.opset),
      opsetImports: [{ domain: '', version: this.opset }],
      producerName: 'graft',
      producerVersion: '0.2.0',
      ...(this.options.docString === undefined ? {} : { docString: this.options.docString }),
      graph: {
        name: this.options.graphName ?? 'graft',
        nodes: this.#nodes,
        initializers: this.#initializers,
        inputs: this.#inputs,
        outputs,
      },
    };
  }

  #run<K extends ExportedOp>(n: Node, entry: ExportEntry<K>): string | OnnxValue {
    if ('unsupported' in entry) throw new GraphError('exportOnnx', `${n}: unsupported ops must be rejected before export`, { node: String(n) });
    const node = n as Node<K>;
    const operand = (i: number): Node => {
      const x = node.inputs[i];
      if (x === undefined) throw new GraphError('exportOnnx', `${node} has no operand ${i}`, { node: String(node), operand: i });
      return x;
    };
    const c: ExportContext<K> = {
      node,
      attrs: node.attrs,
      opset: this.opset,
      input: (i) => this.#layouts.get(operand(i), identity(operand(i).rank)),
      permuted: (i, perm) => this.#layouts.get(operand(i), perm),
      anyLayout: (i) => {
        const v = this.#layouts.first(operand(i));
        return { name: v.value, perm: v.perm };
      },
      reshaped: (i, dims) => this.#reshape(operand(i), dims),
      int64: (values) => this.#int64(values),
      emit: (opType, inputs, attrs = {}) => this.#emit(opType, inputs, attrs, node),
    };
    return entry.emit(c);
  }

  /** A name not used before: `base`, else `base_2`, `base_3`, …. */
  #fresh(base: string): string {
    let name = base;
    for (let k = 2; this.#taken.has(name); k++) name = `${base}_${k}`;
    return this.#take(name);
  }

  #take(name: string): string {
    this.#taken.add(name);
    return name;
  }

  #emit(opType: string, inputs: readonly string[], attrs: Readonly<Record<string, Attr>>, owner: Node | undefined, output?: string): string {
    const by = owner ?? this.#current;
    const out = output ?? this.#fresh(by === undefined ? opType : baseName(by));
    const attributes: Record<string, AttributeValue> = {};
    for (const [k, v] of Object.entries(attrs)) {
      attributes[k] = typeof v === 'number' ? { type: 'int', value: v } : Array.isArray(v) ? { type: 'ints', value: v as number[] } : (v as AttributeValue);
    }
    // Node names record the graft node they come from: `conv2d#7`, `conv2d#7/Transpose`, ….
    const graftName = this.#current === undefined ? 'output' : String(this.#current);
    const name = this.#fresh(`${graftName}/${opType}`);
    this.#nodes.push({ opType, name, inputs: [...inputs], outputs: [out], attributes });
    return out;
  }

  /** Renames the value `from` (a node output) to `to` everywhere. */
  #rename(from: string, to: string): void {
    this.#nodes.forEach((n, i) => {
      if (n.inputs.includes(from) || n.outputs.includes(from)) {
        this.#nodes[i] = { ...n, inputs: n.inputs.map((x) => (x === from ? to : x)), outputs: n.outputs.map((x) => (x === from ? to : x)) };
      }
    });
  }

  /** The values of a constant or fed input, else undefined. */
  #valuesOf(n: Node): ArrayLike<number> | undefined {
    if (n.op === 'constant') return (n as Node<'constant'>).attrs.values;
    return this.#fed.get(n);
  }

  /** A view of a constant or fed input, stored as an initializer with its data permuted. */
  #direct(n: Node, perm: Perm): string | undefined {
    const values = this.#valuesOf(n);
    if (values === undefined) return undefined;
    const name = n.op === 'input' && isIdentity(perm) ? baseName(n) : this.#fresh(isIdentity(perm) ? baseName(n) : `${baseName(n)}_${layoutTag(perm)}`);
    const data = this.#floats(values);
    this.#initializers.push({
      name,
      dims: permuteShape(n.shape, perm),
      dataType: elemType(n.dtype),
      data: permuteData(data, n.shape, perm, (k) => (data instanceof Float32Array ? new Float32Array(k) : new Float64Array(k))),
    });
    return name;
  }

  #floats(values: ArrayLike<number>): Float32Array | Float64Array {
    return this.#dtype === 'float32' ? Float32Array.from(values) : Float64Array.from(values);
  }

  #reshape(n: Node, dims: readonly number[]): string {
    if (sizeOf(dims) !== n.size) throw new ShapeError('exportOnnx', `reshape of ${n} must keep its size`, { node: String(n), shape: n.shape, dims }, `${fmtShape(n.shape)} to ${fmtShape(dims)}`);
    const key = `${n.id}:${dims.join(',')}`;
    const cached = this.#reshaped.get(key);
    if (cached !== undefined) return cached;
    const values = this.#valuesOf(n);
    let name: string;
    if (values !== undefined) {
      name = this.#fresh(`${baseName(n)}_r${dims.join('x')}`);
      this.#initializers.push({ name, dims: [...dims], dataType: elemType(n.dtype), data: this.#floats(values) });
    } else {
      name = this.#emit('Reshape', [this.#layouts.get(n, identity(n.rank)), this.#int64(dims)], {}, undefined);
    }
    this.#reshaped.set(key, name);
    return name;
  }

  #int64(values: readonly (number | bigint)[]): string {
    const key = values.join(',');
    const cached = this.#int64s.get(key);
    if (cached !== undefined) return cached;
    const name = this.#fresh(`i64_${values.length === 0 ? 'empty' : values.map((v) => (v === -(2n ** 63n) ? 'min' : String(v))).join('_')}`);
    this.#initializers.push({ name, dims: [values.length], dataType: DataType.INT64, data: BigInt64Array.from(values.map((v) => BigInt(v))) });
    this.#int64s.set(key, name);
    return name;
  }
}

/** The ONNX name of a graft node's value: an input's own name, else op and id (`conv2d7`). */
function baseName(n: Node): string {
  return n.op === 'input' ? (n as Node<'input'>).attrs.name : `${n.op}${n.id}`;
}

/** A name suffix for a value seen in `perm` order. */
function layoutTag(perm: Perm): string {
  if (perm.length === 4 && perm.join() === NCHW.join()) return 'nchw';
  if (perm.length === 4 && perm.join() === OIHW.join()) return 'oihw';
  if (perm.length === 4 && isIdentity(perm)) return 'nhwc';
  return `t${perm.join('')}`;
}
