/**
 * gpu.js in Node: which modes can run in this process, and the environment each needs: the
 * `navigator.gpu` that gpu.js's WebGPU backend reads (Node has none; dawn.node, the optional
 * `webgpu` package, provides it), and the X server headless-gl (the optional `gl` package)
 * needs. gpu.js itself is an optional peer dependency too. Every "no" comes with the reason
 * and the fix.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isMainThread } from 'node:worker_threads';
import { BackendUnavailableError, type GpujsMode, type GpujsPlatform, type GpuModule, type OpenedMode } from '../modes.ts';

const require = createRequire(import.meta.url);

/** Whether an optional package resolves from here (without loading it). */
function resolvable(name: string): boolean {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
}

function gpuModule(mode: string): GpuModule {
  if (!resolvable('gpu.js')) {
    throw new BackendUnavailableError(mode, "the 'gpu.js' package is not installed; install it: npm install gpu.js@2.24.1", 'gpu.js');
  }
  return require('gpu.js') as GpuModule;
}

const APT_GL = 'apt-get install -y --no-install-recommends libgl1-mesa-dri libegl1 libegl-mesa0';
const XVFB = 'xvfb-run -a -s "-screen 0 1280x1024x24" <command>';

// ── process-wide GL ownership ─────────────────────────────────────────────────
// Dawn's OpenGL ES backend and headless-gl cannot share a process: whichever initialises
// second fails (EGL_BAD_ACCESS, or an X BadAccess crash). Record who went first, process-wide
// (a symbol on globalThis survives module re-evaluation).
const OWNER = Symbol.for('graft.backend-gpujs.glOwner');
type GlOwner = 'headlessgl' | 'webgpu-opengles';
const store = globalThis as unknown as { [OWNER]?: GlOwner };

function claimGl(owner: GlOwner, mode: string): void {
  const current = store[OWNER];
  if (current !== undefined && current !== owner) {
    throw new BackendUnavailableError(
      mode,
      `this process already initialised ${current === 'headlessgl' ? 'headless-gl' : "Dawn's OpenGL ES backend (webgpu)"}, ` +
        `and the two cannot share a process (the second fails with EGL_BAD_ACCESS or an X BadAccess crash); ` +
        `run each in its own process (e.g. its own vitest file under the forks pool)`,
    );
  }
  store[OWNER] = owner;
}

// ── WebGPU (dawn.node) ────────────────────────────────────────────────────────

/** An adapter as the probe saw it. */
interface AdapterInfo {
  readonly device: string;
  readonly description: string;
  readonly vendor: string;
  readonly architecture: string;
}

/** What a child process found for each route to a WebGPU adapter. */
interface WebGpuProbe {
  /** `create([])`: Dawn's default (Vulkan on Linux), for real GPUs. */
  readonly native: AdapterInfo | null;
  /** `create(['backend=opengles'])` with `featureLevel: 'compatibility'`: Dawn over Mesa's GL, no X needed. */
  readonly opengles: AdapterInfo | null;
  /** Dawn's warnings and any failure (why a route found no adapter). */
  readonly log: string;
}

const SOFTWARE = /llvmpipe|lavapipe|softpipe|swiftshader|software/i;

function isSoftware(a: AdapterInfo): boolean {
  return SOFTWARE.test(`${a.vendor} ${a.architecture} ${a.device} ${a.description}`);
}

function describeAdapter(a: AdapterInfo): string {
  return [a.vendor, a.architecture, a.device, a.description].filter((s) => s !== '').join(' / ');
}

let webGpuProbe: WebGpuProbe | undefined;

/**
 * Asks a child process which WebGPU adapters exist. A child, because `requestAdapter` is
 * asynchronous (construction must answer synchronously) and because initialising Dawn's GL
 * backend here would keep headless-gl out of this process for good. Cached per process.
 */
