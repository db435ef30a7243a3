import { isDType, type DType } from './dtype.ts';
import { AttrError, GraphError, ShapeError, fmtShape } from './errors.ts';
import { checkName } from './names.ts';
import { Node, type Provenance } from './node.ts';
import { ops, type AttrsOf, type OpName, type OptionsOf } from './ops/index.ts';
import { operandName, type AnyOpRecord, type ElementwiseRecord } from './ops/record.ts';
import type { ConcatOptions } from './ops/concat.ts';
import type { DepthwiseOptions } from './ops/depthwise-common.ts';
import type { DepthwiseBackpropFilterOptions } from './ops/depthwise-conv2d-backprop-filter.ts';
import type { DepthwiseBackpropInputOptions } from './ops/depthwise-conv2d-backprop-input.ts';
import type { BackpropFilterOptions } from './ops/conv2d-backprop-filter.ts';
import type { BackpropInputOptions } from './ops/conv2d-backprop-input.ts';
import type { TransposeConvOptions } from './ops/conv2d-transpose.ts';
import type { ConvOptions } from './ops/conv-common.ts';
import type { PoolOptions } from './ops/pool-common.ts';
import type { PairLike } from './shape/conv.ts';
import { checkShape, checkSize, sizeOf, type Shape } from './shape/shape.ts';

export interface GraphOptions {
  /** dtype of inputs and constants unless given; default float32. */
  readonly dtype?: DType;
}

/** An operand: a node of this graph, or a number (a scalar constant of the other operand's dtype). */
export type Operand = Node | number;

/**
 * A graph of tensor ops. Nodes are immutable and appended in topological order; `grad`
 * and rewrites add nodes, never change them.
 */
export class Graph {
  readonly dtype: DType;
  readonly #nodes: Node[] = [];
  readonly #inputs = new Map<string, Node<'input'>>();
  #provenance: Provenance | undefined;

  constructor(options: GraphOptions = {}) {
    const dtype = options.dtype ?? 'float32';
    if (!isDType(dtype)) throw new AttrError('Graph', "dtype must be 'float32' or 'float64'", { dtype });
    this.dtype = dtype;
  }

  /** All nodes, in creation (topological) order. */
  get nodes(): readonly Node[] {
    return this.#nodes;
  }

  /** Input nodes by name. */
  get inputs(): ReadonlyMap<string, Node<'input'>> {
    return this.#inputs;
  }

