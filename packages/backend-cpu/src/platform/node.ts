import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { GraphError } from '@graft/ir';
import type { CpuPlatform, KernelWorker, KernelWorkerData, WasmModule } from './types.ts';

/*
 * Node: the kernels are read from the package's `wasm/build/` (built from `wasm/assembly/` by
 * `wasm/build.mjs` when the package is packed, and on `pnpm install` in the workspace; never at
 * run time) and compiled synchronously; worker threads share the memory.
 */

const WA = (globalThis as unknown as { WebAssembly: { Module: new (bytes: Uint8Array) => WasmModule } }).WebAssembly;
const modules = new Map<boolean, WasmModule>();

function kernelModule(shared: boolean): WasmModule {
  let module = modules.get(shared);
  if (module === undefined) {
    const url = new URL(`../../wasm/build/${shared ? 'kernels.wasm' : 'kernels-single.wasm'}`, import.meta.url);
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(url);
    } catch (e) {
      throw new GraphError(
        'cpu',
        `the float32 WebAssembly kernels must be built (${url.pathname} is missing: ${(e as Error).message}); ` +
          'in the graft workspace run `pnpm install` or `pnpm --filter @graft/backend-cpu build:wasm`; an installed package ships them',
        { path: url.pathname },
      );
    }
    module = new WA.Module(bytes);
    modules.set(shared, module);
  }
  return module;
}

function spawnWorker(body: string, data: KernelWorkerData): KernelWorker {
  // An eval'd worker is a CommonJS script: it needs no loader, whatever runs the caller.
  const w = new Worker(`const { workerData } = require('node:worker_threads');\n${body}`, { eval: true, workerData: data });
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
};
