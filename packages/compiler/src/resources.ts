import { MAX_TENSOR_ELEMENTS, ResourceError, bytesPerElement, fmtShape } from '@graft/ir';
import type { Backend, BufferSpec, MemoryPlan, ProgramPlan } from './program.ts';

/**
 * `compile`'s default `memoryLimit`: 4 GiB (2³² bytes). The CPU's float32 arena lives in the
 * kernels' WebAssembly memory, which wasm32 caps at 4 GiB, so a larger float32 plan could not
 * be placed there anyway; a program that truly needs more says so with `memoryLimit`.
 */
export const DEFAULT_MEMORY_LIMIT = 2 ** 32;

/** How many of the largest buffers a `ResourceError` names. */
const NAMED = 3;

/** A buffer as a `ResourceError` names it. */
export interface BufferSummary {
  readonly node: string;
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly bytes: number;
}

function summary(b: BufferSpec): BufferSummary {
  return { node: String(b.node), dtype: b.dtype, shape: b.shape, bytes: b.size * bytesPerElement(b.dtype) };
}

function describe(b: BufferSummary): string {
  return `${b.node} ${b.dtype}${fmtShape(b.shape)} ${b.bytes} bytes`;
}

/**
 * Throws a `ResourceError` for the first buffer (in step order) with more elements than the
 * backend's `maxElements` (the IR's `MAX_TENSOR_ELEMENTS` when it states none). Views and
 * feeds count too: a feed is a tensor the executor reads.
 */
export function checkTensorLimits(plan: ProgramPlan, backend: Backend): void {
  const limit = backend.maxElements ?? MAX_TENSOR_ELEMENTS;
  const over = plan.buffers.find((b) => b.size > limit);
  if (over === undefined) return;
  throw new ResourceError(
    'compile',
    `every tensor must have at most ${limit} elements on ${backend.name}, got ${over.node} ${over.dtype}${fmtShape(over.shape)} with ${over.size}`,
    { backend: backend.name, limit, node: String(over.node), dtype: over.dtype, shape: over.shape, elements: over.size },
  );
}

/**
 * Throws a `ResourceError` when the memory plan's arenas take more than `limit` bytes,
 * naming the total, each dtype's arena and the largest buffers the steps write.
 */
export function checkMemoryLimit(plan: ProgramPlan, memory: MemoryPlan, limit: number): void {
  const float32Bytes = memory.arena.float32 * bytesPerElement('float32');
  const float64Bytes = memory.arena.float64 * bytesPerElement('float64');
  const total = float32Bytes + float64Bytes;
  if (total <= limit) return;
  const largest = plan.buffers
    .filter((b) => b.role !== 'feed' && b.viewOf === undefined)
    .map(summary)
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, NAMED);
  throw new ResourceError(
    'compile',
    `the memory plan must fit memoryLimit (${limit} bytes), got ${total} bytes`,
    { limit, total, float32Bytes, float64Bytes, largest },
    `float32 arena ${float32Bytes} bytes, float64 arena ${float64Bytes} bytes; largest buffers: ${largest.map(describe).join(', ')}; ` +
      'raise compile(…, { memoryLimit }) if the machine has the memory',
  );
}