  /** Declares a tensor fed at run time. */
  input(name: string, shape: readonly number[], dtype: DType = this.dtype): Node<'input'> {
    checkName('input', 'name', name);
    if (this.#inputs.has(name)) throw new AttrError('input', `name must be unique in the graph, "${name}" is taken`, { name });
    if (!isDType(dtype)) throw new AttrError('input', "dtype must be 'float32' or 'float64'", { dtype });
    const s = checkShape('input', 'shape', shape);
    const n = this.#push(ops.input, [], { name }, s, dtype, undefined) as Node<'input'>;
    this.#inputs.set(name, n);
    return n;
  }

  /** A tensor whose values are part of the graph (`values` row-major, or one number for a scalar). */
  constant(values: ArrayLike<number> | number, shape: readonly number[] = [], dtype: DType = this.dtype): Node<'constant'> {
    const s = Array.isArray(shape) && shape.length === 0 ? [] : checkShape('constant', 'shape', shape);
    const v = typeof values === 'number' ? [values] : values;
    if (v === null || typeof v !== 'object' || typeof v.length !== 'number') {
      throw new AttrError('constant', 'values must be a number or an array of numbers', { values: typeof values === 'object' ? String(values) : values });
    }
    if (v.length !== sizeOf(s)) {
      throw new ShapeError('constant', `values length (${v.length}) must equal the shape's size (${sizeOf(s)})`, { length: v.length, size: sizeOf(s), shape: s }, `shape ${fmtShape(s)}`);
    }
    const stored = Float64Array.from(v as ArrayLike<number>);
    for (let i = 0; i < stored.length; i++) {
      if (typeof (v as ArrayLike<unknown>)[i] !== 'number') {
        throw new AttrError('constant', 'values must be numbers', { index: i, value: (v as ArrayLike<unknown>)[i] });
      }
    }
    if (!isDType(dtype)) throw new AttrError('constant', "dtype must be 'float32' or 'float64'", { dtype });
    return this.#push(ops.constant, [], { values: stored }, s, dtype, undefined) as Node<'constant'>;
  }

  /**
   * Applies any op by name to operands with options; the generic form behind every builder
   * method and what rewrites use to rebuild nodes.
   */
  node<K extends Exclude<OpName, 'input' | 'constant'>>(op: K, operands: readonly Operand[], opts: OptionsOf<K>): Node<K> {
    return this.#build(ops[op] as AnyOpRecord, operands, opts) as Node<K>;
  }

  /**
   * Applies an elementwise op given by its record, which need not be in the IR's op table:
   * the record (its arithmetic and derivative) is all autodiff, the compiler and every
   * executor need.
   *
   * ```ts
   * const softplus = unaryOp('softplus', 'y = ln(1 + eˣ)', (x) => S.log(S.add(1, S.exp(x))), (g, x, _y, t) => g.mul(t, g.sigmoid(x)));
   * const y = g.apply(softplus, [x]);
   * ```
   */
  apply<Name extends string>(record: ElementwiseRecord<Name>, operands: readonly Operand[]): Node<Name> {
    if (record === null || typeof record !== 'object' || record.arithmetic === undefined || typeof record.infer !== 'function') {
      throw new AttrError('apply', 'record must be an elementwise op record (one with arithmetic, e.g. from unaryOp)', { record: String(record) });
    }
    return this.#build(record as AnyOpRecord, operands, {}) as Node<Name>;
  }

  #build(record: AnyOpRecord, operands: readonly Operand[], opts: unknown): Node {
    const op = record.name;
    const arity = record.operands.length;
    if (!Array.isArray(operands)) throw new AttrError(op, 'operands must be an array', { operands: String(operands) });
    if (record.variadic === true ? operands.length < arity : operands.length !== arity) {
      throw new AttrError(op, `takes ${record.variadic === true ? `at least ${arity}` : arity} operand${arity === 1 ? '' : 's'}, got ${operands.length}`, {
        operands: operands.length,
        expected: arity,
      });
    }
    const inputs = this.#resolveOperands(op, operands);
    const dtype = inputs[0]!.dtype;
    inputs.forEach((n, i) => {
      if (n.dtype !== dtype) {
        throw new ShapeError(
          op,
          `operands must share one dtype: ${operandName(record, 0)} is ${dtype}, ${operandName(record, i)} is ${n.dtype}`,
          { [operandName(record, 0)]: dtype, [operandName(record, i)]: n.dtype },
        );
      }
    });
    if (opts === null || typeof opts !== 'object') {
      throw new AttrError(op, 'options must be an object', { options: opts });
    }
    const { attrs, shape, geometry } = record.infer(inputs, opts);
    // Normalised attrs name every option an op knows, so any other key is a typo (own keys
    // only: `constructor` or `__proto__` is not an option because every object inherits it).
    const unknown = Object.keys(opts).filter((k) => !Object.hasOwn(attrs as object, k));
    if (unknown.length > 0) {
      throw new AttrError(op, `unknown option ${unknown.map((k) => JSON.stringify(k)).join(', ')}; options are ${Object.keys(attrs as object).join(', ') || 'none'}`, {
        unknown,
        options: Object.keys(attrs as object),
      });
    }
    return this.#push(record, inputs, attrs, Object.freeze([...shape]), dtype, geometry === undefined ? undefined : Object.freeze(geometry));
  }

  /**
   * Rebuilds `n` (a node of any graph) in this graph over `inputs` (nodes of this graph),
   * keeping its op, attrs and provenance; inputs are matched by name, constants copied.
   * `mapForward` translates a provenance's forward node into this graph where it exists.
   */
  rebuild(n: Node, inputs: readonly Node[], mapForward?: (forward: Node) => Node | undefined): Node {
    const build = (): Node => {
      if (n.op === 'input') {
        const { name } = (n as Node<'input'>).attrs;
        const existing = this.#inputs.get(name);
        if (existing !== undefined) {
          if (existing.dtype !== n.dtype || existing.shape.join() !== n.shape.join()) {
            throw new GraphError('rebuild', `input "${name}" already exists with another shape or dtype`, {
              name,
              shape: existing.shape,
              dtype: existing.dtype,
              newShape: n.shape,
              newDtype: n.dtype,
            });
          }
          return existing;
        }
        return this.input(name, n.shape, n.dtype);
      }
      if (n.op === 'constant') return this.constant((n as Node<'constant'>).attrs.values, n.shape, n.dtype);
      return this.#build(n.record, inputs, n.attrs);
    };
    if (n.provenance === undefined) return build();
    const forward = mapForward?.(n.provenance.forward) ?? n.provenance.forward;
    return this.withProvenance({ ...n.provenance, forward }, build);
  }

