import {
  AttrError,
  Graph,
  ShapeError,
  allocate,
  checkShape,
  fmtShape,
  isDType,
  shapesEqual,
  sizeOf,
  type DType,
  type FloatArray,
  type Node,
  type Shape,
} from '@graft/ir';
import type { Fans, Initializer } from './init.ts';
import type { Layer, LayerScope } from './layers.ts';
import { streamFor } from './random.ts';

/** A trainable tensor the model owns: its values live here, in the model's dtype. */
export interface Parameter {
  /** `layer/local`, e.g. `conv2d1/w`; also the name of its graph input. */
  readonly name: string;
  readonly shape: Shape;
  /** Current values (row-major); training and `setWeights` overwrite them in place. */
  readonly value: FloatArray;
  /** The initialiser that produced the first values. */
  readonly init: string;
}

/** What a model build function receives. */
export interface BuildContext {
  readonly g: Graph;
  readonly training: boolean;
  /** Builds `layer` on `x` under a unique name (`conv2d1`, `conv2d2`, … in build order). */
  apply(layer: Layer, x: Node): Node;
}

export type BuildFn = (x: Node, ctx: BuildContext) => Node;

export interface ModelOptions {
  /** Shape of one example, without the batch axis, e.g. `[28, 28, 1]`. */
  readonly inputShape: readonly number[];
  /** Default float32. */
  readonly dtype?: DType;
  /** Seed of the initial weights (default 0). Each parameter draws from its own stream of `(seed, name)`. */
  readonly seed?: number;
}

/** The nodes of one build of a model in a graph. */
export interface ModelGraph {
  readonly output: Node;
  /** Parameter nodes (graph inputs) by parameter name. */
  readonly params: ReadonlyMap<string, Node>;
  /** Uniform-noise inputs (dropout) by name; fed fresh each training step. */
  readonly noise: ReadonlyMap<string, Node>;
  /** The layer whose build created a node, for error messages. */
  layerOf(n: Node): string | undefined;
}

/**
 * A model: a build function from an input node to an output node, and the parameters it
 * declares, whose values the model owns. The graph is rebuilt for each use (training with
 * dropout, evaluation without, any batch size); parameters enter it as inputs named by
 * parameter and are fed from `params` on every run.
 */
export class Model {
  readonly inputShape: Shape;
  readonly dtype: DType;
  readonly seed: number;
  /** Shape of one example's output. */
  readonly outputShape: Shape;
  readonly #params = new Map<string, Parameter>();
  readonly #build: BuildFn;
  readonly #layers: { name: string; kind: string; config: string; out: Shape; params: string[] }[] = [];

  constructor(build: BuildFn, options: ModelOptions) {
    if (typeof build !== 'function') throw new AttrError('Model', 'build must be a function (x, ctx) => output', { build });
    if (options === null || typeof options !== 'object') throw new AttrError('Model', 'options must be an object with inputShape', {});
    this.inputShape = checkShape('Model', 'inputShape', options.inputShape);
    const dtype = options.dtype ?? 'float32';
    if (!isDType(dtype)) throw new AttrError('Model', "dtype must be 'float32' or 'float64'", { dtype });
    this.dtype = dtype;
    const seed = options.seed ?? 0;
    if (!Number.isInteger(seed)) throw new AttrError('Model', 'seed must be an integer', { seed });
    this.seed = seed;
    this.#build = build;
    // A first build at batch 1 declares and initialises the parameters.
    const g = new Graph({ dtype });
    const built = this.#run(g, g.input('x', [1, ...this.inputShape]), true, true);
    this.outputShape = Object.freeze(built.output.shape.slice(1));
  }

  /** Parameters in declaration order. */
  get params(): ReadonlyMap<string, Parameter> {
    return this.#params;
  }

