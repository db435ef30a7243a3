import { GraphError } from '@graft/ir';
import type { CpuPlatform, KernelWorker, KernelWorkerData, WasmModule } from './types.ts';
import { blockBytes, packed, plainBytes, relaxedBytes } from '../../wasm/build/kernels.browser.js';
import { unshareMemoryImport } from './wasm-binary.ts';

/*
 * Browser: the kernels travel inside the bundle (the plain SIMD build and the relaxed-SIMD one in
 * turns of `blockBytes`, gzipped as one stream, base64; inflated with the platform's
 * DecompressionStream) and
 * the one this page runs is compiled asynchronously when this module is
 * first imported (large synchronous compiles are refused on a page's main thread): relaxed SIMD
 * where the browser validates it. A cross-origin-isolated page (COOP/COEP headers) gets the
 * threaded module over a shared memory and Web Workers; any other page runs one thread over a
 * private memory (the same code, its memory import unshared). No native kernels, no settings.
 */

interface BrowserGlobals {
  readonly crossOriginIsolated?: boolean;
  readonly navigator?: { readonly hardwareConcurrency?: number };
  readonly document?: unknown;
  readonly WebAssembly: { compile(bytes: Uint8Array): Promise<WasmModule>; validate(bytes: Uint8Array): boolean };
  readonly Blob: new (parts: string[], options: { type: string }) => unknown;
  readonly URL: { createObjectURL(blob: unknown): string };
  readonly Worker: new (url: string) => { postMessage(data: unknown): void; terminate(): void };
  atob(data: string): string;
  readonly DecompressionStream: new (format: 'gzip') => unknown;
  readonly Response: new (body: unknown) => { readonly body: { pipeThrough(t: unknown): unknown }; arrayBuffer(): Promise<ArrayBuffer> };
}
const g = globalThis as unknown as BrowserGlobals;

const sharedMemory = g.crossOriginIsolated === true;

function decode(base64: string): Uint8Array {
  const text = g.atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** The two builds, inflated: `[plain, relaxed]` (exported for the test that compares them with the .wasm files). */
export async function inflate(): Promise<[Uint8Array, Uint8Array]> {
  const stream = new g.Response(decode(packed)).body.pipeThrough(new g.DecompressionStream('gzip'));
  const bytes = new Uint8Array(await new g.Response(stream).arrayBuffer());
  if (bytes.length !== plainBytes + relaxedBytes) {
    throw new GraphError('cpu', 'the bundled kernels must inflate to the two builds', { bytes: bytes.length, expected: plainBytes + relaxedBytes });
  }
  return unpack(bytes, plainBytes, relaxedBytes, blockBytes);
}

/**
 * The two builds from their turns of `block` bytes (plain 0, relaxed 0, plain 1, …; the shorter
 * build's turns end first): the inverse of wasm/build.mjs's packing.
 */
export function unpack(bytes: Uint8Array, plainLength: number, relaxedLength: number, block: number): [Uint8Array, Uint8Array] {
  const plain = new Uint8Array(plainLength);
  const relaxed = new Uint8Array(relaxedLength);
  let read = 0;
  for (let at = 0; at < Math.max(plainLength, relaxedLength); at += block) {
    for (const build of [plain, relaxed]) {
      if (at >= build.length) continue;
      const part = bytes.subarray(read, read + Math.min(block, build.length - at));
      build.set(part, at);
      read += part.length;
    }
  }
  return [plain, relaxed];
}

const [plainModule, relaxedModule] = await inflate();
const relaxedSimd = g.WebAssembly.validate(relaxedModule);
const chosen = relaxedSimd ? relaxedModule : plainModule;
const compiled = await g.WebAssembly.compile(sharedMemory ? chosen : unshareMemoryImport(chosen));

function kernelModule(shared: boolean): { module: WasmModule; relaxedSimd: boolean } {
  if (shared !== sharedMemory) {
    throw new GraphError('cpu', `the kernels asked for must match the page: it ${sharedMemory ? 'is' : 'is not'} cross-origin isolated`, { shared, sharedMemory });
  }
  return { module: compiled, relaxedSimd };
}

function spawnWorker(body: string, data: KernelWorkerData): KernelWorker {
  const source = `onmessage = (event) => { onmessage = null; const workerData = event.data;\n${body}\n};`;
  const url = g.URL.createObjectURL(new g.Blob([source], { type: 'text/javascript' }));
  // The URL is not revoked: a worker fetches its script after the constructor returns.
  const w = new g.Worker(url);
  w.postMessage(data);
  return { terminate: () => w.terminate() };
}

export const platform: CpuPlatform = {
  name: 'browser',
  sharedMemory,
  // A page's main thread may not block; a worker (graft running inside one) may.
  canBlock: g.document === undefined,
  hardwareThreads: () => g.navigator?.hardwareConcurrency ?? 1,
  kernelModule,
  spawnWorker,
  loadOnednn: () => ({ reason: 'a browser page has no native kernels; it runs the WebAssembly ones' }),
  env: () => undefined,
};
