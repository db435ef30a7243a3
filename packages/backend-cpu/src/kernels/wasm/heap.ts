import { GraphError, ResourceError } from '@graft/ir';
import { CALIBRATION_BYTES } from './calibrate.ts';
import { CALIBRATION, MAXIMUM_PAGES, PAGE, wasmKernels } from './module.ts';

/*
 * Allocation in the kernels' shared linear memory. Below `HEAP_BASE` are the null page, the
 * register block's schedule words (960), the worker threads' control words (1024) and the
 * calibration's scratch (4096, see calibrate.ts); above it, blocks handed out by `allocate` (long-lived, e.g. an
 * executor's arena) and the per-call frame (operand copies, packed filters, scratch).
 */

/** Byte offset of the thread control words (see threads.ts). */
export const CONTROL = 1024;
const HEAP_BASE = CALIBRATION + CALIBRATION_BYTES;

/** Free ranges `[start, end)` in address order; everything from `top` up is free too. */
const freeList: { start: number; end: number }[] = [];
const sizes = new Map<number, number>();
let top = HEAP_BASE;

/** Every SharedArrayBuffer the memory has had (a grow gives a new one over the same memory). */
const buffers = new WeakSet<ArrayBufferLike>();

function roundUp(x: number, to: number): number {
  return Math.ceil(x / to) * to;
}

/** The memory's current buffer (views made from it see every byte allocated so far). */
export function memoryBuffer(): SharedArrayBuffer {
  const b = wasmKernels().memory.buffer as SharedArrayBuffer;
  buffers.add(b);
  return b;
}

/** Whether `a` lies in the kernels' memory, so kernels can use it in place (no copy). */
export function inWasmMemory(a: ArrayBufferView): boolean {
  return buffers.has(a.buffer);
}

/**
 * `bytes` bytes of the shared memory, `align`-aligned (default 64, a cache line), as a byte
 * offset; the contents are unspecified. Freed only by `free`.
 */
export function allocate(bytes: number, align = 64): number {
  const size = Math.max(align, roundUp(bytes, align));
  for (let i = 0; i < freeList.length; i++) {
    const r = freeList[i]!;
    const start = roundUp(r.start, align);
    if (start + size > r.end) continue;
    freeList.splice(i, 1);
    if (start > r.start) freeList.splice(i++, 0, { start: r.start, end: start });
    if (start + size < r.end) freeList.splice(i, 0, { start: start + size, end: r.end });
    sizes.set(start, size);
    return start;
  }
  const start = roundUp(top, align);
  const gap = top;
  top = start + size;
  if (start > gap) insertFree(gap, start);
  const memory = wasmKernels().memory;
  const pages = memory.buffer.byteLength / PAGE;
  // 64 bytes of slack past the top: vector loops may read (never use) a few floats past an array's end.
  const needed = Math.ceil((top + 64) / PAGE);
  if (needed > pages) {
    // Grow by at least a quarter so that a sequence of growing requests stays cheap.
    try {
      memory.grow(Math.min(MAXIMUM_PAGES - pages, Math.max(needed - pages, Math.ceil(pages / 4))));
      if (memory.buffer.byteLength < needed * PAGE) throw new RangeError('maximum reached');
    } catch (e) {
      top = start;
      throw new ResourceError(
        'cpu',
        `the float32 WebAssembly kernels' memory must hold ${bytes} more bytes with ${pages * PAGE} in use (wasm32 addresses 4 GiB)`,
        { bytes, inUse: pages * PAGE, limit: MAXIMUM_PAGES * PAGE },
        undefined,
        { cause: e },
      );
    }
  }
  sizes.set(start, size);
  return start;
}

/** Returns a block from `allocate` to the heap. */
export function free(ptr: number): void {
  const size = sizes.get(ptr);
  if (size === undefined) throw new GraphError('cpu', 'a freed wasm heap block must have been allocated', { ptr });
  sizes.delete(ptr);
  release(ptr, ptr + size);
}

function release(start: number, end: number): void {
  insertFree(start, end);
  // A range that ends at `top` goes back to the untouched region above it.
  const last = freeList[freeList.length - 1];
  if (last !== undefined && last.end === top) {
    top = last.start;
    freeList.pop();
  }
}