function probeWebGpu(): WebGpuProbe {
  if (webGpuProbe !== undefined) return webGpuProbe;
  let webgpuPath: string;
  try {
    webgpuPath = require.resolve('webgpu');
  } catch {
    return (webGpuProbe = { native: null, opengles: null, log: "the 'webgpu' package (dawn.node) is not installed; install it: npm install webgpu@0.6.2" });
  }
  const script = `
    const { create } = await import(${JSON.stringify(new URL(`file://${webgpuPath}`).href)});
    const info = (a) => a && { device: a.info.device ?? '', description: a.info.description ?? '', vendor: a.info.vendor ?? '', architecture: a.info.architecture ?? '' };
    const out = {};
    for (const [route, flags, options] of [['native', [], {}], ['opengles', ['backend=opengles'], { featureLevel: 'compatibility' }]]) {
      try { out[route] = info(await create(flags).requestAdapter(options)) ?? null; }
      catch (e) { out[route] = null; console.error(route + ': ' + e.message); }
    }
    process.stdout.write('\\n' + JSON.stringify(out) + '\\n');
    process.exit(0);`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, EGL_PLATFORM: process.env.EGL_PLATFORM ?? 'surfaceless' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const log = `${child.stderr ?? ''}${child.error ? `\n${child.error.message}` : ''}`
    .split('\n')
    .filter((l) => l.trim() !== '' && !/artificially reduced/.test(l) && !/^\s+at /.test(l))
    .join('; ');
  const last = (child.stdout ?? '').trim().split('\n').pop() ?? '';
  try {
    const parsed = JSON.parse(last) as { native: AdapterInfo | null; opengles: AdapterInfo | null };
    webGpuProbe = { native: parsed.native, opengles: parsed.opengles, log };
  } catch {
    webGpuProbe = { native: null, opengles: null, log: `the probe process failed (status ${child.status}): ${log}` };
  }
  return webGpuProbe;
}

/** The route the webgpu mode takes here, or why there is none. */
function webGpuRoute(p: WebGpuProbe): { route: 'native' | 'opengles'; adapter: AdapterInfo } | { reason: string } {
  if (p.native !== null) return { route: 'native', adapter: p.native };
  if (p.opengles !== null) return { route: 'opengles', adapter: p.opengles };
  return {
    reason:
      `no WebGPU adapter: Dawn's Vulkan route found none (a GPU needs its Vulkan driver and libvulkan1), ` +
      `and its OpenGL ES route over Mesa found none either (needs ${APT_GL}, and EGL_PLATFORM=surfaceless exported before node starts)` +
      (p.log === '' ? '' : `; Dawn said: ${p.log}`),
  };
}

interface NavigatorGpu {
  requestAdapter(options?: Record<string, unknown>): Promise<unknown>;
}

interface Installed {
  refs: number;
  readonly route: 'native' | 'opengles';
  /** globalThis keys this module added (removed on teardown). */
  readonly added: readonly string[];
}
const INSTALLED = Symbol.for('graft.backend-gpujs.navigatorGpu');
const installStore = globalThis as unknown as { [INSTALLED]?: Installed };

/**
 * Creates `navigator.gpu` from dawn.node for gpu.js (which only reads the global). The
 * OpenGL ES route asks for a compatibility-level adapter, since gpu.js requests one without
 * options. Reference-counted: the last `releaseNavigatorGpu` removes what was added.
 */
function acquireNavigatorGpu(route: 'native' | 'opengles'): void {
  const current = installStore[INSTALLED];
  if (current !== undefined) {
    if (current.route !== route) {
      throw new BackendUnavailableError('webgpu', `navigator.gpu is already set up for Dawn's ${current.route} route in this process`);
    }
    current.refs++;
    return;
  }
  if (route === 'opengles') {
    claimGl('webgpu-opengles', 'webgpu');
    if (process.env.EGL_PLATFORM === undefined) {
      if (!isMainThread) {
        throw new BackendUnavailableError(
          'webgpu',
          'Dawn over Mesa needs EGL_PLATFORM=surfaceless, and a worker thread cannot set the process environment; export it before node starts',
        );
      }
      // Mesa reads it when Dawn first opens an EGL display, which has not happened yet.
      process.env.EGL_PLATFORM = 'surfaceless';
    }
  }
  const { create, globals } = require('webgpu') as { create(flags: string[]): NavigatorGpu; globals: Record<string, unknown> };
  const dawn = create(route === 'opengles' ? ['backend=opengles'] : []);
  const g = globalThis as Record<string, unknown>;
  const added: string[] = [];
  for (const [k, v] of Object.entries(globals)) {
    if (!(k in g)) {
      g[k] = v;
      added.push(k);
    }
  }
  const gpu = Object.create(dawn) as NavigatorGpu;
  gpu.requestAdapter = (options = {}) =>
    dawn.requestAdapter(route === 'opengles' ? { featureLevel: 'compatibility', ...options } : { powerPreference: 'high-performance', ...options });
  const nav = g.navigator as { gpu?: unknown } | undefined;
  if (nav === undefined) {
    g.navigator = { gpu };
    added.push('navigator');
  } else {
    Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true, writable: true });
    added.push('navigator.gpu');
  }
  installStore[INSTALLED] = { refs: 1, route, added };
}

