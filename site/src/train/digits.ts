/** Reads `digits.bin` (format in site/scripts/digits.ts): training and held-out MNIST digits. */
import { nn } from 'graft';

export interface Digits {
  /** `[count, 28, 28, 1]` in [0, 1] (0 background, 1 full ink), as float32. */
  readonly pixels: Float32Array;
  readonly labels: Uint8Array;
  readonly count: number;
}

export interface DigitSets {
  /** In class order 0, 1, …, 9, 0, …: a prefix of 10·m digits holds m of every class. */
  readonly train: Digits;
  readonly test: Digits;
}

const MAGIC = 'GDIG';
const PIXELS = 784;

export function decodeDigits(bytes: Uint8Array): DigitSets {
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (magic !== MAGIC || view.getUint32(4, true) !== 1) throw new Error(`digits.bin: expected "${MAGIC}" version 1, got "${magic}" version ${view.getUint32(4, true)}`);
  const trainCount = view.getUint32(8, true);
  const testCount = view.getUint32(12, true);
  const total = trainCount + testCount;
  if (bytes.length !== 16 + total * (1 + PIXELS)) throw new Error(`digits.bin: ${total} digits need ${16 + total * (1 + PIXELS)} bytes, got ${bytes.length}`);
  const part = (start: number, count: number): Digits => {
    const pixels = new Float32Array(count * PIXELS);
    const src = bytes.subarray(16 + total + start * PIXELS, 16 + total + (start + count) * PIXELS);
    for (let i = 0; i < src.length; i++) pixels[i] = src[i]! / 255;
    return { pixels, labels: bytes.slice(16 + start, 16 + start + count), count };
  };
  return { train: part(0, trainCount), test: part(trainCount, testCount) };
}

/** The first `count` digits as a classification dataset (inputs `[28, 28, 1]`, 10 classes). */
export function dataset(d: Digits, count: number): nn.Dataset {
  const n = Math.min(count, d.count);
  return nn.classification(d.pixels.subarray(0, n * PIXELS), [28, 28, 1], d.labels.subarray(0, n), 10);
}
