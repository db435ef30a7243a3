import { coalesce, type FusedExpr, type FusedValue } from '@graft/compiler';
import { binaryOps, broadcastStrides, stridesOf as rowMajor, unaryOps, type BinaryOp, type Node, type UnaryOp } from '@graft/ir';
import { dot, float, int, Source } from './source.ts';
import type { KernelSpec } from './spec.ts';

/*
 * Elementwise ops, alone or fused by the compiler into one SSA expression per output element:
 * loads read an operand at `Σ_d i_d · strides[d]` (stride 0 repeats a broadcast axis), every
 * intermediate stays in a register, and one kernel writes the group's output.
 */

/** `f(a)` for each unary op as statements declaring the result; returns its variable. */
function unary(src: Source, op: UnaryOp, a: string): string {
  switch (op) {
    case 'neg':
      return src.let('v', `-${a}`);
    case 'exp':
      return src.let('v', `Math.exp(${a})`);
    case 'log':
      return src.let('v', `Math.log(${a})`);
    case 'relu':
      return src.let('v', `Math.max(${a}, 0.0)`);
    case 'sigmoid':
      // 1 / (1 + e^−x) saturates to 0 or 1 (1 / ∞ = 0) without overflow trouble.
      return src.let('v', `1.0 / (1.0 + Math.exp(-${a}))`);
    case 'tanh': {
      // tanh x = sign(x)·(1 − e^−2|x|) / (1 + e^−2|x|): e^−2|x| ≤ 1 never overflows, where
      // (eˣ − e⁻ˣ)/(eˣ + e⁻ˣ) gives ∞/∞ for large |x| (and some backends' builtin does that).
      const e = src.let('e', `Math.exp(-2.0 * Math.abs(${a}))`);
      return src.let('v', `Math.sign(${a}) * (1.0 - ${e}) / (1.0 + ${e})`);
    }
    case 'square':
      return src.let('v', `${a} * ${a}`);
    case 'sqrt':
      return src.let('v', `Math.sqrt(${a})`);
    case 'step': {
      // Heaviside: 1 where x > 0, else 0.
      const v = src.let('v', '0.0');
      src.emit(`if (${a} > 0.0) { ${v} = 1.0; }`);
      return v;
    }
    default:
      return unknownOp(op);
  }
}

function binary(src: Source, op: BinaryOp, a: string, b: string): string {
  switch (op) {
    case 'add':
      return src.let('v', `${a} + ${b}`);
    case 'sub':
      return src.let('v', `${a} - ${b}`);
    case 'mul':
      return src.let('v', `${a} * ${b}`);
    case 'div':
      return src.let('v', `${a} / ${b}`);
    default:
      return unknownOp(op);
  }
}

function unknownOp(op: never): never {
  throw new Error(`gpujs: no elementwise code for ${String(op)}`);
}


/**
 * A kernel for a fused expression. Its arguments are the step's input buffers, then one
 * per non-finite literal (∞ and NaN have no literal in every target language, so they are
 * read from a one-element array); `literals` lists those values in argument order.
 */
export function fusedKernel(expr: FusedExpr, inputs: number): { spec: KernelSpec; literals: number[] } {
  const size = expr.shape.reduce((a, b) => a * b, 1);
  const loads = expr.values.filter((v): v is Extract<FusedValue, { kind: 'load' }> => v.kind === 'load');
  const { dims, strides } = coalesce(expr.shape, [rowMajor(expr.shape), ...loads.map((l) => l.strides)]);
  const [own, ...loadStrides] = strides as [number[], ...number[][]];
  const src = new Source();
  let coords: string[] | undefined;
  const literals: number[] = [];
  const names: string[] = [];
  expr.values.forEach((v, i) => {
    const operand = (k: number) => {
      if (!Number.isInteger(k) || k < 0 || k >= i) throw new Error(`gpujs: fused operand ${k} must be an earlier value than ${i}`);
      return names[k]!;
    };
    switch (v.kind) {
      case 'load': {
        if (!Number.isInteger(v.input) || v.input < 0 || v.input >= inputs) throw new Error(`gpujs: fused load of input ${v.input} out of range`);
        const str = loadStrides[loads.indexOf(v)]!;
        let offset: string;
        if (str.every((s) => s === 0)) offset = '0.0';
        else if (str.every((s, d) => s === own[d])) offset = 'o';
        else {
          coords ??= src.unravel('o', dims);
          offset = dot(coords, str);
        }
        names.push(src.let('a', `x${int(v.input)}[${offset}]`));
        break;
      }
      case 'literal':
        if (Number.isFinite(v.value)) names.push(float(v.value));
        else names.push(src.let('c', `x${int(inputs + literals.push(v.value) - 1)}[0.0]`));
        break;
      case 'unary':
        names.push(unary(src, v.op, operand(v.x)));
        break;
      case 'binary':
        names.push(binary(src, v.op, operand(v.a), operand(v.b)));
        break;
      default:
        throw new Error(`gpujs: unknown fused value ${(v as { kind: string }).kind}`);
    }
  });
  const result = names[expr.result];
  if (result === undefined) throw new Error(`gpujs: fused result ${expr.result} must name a value`);
  const args = inputs + literals.length;
  return { spec: { source: src.function(args, result), size, args }, literals };
}

/** The fused expression of one elementwise node over its operands (biasAdd is a broadcast add). */
export function nodeExpr(node: Node): FusedExpr {
  const op = node.op;
  const values: FusedValue[] = node.inputs.map((x, input) => ({ kind: 'load', input, strides: broadcastStrides(x.shape, node.shape) }));
  if ((unaryOps as readonly string[]).includes(op)) values.push({ kind: 'unary', op: op as UnaryOp, x: 0 });
  else if ((binaryOps as readonly string[]).includes(op)) values.push({ kind: 'binary', op: op as BinaryOp, a: 0, b: 1 });
  else if (op === 'biasAdd') values.push({ kind: 'binary', op: 'add', a: 0, b: 1 });
  else throw new Error(`gpujs: ${node} is not elementwise`);
  return { shape: node.shape, dtype: node.dtype, values, result: values.length - 1 };
}
