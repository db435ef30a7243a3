/**
 * PyTorch (Debian's `python3-torch`, one thread) through `torch_peer.py`, a subprocess that
 * takes one request at a time: the bench prepares a case, then asks for single runs, so PyTorch
 * is checked first and timed in the same interleaved rounds as graft and the JS peers. Each
 * run's time is measured in Python (`selfTimed`), so the pipe's round trip is not counted.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Case } from '../lib/cases.ts';
import type { Outputs } from '../lib/data.ts';
import { convOutputName, Skipped, type Impl, type Inputs, type Runner } from '../lib/peer.ts';

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'torch_peer.py');
/** Debian's python3-torch installs for the system interpreter, not for whatever `python3` is first on PATH. */
export const python = process.env.GRAFT_BENCH_PYTHON ?? '/usr/bin/python3';

export type TorchProbe = { ok: true; version: string; python: string } | { ok: false; note: string };

/** Whether `python` can import torch (and numpy), with the versions. */
export function probeTorch(): TorchProbe {
  const r = spawnSync(python, ['-c', 'import sys, numpy, torch; print(torch.__version__, sys.version.split()[0])'], {
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    const why = r.error ? r.error.message : (r.stderr.trim().split('\n').pop() ?? `exit ${r.status}`);
    return { ok: false, note: `${python} cannot import torch (${why}); apt-get install -y python3-torch` };
  }
  const [version = '?', py = '?'] = r.stdout.trim().split(/\s+/);
  return { ok: true, version, python: py };
}

type Reply = { error?: string; ms?: number } & Record<string, unknown>;

/** The server process and a queue of replies, one per request, in order. */
class Server {
  readonly #proc: ChildProcessWithoutNullStreams;
  readonly #waiting: ((r: Reply) => void)[] = [];
  #stderr = '';
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'graft-bench-torch-'));

  constructor(threads: number) {
    this.#proc = spawn(python, [script, String(threads)], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.#proc.stderr.on('data', (d: Buffer) => (this.#stderr = (this.#stderr + d.toString()).slice(-2000)));
    createInterface({ input: this.#proc.stdout }).on('line', (line) => this.#waiting.shift()?.(JSON.parse(line) as Reply));
    this.#proc.on('exit', (code) => {
      for (const w of this.#waiting.splice(0)) w({ error: `torch_peer.py exited ${code}: ${this.#stderr.trim()}` });
    });
  }

  async request(req: Record<string, unknown>): Promise<Reply> {
    const reply = new Promise<Reply>((resolve) => this.#waiting.push(resolve));
    this.#proc.stdin.write(`${JSON.stringify(req)}\n`);
    const r = await reply;
    if (r.error !== undefined) throw new Error(r.error);
    return r;
  }

  close(): void {
    this.#proc.stdin.end();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function spec(c: Case, inputs: Inputs): Record<string, unknown> {
  if (c.kind === 'train' && inputs.kind === 'train') {
    return { id: c.id, op: 'train', batch: c.batch, lr: c.lr, shapes: inputs.shapes, params: inputs.params };
  }
  if (c.kind === 'conv' && inputs.kind === 'conv') {
    return { id: c.id, op: c.op, x: c.x, w: c.w, y: inputs.y, strides: c.strides, dilations: c.dilations, pads: inputs.pads };
  }
  throw new Error(`${c.id}: inputs do not match the case`);
}

/**
 * The PyTorch implementation on `threads` threads (`torch.set_num_threads`), named `name`;
 * `probe` is what `probeTorch()` found (not ok: every case is skipped with its note).
 */
export function pytorch(probe: TorchProbe, threads = 1, name = 'pytorch'): Impl & { close(): void } {
  let server: Server | undefined;
  return {
    name,
    close: () => server?.close(),
    async prepare(c: Case, inputs: Inputs): Promise<Runner> {
      if (!probe.ok) throw new Skipped(probe.note);
      server ??= new Server(threads);
      const s = server;
      const files: Record<string, Float32Array> = inputs.kind === 'conv' ? { x: inputs.x, w: inputs.w, dy: inputs.dy } : { ...inputs.feeds };
      for (const [n, a] of Object.entries(files)) {
        writeFileSync(path.join(s.dir, `${c.id}.${n}.bin`), new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
      }
      await s.request({ cmd: 'prepare', dir: s.dir, case: spec(c, inputs) });
      const names = c.kind === 'conv' ? [convOutputName[c.op]] : ['loss', ...(inputs.kind === 'train' ? inputs.params.map((p) => `d${p}`) : [])];
      let runs = 0;
      return {
        selfTimed: true,
        // The first run (the agreement check) saves its outputs.
        run: () => s.request({ cmd: 'run', save: runs++ === 0 }),
        outputs: () => {
          const out: Outputs = {};
          for (const n of names) {
            const buf = readFileSync(path.join(s.dir, `${c.id}.torch.${n}.bin`));
            out[n] = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
          }
          return out;
        },
        dispose: () => void s.request({ cmd: 'release' }).catch(() => undefined),
        note: 'subprocess, NCHW, layout changes untimed',
      };
    },
  };
}
