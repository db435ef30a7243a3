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
import type { Layer, LayerScope, MergeLayer } from './layers.ts';
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

/**
 * A tensor the model owns that training does not differentiate but updates by a rule (a batch
 * norm's moving mean and variance): its values live here, in the model's dtype.
 */
export interface StateTensor {
  /** `layer/local`, e.g. `batchNorm1/movingMean`; also the name of its graph input. */
  readonly name: string;
  readonly shape: Shape;
  /** Current values; training steps and `setWeights` overwrite them in place. */
  readonly value: FloatArray;
  readonly init: string;
}

/** What a model build function receives. */
export interface BuildContext {
  readonly g: Graph;
  readonly training: boolean;
  /**
   * Builds `layer` on `x` (a merge layer on several nodes) under a unique name (`conv2d1`,
   * `conv2d2`, … in build order).
   */
  apply(layer: Layer, x: Node): Node;
  apply(layer: MergeLayer, xs: readonly Node[]): Node;
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
  /** State inputs (graph inputs fed from `model.state`) by state name. */
  readonly state: ReadonlyMap<string, Node>;
  /** In a training build: the new value of each state tensor the step computes (e.g. moving statistics). */
  readonly updates: ReadonlyMap<string, Node>;
  /** The layer whose build created a node, for error messages. */
  layerOf(n: Node): string | undefined;
}

/**
 * A model: a build function from an input node to an output node, and the parameters (and
 * state tensors, such as moving statistics) it declares, whose values the model owns. The
 * graph is rebuilt for each use (training with dropout and batch statistics, evaluation
 * without, any batch size); parameters and state enter it as inputs named after them and are
 * fed from `params` and `state` on every run.
 */
export class Model {
  readonly inputShape: Shape;
  readonly dtype: DType;
  readonly seed: number;
  /** Shape of one example's output. */
  readonly outputShape: Shape;
  readonly #params = new Map<string, Parameter>();
  readonly #state = new Map<string, StateTensor>();
  readonly #build: BuildFn;
  readonly #layers: { name: string; kind: string; config: string; out: Shape; params: string[] }[] = [];

  constructor(build: BuildFn, options: ModelOptions) {
    if (typeof build !== 'function') throw new AttrError('Model', 'build must be a function (x, ctx) => output', { build });
    if (options === null || typeof options !== 'object') throw new AttrError('Model', 'options must be an object with inputShape', { options: String(options) });
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

  /** State tensors (not trained by gradients, updated by training steps) in declaration order. */
  get state(): ReadonlyMap<string, StateTensor> {
    return this.#state;
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
    if (x.dtype !== this.dtype) throw new ShapeError('Model.apply', `x must be ${this.dtype}, got ${x.dtype}`, { dtype: x.dtype, expected: this.dtype });
    if (x.rank !== this.inputShape.length + 1 || !shapesEqual(x.shape.slice(1), this.inputShape)) {
      throw new ShapeError('Model.apply', `x must have shape [batch, ${this.inputShape.join(', ')}], got ${fmtShape(x.shape)}`, { x: x.shape, inputShape: this.inputShape });
    }
    return this.#run(x.graph, x, options.training, false);
  }

  #run(g: Graph, x: Node, training: boolean, declare: boolean): ModelGraph {
    const params = new Map<string, Node>();
    const noise = new Map<string, Node>();
    const state = new Map<string, Node>();
    const updates = new Map<string, Node>();
    const ranges: { name: string; start: number; end: number }[] = [];
    const counts = new Map<string, number>();
    const used = new Set<string>();
    const apply = (layer: Layer | MergeLayer, input: Node | readonly Node[]): Node => {
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
          if (params.has(full)) throw new AttrError(layerName, `parameter "${full}" is declared twice`, { name: full });
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
        state: (local, shape, init) => {
          const full = `${layerName}/${local}`;
          if (state.has(full)) throw new AttrError(layerName, `state "${full}" is declared twice`, { name: full });
          const node = g.input(full, shape, this.dtype);
          this.#declareState(full, node.shape, init, declare);
          state.set(full, node);
          own.push(full);
          return node;
        },
        update: (local, value) => {
          const full = `${layerName}/${local}`;
          const current = state.get(full);
          if (current === undefined) throw new AttrError(layerName, `update of "${full}" needs the state declared first (scope.state)`, { name: full });
          if (!shapesEqual(value.shape, current.shape) || value.graph !== g) {
            throw new ShapeError(layerName, `the update of "${full}" must be a node of shape ${fmtShape(current.shape)} in the model's graph, got ${fmtShape(value.shape)}`, { name: full, shape: current.shape, got: value.shape });
          }
          if (updates.has(full)) throw new AttrError(layerName, `"${full}" is updated twice`, { name: full });
          if (training) updates.set(full, value);
        },
      };
      const first = g.nodes.length;
      const out = 'merge' in layer ? buildMerge(layer, input, scope) : buildLayer(layer, input, scope);
      ranges.push({ name: layerName, start: first, end: g.nodes.length });
      if (declare) this.#layers.push({ name: layerName, kind: layer.kind, config: layer.config, out: out.shape.slice(1), params: own });
      return out;
    };
    const output = this.#build(x, { g, training, apply: apply as BuildContext['apply'] });
    if (output === null || typeof output !== 'object' || output.graph !== g) {
      throw new AttrError('Model', "build must return a node of x's graph", { output });
    }
    if (!declare) {
      const missing = [...this.#params.keys(), ...this.#state.keys()].filter((k) => !params.has(k) && !state.has(k));
      if (missing.length > 0) throw new AttrError('Model', `build must use the same parameters every time; missing ${missing.join(', ')}`, { missing });
    }
    return {
      output,
      params,
      noise,
      state,
      updates,
      layerOf(n: Node) {
        const id = n.provenance?.forward.id ?? n.id;
        return ranges.find((r) => r.start <= id && id < r.end)?.name;
      },
    };
  }

