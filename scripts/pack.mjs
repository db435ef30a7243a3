// Builds every package and packs each one a user installs into a folder of tarballs:
//
//   node scripts/pack.mjs [DEST]      (default: packs/; `pnpm pack:all`)
//
// Prints one JSON line: [{ name, file, bytes }, …]. `npm install DEST/*.tgz` in any project then
// installs graft (third-party dependencies come from the registry).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dest = resolve(process.argv[2] ?? join(root, 'packs'));
mkdirSync(dest, { recursive: true });
const run = (args, cwd) => execFileSync('pnpm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });

run(['run', 'build'], root);
const packed = [];
for (const dir of readdirSync(join(root, 'packages'))) {
  const cwd = join(root, 'packages', dir);
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8'));
  } catch {
    continue;
  }
  if (manifest.private === true) continue;
  const file = run(['pack', '--pack-destination', dest], cwd).trim().split('\n').findLast((l) => l.endsWith('.tgz'));
  packed.push({ name: manifest.name, file, bytes: statSync(file).size });
}
console.log(JSON.stringify(packed));
