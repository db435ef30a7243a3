// Builds the oneDNN addon (native/addon.cc → build/Release/graft_onednn.node) with node-gyp.
//
//   node build.mjs            build; on failure write the reason to build/unavailable.txt and exit 0
//   node build.mjs --verbose  the same, with the compiler's output on the terminal
//   node build.mjs --strict   exit 1 when the build fails (CI, to see that it builds)
//
// The package's install script runs it. The addon is optional: an install where the compiler or
// oneDNN (Debian: `apt-get install libdnnl-dev`) is missing still succeeds, and graft's CPU
// executor, finding no addon, runs on its WebAssembly kernels and reports the reason recorded here.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const verbose = process.argv.includes('--verbose');
const strict = process.argv.includes('--strict');
const unavailable = join(here, 'build', 'unavailable.txt');

function fail(reason) {
  mkdirSync(join(here, 'build'), { recursive: true });
  writeFileSync(unavailable, `${reason.trim()}\n`);
  console.error(`@graft/onednn: native addon not built (graft will use its WebAssembly kernels): ${reason.trim().split('\n')[0]}`);
  process.exit(strict ? 1 : 0);
}

const headers = ['/usr/include/dnnl.hpp', '/usr/local/include/dnnl.hpp', '/usr/include/oneapi/dnnl/dnnl.hpp'];
if (process.env.DNNL_INCLUDE_DIR === undefined && !headers.some((h) => existsSync(h))) {
  fail('oneDNN headers (dnnl.hpp) not found: install oneDNN 2.x (Debian/Ubuntu: apt-get install libdnnl-dev), then rebuild with `pnpm --filter @graft/onednn build`');
}

const require = createRequire(import.meta.url);
let gyp;
try {
  gyp = require.resolve('node-gyp/bin/node-gyp.js');
} catch (e) {
  fail(`node-gyp is not installed (${e.message})`);
}

// Node's own headers when they are installed beside it (Debian's nodejs: /usr/include/node), so
// node-gyp does not try to download them.
const env = { ...process.env };
const prefix = resolve(dirname(process.execPath), '..');
if (env.npm_config_nodedir === undefined && existsSync(join(prefix, 'include', 'node', 'node.h'))) env.npm_config_nodedir = prefix;
if (env.DNNL_INCLUDE_DIR !== undefined) env.CXXFLAGS = `${env.CXXFLAGS ?? ''} -I${env.DNNL_INCLUDE_DIR}`;

const r = spawnSync(process.execPath, [gyp, 'rebuild', '--jobs', 'max'], { cwd: here, env, encoding: 'utf8', stdio: verbose ? 'inherit' : 'pipe' });
if (r.status !== 0) {
  const out = `${r.stdout ?? ''}\n${r.stderr ?? ''}`.split('\n').filter((l) => /error|not found|cannot/i.test(l));
  fail(`node-gyp rebuild failed (exit ${r.status ?? r.signal}): ${out.slice(0, 8).join('\n') || 'see `pnpm --filter @graft/onednn build`'}`);
}
rmSync(unavailable, { force: true });
