/**
 * `importOnnx`: an ONNX model → a graft graph, so a model made elsewhere can be compiled,
 * run on graft's executors and differentiated (input gradients of a classifier, say). Each
 * ONNX node becomes the graft nodes of its entry in `importRules`; values live in whichever
 * axis order their producer left them (see layouts.ts).
 */
import { AttrError, GraftError, Graph, isDType, type DType, type FloatArray, type Node } from '@graft/ir';
import { OnnxImportError, type UnsupportedNode } from './errors.ts';
import type { GraftView, ImportContext, ImportResult } from './import-context.ts';
import { Unsupported } from './import-context.ts';
import { importRules } from './import-rules.ts';
import { Layouts, identity, permuteData, permuteShape, type Perm } from './layouts.ts';
import { DataType, decodeModel, type ModelProto, type NodeProto, type Tensor } from './onnx-proto.ts';

/** The oldest ai.onnx opset read (Pad and Slice take their amounts as inputs from 11, as graft's exporter writes them). */
export const MIN_IMPORT_OPSET = 11;

export interface ImportOptions {
  /** dtype of the graft graph (default: float64 if the model's inputs are DOUBLE, else float32); float64 for gradient checks. */
  readonly dtype?: DType;
  /** Sizes of symbolic dimensions by name, e.g. `{ N: 8 }` for an input of shape `['N', 1, 28, 28]`. */
  readonly dims?: Readonly<Record<string, number>>;
  /**
   * `'constants'` (default): float initializers become graft constants. `'inputs'`: they become
   * graft inputs named after them, with their values in `weights` (to differentiate with
   * respect to them, or to change them), in the axis order graft uses them in.
   */
  readonly initializers?: 'constants' | 'inputs';
}

export interface ImportedModel {
  readonly graph: Graph;
  /** The model's data inputs (graph inputs that are not initializers), by name, in ONNX's axis order. */
  readonly inputs: Readonly<Record<string, Node<'input'>>>;
  /** The model's outputs, by name, in ONNX's axis order. */
  readonly outputs: Readonly<Record<string, Node>>;
  /** With `initializers: 'inputs'`: each initializer's values, in its graft input's shape and order. */
  readonly weights: Readonly<Record<string, FloatArray>>;
  /** The decoded model. */
  readonly model: ModelProto;
}

/**
 * Imports an ONNX model (serialised ModelProto bytes, or one decoded by `decodeModel`) into a
 * new graft graph. Shapes must be static (or named in `dims`). Throws `OnnxImportError`
 * listing every node whose op type or attributes have no graft mapping.
 */
export function importOnnx(source: Uint8Array | ModelProto, options: ImportOptions = {}): ImportedModel {
  if (options === null || typeof options !== 'object') throw new AttrError('importOnnx', 'options must be an object', { options });
  if (options.dtype !== undefined && !isDType(options.dtype)) throw new AttrError('importOnnx', "dtype must be 'float32' or 'float64'", { dtype: options.dtype });
  if (options.initializers !== undefined && options.initializers !== 'constants' && options.initializers !== 'inputs') {
    throw new AttrError('importOnnx', "initializers must be 'constants' or 'inputs'", { initializers: options.initializers });
  }
  const model = source instanceof Uint8Array ? decodeModel(source) : source;
  return new Importer(model, options).run();
}

const floatTypes: readonly number[] = [DataType.FLOAT, DataType.DOUBLE];

class Importer {
  readonly graph: Graph;
  readonly #layouts: Layouts<string, Node>;
  /** Values known at import: initializers, Constant outputs. */
  readonly #statics = new Map<string, Tensor>();
  readonly #ranks = new Map<string, number>();
  readonly #weights: Record<string, FloatArray> = {};
  readonly #unsupported: UnsupportedNode[] = [];
  /** Outputs of nodes that could not be imported: their users are checked but not built. */
  readonly #poisoned = new Set<string>();
  readonly #opset: number;
  readonly #dtype: DType;

