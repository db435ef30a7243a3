/**
 * graft as users get it: every publishable package is built and packed (`pnpm pack`), the
 * tarballs are installed with npm into a project outside the workspace (third-party
 * dependencies from the registry), and that project uses graft from plain Node (no TypeScript
 * loader), from TypeScript (the shipped .d.ts under strict), from the CLI (`npx graft`), and from
 * a page bundled by esbuild and run in headless Chromium — cross-origin isolated (threads over a
 * shared memory) and not.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Graph, compile, cpu, grad } from 'graft';
import { CASE, convLossAndGradients, maxDiff, seeded } from './consumer/conv-reference.mjs';
import { launchChromium, serveStatic, watchPage } from './util/browser.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const here = fileURLToPath(new URL('./consumer/', import.meta.url));

/**
 * The environment of a user's shell: without what pnpm and this workspace add (pnpm's NODE_PATH
 * reaches the workspace's node_modules, npm_config_* would steer npm, JOBS gl's build).
 */
function userEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (/^(npm_|pnpm_|PNPM_|NODE_PATH$|NODE_OPTIONS$|JOBS$|VITEST|INIT_CWD$)/.test(k)) delete env[k];
  return env;
}

/** Runs a command; throws with its output when it fails. */
function sh(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = userEnv()): string {
  const r = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 300_000, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} (in ${cwd}) exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

const gz = (bytes: Uint8Array) => gzipSync(bytes, { level: 9 }).length;
const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

let consumer: string;
let tarballs: { name: string; file: string; bytes: number }[];

beforeAll(() => {
  consumer = mkdtempSync(join(tmpdir(), 'graft-consumer-'));
  const out = sh(process.execPath, [join(root, 'scripts', 'pack.mjs'), join(consumer, 'packs')], root, process.env);
  tarballs = JSON.parse(out.trim().split('\n').pop()!) as typeof tarballs;
  expect(tarballs.map((t) => t.name).sort()).toEqual(
    ['@graft/autodiff', '@graft/backend-cpu', '@graft/backend-gpujs', '@graft/compiler', '@graft/gradcheck', '@graft/ir', '@graft/nn', '@graft/onednn', '@graft/onnx', '@graft/rewrite', 'graft'].sort(),
  );
  const project = join(consumer, 'project');
  mkdirSync(join(project, 'page'), { recursive: true });
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'graft-consumer', private: true, type: 'module' }, null, 2));
  for (const f of ['consumer.mjs', 'consumer.ts', 'conv-reference.mjs', 'tsconfig.json']) copyFileSync(join(here, f), join(project, f));
  for (const f of ['index.html', 'prebuilt.html', 'page.mjs']) copyFileSync(join(here, 'page', f), join(project, 'page', f));
  consumer = project;
}, 600_000);

afterAll(() => {
  if (consumer !== undefined) rmSync(resolve(consumer, '..'), { recursive: true, force: true });
});