/** Adds `[start, end)` to the free list, merged with adjacent ranges. */
function insertFree(start: number, end: number): void {
  let i = 0;
  while (i < freeList.length && freeList[i]!.start < start) i++;
  freeList.splice(i, 0, { start, end });
  // Coalesce with the neighbours, then give a trailing range back to `top`.
  const next = freeList[i + 1];
  if (next !== undefined && next.start === end) {
    freeList[i]!.end = next.end;
    freeList.splice(i + 1, 1);
  }
  const prev = freeList[i - 1];
  if (prev !== undefined && prev.end === start) {
    prev.end = freeList[i]!.end;
    freeList.splice(i, 1);
  }
}

/** Bytes between the heap's base and its top (for tests and diagnostics). */
export function heapExtent(): number {
  return top - HEAP_BASE;
}

/** A Float32Array view of `length` floats at byte offset `ptr`. */
export function f32View(ptr: number, length: number): Float32Array {
  return new Float32Array(memoryBuffer(), ptr, length);
}

/** An Int32Array view of `length` words at byte offset `ptr`. */
export function i32View(ptr: number, length: number): Int32Array {
  return new Int32Array(memoryBuffer(), ptr, length);
}

/*
 * The frame: scratch for one kernel call, reset when the next call begins. Kernels run one at a
 * time (worker threads only run chunks of the current call), so one frame serves them all.
 * It bumps through a block from `allocate`; a call that needs more takes another block, and the
 * next reset replaces the blocks by one of their total size, so after the first run of a program
 * no call allocates.
 */
const blocks: { ptr: number; size: number }[] = [];
let used = 0;
let pending: (() => void)[] = [];

/** Starts a kernel call's frame. */
export function beginFrame(): void {
  if (blocks.length > 1) {
    const total = blocks.reduce((s, b) => s + b.size, 0);
    for (const b of blocks) free(b.ptr);
    blocks.length = 0;
    blocks.push({ ptr: allocate(total), size: total });
  }
  used = 0;
  pending = [];
}

/** `bytes` bytes of frame scratch (64-byte aligned), valid until the next `beginFrame`. */
export function frameAlloc(bytes: number): number {
  const size = roundUp(Math.max(bytes, 1), 64);
  let block = blocks[blocks.length - 1];
  if (block === undefined || used + size > block.size) {
    const blockSize = Math.max(size, 1 << 20, block === undefined ? 0 : block.size);
    block = { ptr: allocate(blockSize), size: blockSize };
    blocks.push(block);
    used = 0;
  }
  const ptr = block.ptr + used;
  used += size;
  return ptr;
}

/** The address of `a` in the memory: `a` itself when it lies there, else a frame copy of it. */
export function stage(a: Float32Array): number {
  if (inWasmMemory(a)) return a.byteOffset;
  const ptr = frameAlloc(a.byteLength);
  f32View(ptr, a.length).set(a);
  return ptr;
}

/**
 * The address a kernel writes `out` at: `out` itself when it lies in the memory, else frame
 * scratch that `endFrame` copies into `out`.
 */
export function target(out: Float32Array): number {
  if (inWasmMemory(out)) return out.byteOffset;
  const ptr = frameAlloc(out.byteLength);
  pending.push(() => out.set(f32View(ptr, out.length)));
  return ptr;
}

/** Finishes a kernel call: copies results computed in scratch to their arrays. */
export function endFrame(): void {
  for (const f of pending) f();
  pending = [];
}

/**
 * A Float32Array of `length` floats in the kernels' memory, for long-lived buffers (an
 * executor's arena): kernels read and write it in place, without staging copies. Its
 * contents are unspecified; return it with `freeFloat32`.
 */
export function allocateFloat32(length: number): Float32Array {
  const ptr = allocate(Math.max(1, length) * 4);
  return f32View(ptr, length);
}

/** Frees an array from `allocateFloat32` (the array must not be used afterwards). */
export function freeFloat32(a: Float32Array): void {
  if (!inWasmMemory(a)) throw new GraphError('freeFloat32', "the array must lie in the kernels' memory", { length: a.length });
  free(a.byteOffset);
}