  /**
   * Runs `build` with every node it creates tagged with `provenance` (used by autodiff so
   * each gradient node records its forward node and rule).
   */
  withProvenance<T>(provenance: Provenance, build: () => T): T {
    const saved = this.#provenance;
    this.#provenance = provenance;
    try {
      return build();
    } finally {
      this.#provenance = saved;
    }
  }

  #resolveOperands(op: string, operands: readonly Operand[]): Node[] {
    const nodes = operands.filter((o): o is Node => o instanceof Node);
    for (const n of nodes) {
      if (n.graph !== this) throw new GraphError(op, `operands must belong to this graph; ${n} belongs to another`, { node: String(n) });
    }
    for (const o of operands) {
      if (!(o instanceof Node) && (typeof o !== 'number' || Number.isNaN(o))) {
        throw new AttrError(op, 'operands must be nodes or numbers (not NaN)', { operand: o });
      }
    }
    const dtype = nodes[0]?.dtype ?? this.dtype;
    return operands.map((o) => (o instanceof Node ? o : this.constant(o, [], dtype)));
  }

  #push(record: AnyOpRecord, inputs: readonly Node[], attrs: unknown, shape: Shape, dtype: DType, geometry: unknown): Node {
    // Every tensor's element count is an exact integer (a conv padded by 1e9, or an input of
    // [1e6, 1e6, 1e6, 1e6], is refused here rather than allocated later).
    checkSize(record.name, 'output', shape);
    const n = new Node(
      this.#nodes.length,
      record.name,
      Object.freeze([...inputs]),
      Object.freeze(attrs) as AttrsOf<string>,
      shape,
      dtype,
      this,
      this.#provenance,
      record,
      geometry,
    );
    this.#nodes.push(n);
    return n;
  }

  // ── builder methods (TensorFlow names) ───────────────────────────────────

  neg(x: Node): Node<'neg'> { return this.node('neg', [x], {}); }
  exp(x: Node): Node<'exp'> { return this.node('exp', [x], {}); }
  log(x: Node): Node<'log'> { return this.node('log', [x], {}); }
  relu(x: Node): Node<'relu'> { return this.node('relu', [x], {}); }
  sigmoid(x: Node): Node<'sigmoid'> { return this.node('sigmoid', [x], {}); }
  tanh(x: Node): Node<'tanh'> { return this.node('tanh', [x], {}); }
  square(x: Node): Node<'square'> { return this.node('square', [x], {}); }
  sqrt(x: Node): Node<'sqrt'> { return this.node('sqrt', [x], {}); }
  /** 1 where x > 0, else 0. */
  step(x: Node): Node<'step'> { return this.node('step', [x], {}); }

  add(a: Operand, b: Operand): Node<'add'> { return this.node('add', [a, b], {}); }
  sub(a: Operand, b: Operand): Node<'sub'> { return this.node('sub', [a, b], {}); }
  mul(a: Operand, b: Operand): Node<'mul'> { return this.node('mul', [a, b], {}); }
  div(a: Operand, b: Operand): Node<'div'> { return this.node('div', [a, b], {}); }

  /** Σ over `axes` (all when omitted). */
  sum(x: Node, axes?: readonly number[], keepDims = false): Node<'sum'> { return this.node('sum', [x], { axes, keepDims }); }
  /** Mean over `axes` (all when omitted). */
  mean(x: Node, axes?: readonly number[], keepDims = false): Node<'mean'> { return this.node('mean', [x], { axes, keepDims }); }
  /** Maximum over `axes` (all when omitted). */
  max(x: Node, axes?: readonly number[], keepDims = false): Node<'max'> { return this.node('max', [x], { axes, keepDims }); }

  softmax(x: Node, axis = -1): Node<'softmax'> { return this.node('softmax', [x], { axis }); }
  logSoftmax(x: Node, axis = -1): Node<'logSoftmax'> { return this.node('logSoftmax', [x], { axis }); }

  reshape(x: Node, shape: readonly number[]): Node<'reshape'> { return this.node('reshape', [x], { shape }); }
  transpose(x: Node, perm?: readonly number[]): Node<'transpose'> { return this.node('transpose', [x], { perm }); }
  reverse(x: Node, axes: readonly number[]): Node<'reverse'> { return this.node('reverse', [x], { axes }); }
  /** Zero padding, one `[before, after]` pair per axis; negative amounts crop. */
  pad(x: Node, pads: readonly (readonly [number, number])[]): Node<'pad'> { return this.node('pad', [x], { pads }); }
  /** Inserts `rate − 1` zeros between rows/columns of an NHWC tensor. */
  dilate(x: Node, rates: PairLike): Node<'dilate'> { return this.node('dilate', [x], { rates }); }

  /** Repeats x along size-1 and new leading axes up to `shape` (`tf.broadcast_to`). */
  broadcastTo(x: Node, shape: readonly number[]): Node<'broadcastTo'> { return this.node('broadcastTo', [x], { shape }); }

  matmul(a: Node, b: Node): Node<'matmul'> { return this.node('matmul', [a, b], {}); }
  biasAdd(x: Node, b: Node): Node<'biasAdd'> { return this.node('biasAdd', [x, b], {}); }

  conv2d(x: Node, w: Node, opts: ConvOptions = {}): Node<'conv2d'> { return this.node('conv2d', [x, w], opts); }
  conv2dBackpropInput(dy: Node, w: Node, opts: BackpropInputOptions): Node<'conv2dBackpropInput'> {
    return this.node('conv2dBackpropInput', [dy, w], opts);
  }
  conv2dBackpropFilter(x: Node, dy: Node, opts: BackpropFilterOptions): Node<'conv2dBackpropFilter'> {
    return this.node('conv2dBackpropFilter', [x, dy], opts);
  }
  conv2dTranspose(v: Node, w: Node, opts: TransposeConvOptions): Node<'conv2dTranspose'> {
    return this.node('conv2dTranspose', [v, w], opts);
  }

  /** `tf.nn.depthwise_conv2d`: w `[kh, kw, c, m]`, output channel c·m + k. */
  depthwiseConv2d(x: Node, w: Node, opts: DepthwiseOptions = {}): Node<'depthwiseConv2d'> { return this.node('depthwiseConv2d', [x, w], opts); }
  depthwiseConv2dBackpropInput(dy: Node, w: Node, opts: DepthwiseBackpropInputOptions): Node<'depthwiseConv2dBackpropInput'> {
    return this.node('depthwiseConv2dBackpropInput', [dy, w], opts);
  }
  depthwiseConv2dBackpropFilter(x: Node, dy: Node, opts: DepthwiseBackpropFilterOptions): Node<'depthwiseConv2dBackpropFilter'> {
    return this.node('depthwiseConv2dBackpropFilter', [x, dy], opts);
  }

  /** `tf.concat(xs, axis)`; default axis −1 (channels of NHWC). */
  concat(xs: readonly Node[], axis = -1): Node<'concat'> {
    if (!Array.isArray(xs)) throw new AttrError('concat', 'xs must be an array of nodes', { xs });
    return this.node('concat', xs, { axis } satisfies ConcatOptions);
  }

  maxPool(x: Node, opts: PoolOptions): Node<'maxPool'> { return this.node('maxPool', [x], opts); }
  /** Gradient of maxPool: scatters dy to each window's argmax of x. */
  maxPoolGrad(x: Node, dy: Node, opts: PoolOptions): Node<'maxPoolGrad'> { return this.node('maxPoolGrad', [x, dy], opts); }
  /** Gathers ddx at each window's argmax of x (adjoint of maxPoolGrad in its second operand). */
  maxPoolGradGrad(x: Node, ddx: Node, opts: PoolOptions): Node<'maxPoolGradGrad'> { return this.node('maxPoolGradGrad', [x, ddx], opts); }
  avgPool(x: Node, opts: PoolOptions): Node<'avgPool'> { return this.node('avgPool', [x], opts); }
}