describe('graft installed from its tarballs into a project outside the workspace', () => {
  it('installs with npm without building headless-gl or fetching gpu.js, gl or webgpu', () => {
    // The settings a build of `gl` would need here are not passed (see userEnv): an install that
    // tried to build it would fail rather than succeed silently.
    const t0 = performance.now();
    const log = sh('npm', ['install', '--no-audit', '--no-fund', ...tarballs.map((t) => t.file)], consumer);
    const seconds = (performance.now() - t0) / 1000;
    for (const name of ['gl', 'webgpu', 'gpu.js']) expect(existsSync(join(consumer, 'node_modules', name)), name).toBe(false);
    expect(log).not.toMatch(/node-gyp|gyp info/);
    for (const t of tarballs) expect(existsSync(join(consumer, 'node_modules', t.name, 'package.json')), t.name).toBe(true);
    // No TypeScript sources or tests are shipped; the kernels are, prebuilt.
    const cpuPackage = join(consumer, 'node_modules', '@graft', 'backend-cpu');
    expect(existsSync(join(cpuPackage, 'src'))).toBe(false);
    expect(statSync(join(cpuPackage, 'wasm', 'build', 'kernels.wasm')).size).toBeGreaterThan(1000);
    console.log(
      `consumer install: ${seconds.toFixed(1)} s; tarballs: ${tarballs.map((t) => `${t.name} ${kib(t.bytes)}`).join(', ')}; ` +
        `total ${kib(tarballs.reduce((s, t) => s + t.bytes, 0))}`,
    );
  });

  it('runs a strided SAME conv, its gradient on cpu() in float32 and float64, and gradcheck from plain node', () => {
    const out = sh(process.execPath, ['consumer.mjs'], consumer);
    const r = JSON.parse(out.trim().split('\n').pop()!) as {
      ok: boolean;
      failures: string[];
      float32: Record<string, number>;
      float64: Record<string, number>;
      gpujsUnavailable: { package: string };
      cpuKernels: string;
      cpuKernelsWhy: string;
    };
    console.log(`consumer cpu(): kernels ${r.cpuKernels} (${r.cpuKernelsWhy})`);
    expect(['onednn', 'wasm']).toContain(r.cpuKernels);
    expect(r.failures).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.float64.dx).toBeLessThan(1e-12);
    expect(r.float32.dw).toBeLessThan(1e-4);
    expect(r.gpujsUnavailable.package).toBe('gpu.js');
  });

  it('runs `npx graft gradcheck cnn` from the installed bin', () => {
    const r = spawnSync('npx', ['--no-install', 'graft', 'gradcheck', 'cnn'], { cwd: consumer, env: userEnv(), encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('gradcheck passed: 193 values (first order');
  });

  it('type-checks a TypeScript consumer against the shipped .d.ts under strict', () => {
    const tsc = join(root, 'node_modules', '.bin', 'tsc');
    const r = spawnSync(tsc, ['-p', 'tsconfig.json'], { cwd: consumer, env: userEnv(), encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('with gpu.js installed, webgpu and headlessgl name the packages they need and webasm runs', () => {
    sh('npm', ['install', '--no-audit', '--no-fund', '--omit=optional', '--ignore-scripts', 'gpu.js@2.24.1'], consumer);
    const out = sh(process.execPath, ['consumer.mjs', '--with-gpujs'], consumer);
    const r = JSON.parse(out.trim().split('\n').pop()!) as { ok: boolean; failures: string[]; gpujsUnavailable: { package: string }; headlessglUnavailable: { package: string }; webasm: { kernelClasses: string[] } };
    expect(r.failures).toEqual([]);
    expect(r.gpujsUnavailable.package).toBe('webgpu');
    expect(r.headlessglUnavailable.package).toBe('gl');
    expect(r.webasm.kernelClasses).toEqual(['WebAssemblyKernel']);
  });
});

describe('graft bundled for the browser and run in headless Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** Bundles `entry` (ESM, browser platform) from the consumer project's node_modules. */
  async function bundle(entry: string, outfile: string, minify: boolean): Promise<{ bytes: number; gzip: number; inputs: string[] }> {
    const result = await build({
      absWorkingDir: consumer,
      entryPoints: [entry],
      outfile,
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      minify,
      metafile: true,
      logLevel: 'silent',
    });
    expect(result.errors).toEqual([]);
    const bytes = readFileSync(join(consumer, outfile));
    return { bytes: bytes.length, gzip: gz(bytes), inputs: Object.keys((result.metafile as Metafile).inputs) };
  }

  it('bundles with no Node built-ins; the core (ir + autodiff + compiler + cpu) stays small', async () => {
    const page = await bundle('page/page.mjs', 'page/bundle.js', true);
    expect(page.inputs.filter((i) => /^node:|(^|\/)(fs|os|path|worker_threads|child_process|module|zlib)$/.test(i))).toEqual([]);
    expect(page.inputs.some((i) => i.includes('gpu.js/dist/gpu-browser'))).toBe(true);
    expect(page.inputs.some((i) => i.includes('platform/browser.js'))).toBe(true);
    expect(page.inputs.some((i) => i.includes('platform/node.js'))).toBe(false);
    writeFileSync(
      join(consumer, 'core.mjs'),
      "export { Graph } from '@graft/ir';\nexport { grad } from '@graft/autodiff';\nexport { compile } from '@graft/compiler';\nexport { cpu } from '@graft/backend-cpu';\n",
    );
    const core = await bundle('core.mjs', 'core.js', true);
    // The kernels (both builds gzipped as one stream, ~14 KB of base64, ~10 KB gzipped) are a
    // fifth of it; budget: 64 KiB gzipped.
    expect(core.gzip).toBeLessThan(64 * 1024);
    console.log(
      `browser bundles (esbuild, minified): core ir+autodiff+compiler+cpu ${kib(core.bytes)} (${kib(core.gzip)} gzipped); ` +
        `page with graft + gpu.js ${kib(page.bytes)} (${kib(page.gzip)} gzipped)`,
    );
  });

  /**
   * What a page of the consumer project computed, after it loaded with no console error or
   * failed request: `index.html` runs the esbuild bundle of page.mjs, `prebuilt.html` runs
   * page.mjs itself with 'graft' mapped to the package's prebuilt browser module.
   */
  async function runPage(isolated: boolean, file = 'index.html') {
    const server = await serveStatic(consumer, { isolated });
    const page = await browser.newPage();
    const problems = watchPage(page);
    try {
      const t0 = performance.now();
      await page.goto(`${server.url}page/${file}`);
      // Module scripts finish after 'load' when a module awaits at top level (the kernels' compile).
      await page.waitForFunction('window.graftResult !== undefined', undefined, { timeout: 60_000 });
      const result = (await page.evaluate('window.graftResult')) as Record<string, unknown> & { error?: string };
      const ms = performance.now() - t0;
      expect(result.error).toBeUndefined();
      expect(problems).toEqual([]);
      expect(server.missing).toEqual([]);
      return { result, ms };
    } finally {
      await page.close();
      await server.close();
    }
  }

  /** The Node float64 values the page must match: graft on cpu() and the independent loops. */
  async function nodeReference() {
    const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
    const x64 = seeded(size(CASE.xShape), CASE.seed);
    const w64 = seeded(size(CASE.wShape), CASE.seed + 1);
    const g = new Graph({ dtype: 'float64' });
    const x = g.input('x', CASE.xShape);
    const w = g.input('w', CASE.wShape);
    const loss = g.sum(g.square(g.conv2d(x, w, { strides: CASE.stride, padding: 'SAME' })));
    const [dx, dw] = grad(loss, [x, w]);
    const out = await compile({ loss, dx: dx!, dw: dw! }, { backend: cpu() }).run({ x: x64, w: w64 });
    const loops = convLossAndGradients(x64, CASE.xShape, w64, CASE.wShape, CASE.stride);
    expect(maxDiff(out.dx!, loops.dx)).toBeLessThan(1e-12);
    return { loss: out.loss![0]!, dx: out.dx!, dw: out.dw! };
  }

  function expectClose(got: { loss: number[]; dx: number[]; dw: number[] }, want: { loss: number; dx: ArrayLike<number>; dw: ArrayLike<number> }, label: string) {
    const rel = (a: ArrayLike<number>, b: ArrayLike<number>) => maxDiff(a, b) / Math.max(1, ...Array.from(b, Math.abs));
    expect(Math.abs(got.loss[0]! - want.loss) / Math.abs(want.loss), `${label} loss`).toBeLessThan(1e-4);
    expect(rel(got.dx, want.dx), `${label} dx`).toBeLessThan(1e-4);
    expect(rel(got.dw, want.dw), `${label} dw`).toBeLessThan(1e-4);
  }

  it('in a cross-origin-isolated page: cpu() (WebAssembly, Web Workers) and gpu.js WebGL2 give the Node float64 gradient', async () => {
    const want = await nodeReference();
    const { result, ms } = await runPage(true);
    type Run = { loss: number[]; dx: number[]; dw: number[]; ms: number };
    const r = result as unknown as {
      crossOriginIsolated: boolean;
      cpuThreads: number;
      workerChunks: number;
      threadedEqualsSingle: boolean;
      cpu: Run;
      webgl2: Run & { device: string; kernelClasses: string[] };
      webgpuAdapter: string | null;
      webgpu?: Run & { kernelClasses: string[] };
    };
    expect(r.crossOriginIsolated).toBe(true);
    expectClose(r.cpu, want, 'cpu()');
    expectClose(r.webgl2, want, 'gpujs(webgl2)');
    expect(r.webgl2.kernelClasses).toEqual(['WebGL2Kernel']);
    expect(r.cpuThreads).toBeGreaterThanOrEqual(2);
    expect(r.workerChunks).toBeGreaterThan(0);
    expect(r.threadedEqualsSingle).toBe(true);
    // This Chromium runs with --enable-unsafe-webgpu, which gives SwiftShader's adapter.
    expect(r.webgpuAdapter).not.toBeNull();
    expectClose(r.webgpu!, want, 'gpujs(webgpu)');
    expect(r.webgpu!.kernelClasses).toEqual(['WebGPUKernel']);
    console.log(
      `Chromium (isolated): page loaded and ran in ${ms.toFixed(0)} ms; cpu() ${r.cpu.ms.toFixed(0)} ms on ${r.cpuThreads} threads ` +
        `(${r.workerChunks} chunks run by Web Workers); gpujs(webgl2) ${r.webgl2.ms.toFixed(0)} ms on ${r.webgl2.kernelClasses.join()} — renderer "${r.webgl2.device}"; ` +
        `gpujs(webgpu) on ${r.webgpu!.kernelClasses.join()}, adapter "${r.webgpuAdapter}"`,
    );
  });

  it('without a bundler: page.mjs with an import map to graft/dist/browser/graft.js gives the same numbers on cpu() and WebGL2', async () => {
    const want = await nodeReference();
    const { result } = await runPage(true, 'prebuilt.html');
    const r = result as unknown as { crossOriginIsolated: boolean; workerChunks: number; cpu: { loss: number[]; dx: number[]; dw: number[] }; webgl2: { loss: number[]; dx: number[]; dw: number[]; kernelClasses: string[] } };
    expect(r.crossOriginIsolated).toBe(true);
    expectClose(r.cpu, want, 'prebuilt cpu()');
    expectClose(r.webgl2, want, 'prebuilt gpujs(webgl2)');
    expect(r.webgl2.kernelClasses).toEqual(['WebGL2Kernel']);
    expect(r.workerChunks).toBeGreaterThan(0);
  });

  it('in a page that is not cross-origin isolated: cpu() runs one thread over a private memory with the same numbers', async () => {
    const want = await nodeReference();
    const { result } = await runPage(false);
    const r = result as unknown as { crossOriginIsolated: boolean; cpuThreads: number; cpu: { loss: number[]; dx: number[]; dw: number[] }; webgl2: { kernelClasses: string[] } };
    expect(r.crossOriginIsolated).toBe(false);
    expect(r.cpuThreads).toBe(1);
    expectClose(r.cpu, want, 'cpu() one thread');
    expect(r.webgl2.kernelClasses).toEqual(['WebGL2Kernel']);
  });
});
