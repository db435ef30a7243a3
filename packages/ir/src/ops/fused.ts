import { AttrError, ShapeError, fmtShape } from '../errors.ts';
import type { Graph } from '../graph.ts';
import type { Node } from '../node.ts';
import { broadcastAxes, checkShape, shapesEqual, type Shape } from '../shape/shape.ts';
import { add } from './add.ts';
import { mul } from './mul.ts';
import { neg } from './neg.ts';
import { defineOp, operandName, type AnyOpRecord, type ElementwiseRecord, type VjpRule } from './record.ts';
import { relu } from './relu.ts';
import { sigmoid } from './sigmoid.ts';
import { square } from './square.ts';

/** One value of a fused expression: an operand, a number, or an elementwise op applied to earlier values. */
export type FusedValue =
  /** Operand `input` of the fused node, read at the output's index under broadcasting. */
  | { readonly kind: 'load'; readonly input: number }
  /** A number (rounded to the node's dtype by executors). */
  | { readonly kind: 'literal'; readonly value: number }
  /** An elementwise op (its record: its arithmetic) applied to earlier values. */
  | { readonly kind: 'apply'; readonly op: ElementwiseRecord; readonly args: readonly number[] };

/** An expression in SSA form: value `i` is `values[i]`, operands refer to earlier values, `values[result]` is the output. */
export interface FusedExpr {
  readonly values: readonly FusedValue[];
  readonly result: number;
}

export interface FusedOptions {
  /** The output shape; every operand broadcasts to it. */
  readonly shape: Shape;
  readonly expr: FusedExpr;
}
export type FusedAttrs = FusedOptions;

/**
 * Elementwise ops fused into one loop: `y[i] = expr(operands at i)` for every index i of
 * `shape`. The compiler's fusion pass makes these nodes, so fusion is part of the graph and
 * every later pass (or a second fusion) sees it; each executor generates one kernel from the
 * expression and the arithmetic of its ops. Differentiable: its rules run the rules of the
 * ops inside over the expression.
 */
export const fused = defineOp<'fused', FusedOptions, FusedAttrs, 'xs'>({
  name: 'fused',
  operands: ['xs'],
  variadic: true,
  doc: 'elementwise ops evaluated as one loop',
  infer(inputs, opts) {
    if (!Array.isArray(opts.shape)) throw new AttrError('fused', 'shape must be an array of positive integers', { shape: opts.shape });
    const shape = opts.shape.length === 0 ? [] : checkShape('fused', 'shape', opts.shape);
    for (const [k, t] of inputs.entries()) {
      const lead = shape.length - t.shape.length;
      if (lead < 0 || t.shape.some((d, i) => d !== 1 && d !== shape[lead + i])) {
        throw new ShapeError('fused', `operand ${k} ${fmtShape(t.shape)} must broadcast to shape ${fmtShape(shape)}`, { operand: k, [`xs${k}`]: t.shape, shape });
      }
    }
    checkExpr(opts.expr, inputs.length);
    return { attrs: { shape: Object.freeze([...shape]), expr: opts.expr }, shape };
  },
  vjp: { xs: (c) => fusedVjp(c) },
  jvp: ({ g, inputs, attrs, tangents }) => {
    // Forward mode through the expression: each op's JVP rule on its operands' tangents.
    const nodes = expand(g, inputs, attrs.expr);
    const tangent: (Node | undefined)[] = [];
    attrs.expr.values.forEach((v, i) => {
      if (v.kind === 'load') tangent[i] = tangents[v.input];
      else if (v.kind === 'apply') {
        const ts = v.args.map((a) => tangent[a]);
        if (ts.every((t) => t === undefined)) return;
        const y = nodes[i]!;
        const t = v.op.jvp({ g, y, inputs: v.args.map((a) => nodes[a]!), attrs: {}, geometry: undefined, tangents: ts });
        tangent[i] = t === undefined || shapesEqual(t.shape, y.shape) ? t : g.broadcastTo(t, y.shape);
      }
    });
    const t = tangent[attrs.expr.result];
    return t === undefined || shapesEqual(t.shape, attrs.shape) ? t : g.broadcastTo(t, attrs.shape);
  },
  examples: [
    {
      name: 'relu(x0 + x1), x1 broadcast',
      inputs: [[2, 3], [3]],
      attrs: { shape: [2, 3], expr: { values: [{ kind: 'load', input: 0 }, { kind: 'load', input: 1 }, { kind: 'apply', op: add, args: [0, 1] }, { kind: 'apply', op: relu, args: [2] }], result: 3 } },
    },
    {
      name: 'sigmoid(x0)·x0 (swish)',
      inputs: [[2, 2, 3]],
      attrs: { shape: [2, 2, 3], expr: { values: [{ kind: 'load', input: 0 }, { kind: 'apply', op: sigmoid, args: [0] }, { kind: 'apply', op: mul, args: [1, 0] }], result: 2 } },
    },
    {
      name: 'x0² + 0.5 broadcast to a larger shape',
      inputs: [[3]],
      attrs: { shape: [2, 3], expr: { values: [{ kind: 'load', input: 0 }, { kind: 'apply', op: square, args: [0] }, { kind: 'literal', value: 0.5 }, { kind: 'apply', op: add, args: [1, 2] }], result: 3 } },
    },
    {
      name: '−(x0·x1) + x2 over three operands',
      inputs: [[4, 1], [1, 3], []],
      attrs: { shape: [4, 3], expr: { values: [{ kind: 'load', input: 0 }, { kind: 'load', input: 1 }, { kind: 'apply', op: mul, args: [0, 1] }, { kind: 'apply', op: neg, args: [2] }, { kind: 'load', input: 2 }, { kind: 'apply', op: add, args: [3, 4] }], result: 5 } },
    },
  ],
  traits: { elementwise: true, cheap: false, inPlace: true },
  formatAttrs: (attrs) => `shape=${fmtShape(attrs.shape)} expr=${formatFused(attrs.expr)}`,
});

