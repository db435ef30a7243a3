import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The CLI from its TypeScript sources, as `pnpm graft` runs it (the consumer test runs the
// installed package's bin).
const run = fileURLToPath(new URL('../packages/graft/src/cli/run.ts', import.meta.url));

function graft(...args: string[]) {
  const r = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', run, ...args], { encoding: 'utf8', timeout: 120_000 });
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

describe('graft explain', () => {
  it('prints conv2dTranspose = conv2dBackpropInput and the four-ways table, and exits 0', () => {
    const r = graft('explain');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('max difference conv2dTranspose vs conv2dBackpropInput: 0.00e+0');
    expect(r.out).toContain('valid heights: 7 or 8');
    expect(r.out).toMatch(/max\|Δ d_x\|/);
    expect(r.out).toMatch(/x=\[2,7,7,3\] w=\[3,3,3,4\] s=2 d=1 p=same +\d\.\d\de[-+]\d+/);
  });
});

describe('graft train and graft demo', () => {
  it('train --json prints one JSON line with the documented fields', () => {
    const r = graft('train', 'mnist', '--epochs', '1', '--batch', '8', '--train-size', '600', '--test-size', '300', '--json', '--quiet', '--seed', '3');
    expect(r.code, r.err).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines).toHaveLength(1);
    const m = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(m.testAccuracy).toBeGreaterThan(0.3);
    expect(m.testAccuracy).toBeLessThanOrEqual(1);
    expect(m.testLoss).toBeGreaterThan(0);
    expect(m).toMatchObject({ epochs: 1, backend: 'cpu', seed: 3, dataset: 'mnist', model: 'small-cnn' });
    expect(m.imagesPerSecond).toBeGreaterThan(0);
  });

  it('train --save and --out write weights that load back into the demo CNN, and the pictures', async () => {
    const { mkdtempSync, readFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { nn } = await import('graft');
    const { demoCnn } = await import('graft/programs');
    const dir = mkdtempSync(join(tmpdir(), 'graft-train-'));
    const r = graft('train', 'mnist', '--model', 'demo-cnn', '--epochs', '1', '--train-size', '256', '--test-size', '64', '--quiet', '--save', join(dir, 'w.bin'), '--out', join(dir, 'pictures'));
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(new RegExp(`wrote ${join(dir, 'w.bin').replace(/[/.]/g, '\\$&')} \\(\\d+ bytes of weights\\)`));
    const model = demoCnn(7);
    nn.loadWeights(model, join(dir, 'w.bin'));
    for (const f of ['loss.svg', 'accuracy.svg', 'confusion.svg', 'mistakes.svg']) expect(readFileSync(join(dir, 'pictures', f), 'utf8'), f).toContain('</svg>');
    const metrics = JSON.parse(readFileSync(join(dir, 'pictures', 'metrics.json'), 'utf8')) as { confusion: number[]; split: string; model: string };
    // The confusion matrix counts every one of the 64 test images once.
    expect(metrics.confusion.reduce((a, b) => a + b, 0)).toBe(64);
    expect(metrics.split).toBe('first 256 of the official train split (256) / first 64 of the official test split (64)');
    expect(metrics.model).toBe('demo-cnn');
  });

  it('train stops on a NaN-producing learning rate with a message naming the first non-finite node', () => {
    const r = graft('train', 'mnist', '--epochs', '1', '--train-size', '300', '--test-size', '100', '--lr', '1e30', '--json', '--quiet');
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/loss is NaN at epoch 1, step \d+/);
    expect(r.err).toMatch(/first non-finite value: \w+#\d+ \((forward|[\w.]+ of \w+#\d+)\)/);
  });

  it('demo --quick writes the report folder: curves, graph picture, predictions and metrics.json', async () => {
    const { mkdtempSync, readFileSync, existsSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const out = join(mkdtempSync(join(tmpdir(), 'graft-demo-')), 'report');
    const r = graft('demo', '--quick', '--quiet', '--out', out);
    expect(r.code, r.err + r.out.slice(-2000)).toBe(0);
    expect(r.out).toContain('conv2dTranspose is conv2dBackpropInput');
    expect(r.out).toContain('by rule conv2d.vjp.w');
    expect(r.out).toMatch(/gradcheck passed: \d+ values \(first order/);
    expect(r.out).toMatch(/gradcheck passed: \d+ values \(second order/);
    for (const f of ['curves.svg', 'accuracy.svg', 'predictions.svg', 'graph.svg']) {
      expect(existsSync(join(out, f)), f).toBe(true);
      expect(readFileSync(join(out, f), 'utf8')).toContain('</svg>');
    }
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')) as Record<string, unknown>;
    expect(metrics).toMatchObject({ epochs: 1, backend: 'cpu', seed: 1 });
    expect(metrics.testAccuracy).toBeGreaterThan(0.5);
    expect(metrics.imagesPerSecond).toBeGreaterThan(0);
  });
});

describe('graft diff', () => {
  it('gpujs:webasm in float32 agrees with cpu() in float64 on every node of the small CNN and its gradients: exit 0', () => {
    const r = graft('diff', 'cnn', '--backend', 'gpujs:webasm');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('gpujs(webasm) float32 against cpu float64 over 46 nodes (rtol 0.0001, atol 1e-7): every node agrees');
  });

  it('with no tolerance at all float32 parts ways at once, and the report names the node, its element and both values: exit 1', () => {
    const r = graft('diff', 'conv', '--backend', 'cpu', '--rtol', '0', '--atol', '0');
    expect(r.code, r.err).toBe(1);
    expect(r.out).toMatch(/cpu float32 against cpu float64 over 11 nodes \(rtol 0, atol 0\): they part ways at \w+#\d+/);
    expect(r.out).toMatch(/first diverging node: \w+#\d+ = \w+\(/);
    expect(r.out).toMatch(/worst element \[[\d,]+\]: reference -?[\d.e-]+, candidate -?[\d.e-]+/);
    expect(graft('diff', 'nope').err).toContain('unknown example "nope"; examples: conv, cnn');
  });
});
