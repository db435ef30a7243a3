import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { deflateSync, gunzipSync } from 'node:zlib';
import type { NnPlatform } from './types.ts';

const require = createRequire(import.meta.url);

export const platform: NnPlatform = {
  name: 'node',
  readFile: (path) => readFileSync(path),
  writeFile: (path, bytes) => writeFileSync(path, bytes),
  deflate: (bytes) => new Uint8Array(deflateSync(bytes)),
  gunzip: (bytes) => new Uint8Array(gunzipSync(bytes)),
  packageFile(name, file) {
    try {
      return join(require.resolve(`${name}/package.json`), '..', file);
    } catch {
      return undefined;
    }
  },
  exists: (path) => existsSync(path),
  mnistDigitFiles() {
    // Read directly: the package's own `set()` shuffles with `Math.random`.
    const files: number[][] = [];
    for (let d = 0; d < 10; d++) {
      const file = require.resolve(`mnist/src/digits/${d}.json`);
      files.push((JSON.parse(readFileSync(file, 'utf8')) as { data: number[] }).data);
    }
    return files;
  },
  defaultProgress: () => process.stderr,
};
