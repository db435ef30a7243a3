import { coalesce, type FusedExpr } from '@graft/compiler';
import { GraphError, stridesOf, type BinaryOp, type FloatArray, type UnaryOp } from '@graft/ir';

/** A fused elementwise step: writes every element of `out` from the input arrays. */
export type FusedKernel = (out: FloatArray, inputs: readonly FloatArray[]) => void;

/*
 * Each op's element expression, over SSA variable names (never user text). They are the
 * same expressions as the elementwise kernels', so a fused loop computes the same numbers:
 * in float64 trivially, in float32 because every intermediate is rounded to float32
 * (`fr`) as storing it in a Float32Array would have.
 */
const unaryExpr: { readonly [K in UnaryOp]: (x: string) => string } = {
  neg: (x) => `-${x}`,
  exp: (x) => `Math.exp(${x})`,
  log: (x) => `Math.log(${x})`,
  relu: (x) => `(${x} < 0 ? 0 : ${x})`,
  sigmoid: (x) => `1 / (1 + Math.exp(-${x}))`,
  tanh: (x) => `Math.tanh(${x})`,
  square: (x) => `${x} * ${x}`,
  sqrt: (x) => `Math.sqrt(${x})`,
  step: (x) => `(${x} > 0 ? 1 : 0)`,
};
const binaryExpr: { readonly [K in BinaryOp]: (a: string, b: string) => string } = {
  add: (a, b) => `${a} + ${b}`,
  sub: (a, b) => `${a} - ${b}`,
  mul: (a, b) => `${a} * ${b}`,
  div: (a, b) => `${a} / ${b}`,
};
/** Unary ops whose float32 result is already a float32 value (no rounding needed). */
const exactInFloat32: ReadonlySet<string> = new Set(['neg', 'relu', 'step']);

function checkInt(what: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw new GraphError('fused kernel', `${what} must be a non-negative integer`, { [what]: v });
  }
  return v;
}

/** A number as JavaScript source that evaluates to exactly it (−0, ±∞ and NaN included). */
function numberLiteral(v: unknown): string {
  if (typeof v !== 'number') throw new GraphError('fused kernel', 'a literal must be a number', { value: v });
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  if (Object.is(v, -0)) return '-0';
  return String(v);
}


/**
 * JavaScript source of a fused loop. Only validated integers (sizes, strides, indices),
 * number literals and op names from the tables above are interpolated.
 */
export function fusedSource(expr: FusedExpr): string {
  const shape = expr.shape.map((d, i) => checkInt(`shape[${i}]`, d));
  const f32 = expr.dtype === 'float32';
  if (!f32 && expr.dtype !== 'float64') throw new GraphError('fused kernel', 'dtype must be float32 or float64', { dtype: expr.dtype });
  const loadIndex: number[] = [];
  const loadStrides: number[][] = [];
  expr.values.forEach((v, i) => {
    if (v.kind !== 'load') return;
    checkInt('input', v.input);
    if (v.strides.length !== shape.length) throw new GraphError('fused kernel', 'a load needs one stride per output axis', {});
    loadIndex[i] = loadStrides.push(v.strides.map((s, d) => checkInt(`stride[${d}]`, s))) - 1;
  });
  const contiguous = stridesOf(shape);
  const { dims, strides } = coalesce(shape, [contiguous, ...loadStrides]);
  const [outStrides, ...pointerStrides] = strides;
  const identity = pointerStrides.map((s) => s.every((x, d) => x === outStrides![d]));
  const rank = dims.length;
  const pointer = (l: number, depth: number) => (identity[l] ? 'o' : depth < 0 ? '0' : `p${l}_${depth}`);

  const body: string[] = [];
  const maxInput = Math.max(-1, ...expr.values.map((v) => (v.kind === 'load' ? v.input : -1)));
  const result = checkInt('result', expr.result);
  if (result >= expr.values.length) throw new GraphError('fused kernel', 'result must name a value', { result });
  const operand = (i: number, at: number) => {
    if (!Number.isInteger(i) || i < 0 || i >= at) throw new GraphError('fused kernel', 'operands must be earlier values', { operand: i });
    return `v${i}`;
  };
  expr.values.forEach((v, i) => {
    let e: string;
    switch (v.kind) {
      case 'load':
        e = `in${v.input}[${pointer(loadIndex[i]!, rank - 1)}]`;
        break;
      case 'literal':
        e = numberLiteral(v.value);
        break;
      case 'unary': {
        const make = unaryExpr[v.op];
        if (make === undefined) throw new GraphError('fused kernel', 'unknown unary op', { op: v.op });
        e = make(operand(v.x, i));
        if (f32 && i !== result && !exactInFloat32.has(v.op)) e = `fr(${e})`;
        break;
      }
      case 'binary': {
        const make = binaryExpr[v.op];
        if (make === undefined) throw new GraphError('fused kernel', 'unknown binary op', { op: v.op });
        e = make(operand(v.a, i), operand(v.b, i));
        if (f32 && i !== result) e = `fr(${e})`;
        break;
      }
      default:
        throw new GraphError('fused kernel', 'unknown value kind', { kind: (v as { kind: unknown }).kind });
    }
    body.push(`const v${i} = ${e};`);
  });
  body.push(`out[o++] = v${result};`);

  const lines: string[] = ['"use strict";'];
  if (f32) lines.push('const fr = Math.fround;');
  lines.push('return function fused(out, ins) {');
  for (let k = 0; k <= maxInput; k++) lines.push(`  const in${k} = ins[${k}];`);
  lines.push('  let o = 0;');
  let indent = '  ';
  for (let d = 0; d < rank; d++) {
    const init = [`i${d} = 0`];
    const step = [`i${d}++`];
    pointerStrides.forEach((s, l) => {
      if (identity[l]) return;
      init.push(`p${l}_${d} = ${pointer(l, d - 1)}`);
      if (s[d] !== 0) step.push(`p${l}_${d} += ${s[d]}`);
    });
    lines.push(`${indent}for (let ${init.join(', ')}; i${d} < ${dims[d]}; ${step.join(', ')}) {`);
    indent += '  ';
  }
  for (const b of body) lines.push(`${indent}${b}`);
  for (let d = rank - 1; d >= 0; d--) {
    indent = indent.slice(2);
    lines.push(`${indent}}`);
  }
  lines.push('};');
  return lines.join('\n');
}

const cache = new Map<string, FusedKernel>();

/**
 * A fused kernel generated for `expr`: a loop nest over the coalesced output axes whose
 * body evaluates the expression's SSA values into local constants. Kernels are cached by
 * source, so equal expressions share one function.
 */
export function compileFused(expr: FusedExpr): FusedKernel {
  const source = fusedSource(expr);
  let kernel = cache.get(source);
  if (kernel === undefined) {
    kernel = new Function(source)() as FusedKernel;
    cache.set(source, kernel);
  }
  return kernel;
}
