// Builds the float32 WebAssembly kernels: wasm/assembly/*.ts (AssemblyScript) → wasm/build/kernels.wasm.
// Run by the package's postinstall (so a fresh `pnpm install` builds it) and by `build:wasm`.
// `--text` also writes kernels.wat, for reading what the compiler made of a kernel.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'build');
mkdirSync(out, { recursive: true });

const args = [
  join(here, 'assembly', 'index.ts'),
  '--outFile', join(out, 'kernels.wasm'),
  '-O3',
  // No allocator or GC: kernels only read and write memory the JS side manages.
  '--runtime', 'stub',
  '--enable', 'simd',
  // One shared memory imported from JS, so that worker threads can run the same module over it.
  '--enable', 'threads',
  '--importMemory',
  '--sharedMemory',
  '--maximumMemory', '65536',
  '--noExportMemory',
  '--noAssert',
];
if (process.argv.includes('--text')) args.push('--textFile', join(out, 'kernels.wat'));

const { error, stderr } = await asc.main(args, { stdout: process.stdout, stderr: process.stderr });
if (error) {
  console.error(`wasm/build.mjs: ${error.message}`);
  console.error(stderr.toString());
  process.exit(1);
}
