import { coalesce } from '@graft/compiler';
import { GraphError, stridesOf as rowMajor, type ElementwiseProgram, type Primitive, type ProgramValue } from '@graft/ir';
import { dot, float, int, Source } from './source.ts';
import type { KernelSpec } from './spec.ts';

/*
 * Elementwise ops, alone or fused, as the elementwise program the IR builds from their
 * arithmetic: loads read an operand at `Σ_d i_d · strides[d]` (stride 0 repeats a broadcast
 * axis), every intermediate stays in a register, and one kernel writes the output. Only graft's
 * scalar primitives are known here, never an op.
 */

/** Each primitive as statements declaring its result (in the JavaScript subset gpu.js translates); returns the variable. */
const primitive: { readonly [P in Primitive]: (src: Source, a: readonly string[]) => string } = {
  neg: (src, [a]) => src.let('v', `-(${a})`),
  abs: (src, [a]) => src.let('v', `Math.abs(${a})`),
  add: (src, [a, b]) => src.let('v', `${a} + ${b}`),
  sub: (src, [a, b]) => src.let('v', `${a} - ${b}`),
  mul: (src, [a, b]) => src.let('v', `${a} * ${b}`),
  div: (src, [a, b]) => src.let('v', `${a} / ${b}`),
  sqrt: (src, [a]) => src.let('v', `Math.sqrt(${a})`),
  exp: (src, [a]) => src.let('v', `Math.exp(${a})`),
  log: (src, [a]) => src.let('v', `Math.log(${a})`),
  tanh: (src, [a]) => {
    // tanh x = sign(x)·(1 − e^−2|x|) / (1 + e^−2|x|): e^−2|x| ≤ 1 never overflows, where
    // (eˣ − e⁻ˣ)/(eˣ + e⁻ˣ) gives ∞/∞ for large |x| (and some backends' builtin does that).
    const e = src.let('e', `Math.exp(-2.0 * Math.abs(${a}))`);
    return src.let('v', `Math.sign(${a}) * (1.0 - ${e}) / (1.0 + ${e})`);
  },
  max: (src, [a, b]) => src.let('v', `Math.max(${a}, ${b})`),
  min: (src, [a, b]) => src.let('v', `Math.min(${a}, ${b})`),
  lt: (src, [a, b]) => {
    const v = src.let('v', '0.0');
    src.emit(`if (${a} < ${b}) { ${v} = 1.0; }`);
    return v;
  },
  gt: (src, [a, b]) => {
    const v = src.let('v', '0.0');
    src.emit(`if (${a} > ${b}) { ${v} = 1.0; }`);
    return v;
  },
  select: (src, [c, a, b]) => {
    const v = src.let('v', b!);
    src.emit(`if (${c} != 0.0) { ${v} = ${a}; }`);
    return v;
  },
};

/**
 * A kernel for an elementwise program. Its arguments are the step's input buffers, then one
 * per non-finite literal (∞ and NaN have no literal in every target language, so they are
 * read from a one-element array); `literals` lists those values in argument order.
 */
export function elementwiseKernel(p: ElementwiseProgram): { spec: KernelSpec; literals: number[] } {
  const size = p.shape.reduce((a, b) => a * b, 1);
  const loads = p.values.filter((v): v is Extract<ProgramValue, { kind: 'load' }> => v.kind === 'load');
  const { dims, strides } = coalesce(p.shape, [rowMajor(p.shape), ...loads.map((l) => l.strides)]);
  const [own, ...loadStrides] = strides as [number[], ...number[][]];
  const src = new Source();
  let coords: string[] | undefined;
  const literals: number[] = [];
  const names: string[] = [];
  p.values.forEach((v, i) => {
    const operand = (k: number) => {
      if (!Number.isInteger(k) || k < 0 || k >= i) throw new GraphError('gpujs', `elementwise operand ${k} must be an earlier value than ${i}`, { operand: k, value: i });
      return names[k]!;
    };
    switch (v.kind) {
      case 'load': {
        if (!Number.isInteger(v.input) || v.input < 0 || v.input >= p.inputs) throw new GraphError('gpujs', `an elementwise load must read one of the ${p.inputs} inputs, got input ${v.input}`, { input: v.input, inputs: p.inputs });
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
        if (Number.isFinite(v.value)) names.push(`(${float(v.value)})`);
        else names.push(src.let('c', `x${int(p.inputs + literals.push(v.value) - 1)}[0.0]`));
        break;
      case 'call': {
        const make = Object.hasOwn(primitive, v.fn) ? primitive[v.fn] : undefined;
        if (make === undefined) throw new GraphError('gpujs', `every primitive must be known, got ${String(v.fn)}`, { fn: String(v.fn) });
        names.push(make(src, v.args.map(operand)));
        break;
      }
      default:
        throw new GraphError('gpujs', `every elementwise value must be a load, literal or call, got ${(v as { kind: string }).kind}`, { kind: (v as { kind: string }).kind });
    }
  });
  const result = names[p.result];
  if (result === undefined) throw new GraphError('gpujs', `the elementwise result ${p.result} must name a value`, { result: p.result, values: names.length });
  const args = p.inputs + literals.length;
  return { spec: { source: src.function(args, result), size, args }, literals };
}
