/** The header facts: date, CPU, cores, Node, peer versions, graft's commit. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';

/**
 * The CPU's model name, with its family and model numbers and whether it has AVX-512 (a VM's
 * model name can be as vague as "AMD EPYC"; family 26 is Zen 5).
 */
export function cpuModel(): string {
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const field = (name: string) => new RegExp(`^${name}\\s*:\\s*(.+)$`, 'm').exec(info)?.[1]?.trim();
    const name = field('model name');
    if (name !== undefined) {
      const avx512 = /\bavx512f\b/.test(field('flags') ?? '') ? 'AVX-512' : 'no AVX-512';
      return `${name} (${field('vendor_id') ?? '?'} family ${field('cpu family') ?? '?'} model ${field('model') ?? '?'}, ${avx512})`;
    }
  } catch {
    // not Linux: fall through
  }
  return os.cpus()[0]?.model ?? 'unknown';
}

export function machine() {
  return {
    cpu: cpuModel(),
    cores: os.availableParallelism?.() ?? os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    /** 1, 5 and 15 minutes: other work on a shared machine shows here. */
    loadAverage: os.loadavg().map((l) => Number(l.toFixed(2))),
  };
}

const require = createRequire(import.meta.url);

/** The installed version of a package (from its package.json). */
export function packageVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
  } catch {
    return 'not installed';
  }
}

/** `git describe`-like: short commit, "+dirty" with uncommitted changes. */
export function graftCommit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', ':/packages'], { encoding: 'utf8' }).trim() !== '';
    return dirty ? `${head}+dirty (uncommitted changes in packages/)` : head;
  } catch {
    return 'unknown';
  }
}
