// Builds the float32 WebAssembly kernels: wasm/assembly/*.ts (AssemblyScript) → two modules,
// wasm/build/kernels.wasm (SIMD) and wasm/build/kernels-relaxed.wasm (SIMD + relaxed SIMD, whose
// multiply-adds are fused); the loader takes the second where the runtime validates it.
//
//   node wasm/build.mjs             build
//   node wasm/build.mjs --if-stale  build only when a source is newer than the output
//   node wasm/build.mjs --text      also write kernels.wat, to read what the compiler made of a kernel
//   node wasm/build.mjs --names     keep function names (a name section), for CPU profiles
//
// The package's postinstall runs it, so a fresh `pnpm install` builds the kernels; the loader
// (src/kernels/wasm/module.ts) runs it with --if-stale, so edited sources are rebuilt before use.
import { mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'build');
const target = join(out, 'kernels.wasm');
const targets = [
  { file: target, features: ['simd'] },
  { file: join(out, 'kernels-relaxed.wasm'), features: ['simd', 'relaxed-simd'] },
];
const sources = [fileURLToPath(import.meta.url), ...readdirSync(join(here, 'assembly')).map((f) => join(here, 'assembly', f))];

if (process.argv.includes('--if-stale')) {
  let built = -1;
  try {
    built = statSync(target).mtimeMs;
  } catch {}
  for (const t of targets.slice(1)) {
    try {
      built = Math.min(built, statSync(t.file).mtimeMs);
    } catch {
      built = -1;
    }
  }
  if (sources.every((f) => statSync(f).mtimeMs <= built)) process.exit(0);
}

const { default: asc } = await import('assemblyscript/asc');
mkdirSync(out, { recursive: true });
// Written under a temporary name and renamed: processes that build at the same time (test
// workers finding a stale build) never see half a file. The plain module is written last: the
// loader's staleness check looks at it.
for (const t of [...targets].reverse()) {
  const tmp = `${t.file}.${process.pid}.tmp`;
  const args = [
    join(here, 'assembly', 'index.ts'),
    '--outFile', tmp,
    '-O3',
    // No allocator or GC: kernels only read and write memory the JS side manages.
    '--runtime', 'stub',
    ...t.features.flatMap((f) => ['--enable', f]),
    // One shared memory imported from JS, so that worker threads run the same module over it.
    '--enable', 'threads',
    '--importMemory',
    '--sharedMemory',
    '--maximumMemory', '65536',
    '--noExportMemory',
    '--noAssert',
  ];
  if (process.argv.includes('--text')) args.push('--textFile', t.file.replace(/\.wasm$/, '.wat'));
  // Function names in the binary, for profiles (the code is the same).
  if (process.argv.includes('--names')) args.push('--debug');
  const { error, stderr } = await asc.main(args, { stdout: process.stdout, stderr: process.stderr });
  if (error) {
    rmSync(tmp, { force: true });
    console.error(`wasm/build.mjs: ${error.message}`);
    console.error(stderr.toString());
    process.exit(1);
  }
  renameSync(tmp, t.file);
}