  constructor(
    readonly model: ModelProto,
    readonly options: ImportOptions,
  ) {
    const opset = model.opsetImports.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version;
    if (opset === undefined) throw new AttrError('importOnnx', 'the model must import the default (ai.onnx) opset', { opsets: model.opsetImports });
    if (opset < MIN_IMPORT_OPSET) throw new AttrError('importOnnx', `the ai.onnx opset must be at least ${MIN_IMPORT_OPSET}`, { opset });
    this.#opset = opset;
    const initNames = new Set(model.graph.initializers.map((t) => t.name));
    const dataInputs = model.graph.inputs.filter((v) => !initNames.has(v.name));
    this.#dtype = options.dtype ?? (dataInputs.some((v) => v.elemType === DataType.DOUBLE) ? 'float64' : 'float32');
    this.graph = new Graph({ dtype: this.#dtype });
    this.#layouts = new Layouts<string, Node>(
      (_, from, perm) => this.graph.transpose(from, perm),
      (name, perm) => this.#direct(name, perm),
      (name) => this.#ranks.get(name) ?? this.#statics.get(name)?.dims.length ?? 0,
    );
  }

  run(): ImportedModel {
    const { graph } = this.model;
    for (const t of graph.initializers) this.#statics.set(t.name, t);
    const inputs: Record<string, Node<'input'>> = {};
    for (const v of graph.inputs) {
      if (this.#statics.has(v.name)) continue; // an initializer may also be listed as an input (IR < 4)
      const problem = (reason: string) => this.#unsupported.push({ op: 'input', node: v.name, reason });
      if (!floatTypes.includes(v.elemType)) {
        problem(`element type ${v.elemType}: graft inputs are FLOAT or DOUBLE`);
        continue;
      }
      if (v.dims === undefined) {
        problem('its shape must be given');
        continue;
      }
      const dims = v.dims.map((d) => (typeof d === 'number' ? d : this.options.dims?.[d]));
      if (dims.some((d) => d === undefined || !Number.isInteger(d) || d < 1)) {
        problem(`its shape [${v.dims.join(',')}] must be static: give sizes of symbolic dimensions in options.dims`);
        continue;
      }
      const n = this.graph.input(v.name, dims as number[]);
      inputs[v.name] = n;
      this.#setView(v.name, identity(n.rank), n);
    }

    graph.nodes.forEach((node, index) => this.#importNode(node, index));
    for (const o of graph.outputs) {
      if (!this.#poisoned.has(o.name) && !this.#ranks.has(o.name) && !this.#statics.has(o.name)) {
        this.#unsupported.push({ op: 'output', node: o.name, reason: 'no node computes it' });
      }
    }
    if (this.#unsupported.length > 0) throw new OnnxImportError(this.#unsupported);

    const outputs: Record<string, Node> = {};
    for (const o of graph.outputs) outputs[o.name] = this.#layouts.get(o.name, identity(this.#rank(o.name)));
    return { graph: this.graph, inputs, outputs, weights: this.#weights, model: this.model };
  }

  #rank(name: string): number {
    return this.#ranks.get(name) ?? this.#statics.get(name)!.dims.length;
  }

  #setView(name: string, perm: Perm, node: Node): void {
    this.#ranks.set(name, node.rank);
    this.#layouts.set(name, perm, node);
  }

  #importNode(node: NodeProto, index: number): void {
    const label = node.name !== '' ? node.name : `${node.opType} #${index} (→ ${node.outputs[0] ?? ''})`;
    const poison = (reason: string) => {
      this.#unsupported.push({ op: node.opType, node: label, reason });
      for (const o of node.outputs) this.#poisoned.add(o);
    };
    const entry = node.domain !== undefined && node.domain !== '' && node.domain !== 'ai.onnx' ? undefined : importRules[node.opType];
    if (entry === undefined) {
      poison(node.domain ? `domain "${node.domain}" is not ONNX's default` : 'no graft mapping');
      return;
    }
    const reason = entry.check?.(node, this.#opset);
    if (reason !== undefined) {
      poison(reason);
      return;
    }
    const missing = node.inputs.filter((i) => i !== '' && !this.#known(i));
    if (missing.some((i) => this.#poisoned.has(i))) {
      for (const o of node.outputs) this.#poisoned.add(o);
      return;
    }
    if (missing.length > 0) {
      poison(`its inputs ${missing.map((m) => `"${m}"`).join(', ')} are not computed before it`);
      return;
    }
    let result: ImportResult;
    try {
      result = entry.build(this.#context(node));
    } catch (e) {
      if (e instanceof Unsupported || e instanceof GraftError) {
        poison(e.message);
        return;
      }
      throw e;
    }
    const out = node.outputs[0] ?? '';
    if ('tensor' in result) this.#statics.set(out, result.tensor);
    else if ('perm' in result) this.#setView(out, result.perm, result.node);
    else this.#setView(out, identity(result.rank), result);
  }

  #known(name: string): boolean {
    return this.#ranks.has(name) || this.#statics.has(name);
  }

  #context(node: NodeProto): ImportContext {
    const name = (i: number): string => {
      const n = node.inputs[i];
      if (n === undefined || n === '') throw new Unsupported(`operand ${i} is required`);
      return n;
    };
    const shapeOf = (i: number): readonly number[] => {
      const v = name(i);
      const s = this.#statics.get(v);
      if (s !== undefined) return s.dims;
      const view = this.#layouts.first(v);
      const shape = new Array<number>(view.perm.length);
      view.perm.forEach((p, k) => (shape[p] = view.value.shape[k]!));
      return shape;
    };
    const attr = node.attributes;
    const typed = <T extends string>(key: string, type: T) => {
      const a = attr[key];
      if (a !== undefined && a.type !== type) throw new Unsupported(`attribute ${key} must be of type ${type}, got ${a.type}`);
      return a as Extract<typeof a, { type: T }> | undefined;
    };
    return {
      g: this.graph,
      node,
      opset: this.#opset,
      dtype: this.#dtype,
      has: (i) => (node.inputs[i] ?? '') !== '',
      shape: shapeOf,
      input: (i) => this.#layouts.get(name(i), identity(shapeOf(i).length)),
      permuted: (i, perm) => this.#layouts.get(name(i), perm),
      anyLayout: (i): GraftView => {
        const v = this.#layouts.first(name(i));
        return { node: v.value, perm: v.perm };
      },
      reshaped: (i, dims) => {
        const t = this.#statics.get(name(i));
        if (t !== undefined && this.options.initializers !== 'inputs' && floatTypes.includes(t.dataType)) {
          return this.graph.constant(t.data as Float32Array | Float64Array, dims);
        }
        const input = this.#layouts.get(name(i), identity(shapeOf(i).length));
        return input.shape.join() === dims.join() ? input : this.graph.reshape(input, dims);
      },
      values: (i) => this.#statics.get(node.inputs[i] ?? ''),
      intsOf: (i, what) => {
        const t = this.#statics.get(name(i));
        if (t === undefined) throw new Unsupported(`${what} must be known at import (an initializer or a Constant)`);
        return Array.from(t.data as ArrayLike<number | bigint>, (v) => Number(v));
      },
      int: (key, fallback) => typed(key, 'int')?.value ?? fallback,
      ints: (key, fallback) => typed(key, 'ints')?.value ?? fallback,
      float: (key, fallback) => typed(key, 'float')?.value ?? fallback,
      string: (key, fallback) => typed(key, 'string')?.value ?? fallback,
    };
  }

  /** A view of a value known at import: a constant (or input) holding its data permuted. */
  #direct(name: string, perm: Perm): Node | undefined {
    const t = this.#statics.get(name);
    if (t === undefined) return undefined;
    if (!floatTypes.includes(t.dataType)) throw new Unsupported(`tensor "${name}" of element type ${t.dataType} cannot be a graft value (FLOAT or DOUBLE)`);
    const data = t.data as Float32Array | Float64Array;
    const shape = permuteShape(t.dims, perm);
    const values = permuteData(data, t.dims, perm, (k) => (this.#dtype === 'float32' ? new Float32Array(k) : new Float64Array(k)));
    const isInitializer = this.model.graph.initializers.includes(t);
    if (this.options.initializers === 'inputs' && isInitializer) {
      if (name in this.#weights) return undefined; // one input per initializer; other orders transpose it
      this.#weights[name] = values;
      return this.graph.input(name, shape);
    }
    return this.graph.constant(values, shape);
  }
}
