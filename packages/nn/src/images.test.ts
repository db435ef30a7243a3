import { crc32 as zlibCrc32, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32, encodePng, invert, svgImageGrid, svgLineChart, tileImages } from './index.ts';

/** Splits a PNG into chunks, checking each CRC with node:zlib's crc32. */
function chunks(png: Uint8Array): { type: string; data: Uint8Array }[] {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const out: { type: string; data: Uint8Array }[] = [];
  for (let at = 8; at < png.length; ) {
    const length = view.getUint32(at);
    const type = new TextDecoder().decode(png.subarray(at + 4, at + 8));
    const data = png.subarray(at + 8, at + 8 + length);
    expect(view.getUint32(at + 8 + length), `CRC of ${type}`).toBe(zlibCrc32(png.subarray(at + 4, at + 8 + length)));
    out.push({ type, data });
    at += 12 + length;
  }
  return out;
}

describe('images', () => {
  it('crc32 agrees with node:zlib', () => {
    const bytes = new TextEncoder().encode('IEND');
    expect(crc32(bytes)).toBe(0xae426082);
    expect(crc32(bytes)).toBe(zlibCrc32(bytes));
  });

  it('encodePng writes an 8-bit greyscale PNG whose rows inflate back to the pixels', () => {
    const img = { width: 3, height: 2, data: [0, 0.5, 1, 1, -1, 2] };
    const png = encodePng(img);
    expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const cs = chunks(png);
    expect(cs.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    expect(Array.from(cs[0]!.data)).toEqual([0, 0, 0, 3, 0, 0, 0, 2, 8, 0, 0, 0, 0]);
    // Each row: filter byte 0, then the values clamped to [0, 1] and scaled to 0 … 255.
    expect(Array.from(inflateSync(cs[1]!.data))).toEqual([0, 0, 128, 255, 0, 255, 0, 255]);
  });

  it('tileImages lays images out row by row with gaps', () => {
    const images = Float32Array.from({ length: 3 * 4 }, (_, i) => Math.floor(i / 4) / 2);
    const tiled = tileImages(images, 3, 2, 2, { cols: 2, gap: 1, background: 9 });
    expect([tiled.width, tiled.height]).toEqual([7, 7]);
    const at = (r: number, c: number) => tiled.data[r * tiled.width + c];
    expect([at(0, 0), at(1, 1), at(1, 4), at(4, 1), at(4, 4)]).toEqual([9, 0, 0.5, 1, 9]);
    expect(invert(tiled).data[8]).toBe(1);
  });

  it('svg helpers produce documents with the data in them', () => {
    const grid = svgImageGrid([{ image: { width: 2, height: 2, data: [0, 1, 1, 0] }, caption: '7 <ok>', ok: true }], { title: 'digits' });
    expect(grid).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(grid).toContain('data:image/png;base64,');
    expect(grid).toContain('7 &lt;ok&gt;');
    const chart = svgLineChart([{ name: 'loss', values: [1, 0.5, 0.25] }], { title: 'loss' });
    expect(chart.match(/<circle/g)).toHaveLength(3);
    expect(chart).toContain('<polyline');
  });
});
