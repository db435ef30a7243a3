import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../packages/graft/bin/graft.mjs', import.meta.url));

function graft(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('graft CLI', () => {
  it('lists its commands with --help', () => {
    const r = graft('--help');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/demo\s+define, differentiate/);
    expect(r.out).toMatch(/gradcheck\s+gradient-check/);
  });

  it('gives each command its own --help', () => {
    const r = graft('gradcheck', '--help');
    expect(r.code).toBe(0);
    expect(r.out).toContain('graft gradcheck <example>');
  });

  it('refuses unknown commands and examples with exit code 2', () => {
    expect(graft('frobnicate').code).toBe(2);
    const r = graft('gradcheck', 'nope');
    expect(r.code).toBe(2);
    expect(r.err).toContain('unknown example "nope"; examples: cnn');
    expect(graft('gradcheck', 'cnn', '--seed', '-3').err).toContain('--seed must be a non-negative integer');
  });

  it('gradient-checks the small CNN and exits 0', () => {
    const r = graft('gradcheck', 'cnn', '--seed', '2');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('gradcheck passed: 193 values (first order');
    expect(r.out).toContain('by rule conv2d.vjp.w');
  });
});

describe('graft viz', () => {
  it('writes an SVG of an example graph with its gradient nodes', async () => {
    const { mkdtempSync, readFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const out = join(mkdtempSync(join(tmpdir(), 'graft-viz-')), 'conv.svg');
    const r = graft('viz', 'conv', '--out', out);
    expect(r.code, r.err).toBe(0);
    const svg = readFileSync(out, 'utf8');
    expect(svg).toMatch(/<svg[\s\S]*<\/svg>\s*$/);
    expect(svg).toContain('conv2dBackpropInput');
    expect(svg).toContain('conv2d.vjp.w');
    expect(svg.length).toBeGreaterThan(5000);
  });
});
