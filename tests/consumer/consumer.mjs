// A plain Node consumer of the installed graft packages (no TypeScript loader): a strided SAME
// conv2d, its gradient by `grad`, run on cpu() in float32 and float64, checked against the
// independent loops in conv-reference.mjs, and gradcheck. Prints one JSON line; exits 1 on any
// mismatch.
import { Graph, grad, compile, cpu, gradcheck, gpujs, BackendUnavailableError } from 'graft';
import { CASE, convLossAndGradients, maxDiff, seeded } from './conv-reference.mjs';

const size = (s) => s.reduce((a, b) => a * b, 1);
const x64 = seeded(size(CASE.xShape), CASE.seed);
const w64 = seeded(size(CASE.wShape), CASE.seed + 1);
const ref = convLossAndGradients(x64, CASE.xShape, w64, CASE.wShape, CASE.stride);
const failures = [];
// Which float32 kernels this install runs: oneDNN where its optional addon built here, else WebAssembly.
const backend = cpu();
const result = { cpuKernels: backend.kernels, cpuKernelsWhy: backend.kernelsWhy };

for (const dtype of ['float64', 'float32']) {
  const g = new Graph({ dtype });
  const x = g.input('x', CASE.xShape);
  const w = g.input('w', CASE.wShape);
  const y = g.conv2d(x, w, { strides: CASE.stride, padding: 'SAME' });
  const loss = g.sum(g.square(y));
  const [dx, dw] = grad(loss, [x, w]);
  if (dx.op !== 'conv2dBackpropInput' || dw.op !== 'conv2dBackpropFilter') failures.push(`${dtype}: grad made ${dx.op} / ${dw.op}`);
  const program = compile({ loss, dx, dw }, { backend });
  const Array_ = dtype === 'float64' ? Float64Array : Float32Array;
  const out = await program.run({ x: Array_.from(x64), w: Array_.from(w64) });
  program.dispose();
  const tol = dtype === 'float64' ? 1e-12 : 1e-4;
  const scale = (a) => Math.max(1, ...Array.from(a, Math.abs));
  const errors = {
    loss: Math.abs(out.loss[0] - ref.loss) / Math.max(1, Math.abs(ref.loss)),
    dx: maxDiff(out.dx, ref.dx) / scale(ref.dx),
    dw: maxDiff(out.dw, ref.dw) / scale(ref.dw),
  };
  for (const [k, e] of Object.entries(errors)) if (!(e <= tol)) failures.push(`${dtype} ${k}: relative error ${e} > ${tol}`);
  if (!(out.dx instanceof Array_)) failures.push(`${dtype}: dx is a ${out.dx.constructor.name}`);
  result[dtype] = errors;
  if (dtype === 'float64') {
    const report = await gradcheck(loss, [x, w], { feeds: { x: x64, w: w64 } });
    if (!report.ok) failures.push(`gradcheck failed:\n${report}`);
    result.gradcheck = { ok: report.ok, maxError: report.maxError };
  }
}

// gpu.js is an optional peer dependency: without it, asking for any gpu.js mode names it.
try {
  gpujs({ mode: process.argv.includes('--with-gpujs') ? 'webgpu' : 'webasm' });
  failures.push('gpujs() was created');
} catch (e) {
  if (!(e instanceof BackendUnavailableError)) failures.push(`gpujs() threw ${e}`);
  result.gpujsUnavailable = { message: e.message, package: e.missingPackage };
}
if (process.argv.includes('--with-gpujs')) {
  // gpu.js installed, but neither `webgpu` (dawn.node) nor `gl` (headless-gl): those modes name them.
  if (result.gpujsUnavailable?.package !== 'webgpu') failures.push(`webgpu without its package named ${result.gpujsUnavailable?.package}`);
  try {
    gpujs({ mode: 'headlessgl' });
    failures.push('headlessgl was created');
  } catch (e) {
    if (!(e instanceof BackendUnavailableError) || e.missingPackage !== 'gl') failures.push(`headlessgl without gl: ${e}`);
    result.headlessglUnavailable = { message: e.message, package: e.missingPackage };
  }
  const backend = gpujs({ mode: 'webasm' });
  const g = new Graph();
  const x = g.input('x', CASE.xShape);
  const w = g.input('w', CASE.wShape);
  const loss = g.sum(g.square(g.conv2d(x, w, { strides: CASE.stride, padding: 'SAME' })));
  const [dx] = grad(loss, [x]);
  const out = await compile({ dx }, { backend }).run({ x: Float32Array.from(x64), w: Float32Array.from(w64) });
  const e = maxDiff(out.dx, ref.dx) / Math.max(1, ...Array.from(ref.dx, Math.abs));
  if (!(e <= 1e-4)) failures.push(`gpujs(webasm) dx: relative error ${e}`);
  result.webasm = { error: e, kernelClasses: [...backend.kernelClasses()] };
  if (result.webasm.kernelClasses.join() !== 'WebAssemblyKernel') failures.push(`webasm ran on ${result.webasm.kernelClasses}`);
  await backend.dispose();
} else if (result.gpujsUnavailable?.package !== 'gpu.js') {
  failures.push(`gpujs() without gpu.js named ${result.gpujsUnavailable?.package}`);
}

console.log(JSON.stringify({ ok: failures.length === 0, failures, ...result }));
process.exitCode = failures.length === 0 ? 0 : 1;