  #declare(name: string, shape: Shape, init: Initializer, fans: Fans, declare: boolean): void {
    const existing = this.#params.get(name);
    if (!declare) {
      if (existing === undefined) throw new AttrError('Model', `build declared a new parameter "${name}" after construction`, { name });
      if (!shapesEqual(existing.shape, shape)) {
        throw new ShapeError('Model', `parameter "${name}" must keep its shape ${fmtShape(existing.shape)}, got ${fmtShape(shape)}`, { name, shape: existing.shape, got: shape });
      }
      return;
    }
    const values = init.init(sizeOf(shape), fans, streamFor(this.seed, name));
    const value = allocate(this.dtype, values.length);
    value.set(values);
    this.#params.set(name, { name, shape, value, init: init.name });
  }

  #declareState(name: string, shape: Shape, init: Initializer, declare: boolean): void {
    const existing = this.#state.get(name);
    if (!declare) {
      if (existing === undefined) throw new AttrError('Model', `build declared new state "${name}" after construction`, { name });
      if (!shapesEqual(existing.shape, shape)) {
        throw new ShapeError('Model', `state "${name}" must keep its shape ${fmtShape(existing.shape)}, got ${fmtShape(shape)}`, { name, shape: existing.shape, got: shape });
      }
      return;
    }
    if (this.#params.has(name)) throw new AttrError('Model', `"${name}" is a parameter and state at once`, { name });
    const values = init.init(sizeOf(shape), { fanIn: 1, fanOut: 1 }, streamFor(this.seed, name));
    const value = allocate(this.dtype, values.length);
    value.set(values);
    this.#state.set(name, { name, shape, value, init: init.name });
  }

  /** Every tensor the model owns (parameters, then state), by name. */
  #tensors(): Map<string, Parameter | StateTensor> {
    return new Map<string, Parameter | StateTensor>([...this.#params, ...this.#state]);
  }

  /** Copies of the current values by name: every parameter, then every state tensor (moving statistics). */
  getWeights(): Record<string, FloatArray> {
    const out: Record<string, FloatArray> = {};
    for (const [name, p] of this.#tensors()) out[name] = p.value.slice();
    return out;
  }

  /**
   * Replaces the values of every parameter and state tensor. All names, lengths and dtypes
   * are checked before anything is written, so a failure leaves the model unchanged.
   */
  setWeights(weights: Readonly<Record<string, FloatArray>>): void {
    const tensors = this.#tensors();
    const names = Object.keys(weights);
    const unknown = names.filter((n) => !tensors.has(n));
    const missing = [...tensors.keys()].filter((n) => !Object.hasOwn(weights, n));
    if (unknown.length > 0 || missing.length > 0) {
      throw new ShapeError('setWeights', 'weights must name exactly the model\'s parameters and state', { missing, unknown });
    }
    for (const [name, p] of tensors) {
      const v = weights[name]!;
      const want = this.dtype === 'float32' ? Float32Array : Float64Array;
      if (!(v instanceof want)) throw new ShapeError('setWeights', `"${name}" must be a ${want.name}`, { name, expected: want.name, got: v === null ? 'null' : typeof v === 'object' ? (v as object).constructor.name : typeof v });
      if (v.length !== p.value.length) {
        throw new ShapeError('setWeights', `"${name}" must have ${p.value.length} values for shape ${fmtShape(p.shape)}, got ${v.length}`, { name, expected: p.value.length, shape: p.shape, length: v.length });
      }
    }
    for (const [name, p] of tensors) p.value.set(weights[name]!);
  }

  /** One line per layer: name, output shape, parameters (state values counted apart). */
  summary(): string {
    const rows = this.#layers.map((l) => {
      const n = l.params.reduce((s, p) => s + (this.#params.get(p)?.value.length ?? 0), 0);
      return `${l.name.padEnd(18)} ${fmtShape(l.out).padEnd(16)} ${String(n).padStart(8)}  ${l.config}`;
    });
    const stateCount = [...this.#state.values()].reduce((s, t) => s + t.value.length, 0);
    const total = `total ${this.parameterCount} parameters${stateCount > 0 ? ` and ${stateCount} state values` : ''} (${this.dtype})`;
    return [`${'layer'.padEnd(18)} ${'output'.padEnd(16)} ${'params'.padStart(8)}`, ...rows, total].join('\n');
  }
}

function buildLayer(layer: Layer, input: Node | readonly Node[], scope: LayerScope): Node {
  if (Array.isArray(input)) throw new AttrError(scope.name, `${layer.kind} takes one input; merge layers (add, concatenate) take several`, { layer: layer.kind, inputs: input.length });
  return layer.build(input as Node, scope);
}

function buildMerge(layer: MergeLayer, input: Node | readonly Node[], scope: LayerScope): Node {
  if (!Array.isArray(input) || input.length === 0) throw new AttrError(scope.name, `${layer.kind} takes a non-empty array of inputs`, { layer: layer.kind, inputs: Array.isArray(input) ? 0 : String(input) });
  return layer.merge(input as readonly Node[], scope);
}

/** A model whose build applies `layers` in order. */
export function sequential(layers: readonly Layer[], options: ModelOptions): Model {
  if (!Array.isArray(layers) || layers.length === 0) throw new AttrError('sequential', 'layers must be a non-empty array', { layers: Array.isArray(layers) ? 0 : String(layers) });
  return new Model((x, { apply }) => layers.reduce((h, layer) => apply(layer, h), x), options);
}

/** A model from a build function: `model((x, { apply }) => apply(dense({ units: 10 }), x), { inputShape })`. */
export function model(build: BuildFn, options: ModelOptions): Model {
  return new Model(build, options);
}

/**
 * A value of a functional model before it is built: the model's input, or a layer applied
 * to earlier values. `apply` makes them; `functional` turns the graph of them into a model.
 */
export interface SymbolicTensor {
  readonly kind: 'symbolic';
  /** Creation order (the order the layers are built in, which numbers them). */
  readonly id: number;
  readonly layer: Layer | MergeLayer | undefined;
  readonly inputs: readonly SymbolicTensor[];
}

let symbols = 0;

/** The input of a functional model (`[batch, ...inputShape]` when built). */
export function input(): SymbolicTensor {
  return Object.freeze({ kind: 'symbolic', id: symbols++, layer: undefined, inputs: [] });
}

/**
 * A layer applied to a value of a functional model, or a merge layer (`add`, `concatenate`)
 * to several: the functional model API for graphs that are not a chain,
 *
 * ```ts
 * const x = input();
 * const h = apply(batchNorm(), apply(conv2d({ filters: 8, kernel: 3, padding: 'SAME', useBias: false }), x));
 * const y = apply(add(), [apply(relu(), h), x]);          // a residual connection
 * const m = functional(x, apply(dense({ units: 10 }), apply(globalAvgPool(), y)), { inputShape: [28, 28, 8] });
 * ```
 *
 * Each application is a layer of its own (its own parameters), named by kind in order of
 * application.
 */
export function apply(layer: Layer, x: SymbolicTensor): SymbolicTensor;
export function apply(layer: MergeLayer, xs: readonly SymbolicTensor[]): SymbolicTensor;
export function apply(layer: Layer | MergeLayer, x: SymbolicTensor | readonly SymbolicTensor[]): SymbolicTensor {
  const inputs = Array.isArray(x) ? (x as readonly SymbolicTensor[]) : [x as SymbolicTensor];
  const merge = 'merge' in layer;
  if (merge !== Array.isArray(x)) {
    throw new AttrError('apply', merge ? `${layer.kind} merges several values: pass an array` : `${layer.kind} takes one value, not an array`, { layer: layer.kind, merge });
  }
  for (const t of inputs) {
    if (t === null || typeof t !== 'object' || t.kind !== 'symbolic') throw new AttrError('apply', 'inputs must be values made by input() or apply()', { input: t });
  }
  return Object.freeze({ kind: 'symbolic', id: symbols++, layer, inputs: Object.freeze([...inputs]) });
}

/**
 * A model from a graph of applied layers (`input`, `apply`): building it applies every layer
 * the output needs once, in the order they were applied, so values read twice (a residual's
 * shortcut) are computed once.
 */
export function functional(inputTensor: SymbolicTensor, output: SymbolicTensor, options: ModelOptions): Model {
  // The values the output needs, found from it, in creation (topological) order.
  const needed = new Map<number, SymbolicTensor>();
  const stack = [output];
  while (stack.length > 0) {
    const t = stack.pop()!;
    if (needed.has(t.id)) continue;
    needed.set(t.id, t);
    stack.push(...t.inputs);
  }
  const order = [...needed.values()].sort((a, b) => a.id - b.id);
  const inputs = order.filter((t) => t.layer === undefined);
  if (inputs.length !== 1 || inputs[0] !== inputTensor) {
    throw new AttrError('functional', 'the output must depend on the given input and on no other input()', { inputs: inputs.length });
  }
  return new Model((x, { apply: build }) => {
    const values = new Map<SymbolicTensor, Node>([[inputTensor, x]]);
    for (const t of order) {
      if (t.layer === undefined) continue;
      const args = t.inputs.map((i) => values.get(i)!);
      values.set(t, 'merge' in t.layer ? build(t.layer, args) : build(t.layer, args[0]!));
    }
    return values.get(output)!;
  }, options);
}
