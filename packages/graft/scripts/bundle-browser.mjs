// Writes dist/browser/graft.js: the whole of graft (gpu.js included) as a minified ES module for
// pages without a bundler — `<script type="module">import { Graph } from '…/graft/dist/browser/graft.js'`.
// What is imported on demand stays in chunks beside it (Graphviz for toSvg, gpu.js).
// Projects with a bundler import 'graft' instead and get only what they use (the browser
// conditions of the packages' exports pick the page's platform code).
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('..', import.meta.url));
// Chunks are named by content hash: start empty so that no stale chunk is shipped.
rmSync(new URL('../dist/browser', import.meta.url), { recursive: true, force: true });
await build({
  absWorkingDir: here,
  entryPoints: ['dist/index.js'],
  outdir: 'dist/browser',
  entryNames: 'graft',
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  // Typed errors are named after their classes (err.name === 'ShapeError'): keep class names.
  keepNames: true,
  legalComments: 'eof',
  logLevel: 'warning',
});