/** Drops one reference; the last destroys gpu.js's shared device and removes the globals. */
async function releaseNavigatorGpu(): Promise<void> {
  const current = installStore[INSTALLED];
  if (current === undefined || --current.refs > 0) return;
  installStore[INSTALLED] = undefined;
  const { WebGPUContext } = require('gpu.js/src/backend/web-gpu/context.js') as { WebGPUContext: { destroy(): Promise<void> } };
  await WebGPUContext.destroy();
  const g = globalThis as Record<string, unknown>;
  for (const k of current.added) {
    if (k === 'navigator.gpu') delete (g.navigator as { gpu?: unknown }).gpu;
    else delete g[k];
  }
}

// ── headless-gl ───────────────────────────────────────────────────────────────

/** The GL driver headless-gl got, from the shared objects this process has mapped. */
function glDriver(): { description: string; software: boolean } {
  let maps = '';
  try {
    maps = readFileSync('/proc/self/maps', 'utf8');
  } catch {
    return { description: 'unknown GL driver', software: true };
  }
  if (/libGLX_nvidia|libnvidia-glcore/.test(maps)) return { description: 'NVIDIA GLX', software: false };
  const dri = [...new Set([...maps.matchAll(/\/([\w-]+)_dri\.so/g)].map((m) => m[1]!))];
  const hardware = dri.filter((d) => d !== 'swrast' && d !== 'kms_swrast');
  if (hardware.length > 0) return { description: `Mesa ${hardware.join(', ')} (GLX)`, software: false };
  return { description: dri.length > 0 ? 'Mesa llvmpipe (software, GLX)' : 'GLX driver not identified', software: true };
}

/** Why headless-gl cannot start in this process before even trying, or undefined. */
function headlessGlPrecondition(): string | undefined {
  if (!resolvable('gl')) {
    return "the 'gl' package (headless-gl) is not installed; install it: npm install gl@8.1.6 (it builds from source: apt: build-essential python3 pkg-config libx11-dev libxext-dev libxi-dev libglu1-mesa-dev)";
  }
  try {
    require('gl');
  } catch (e) {
    return (
      `the native 'gl' module (headless-gl) is not built (${(e as Error).message.split('\n')[0]}); ` +
      `install its build dependencies (apt: build-essential python3 pkg-config libx11-dev libxext-dev libxi-dev libglu1-mesa-dev), ` +
      `allow its install script (pnpm-workspace.yaml: allowBuilds: { gl: true }) and rebuild it with ` +
      `npm_config_nodedir=/usr npm_config_build_from_source=true pnpm rebuild gl`
    );
  }
  if (process.env.DISPLAY === undefined || process.env.DISPLAY === '') {
    return `headless-gl needs an X server and DISPLAY is unset; run under ${XVFB} (apt: xvfb xauth)`;
  }
  return undefined;
}

/**
 * Initialises headless-gl in this process (gpu.js's own support check creates its context).
 * Returns the driver description.
 */
function startHeadlessGl(isSupported: () => boolean): { description: string; software: boolean } {
  const why = headlessGlPrecondition();
  if (why !== undefined) throw new BackendUnavailableError('headlessgl', why, resolvable('gl') ? undefined : 'gl');
  claimGl('headlessgl', 'headlessgl');
  if (!isSupported()) {
    throw new BackendUnavailableError(
      'headlessgl',
      `no GL context on DISPLAY=${process.env.DISPLAY}: the X server must offer GLX (Xvfb does; install ${APT_GL.replace(' libegl1 libegl-mesa0', '')}), ` +
        `or run under ${XVFB}`,
    );
  }
  return glDriver();
}

/** headless-gl in a child process: whether it starts and on which driver (for `auto`). */
function probeHeadlessGl(): { description: string; software: boolean } | { reason: string } {
  const why = headlessGlPrecondition();
  if (why !== undefined) return { reason: why };
  const script = `
    const gl = require(${JSON.stringify(require.resolve('gl'))})(2, 2);
    if (!gl) { process.stdout.write('null\\n'); process.exit(0); }
    const maps = require('fs').readFileSync('/proc/self/maps', 'utf8');
    process.stdout.write(JSON.stringify({ nvidia: /libGLX_nvidia|libnvidia-glcore/.test(maps), dri: [...new Set([...maps.matchAll(/\\/([\\w-]+)_dri\\.so/g)].map((m) => m[1]))] }) + '\\n');`;
  const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60_000 });
  const last = (child.stdout ?? '').trim().split('\n').pop() ?? '';
  try {
    const r = JSON.parse(last) as { nvidia: boolean; dri: string[] } | null;
    if (r === null) return { reason: `no GL context on DISPLAY=${process.env.DISPLAY}` };
    if (r.nvidia) return { description: 'NVIDIA GLX', software: false };
    const hw = r.dri.filter((d) => d !== 'swrast' && d !== 'kms_swrast');
    return hw.length > 0 ? { description: `Mesa ${hw.join(', ')} (GLX)`, software: false } : { description: 'Mesa llvmpipe (software, GLX)', software: true };
  } catch {
    return { reason: `headless-gl failed to start (status ${child.status}): ${(child.stderr ?? '').split('\n')[0]}` };
  }
}

