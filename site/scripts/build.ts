/**
 * Builds the static site into `site/dist/` (or `--out DIR`): the page, its stylesheet, the
 * esbuild bundle of `src/main.ts` (graft from its TypeScript sources through the `source`
 * export condition, the packages' browser platform code through `browser`; Graphviz in a chunk
 * loaded on demand) and the MNIST digits asset. Prints the files with their gzipped sizes.
 */
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { encodeDigits } from './digits.ts';

const site = fileURLToPath(new URL('..', import.meta.url));

export interface BuiltFile {
  /** Path inside the output folder. */
  readonly path: string;
  readonly bytes: number;
  /** gzip -9 size: what a server that compresses sends. */
  readonly gzip: number;
}

export interface SiteBuild {
  readonly outDir: string;
  readonly files: readonly BuiltFile[];
  readonly seconds: number;
}

export async function buildSite(options: { readonly outDir?: string; readonly minify?: boolean } = {}): Promise<SiteBuild> {
  const t0 = performance.now();
  const outDir = options.outDir ?? join(site, 'dist');
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const result = await build({
    absWorkingDir: site,
    entryPoints: ['src/main.ts'],
    outdir: outDir,
    entryNames: '[name]',
    chunkNames: 'chunks/[name]-[hash]',
    splitting: true,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['source'],
    target: 'es2022',
    minify: options.minify ?? true,
    // graft's typed errors take their name from their class (ShapeError, AttrError…), which
    // minification would rename.
    keepNames: true,
    sourcemap: false,
    legalComments: 'eof',
    metafile: true,
    logLevel: 'warning',
  });
  for (const f of ['index.html', 'style.css']) copyFileSync(join(site, 'src', f), join(outDir, f));
  writeFileSync(join(outDir, 'digits.bin'), encodeDigits());

  const paths = ['index.html', 'style.css', 'digits.bin', ...Object.keys(result.metafile.outputs).map((f) => relative(outDir, join(site, f)))];
  const files = paths.map((path) => {
    const bytes = readFileSync(join(outDir, path));
    return { path, bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  });
  return { outDir, files, seconds: (performance.now() - t0) / 1000 };
}

const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

/** One line per file, then the total. */
export function formatBuild(b: SiteBuild): string {
  const sum = (k: 'bytes' | 'gzip') => b.files.reduce((s, f) => s + f[k], 0);
  return [
    ...b.files.map((f) => `  ${f.path.padEnd(44)} ${kib(f.bytes).padStart(11)} ${kib(f.gzip).padStart(11)} gzipped`),
    `  total ${kib(sum('bytes'))} (${kib(sum('gzip'))} gzipped)`,
  ].join('\n');
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const at = process.argv.indexOf('--out');
  const b = await buildSite({ outDir: at > 0 ? process.argv[at + 1] : undefined });
  console.log(`built ${b.outDir} in ${b.seconds.toFixed(1)} s\n${formatBuild(b)}`);
}
