import { coalesce } from '@graft/compiler';
import type { ElementwiseProgram, Primitive } from '@graft/ir';
import { beginFrame, endFrame, f32View, frameAlloc, i32View, stage, target } from './heap.ts';
import { wasmKernels } from './module.ts';
import { record, roundUp } from './records.ts';
import { parallel, readyThreads } from './threads.ts';

/*
 * Elementwise programs (one op, or a fused group) in float32 on the WebAssembly kernels
 * (wasm/assembly/fused.ts), which evaluate graft's scalar primitives — not ops — so any
 * elementwise op composed of them runs here with no change to the assembly. Each primitive
 * rounds to float32 as the JavaScript loops do, so results are identical; a block of up to
 * 1024 elements at a time with one SIMD loop per primitive, runs of blocks on the worker threads
 * when the step is large (elementwise: the same bits on any number). Programs it does not cover
 * (exp, log, tanh; loads that coalesce to more than two axes) get `undefined`, and the caller
 * keeps the JavaScript loop.
 */

const opCodes: { readonly [P in Primitive]: number | undefined } = {
  neg: 1,
  abs: 2,
  add: 3,
  sub: 4,
  mul: 5,
  div: 6,
  sqrt: 7,
  max: 8,
  min: 9,
  lt: 10,
  gt: 11,
  select: 12,
  exp: undefined,
  log: undefined,
  tanh: undefined,
};

/** Values × elements below which a step stays on the calling thread (a wake-up costs ≈ a block's work). */
const PARALLEL_WORK = 1 << 18;

/** An elementwise step: writes every element of `out` from the inputs (as the JavaScript ElementwiseKernel). */
export type ElementwiseF32 = (out: Float32Array, inputs: readonly Float32Array[]) => void;

interface Load {
  readonly value: number;
  readonly input: number;
  /** Elements between rows, and between elements of a row. */
  readonly rowStride: number;
  readonly step: number;
}

/** The WebAssembly evaluator of `p`, or undefined when `p` is not float32 or uses a primitive it lacks. */
export function compileElementwiseF32(p: ElementwiseProgram): ElementwiseF32 | undefined {
  if (p.dtype !== 'float32') return undefined;
  for (const v of p.values) {
    if (v.kind === 'call' && opCodes[v.fn] === undefined) return undefined;
  }
  const loadValues = p.values.flatMap((v, i) => (v.kind === 'load' ? [i] : []));
  const size = p.shape.reduce((a, b) => a * b, 1);
  const contiguous = p.shape.map((_, d) => p.shape.slice(d + 1).reduce((a, b) => a * b, 1));
  const { dims, strides } = coalesce(p.shape, [
    contiguous,
    ...loadValues.map((i) => (p.values[i] as { strides: readonly number[] }).strides),
  ]);
  if (dims.length > 2) return undefined;
  // The output as [rows, width]; a rank-1 output is one row.
  const width = dims.length === 0 ? 1 : dims[dims.length - 1]!;
  const rows = dims.length === 2 ? dims[0]! : 1;
  const loads: Load[] = loadValues.map((value, l) => {
    const s = strides[l + 1]!;
    const v = p.values[value] as { input: number };
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
  const literals = p.values.flatMap((v, i) => (v.kind === 'literal' ? [[i, v.value] as const] : []));
  const nValues = p.values.length;

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
    p.values.forEach((v, i) => {
      if (v.kind === 'call') values.set([opCodes[v.fn]!, v.args[0]!, v.args[1] ?? v.args[0]!, v.args[2] ?? v.args[0]!], i * 4);
    });
    const table = frameAlloc(values.byteLength);
    i32View(table, nValues * 4).set(values);
    const groups = Math.ceil(rows / group);
    const blocks = groups * Math.ceil((group * width) / block);
    const threads = size * nValues < PARALLEL_WORK ? 1 : readyThreads();
    // A few chunks per thread, so that a thread the OS delays holds up little.
    const chunkBlocks = threads === 1 ? blocks : Math.max(1, Math.ceil(blocks / (4 * threads)));
    const stride = roundUp(e.fusedScratchBytes(nValues), 64);
    const scratch = frameAlloc(stride * threads);
    const args = record([groups, group * width, size, nValues, table, p.result, target(out), scratch, stride, chunkBlocks]);
    if (size > 0) parallel('fused', args, Math.ceil(blocks / chunkBlocks), threads);
    endFrame();
  };
}
