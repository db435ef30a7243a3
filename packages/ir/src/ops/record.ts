import type { DType } from '../dtype.ts';
import { AttrError } from '../errors.ts';
import type { Shape } from '../shape/shape.ts';
import type { Graph } from '../graph.ts';
import type { Node } from '../node.ts';
import type { NoAttrs } from './op-types.ts';
import type { Scalar } from './scalar.ts';

/** What an op knows about an operand when a node is built: its shape and dtype. */
export interface TensorType {
  readonly shape: Shape;
  readonly dtype: DType;
}

/** A configuration that tests sweep: operand shapes and the op's options. */
export interface OpExample<Opts> {
  readonly name: string;
  readonly inputs: readonly Shape[];
  readonly attrs: Opts;
}

/** What the compiler and the executors may assume of an op. */
export interface OpTraits {
  /**
   * Each output element is a function of the operands' elements at the same (broadcast)
   * index, so the op may join a fused loop.
   */
  readonly elementwise: boolean;
  /** One or two instructions per element: fusion may recompute it in several loops rather than store it. */
  readonly cheap: boolean;
  /** Its kernel may write its output over an operand of the output's size (it reads each element once, at the output's own index). */
  readonly inPlace: boolean;
}

/** What `infer` returns: normalised attrs, the output shape and, for ops that have one, the geometry record. */
export type Inferred<Attrs, Geometry> = { readonly attrs: Attrs; readonly shape: Shape } & (undefined extends Geometry
  ? { readonly geometry?: undefined }
  : { readonly geometry: Geometry });

/**
 * Everything about one op: its operands, how options are validated and normalised into
 * attrs, its shape rule and geometry, its derivatives, what the compiler may assume of it
 * and, for elementwise ops, its arithmetic. Normalised attrs are themselves valid options, so
 * a rewrite can rebuild a node from another node's attrs.
 *
 * `Operand` is the union of the operand names: the `vjp` table is typed by it, so a rule
 * under a misspelt name, or an operand without a rule, is a type error.
 */
export interface OpRecord<Name extends string, Opts, Attrs extends Opts, Operand extends string, Geometry = undefined> {
  readonly name: Name;
  /** Operand names, in order (used in messages, the printer and rule names). */
  readonly operands: readonly Operand[];
  /** The last operand stands for any number (at least one) of operands, e.g. concat's `xs`. */
  readonly variadic?: boolean;
  /** One-line definition of the op. */
  readonly doc: string;
  /**
   * Validates options against the operand types; returns normalised attrs, the output shape
   * and the op's geometry record, which is attached to the node so that kernels, code
   * generators and rewrite rules read it instead of recomputing it.
   */
  infer(inputs: readonly TensorType[], opts: Opts): Inferred<Attrs, Geometry>;
  /**
   * Reverse-mode rules, one per operand name (rule name `<op>.vjp.<operand>`): the cotangent
   * of that operand given the output's cotangent `dy`, built from other ops. A rule may
   * return a tensor of the output's (broadcast) shape; autodiff un-broadcasts it.
   * `undefined` means a zero gradient (e.g. an argmax selection w.r.t. the values it compares).
   */
  readonly vjp: { readonly [K in Operand]: VjpRule<Attrs, Geometry> };
  /**
   * Forward-mode rule (`<op>.jvp`): the output's tangent given the operands' tangents
   * (`undefined` = zero tangent); `undefined` result = zero tangent.
   */
  readonly jvp: JvpRule<Attrs, Geometry>;
  /** Configurations for tests to sweep. */
  readonly examples: readonly OpExample<Opts>[];
  readonly traits: OpTraits;
  /**
   * For elementwise ops: one output element as an expression over the operands' elements
   * (`arg(0)`, `arg(1)`, at the output's index under broadcasting). Executors generate their
   * elementwise and fused kernels from it.
   */
  readonly arithmetic?: Scalar;
  /** The attrs as text for the printer, listings and CSE keys (default `key=value` pairs). */
  readonly formatAttrs?: (attrs: Attrs) => string;
}

/** A record of any op (what a node carries). */
export type AnyOpRecord = OpRecord<string, any, any, string, any>;

