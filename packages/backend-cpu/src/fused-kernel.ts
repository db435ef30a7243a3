import { coalesce } from '@graft/compiler';
import { GraphError, primitives, roundsInFloat32, stridesOf, type ElementwiseProgram, type FloatArray, type Primitive } from '@graft/ir';

/** An elementwise step (one op or a fused group): writes every element of `out` from the input arrays. */
export type ElementwiseKernel = (out: FloatArray, inputs: readonly FloatArray[]) => void;

/*
 * Each primitive's element expression over SSA variable names (never user text). In float32
 * every inexact primitive's result is rounded to float32 (`fr`), as a float32 machine (and the
 * WebAssembly evaluator) computes; the exact ones return an operand or 0/1.
 */
const js: { readonly [P in Primitive]: (a: readonly string[]) => string } = {
  neg: ([a]) => `-${a}`,
  abs: ([a]) => `Math.abs(${a})`,
  add: ([a, b]) => `${a} + ${b}`,
  sub: ([a, b]) => `${a} - ${b}`,
  mul: ([a, b]) => `${a} * ${b}`,
  div: ([a, b]) => `${a} / ${b}`,
  sqrt: ([a]) => `Math.sqrt(${a})`,
  exp: ([a]) => `Math.exp(${a})`,
  log: ([a]) => `Math.log(${a})`,
  tanh: ([a]) => `Math.tanh(${a})`,
  max: ([a, b]) => `Math.max(${a}, ${b})`,
  min: ([a, b]) => `Math.min(${a}, ${b})`,
  lt: ([a, b]) => `(${a} < ${b} ? 1 : 0)`,
  gt: ([a, b]) => `(${a} > ${b} ? 1 : 0)`,
  select: ([c, a, b]) => `(${c} !== 0 ? ${a} : ${b})`,
};

function checkInt(what: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw new GraphError('elementwise kernel', `${what} must be a non-negative integer`, { [what]: v });
  }
  return v;
}

/** A number as JavaScript source that evaluates to exactly it (−0, ±∞ and NaN included). */
function numberLiteral(v: unknown): string {
  if (typeof v !== 'number') throw new GraphError('elementwise kernel', 'a literal must be a number', { value: v });
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  if (Object.is(v, -0)) return '-0';
  return String(v);
}

/**
 * JavaScript source of an elementwise loop: a loop nest over the coalesced output axes whose
 * body evaluates the program's values into local constants. Only validated integers (sizes,
 * strides, indices), number literals and primitive names from the table above are
 * interpolated.
 */
export function elementwiseSource(p: ElementwiseProgram): string {
  const shape = p.shape.map((d, i) => checkInt(`shape[${i}]`, d));
  const f32 = p.dtype === 'float32';
  if (!f32 && p.dtype !== 'float64') throw new GraphError('elementwise kernel', 'dtype must be float32 or float64', { dtype: p.dtype });
  const loadIndex: number[] = [];
  const loadStrides: number[][] = [];
  p.values.forEach((v, i) => {
    if (v.kind !== 'load') return;
    checkInt('input', v.input);
    if (v.strides.length !== shape.length) throw new GraphError('elementwise kernel', 'a load needs one stride per output axis', { strides: v.strides.length, axes: shape.length });
    loadIndex[i] = loadStrides.push(v.strides.map((s, d) => checkInt(`stride[${d}]`, s))) - 1;
  });
  const contiguous = stridesOf(shape);
  const { dims, strides } = coalesce(shape, [contiguous, ...loadStrides]);
  const [outStrides, ...pointerStrides] = strides;
  const identity = pointerStrides.map((s) => s.every((x, d) => x === outStrides![d]));
  const rank = dims.length;
  const pointer = (l: number, depth: number) => (identity[l] ? 'o' : depth < 0 ? '0' : `p${l}_${depth}`);

  const body: string[] = [];
  const maxInput = Math.max(-1, ...p.values.map((v) => (v.kind === 'load' ? v.input : -1)));
  const result = checkInt('result', p.result);
  if (result >= p.values.length) throw new GraphError('elementwise kernel', 'result must name a value', { result });
  const operand = (i: number, at: number) => {
    if (!Number.isInteger(i) || i < 0 || i >= at) throw new GraphError('elementwise kernel', 'operands must be earlier values', { operand: i });
    return `v${i}`;
  };
  p.values.forEach((v, i) => {
    let e: string;
    switch (v.kind) {
      case 'load':
        e = `in${v.input}[${pointer(loadIndex[i]!, rank - 1)}]`;
        break;
      case 'literal':
        e = numberLiteral(v.value);
        break;
      case 'call': {
        const prim = Object.hasOwn(primitives, v.fn) ? primitives[v.fn] : undefined;
        if (prim === undefined || v.args.length !== prim.arity) throw new GraphError('elementwise kernel', 'unknown primitive or wrong arity', { fn: v.fn });
        e = js[v.fn](v.args.map((a) => operand(a, i)));
        if (f32 && i !== result && roundsInFloat32(v.fn)) e = `fr(${e})`;
        break;
      }
      default:
        throw new GraphError('elementwise kernel', 'unknown value kind', { kind: (v as { kind: unknown }).kind });
    }
    body.push(`const v${i} = ${e};`);
  });
  body.push(`out[o++] = v${result};`);

  const lines: string[] = ['"use strict";'];
  if (f32) lines.push('const fr = Math.fround;');
  lines.push('return function elementwise(out, ins) {');
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

const cache = new Map<string, ElementwiseKernel>();

/** The kernel generated for an elementwise program, cached by source (equal programs share one function). */
export function compileElementwise(p: ElementwiseProgram): ElementwiseKernel {
  const source = elementwiseSource(p);
  let kernel = cache.get(source);
  if (kernel === undefined) {
    kernel = new Function(source)() as ElementwiseKernel;
    cache.set(source, kernel);
  }
  return kernel;
}
