import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Rebuilds the float32 WebAssembly kernels when a source under
 * packages/backend-cpu/wasm/assembly is newer than the build, so that edited kernels are what
 * the tests run (graft itself never compiles at run time: packages ship the built module).
 */
export default function setup(): void {
  const script = fileURLToPath(new URL('packages/backend-cpu/wasm/build.mjs', import.meta.url));
  execFileSync(process.execPath, [script, '--if-stale'], { stdio: 'inherit' });
}
