import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { GraphError } from '@graft/ir';
import type { OnednnAddon, OnednnUnavailable } from '@graft/onednn';
import type { CpuPlatform, KernelWorker, KernelWorkerData, WasmModule } from './types.ts';
import { unshareMemoryImport } from './wasm-binary.ts';

/*
 * Node: the kernels are read from the package's `wasm/build/` (built from `wasm/assembly/` by
 * `wasm/build.mjs` when the package is packed, and on `pnpm install` in the workspace; never at
 * run time) and compiled synchronously; worker threads share the memory; the oneDNN addon is
 * loaded where it is installed; settings come from environment variables.
 */

const WA = (globalThis as unknown as { WebAssembly: { Module: new (bytes: Uint8Array) => WasmModule; validate(bytes: Uint8Array): boolean } }).WebAssembly;
const modules = new Map<string, { module: WasmModule; relaxedSimd: boolean }>();

function readKernels(file: string): Uint8Array {
  const url = new URL(`../../wasm/build/${file}`, import.meta.url);
  try {
    return readFileSync(url);
  } catch (e) {
    throw new GraphError(
      'cpu',
      `the float32 WebAssembly kernels must be built (${url.pathname} is missing: ${(e as Error).message}); ` +
        'in the graft workspace run `pnpm install` or `pnpm --filter @graft/backend-cpu build:wasm`; an installed package ships them',
      { path: url.pathname },
    );
  }
}

function kernelModule(shared: boolean, relaxed: boolean): { module: WasmModule; relaxedSimd: boolean } {
  const key = `${shared}/${relaxed}`;
  let m = modules.get(key);
  if (m === undefined) {
    let bytes = readKernels('kernels.wasm');
    let relaxedSimd = false;
    if (relaxed) {
      const fused = readKernels('kernels-relaxed.wasm');
      if (WA.validate(fused)) [bytes, relaxedSimd] = [fused, true];
    }
    m = { module: new WA.Module(shared ? bytes : unshareMemoryImport(bytes)), relaxedSimd };
    modules.set(key, m);
  }
  return m;
}

let onednn: OnednnAddon | OnednnUnavailable | undefined;

/** `@graft/onednn` is an optional dependency: required lazily, its absence a reason, not an error. */
function loadOnednn(): OnednnAddon | OnednnUnavailable {
  if (onednn !== undefined) return onednn;
  try {
    const { loadOnednn: load } = createRequire(import.meta.url)('@graft/onednn/load') as typeof import('@graft/onednn/load');
    onednn = load();
  } catch (e) {
    onednn = { reason: `@graft/onednn is not installed (${e instanceof Error ? e.message : String(e)})` };
  }
  return onednn;
}

function spawnWorker(body: string, data: KernelWorkerData): KernelWorker {
  // An eval'd worker is a CommonJS script: it needs no loader, whatever runs the caller.
  const w = new Worker(`const { workerData } = require('node:worker_threads');\n(() => {\n${body}\n})();`, { eval: true, workerData: data });
  // Idle workers must not keep the process alive.
  w.unref();
  return { terminate: () => void w.terminate() };
}

export const platform: CpuPlatform = {
  name: 'node',
  sharedMemory: true,
  canBlock: true,
  hardwareThreads: () => availableParallelism(),
  kernelModule,
  spawnWorker,
  loadOnednn,
  env: (name) => process.env[name],
};
