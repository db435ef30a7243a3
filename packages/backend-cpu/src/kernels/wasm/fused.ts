import { coalesce, type FusedExpr } from '@graft/compiler';
import { beginFrame, endFrame, f32View, frameAlloc, i32View, stage, target } from './heap.ts';
import { wasmKernels } from './module.ts';
import { record } from './records.ts';

/*
 * Fused elementwise steps in float32 on the WebAssembly kernels (wasm/assembly/fused.ts):
 * the same values as the JavaScript fused loops (every step rounded to float32), a block of
 * up to 1024 elements at a time with one SIMD loop per operation. Expressions it does not
 * cover (exp, log, tanh, sigmoid; loads that coalesce to more than two axes) get `undefined`,
 * and the caller keeps the JavaScript loop.
 */

const opCodes: Readonly<Record<string, number>> = {
  neg: 1,
  relu: 2,
  step: 3,
  square: 4,
  sqrt: 5,
  add: 6,
  sub: 7,
  mul: 8,
  div: 9,
};

/** A fused step: writes every element of `out` from the inputs (as the JavaScript FusedKernel). */
export type FusedF32 = (out: Float32Array, inputs: readonly Float32Array[]) => void;

interface Load {
  readonly value: number;
  readonly input: number;
  /** Elements between rows, and between elements of a row. */
  readonly rowStride: number;
  readonly step: number;
}

/** The WebAssembly evaluator of `expr`, or undefined when `expr` is not float32 or uses an op it lacks. */
export function compileFusedF32(expr: FusedExpr): FusedF32 | undefined {
  if (expr.dtype !== 'float32') return undefined;
  for (const v of expr.values) {
    if ((v.kind === 'unary' || v.kind === 'binary') && opCodes[v.op] === undefined) return undefined;
  }
  const loadValues = expr.values.flatMap((v, i) => (v.kind === 'load' ? [i] : []));
  const size = expr.shape.reduce((a, b) => a * b, 1);
  const contiguous = expr.shape.map((_, d) => expr.shape.slice(d + 1).reduce((a, b) => a * b, 1));
  const { dims, strides } = coalesce(expr.shape, [
    contiguous,
    ...loadValues.map((i) => (expr.values[i] as { strides: readonly number[] }).strides),
  ]);
  if (dims.length > 2) return undefined;
  // The output as [rows, width]; a rank-1 output is one row.
  const width = dims.length === 0 ? 1 : dims[dims.length - 1]!;
  const rows = dims.length === 2 ? dims[0]! : 1;
  const loads: Load[] = loadValues.map((value, l) => {
    const s = strides[l + 1]!;
    const v = expr.values[value] as { input: number };
    return { value, input: v.input, rowStride: dims.length === 2 ? s[0]! : 0, step: dims.length === 0 ? 0 : s[s.length - 1]! };
  });
  // Short rows go several to a block when every load either runs on across rows or repeats
  // the same row (a bias: expanded once per call to the group's length) or is one number.
  const block = wasmKernels().exports.fusedBlock();
  const group =
    rows > 1 &&
    width < block / 2 &&
    loads.every((l) => (l.step === 1 && (l.rowStride === width || l.rowStride === 0)) || (l.step === 0 && l.rowStride === 0))
      ? Math.floor(block / width)
      : 1;
  const literals = expr.values.flatMap((v, i) => (v.kind === 'literal' ? [[i, v.value] as const] : []));
  const nValues = expr.values.length;

  return (out, inputs) => {
    const e = wasmKernels().exports;
    beginFrame();
    const values = new Int32Array(nValues * 4);
    const pointers = inputs.map((a) => stage(a));
    for (const l of loads) {
      let base = pointers[l.input]!;
      let advance = l.rowStride * group * 4;
      if (group > 1 && l.step === 1 && l.rowStride === 0) {
        // The repeated row, laid out `group` times.
        const expanded = frameAlloc(group * width * 4);
        const src = f32View(base, width);
        const dst = f32View(expanded, group * width);
        for (let r = 0; r < group; r++) dst.set(src, r * width);
        base = expanded;
        advance = 0;
      }
      values.set([0, base, advance, l.step * 4], l.value * 4);
    }
    for (const [i, v] of literals) {
      const cell = frameAlloc(4);
      f32View(cell, 1)[0] = v;
      values.set([0, cell, 0, 0], i * 4);
    }
    expr.values.forEach((v, i) => {
      if (v.kind === 'unary') values.set([opCodes[v.op]!, v.x, v.x, 0], i * 4);
      else if (v.kind === 'binary') values.set([opCodes[v.op]!, v.a, v.b, 0], i * 4);
    });
    const table = frameAlloc(values.byteLength);
    i32View(table, nValues * 4).set(values);
    const scratch = frameAlloc(e.fusedScratchBytes(nValues));
    const groups = Math.ceil(rows / group);
    const args = record([groups, group * width, size, nValues, table, expr.result, target(out), scratch]);
    if (size > 0) e.fused(args);
    endFrame();
  };
}