function checkExpr(expr: unknown, operands: number): void {
  const e = expr as FusedExpr;
  const bad = (rule: string, values: Record<string, unknown>): never => {
    throw new AttrError('fused', `expr: ${rule}`, values);
  };
  if (e === null || typeof e !== 'object' || !Array.isArray(e.values) || e.values.length === 0) bad('must have a non-empty values array', { values: e === null || typeof e !== 'object' ? e : String(e.values) });
  const read = new Set<number>();
  e.values.forEach((v, i) => {
    if (v === null || typeof v !== 'object') bad(`value ${i} must be an object`, { index: i, value: v });
    switch (v.kind) {
      case 'load':
        if (!Number.isInteger(v.input) || v.input < 0 || v.input >= operands) bad(`value ${i} loads operand ${v.input}, which does not exist (${operands} operands)`, { index: i, input: v.input, operands });
        read.add(v.input);
        return;
      case 'literal':
        if (typeof v.value !== 'number') bad(`value ${i}: a literal must be a number`, { index: i, value: v.value });
        return;
      case 'apply': {
        const r = v.op as AnyOpRecord | undefined;
        if (r === undefined || r === null || typeof r !== 'object' || r.arithmetic === undefined || r.variadic === true) {
          bad(`value ${i} must apply an elementwise op record (one with arithmetic)`, { index: i, op: String(r) });
        }
        if (!Array.isArray(v.args) || v.args.length !== r!.operands.length) bad(`value ${i}: ${r!.name} takes ${r!.operands.length} operands`, { index: i, operands: r!.operands.length, args: v.args });
        for (const a of v.args) if (!Number.isInteger(a) || a < 0 || a >= i) bad(`value ${i}: operands must be earlier values`, { index: i, operand: a });
        return;
      }
      default:
        bad(`value ${i}: kind must be 'load', 'literal' or 'apply'`, { index: i, kind: (v as { kind: unknown }).kind });
    }
  });
  if (!Number.isInteger(e.result) || e.result < 0 || e.result >= e.values.length) bad('result must name a value', { result: e.result });
  if (read.size !== operands) bad(`every operand must be loaded; ${operands - read.size} of ${operands} are not`, { unloaded: operands - read.size, operands });
}

/**
 * The expression as graph nodes over `inputs`: loads are the operands themselves (ops
 * broadcast them as the loop does), literals scalar constants, applies the ops.
 */
export function expand(g: Graph, inputs: readonly Node[], expr: FusedExpr): Node[] {
  const nodes: Node[] = [];
  const dtype = inputs[0]!.dtype;
  for (const v of expr.values) {
    if (v.kind === 'load') nodes.push(inputs[v.input]!);
    else if (v.kind === 'literal') nodes.push(g.constant(v.value, [], dtype));
    else nodes.push(g.apply(v.op, v.args.map((a) => nodes[a]!)));
  }
  return nodes;
}

/** A cotangent of a broadcast shape summed back to `shape`. */
function unbroadcast(g: Graph, d: Node, shape: Shape): Node {
  if (shapesEqual(d.shape, shape)) return d;
  const summed = g.sum(d, broadcastAxes(shape, d.shape), true);
  return shapesEqual(summed.shape, shape) ? summed : g.reshape(summed, shape);
}

/**
 * Reverse mode through the expression: from the result back, each op's VJP rules give its
 * operands' cotangents, summed over uses and back over broadcasting; operand `index`'s total.
 */
const fusedVjp: VjpRule<FusedAttrs> = ({ g, inputs, attrs, dy, index }) => {
  const { values, result } = attrs.expr;
  const nodes = expand(g, inputs, attrs.expr);
  const ct: (Node | undefined)[] = [];
  const add = (i: number, d: Node | undefined) => {
    if (d === undefined) return;
    const u = unbroadcast(g, d, nodes[i]!.shape);
    ct[i] = ct[i] === undefined ? u : g.add(ct[i]!, u);
  };
  add(result, dy);
  let total: Node | undefined;
  for (let i = values.length - 1; i >= 0; i--) {
    const v = values[i]!;
    const c = ct[i];
    if (c === undefined) continue;
    if (v.kind === 'load' && v.input === index) total = total === undefined ? c : g.add(total, c);
    if (v.kind !== 'apply') continue;
    const args = v.args.map((a) => nodes[a]!);
    v.args.forEach((a, k) => {
      const rule = v.op.vjp[operandName(v.op, k) as never] as VjpRule<object> | undefined;
      add(a, rule?.({ g, y: nodes[i]!, inputs: args, attrs: {}, geometry: undefined, dy: c, index: k }));
    });
  }
  return total;
};

/** `relu(add(x0, x1))`: the expression over operands x0, x1, …. */
export function formatFused(expr: FusedExpr): string {
  const text = (i: number): string => {
    const v = expr.values[i]!;
    if (v.kind === 'load') return `x${v.input}`;
    if (v.kind === 'literal') return Object.is(v.value, -0) ? '-0' : String(v.value);
    return `${v.op.name}(${v.args.map(text).join(', ')})`;
  };
  return text(expr.result);
}
