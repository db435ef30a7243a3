/**
 * Serves the built site (`site/dist/`, or `--dir DIR`) on 127.0.0.1 (`--port N`, default 8080)
 * as plain static files, with the headers that make the page cross-origin isolated — so that
 * graft's cpu() runs its WebAssembly kernels on Web Workers over a shared memory:
 *
 *     Cross-Origin-Opener-Policy: same-origin
 *     Cross-Origin-Embedder-Policy: require-corp
 *     Cross-Origin-Resource-Policy: same-origin
 *
 * Any static host that can set these headers serves the site the same way; without them the page
 * still works, on one thread.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.bin': 'application/octet-stream',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

const arg = (name: string) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
};
const root = normalize(arg('--dir') ?? fileURLToPath(new URL('../dist/', import.meta.url)));
const port = Number(arg('--port') ?? process.env.PORT ?? 8080);
if (!existsSync(join(root, 'index.html'))) {
  console.error(`no site at ${root}: build it first (pnpm --filter @graft/site build, or pnpm site)`);
  process.exit(1);
}

const server = createServer((req, res) => {
  const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
  const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
  const headers: Record<string, string> = { ...ISOLATION_HEADERS, 'Cache-Control': 'no-cache' };
  if (!file.startsWith(root.endsWith(sep) ? root : root + sep) || !existsSync(file) || !statSync(file).isFile()) {
    res.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end('not found');
    return;
  }
  res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
  createReadStream(file).pipe(res);
});
server.listen(port, '127.0.0.1', () => {
  console.log(`graft site: http://127.0.0.1:${port}/ (serving ${root}, cross-origin isolated; Ctrl-C stops)`);
});
