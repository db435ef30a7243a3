// The browser consumer: bundled by esbuild from the installed packages and loaded by
// headless Chromium. Computes the consumers' conv gradient on cpu() (WebAssembly), on gpu.js
// WebGL2 and, where the page has an adapter, WebGPU; leaves the numbers and what ran on
// `window.graftResult`.
import { Graph, grad, compile, cpu, gpujs, cpuThreads, cpuWorkerChunks, setCpuThreads, whenCpuThreadsReady } from 'graft';
import { CASE, seeded } from '../conv-reference.mjs';

async function gradients(backend) {
  const g = new Graph({ dtype: 'float32' });
  const x = g.input('x', CASE.xShape);
  const w = g.input('w', CASE.wShape);
  const loss = g.sum(g.square(g.conv2d(x, w, { strides: CASE.stride, padding: 'SAME' })));
  const [dx, dw] = grad(loss, [x, w]);
  const size = (s) => s.reduce((a, b) => a * b, 1);
  const feeds = { x: Float32Array.from(seeded(size(CASE.xShape), CASE.seed)), w: Float32Array.from(seeded(size(CASE.wShape), CASE.seed + 1)) };
  const program = compile({ loss, dx, dw }, { backend });
  const out = await program.run(feeds);
  program.dispose();
  return { loss: Array.from(out.loss), dx: Array.from(out.dx), dw: Array.from(out.dw) };
}

window.graftResult = (async () => {
  const result = { crossOriginIsolated: globalThis.crossOriginIsolated === true, userAgent: navigator.userAgent };
  const t0 = performance.now();
  result.cpu = await gradients(cpu());
  result.cpu.ms = performance.now() - t0;
  result.cpuThreads = cpuThreads();
  if (result.crossOriginIsolated) {
    // A conv large enough to be split across threads (> 2^20 multiply-adds): Web Workers over the
    // shared memory, then one thread; the sums do not depend on the thread count.
    await whenCpuThreadsReady();
    const g = new Graph();
    const x = g.input('x', [8, 32, 32, 16]);
    const w = g.input('w', [3, 3, 16, 32]);
    const program = compile({ y: g.conv2d(x, w, { padding: 'SAME' }) }, { backend: cpu() });
    const feeds = { x: Float32Array.from(seeded(8 * 32 * 32 * 16, 3)), w: Float32Array.from(seeded(3 * 3 * 16 * 32, 4)) };
    // The caller takes chunks too and never waits for a worker that has not woken yet, so on a
    // busy machine a run may finish before a worker starts: run until one has taken a chunk.
    const before = cpuWorkerChunks();
    let threaded;
    for (let k = 0; k < 50 && cpuWorkerChunks() === before; k++) threaded = (await program.run(feeds)).y.slice();
    result.workerChunks = cpuWorkerChunks() - before;
    setCpuThreads(1);
    const single = (await program.run(feeds)).y;
    setCpuThreads(result.cpuThreads);
    result.threadedEqualsSingle = threaded.every((v, i) => v === single[i]);
    program.dispose();
  }
  const backend = gpujs({ mode: 'webgl2' });
  const t1 = performance.now();
  result.webgl2 = await gradients(backend);
  result.webgl2.ms = performance.now() - t1;
  result.webgl2.device = backend.device;
  result.webgl2.kernelClasses = [...backend.kernelClasses()];
  await backend.dispose();
  // WebGPU where the page has an adapter (this Chromium: SwiftShader's, with --enable-unsafe-webgpu).
  const adapter = await navigator.gpu?.requestAdapter();
  result.webgpuAdapter = adapter ? `${adapter.info?.vendor ?? ''} ${adapter.info?.architecture ?? ''}`.trim() : null;
  if (adapter) {
    const webgpu = gpujs({ mode: 'webgpu' });
    result.webgpu = await gradients(webgpu);
    result.webgpu.kernelClasses = [...webgpu.kernelClasses()];
    await webgpu.dispose();
  }
  return result;
})().catch((e) => ({ error: `${e.name}: ${e.message}\n${e.stack}` }));