// ── WebAssembly ───────────────────────────────────────────────────────────────

function webAssemblyAvailable(): string | undefined {
  const wasm = (globalThis as { WebAssembly?: { Memory?: unknown } }).WebAssembly;
  return typeof wasm === 'object' && typeof wasm.Memory === 'function'
    ? undefined
    : 'this JavaScript runtime has no WebAssembly';
}

// ── auto ──────────────────────────────────────────────────────────────────────

/**
 * `auto`: a real GPU first — WebGPU on a hardware adapter, then headless-gl on a hardware
 * GL driver — else `webasm`, the fastest gpu.js mode on a CPU (software rasterisers such as
 * llvmpipe run the same kernels slower than WebAssembly does), else `cpu`. Returns the pick
 * and why the better modes were passed over.
 */
function chooseAuto(): { mode: GpujsMode; why: string } {
  const skipped: string[] = [];
  const p = probeWebGpu();
  const route = webGpuRoute(p);
  if ('route' in route) {
    if (!isSoftware(route.adapter)) return { mode: 'webgpu', why: `hardware WebGPU adapter: ${describeAdapter(route.adapter)}` };
    skipped.push(`webgpu: only a software adapter (${describeAdapter(route.adapter)} via Dawn's ${route.route} route)`);
  } else {
    skipped.push(`webgpu: ${route.reason}`);
  }
  if (store[OWNER] === 'webgpu-opengles') {
    skipped.push("headlessgl: Dawn's OpenGL ES backend already owns GL in this process");
  } else {
    const gl = probeHeadlessGl();
    if ('reason' in gl) skipped.push(`headlessgl: ${gl.reason}`);
    else if (!gl.software) return { mode: 'headlessgl', why: `hardware GL driver: ${gl.description}; ${skipped.join('; ')}` };
    else skipped.push(`headlessgl: only a software GL driver (${gl.description})`);
  }
  const wasm = webAssemblyAvailable();
  if (wasm === undefined) return { mode: 'webasm', why: `no hardware GPU here (${skipped.join('; ')}); webasm is the fastest gpu.js mode on a CPU` };
  skipped.push(`webasm: ${wasm}`);
  return { mode: 'cpu', why: skipped.join('; ') };
}

// ── opening a mode ────────────────────────────────────────────────────────────

function open(mode: GpujsMode, gpu: GpuModule): OpenedMode {
  switch (mode) {
    case 'webgpu': {
      if (!resolvable('webgpu')) {
        throw new BackendUnavailableError('webgpu', "the 'webgpu' package (dawn.node) is not installed; install it: npm install webgpu@0.6.2", 'webgpu');
      }
      const route = webGpuRoute(probeWebGpu());
      if ('reason' in route) throw new BackendUnavailableError('webgpu', route.reason);
      acquireNavigatorGpu(route.route);
      const device = `${describeAdapter(route.adapter)} (Dawn's ${route.route === 'native' ? 'default route: Vulkan on Linux' : 'OpenGL ES route'})`;
      return { device, release: releaseNavigatorGpu };
    }
    case 'headlessgl':
      return { device: startHeadlessGl(() => gpu.GPU.isHeadlessGLSupported).description, release: async () => {} };
    case 'webgl2':
    case 'webgl':
      throw new BackendUnavailableError(mode, "a browser mode: Node has no WebGL canvas; use 'headlessgl' (WebGL 1 through headless-gl) or 'webgpu'");
    case 'webasm': {
      const why = webAssemblyAvailable();
      if (why !== undefined) throw new BackendUnavailableError('webasm', why);
      return { device: 'WebAssembly (f32x4 SIMD) on the CPU', release: async () => {} };
    }
    case 'cpu':
      return { device: 'JavaScript on the CPU', release: async () => {} };
  }
}

export const platform: GpujsPlatform = { name: 'node', gpuModule, chooseAuto, open };