/** An elementwise op's record: its arithmetic is data. */
export type ElementwiseRecord<Name extends string = string, Operand extends string = string, Opts = NoAttrs, Attrs extends Opts = Opts> = OpRecord<
  Name,
  Opts,
  Attrs,
  Operand
> & {
  readonly arithmetic: Scalar;
};

/** The operand name of position `i` (the variadic name repeats). */
export function operandName(record: { readonly operands: readonly string[] }, i: number): string {
  return record.operands[Math.min(i, record.operands.length - 1)]!;
}

/** What a derivative rule sees: the graph to build in, the forward node and its parts. */
export interface RuleContext<Attrs, Geometry = undefined> {
  readonly g: Graph;
  /** The forward node y. */
  readonly y: Node;
  readonly inputs: readonly Node[];
  readonly attrs: Attrs;
  /** y's geometry record (for ops that have one). */
  readonly geometry: Geometry;
}
export interface VjpContext<Attrs, Geometry = undefined> extends RuleContext<Attrs, Geometry> {
  /** Cotangent of y (same shape as y). */
  readonly dy: Node;
  /** Position of the operand the rule differentiates by (tells variadic operands apart). */
  readonly index: number;
}
export interface JvpContext<Attrs, Geometry = undefined> extends RuleContext<Attrs, Geometry> {
  /** Tangent of each operand; `undefined` is a zero tangent. */
  readonly tangents: readonly (Node | undefined)[];
}
export type VjpRule<Attrs, Geometry = undefined> = (c: VjpContext<Attrs, Geometry>) => Node | undefined;
export type JvpRule<Attrs, Geometry = undefined> = (c: JvpContext<Attrs, Geometry>) => Node | undefined;

/** a + b where `undefined` is zero. */
export function addTangents(g: Graph, a: Node | undefined, b: Node | undefined): Node | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return g.add(a, b);
}

/**
 * JVP of an op that is linear in all its operands jointly with one operand varying at a
 * time (bilinear ops): Σᵢ f(x₀, …, tᵢ, …, xₙ).
 */
export function bilinearJvp<Attrs, Geometry = undefined>(apply: (g: Graph, operands: readonly Node[], attrs: Attrs) => Node): JvpRule<Attrs, Geometry> {
  return ({ g, inputs, attrs, tangents }) => {
    let out: Node | undefined;
    tangents.forEach((t, i) => {
      if (t !== undefined) out = addTangents(g, out, apply(g, inputs.map((x, j) => (j === i ? t : x)), attrs));
    });
    return out;
  };
}

/** JVP of an op linear in its single operand: f(t). */
export function linearJvp<Attrs, Geometry = undefined>(apply: (g: Graph, t: Node, attrs: Attrs) => Node): JvpRule<Attrs, Geometry> {
  return ({ g, attrs, tangents: [t] }) => (t === undefined ? undefined : apply(g, t, attrs));
}

/** A record as written in its file: traits default to none. */
export type OpRecordSpec<Name extends string, Opts, Attrs extends Opts, Operand extends string, Geometry = undefined> = Omit<
  OpRecord<Name, Opts, Attrs, Operand, Geometry>,
  'traits'
> & { readonly traits?: Partial<OpTraits> };

const noTraits: OpTraits = Object.freeze({ elementwise: false, cheap: false, inPlace: false });

/**
 * Freezes a record, filling in its traits (none unless given). `Operand` (the union of the
 * operand names) has no default, so every record states it and its `vjp` table is checked
 * against it.
 */
export function defineOp<Name extends string, Opts, Attrs extends Opts, Operand extends string, Geometry = undefined>(
  r: OpRecordSpec<Name, Opts, Attrs, Operand, Geometry>,
): OpRecord<Name, Opts, Attrs, Operand, Geometry> {
  return Object.freeze({ ...r, traits: Object.freeze({ ...noTraits, ...r.traits }) }) as OpRecord<Name, Opts, Attrs, Operand, Geometry>;
}

/** Rejects NaN / non-number attrs early. */
export function checkFiniteNumber(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new AttrError(op, `${name} must be a finite number`, { [name]: v });
  }
  return v;
}

