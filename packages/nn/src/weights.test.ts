import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  WeightsError,
  conv2d,
  decodeWeights,
  dense,
  encodeTensors,
  encodeWeights,
  flatten,
  loadWeights,
  saveWeights,
  sequential,
  type Model,
  type WeightsErrorReason,
} from './index.ts';

const dir = mkdtempSync(join(tmpdir(), 'graft-weights-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const net = (seed: number, filters = 3, dtype: 'float32' | 'float64' = 'float32') =>
  sequential([conv2d({ filters, kernel: 3, padding: 'SAME' }), flatten(), dense({ units: 2 })], { inputShape: [4, 4, 1], seed, dtype });

const bits = (m: Model) => Object.fromEntries([...m.params].map(([k, p]) => [k, Array.from(new Uint8Array(p.value.buffer, p.value.byteOffset, p.value.byteLength))]));

function expectRefused(m: Model, bytes: Uint8Array, reason: WeightsErrorReason, message: RegExp): void {
  const before = bits(m);
  let error: unknown;
  try {
    loadWeights(m, bytes);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(WeightsError);
  expect((error as WeightsError).reason).toBe(reason);
  expect((error as Error).message).toMatch(message);
  expect(bits(m), 'a failed load leaves the weights unchanged').toEqual(before);
}

describe('weights file', () => {
  it('round-trips bit-exactly through a file (float32 and float64, including −0, subnormals and extremes)', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const a = net(1, 3, dtype);
      const w = a.params.get('dense1/w')!.value;
      w[0] = -0;
      w[1] = dtype === 'float32' ? 1.4e-45 : 5e-324;
      w[2] = dtype === 'float32' ? 3.4028234663852886e38 : Number.MAX_VALUE;
      const path = join(dir, `net-${dtype}.weights`);
      const written = saveWeights(a, path);
      expect(readFileSync(path).length).toBe(written);
      const b = net(2, 3, dtype);
      expect(bits(b)).not.toEqual(bits(a));
      loadWeights(b, path);
      expect(bits(b)).toEqual(bits(a));
      expect(Object.is(b.params.get('dense1/w')!.value[0], -0)).toBe(true);
    }
  });

  it('has the documented layout: magic, header length, JSON header, little-endian data at 8-aligned offsets', () => {
    const m = net(3);
    const bytes = encodeWeights(m);
    expect(new TextDecoder().decode(bytes.subarray(0, 8))).toBe('GRAFTWTS');
    const h = new DataView(bytes.buffer).getUint32(8, true);
    expect((12 + h) % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + h)));
    expect(header).toEqual({
      format: 'graft-weights',
      version: 1,
      dtype: 'float32',
      tensors: [
        { name: 'conv2d1/w', shape: [3, 3, 1, 3], offset: 0, length: 27 },
        { name: 'conv2d1/b', shape: [3], offset: 108, length: 3 },
        { name: 'dense1/w', shape: [48, 2], offset: 120, length: 96 },
        { name: 'dense1/b', shape: [2], offset: 504, length: 2 },
      ],
    });
    expect(bytes.length).toBe(12 + h + 512);
    const w = m.params.get('dense1/w')!.value;
    expect(new DataView(bytes.buffer).getFloat32(12 + h + 120 + 4 * 5, true)).toBe(w[5]);
    expect(decodeWeights(bytes).tensors.map((t) => t.name)).toEqual([...m.params.keys()]);
  });

  it('bad magic', () => {
    const m = net(1);
    const bytes = encodeWeights(net(2));
    bytes[0] = 0x50;
    expectRefused(m, bytes, 'magic', /must start with the magic bytes "GRAFTWTS"/);
    expectRefused(m, new Uint8Array(3), 'magic', /magic/);
  });

  it('truncated anywhere: in the header length, the header or the data', () => {
    const m = net(1);
    const bytes = encodeWeights(net(2));
    const h = new DataView(bytes.buffer).getUint32(8, true);
    expectRefused(m, bytes.slice(0, 10), 'truncated', /header length/);
    expectRefused(m, bytes.slice(0, 12 + h - 5), 'truncated', /inside the header/);
    expectRefused(m, bytes.slice(0, bytes.length - 1), 'truncated', /tensor "dense1\/b" needs bytes up to/);
    expectRefused(m, bytes.slice(0, 12 + h + 200), 'truncated', /truncated/);
  });

  it('extra bytes after the last tensor, a corrupt header, another version', () => {
    const m = net(1);
    const bytes = encodeWeights(net(2));
    const longer = new Uint8Array(bytes.length + 4);
    longer.set(bytes);
    expectRefused(m, longer, 'header', /4 bytes past its last tensor/);
    const corrupt = bytes.slice();
    corrupt[12] = 0x7b + 1; // '{' → '|'
    expectRefused(m, corrupt, 'header', /header must be UTF-8 JSON/);
    const v2 = bytes.slice();
    const text = new TextDecoder().decode(v2.subarray(12, 12 + new DataView(v2.buffer).getUint32(8, true)));
    v2.set(new TextEncoder().encode(text.replace('"version":1', '"version":2')), 12);
    expectRefused(m, v2, 'version', /header.version must be 1/);
  });

  it('wrong dtype, wrong shapes, wrong names', () => {
    const m = net(1);
    expectRefused(m, encodeWeights(net(2, 3, 'float64')), 'dtype', /file dtype \(float64\) must equal the model's \(float32\)/);
    expectRefused(m, encodeWeights(net(2, 4)), 'shape', /tensor "conv2d1\/w" has shape \[3,3,1,4\], the model's parameter \[3,3,1,3\]/);
    const other = sequential([flatten(), dense({ units: 2 })], { inputShape: [4, 4, 1] });
    expectRefused(m, encodeWeights(other), 'names', /exactly the model's parameters.*missing \["conv2d1\/w","conv2d1\/b"\]/);
    const lengthLie = encodeTensors('float32', [{ name: 'a', shape: [2, 2], values: new Float32Array(4) }]);
    expect(() => decodeWeights(lengthLie.slice(0, lengthLie.length - 4))).toThrow(WeightsError);
  });

  it('a missing file is an io error', () => {
    const m = net(1);
    expect(() => loadWeights(m, join(dir, 'nope.weights'))).toThrow(/cannot read/);
  });
});
