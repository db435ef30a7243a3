'use strict';
// Finding and loading the compiled addon: the package's only Node-specific code, CommonJS so that
// it loads synchronously from ESM (createRequire) and CommonJS alike. Types: load.d.cts.
const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

const built = join(__dirname, 'build', 'Release', 'graft_onednn.node');
const notBuilt = join(__dirname, 'build', 'unavailable.txt');

let cached;

/**
 * The oneDNN addon, or `{ reason }` saying why it cannot be used: the build's recorded failure
 * (e.g. oneDNN's headers missing at install), or the error loading it (e.g. `libdnnl.so.2`
 * absent at run time). `path` loads another file instead of the installed build (tests use a
 * missing path to see the failure); the installed build is loaded once per process.
 */
function loadOnednn(path) {
  if (path === undefined && cached !== undefined) return cached;
  const file = path === undefined ? built : path;
  let result;
  if (!existsSync(file)) {
    const recorded = path === undefined && existsSync(notBuilt) ? readFileSync(notBuilt, 'utf8').trim() : undefined;
    result = { reason: recorded ?? `the oneDNN addon is not built (${file} is missing): run \`pnpm --filter @graft/onednn build\`` };
  } else {
    try {
      result = require(file);
    } catch (e) {
      result = { reason: `the oneDNN addon ${file} failed to load: ${e instanceof Error ? e.message : String(e)}` };
    }
  }
  if (path === undefined) cached = result;
  return result;
}

module.exports = { loadOnednn };