  /** Number of trainable values. */
  get parameterCount(): number {
    let n = 0;
    for (const p of this.#params.values()) n += p.value.length;
    return n;
  }

  /**
   * Builds the model on `x` (`[batch, ...inputShape]`, in the model's dtype) in x's graph.
   * `training` turns dropout on.
   */
  apply(x: Node, options: { readonly training: boolean }): ModelGraph {
    if (x.dtype !== this.dtype) throw new ShapeError('Model.apply', `x must be ${this.dtype}, got ${x.dtype}`, {});
    if (x.rank !== this.inputShape.length + 1 || !shapesEqual(x.shape.slice(1), this.inputShape)) {
      throw new ShapeError('Model.apply', `x must have shape [batch, ${this.inputShape.join(', ')}], got ${fmtShape(x.shape)}`, {});
    }
    return this.#run(x.graph, x, options.training, false);
  }

  #run(g: Graph, x: Node, training: boolean, declare: boolean): ModelGraph {
    const params = new Map<string, Node>();
    const noise = new Map<string, Node>();
    const ranges: { name: string; start: number; end: number }[] = [];
    const counts = new Map<string, number>();
    const used = new Set<string>();
    const apply = (layer: Layer, input: Node): Node => {
      let name = layer.name;
      if (name === undefined) {
        const k = (counts.get(layer.kind) ?? 0) + 1;
        counts.set(layer.kind, k);
        name = `${layer.kind}${k}`;
      }
      if (used.has(name)) throw new AttrError('Model', `layer names must be unique; "${name}" is used twice`, { name });
      if (name.includes('/')) throw new AttrError('Model', 'layer names must not contain "/"', { name });
      used.add(name);
      const layerName = name;
      const own: string[] = [];
      const scope: LayerScope = {
        g,
        training,
        name: layerName,
        param: (local, shape, init, fans) => {
          const full = `${layerName}/${local}`;
          if (params.has(full)) throw new AttrError(layerName, `parameter "${full}" is declared twice`, {});
          const node = g.input(full, shape, this.dtype);
          this.#declare(full, node.shape, init, fans, declare);
          params.set(full, node);
          own.push(full);
          return node;
        },
        noise: (local, shape) => {
          const full = `${layerName}/${local}`;
          const node = g.input(full, shape, this.dtype);
          noise.set(full, node);
          return node;
        },
      };
      const first = g.nodes.length;
      const out = layer.build(input, scope);
      ranges.push({ name: layerName, start: first, end: g.nodes.length });
      if (declare) this.#layers.push({ name: layerName, kind: layer.kind, config: layer.config, out: out.shape.slice(1), params: own });
      return out;
    };
    const output = this.#build(x, { g, training, apply });
    if (output === null || typeof output !== 'object' || output.graph !== g) {
      throw new AttrError('Model', "build must return a node of x's graph", { output });
    }
    if (!declare) {
      const missing = [...this.#params.keys()].filter((k) => !params.has(k));
      if (missing.length > 0) throw new AttrError('Model', `build must use the same parameters every time; missing ${missing.join(', ')}`, {});
    }
    return {
      output,
      params,
      noise,
      layerOf(n: Node) {
        const id = n.provenance?.forward.id ?? n.id;
        return ranges.find((r) => r.start <= id && id < r.end)?.name;
      },
    };
  }

  #declare(name: string, shape: Shape, init: Initializer, fans: Fans, declare: boolean): void {
    const existing = this.#params.get(name);
    if (!declare) {
      if (existing === undefined) throw new AttrError('Model', `build declared a new parameter "${name}" after construction`, {});
      if (!shapesEqual(existing.shape, shape)) {
        throw new ShapeError('Model', `parameter "${name}" must keep its shape ${fmtShape(existing.shape)}, got ${fmtShape(shape)}`, {});
      }
      return;
    }
    const values = init.init(sizeOf(shape), fans, streamFor(this.seed, name));
    const value = allocate(this.dtype, values.length);
    value.set(values);
    this.#params.set(name, { name, shape, value, init: init.name });
  }

  /** Copies of the current values by parameter name. */
  getWeights(): Record<string, FloatArray> {
    const out: Record<string, FloatArray> = {};
    for (const [name, p] of this.#params) out[name] = p.value.slice();
    return out;
  }

  /**
   * Replaces every parameter's values. All names, lengths and dtypes are checked before
   * anything is written, so a failure leaves the model unchanged.
   */
  setWeights(weights: Readonly<Record<string, FloatArray>>): void {
    const names = Object.keys(weights);
    const unknown = names.filter((n) => !this.#params.has(n));
    const missing = [...this.#params.keys()].filter((n) => !(n in weights));
    if (unknown.length > 0 || missing.length > 0) {
      throw new ShapeError('setWeights', 'weights must name exactly the model\'s parameters', { missing, unknown });
    }
    for (const [name, p] of this.#params) {
      const v = weights[name]!;
      const want = this.dtype === 'float32' ? Float32Array : Float64Array;
      if (!(v instanceof want)) throw new ShapeError('setWeights', `"${name}" must be a ${want.name}`, {});
      if (v.length !== p.value.length) {
        throw new ShapeError('setWeights', `"${name}" must have ${p.value.length} values for shape ${fmtShape(p.shape)}, got ${v.length}`, {});
      }
    }
    for (const [name, p] of this.#params) p.value.set(weights[name]!);
  }

  /** One line per layer: name, output shape, parameters. */
  summary(): string {
    const rows = this.#layers.map((l) => {
      const n = l.params.reduce((s, p) => s + this.#params.get(p)!.value.length, 0);
      return `${l.name.padEnd(18)} ${fmtShape(l.out).padEnd(16)} ${String(n).padStart(8)}  ${l.config}`;
    });
    return [`${'layer'.padEnd(18)} ${'output'.padEnd(16)} ${'params'.padStart(8)}`, ...rows, `total ${this.parameterCount} parameters (${this.dtype})`].join('\n');
  }
}

/** A model whose build applies `layers` in order. */
export function sequential(layers: readonly Layer[], options: ModelOptions): Model {
  if (!Array.isArray(layers) || layers.length === 0) throw new AttrError('sequential', 'layers must be a non-empty array', {});
  return new Model((x, { apply }) => layers.reduce((h, layer) => apply(layer, h), x), options);
}

/** A model from a build function: `model((x, { apply }) => apply(dense({ units: 10 }), x), { inputShape })`. */
export function model(build: BuildFn, options: ModelOptions): Model {
  return new Model(build, options);
}
