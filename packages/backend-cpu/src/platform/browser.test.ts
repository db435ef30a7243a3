import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/*
 * The kernels as a browser bundle carries them (wasm/build/kernels.browser.js: both builds in
 * turns of 8 KiB, gzipped as one stream, base64), inflated the way a page does — Node has
 * atob, Response and DecompressionStream too — equal the two .wasm files byte for byte.
 */
describe('the browser kernels', () => {
  it('inflate to the plain and the relaxed-SIMD builds, each longer than one turn, and stay small', async () => {
    const { inflate } = await import('./browser.ts');
    const { packed, blockBytes } = await import('../../wasm/build/kernels.browser.js');
    const [plain, relaxed] = await inflate();
    const file = (name: string) => new Uint8Array(readFileSync(new URL(`../../wasm/build/${name}`, import.meta.url)));
    expect(Buffer.from(plain).equals(Buffer.from(file('kernels.wasm')))).toBe(true);
    expect(Buffer.from(relaxed).equals(Buffer.from(file('kernels-relaxed.wasm')))).toBe(true);
    expect(plain.length).toBeGreaterThan(2 * blockBytes);
    // The relaxed build costs the stream little: the packed pair is not much more than one build gzipped alone.
    const { gzipSync } = await import('node:zlib');
    const one = gzipSync(file('kernels.wasm'), { level: 9 }).length;
    expect((packed.length * 3) / 4).toBeLessThan(1.25 * one);
  });

  it('unpack inverts the packing whichever build is longer, in whichever turn each ends', async () => {
    const { unpack } = await import('./browser.ts');
    const block = 4;
    for (const [p, r] of [[10, 10], [10, 7], [7, 10], [9, 3], [3, 9], [8, 8], [1, 0], [0, 5]] as const) {
      const plain = Uint8Array.from({ length: p }, (_, i) => i + 1);
      const relaxed = Uint8Array.from({ length: r }, (_, i) => 101 + i);
      const parts: number[] = [];
      for (let at = 0; at < Math.max(p, r); at += block) parts.push(...plain.subarray(at, at + block), ...relaxed.subarray(at, at + block));
      const [a, b] = unpack(Uint8Array.from(parts), p, r, block);
      expect([Array.from(a), Array.from(b)], `${p} and ${r} bytes`).toEqual([Array.from(plain), Array.from(relaxed)]);
    }
  });
});
