/**
 * Run by schedules.test.ts in a child process whose runtime validates relaxed SIMD (Node 20:
 * `--experimental-wasm-relaxed-simd`): the loader must take the relaxed build, and its conv
 * family (fused multiply-adds) must match the float64 reference kernels to 1e-5 of the largest
 * Σ|terms|. Prints one line; exits 1 on a mismatch.
 */
import { convGeometry, transposeGeometry } from '@graft/ir';
import { convBackpropFilter, convBackpropInput, convForward } from '../conv.ts';
import { random } from '../test-helpers.ts';
import { conv2dBackpropFilterF32, conv2dBackpropInputF32, conv2dF32 } from './conv.ts';
import { wasmKernels } from './module.ts';

const k = wasmKernels();
if (!k.relaxedSimd) {
  console.log('relaxed SIMD build: no');
  process.exit(1);
}
const geometries = [
  convGeometry('conv2d', [2, 14, 14, 32], [5, 5, 32, 64], [1, 1], 'SAME', [1, 1]),
  convGeometry('conv2d', [3, 28, 28, 1], [5, 5, 1, 32], [1, 1], 'SAME', [1, 1]),
  convGeometry('conv2d', [2, 17, 15, 7], [3, 2, 7, 13], [2, 1], 'SAME', [1, 2]),
  convGeometry('conv2d', [1, 9, 9, 3], [3, 3, 3, 5], [1, 1], 'VALID', [1, 1]),
  // Chunks that end on a block read in place while gathered pixels are queued: the input
  // gradient's class, the forward pass's row (once left unwritten).
  convGeometry('conv2d', [1, 14, 14, 1], [3, 3, 1, 2], [2, 2], 'SAME', [1, 1]),
  convGeometry('conv2d', [1, 3, 8, 4], [1, 3, 4, 8], [1, 1], [[0, 0], [1, 0]], [1, 1]),
];
const values = (n: number, seed: number) => {
  const next = random(seed);
  return Float32Array.from({ length: n }, () => next());
};
const abs = (a: Float32Array) => Float64Array.from(a, Math.abs);
for (const g of geometries) {
  const gt = transposeGeometry('conv2dBackpropInput', g.outShape, g.filterShape, g.inShape, g.strides, [[g.pads[0], g.pads[1]], [g.pads[2], g.pads[3]]], g.dilations);
  const x = values(g.batch * g.inH * g.inW * g.inC, 1);
  const w = values(g.kh * g.kw * g.inC * g.outC, 2);
  const dy = values(g.batch * g.outH * g.outW * g.outC, 3);
  const checks: [string, Float32Array, (o: Float64Array, a: Float64Array, b: Float64Array) => void, Float32Array, Float32Array, (o: Float32Array) => void][] = [
    ['conv2d', new Float32Array(dy.length), (o, a, b) => convForward(g, a, b, o), x, w, (o) => conv2dF32(g, x, w, o)],
    ['backpropInput', new Float32Array(x.length), (o, a, b) => convBackpropInput(g, a, b, o), dy, w, (o) => conv2dBackpropInputF32(gt, dy, w, o)],
    ['backpropFilter', new Float32Array(w.length), (o, a, b) => convBackpropFilter(g, a, b, o), x, dy, (o) => conv2dBackpropFilterF32(g, x, dy, o)],
  ];
  for (const [name, out, ref, a, b, run] of checks) {
    run(out);
    const expected = new Float64Array(out.length);
    ref(expected, Float64Array.from(a), Float64Array.from(b));
    const scale = new Float64Array(out.length);
    ref(scale, abs(a), abs(b));
    const bound = 1e-5 * Math.max(...scale);
    out.forEach((v, i) => {
      if (!(Math.abs(v - expected[i]!) <= bound)) {
        console.log(`${name} ${g.inShape}×${g.filterShape}: element ${i} is ${v}, reference ${expected[i]} (bound ${bound})`);
        process.exit(1);
      }
    });
  }
}
console.log(`relaxed SIMD build: yes; schedules rows ${k.schedules.rows}, cols ${k.schedules.cols}; ${geometries.length} geometries within 1e-5`);
