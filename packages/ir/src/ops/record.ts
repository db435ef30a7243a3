import type { DType } from '../dtype.ts';
import { AttrError } from '../errors.ts';
import type { Shape } from '../shape/shape.ts';
import type { Graph } from '../graph.ts';
import type { Node } from '../node.ts';

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

/**
 * Everything about one op: its operands, how options are validated and normalised into
 * attrs, and its shape rule. Normalised attrs are themselves valid options, so a rewrite
 * can rebuild a node from another node's attrs.
 */
export interface OpRecord<Name extends string, Opts, Attrs extends Opts> {
  readonly name: Name;
  /** Operand names, in order (used in messages and the printer). */
  readonly operands: readonly string[];
  /** One-line definition of the op. */
  readonly doc: string;
  /** Validates options against the operand types; returns normalised attrs and the output shape. */
  infer(inputs: readonly TensorType[], opts: Opts): { readonly attrs: Attrs; readonly shape: Shape };
  /**
   * Reverse-mode rules, one per operand (keyed by operand name; rule name
   * `<op>.vjp.<operand>`): the cotangent of that operand given the output's cotangent
   * `dy`, built from other ops. A rule may return a tensor of the output's (broadcast)
   * shape; autodiff un-broadcasts it. `undefined` means a zero gradient (e.g. an argmax
   * selection w.r.t. the values it compares). Operands absent here are not differentiable.
   */
  readonly vjp: { readonly [operand: string]: VjpRule<Attrs> };
  /**
   * Forward-mode rule (`<op>.jvp`): the output's tangent given the operands' tangents
   * (`undefined` = zero tangent); `undefined` result = zero tangent.
   */
  readonly jvp: JvpRule<Attrs>;
  /** Configurations for tests to sweep. */
  readonly examples: readonly OpExample<Opts>[];
}

/** What a derivative rule sees: the graph to build in, the forward node and its parts. */
export interface RuleContext<Attrs> {
  readonly g: Graph;
  /** The forward node y. */
  readonly y: Node;
  readonly inputs: readonly Node[];
  readonly attrs: Attrs;
}
export interface VjpContext<Attrs> extends RuleContext<Attrs> {
  /** Cotangent of y (same shape as y). */
  readonly dy: Node;
}
export interface JvpContext<Attrs> extends RuleContext<Attrs> {
  /** Tangent of each operand; `undefined` is a zero tangent. */
  readonly tangents: readonly (Node | undefined)[];
}
export type VjpRule<Attrs> = (c: VjpContext<Attrs>) => Node | undefined;
export type JvpRule<Attrs> = (c: JvpContext<Attrs>) => Node | undefined;

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
export function bilinearJvp<Attrs>(apply: (g: Graph, operands: readonly Node[], attrs: Attrs) => Node): JvpRule<Attrs> {
  return ({ g, inputs, attrs, tangents }) => {
    let out: Node | undefined;
    tangents.forEach((t, i) => {
      if (t !== undefined) out = addTangents(g, out, apply(g, inputs.map((x, j) => (j === i ? t : x)), attrs));
    });
    return out;
  };
}

/** JVP of an op linear in its single operand: f(t). */
export function linearJvp<Attrs>(apply: (g: Graph, t: Node, attrs: Attrs) => Node): JvpRule<Attrs> {
  return ({ g, attrs, tangents: [t] }) => (t === undefined ? undefined : apply(g, t, attrs));
}

/** Identity helper that keeps an op record's literal name type. */
export function defineOp<Name extends string, Opts, Attrs extends Opts>(
  r: OpRecord<Name, Opts, Attrs>,
): OpRecord<Name, Opts, Attrs> {
  return Object.freeze(r);
}

/** Rejects NaN / non-number attrs early. */
export function checkFiniteNumber(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new AttrError(op, `${name} must be a finite number`, { [name]: v });
  }
  return v;
}

