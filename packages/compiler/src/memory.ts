import { binaryOps, unaryOps, type DType } from '@graft/ir';
import type { ArenaSizes, BufferSpec, Step } from './program.ts';
import type { PlannedBuffer } from './schedule.ts';

/** What the memory planner may do (all on by default; off gives one region per buffer). */
export interface MemoryOptions {
  /** Share storage between buffers whose lifetimes do not overlap. */
  readonly reuse: boolean;
  /** Let an elementwise step write over an operand it is the last reader of. */
  readonly inPlace: boolean;
  /** Make a reshape that is not an output a view of its operand (no step, no storage). */
  readonly views: boolean;
}

/** Everything on: reuse, in-place updates and views. */
export const defaultMemoryOptions: MemoryOptions = Object.freeze({ reuse: true, inPlace: true, views: true });

/** Regions start and end on multiples of 16 elements (64 bytes of float32, a cache line). */
const ALIGN = 16;
const roundUp = (n: number) => Math.ceil(n / ALIGN) * ALIGN;

const unarySet: ReadonlySet<string> = new Set(unaryOps);
const binarySet: ReadonlySet<string> = new Set(binaryOps);

/**
 * Operand positions of a step that are read only at the output's own index, so the output
 * may overwrite them: every operand of a fused step or an elementwise kernel whose size is
 * the output's (an operand of equal size cannot be broadcast). Kernels of other ops
 * (conv, matmul, transpose, pools, reductions…) read their inputs in other orders and
 * are never run in place.
 */
function elementwisePositions(step: Step, sizeOf: (buffer: number) => number): number[] {
  const out = sizeOf(step.output);
  const sameSize = (k: number) => sizeOf(step.inputs[k]!) === out;
  if (step.kind === 'fused') return step.inputs.map((_, k) => k).filter(sameSize);
  if (step.kind !== 'kernel') return [];
  const op = step.node.op;
  if (unarySet.has(op) || binarySet.has(op) || op === 'biasAdd') return step.inputs.map((_, k) => k).filter(sameSize);
  return [];
}

interface Region {
  readonly root: number;
  readonly dtype: DType;
  readonly size: number;
  /** First and last step the storage is live in; pinned storage is live throughout. */
  readonly first: number;
  readonly last: number;
  offset: number;
}

/**
 * Memory planning over the scheduled steps.
 *
 * 1. Storage classes: a view shares its operand's storage; a step may write in place over
 *    an operand's storage when it is that storage's last reader, reads it only at the
 *    output's own index (`elementwisePositions`), and the storage is an intermediate of the
 *    same dtype and size — feeds, constants and outputs are never written over.
 * 2. Liveness: a storage is live from the step that first writes it to the last step that
 *    reads any buffer in it; constants and outputs are live throughout (dedicated regions).
 * 3. Placement, per dtype: largest first, each at the lowest offset that overlaps no placed
 *    storage whose lifetime overlaps its own (greedy by size). One arena per dtype.
 */
export function planMemory(
  planned: readonly PlannedBuffer[],
  steps: readonly Step[],
  prologue: readonly Step[],
  options: MemoryOptions,
): { buffers: BufferSpec[]; steps: Step[]; arena: ArenaSizes } {
  const parent = planned.map((b) => b.viewOf ?? b.id);
  const find = (b: number): number => {
    while (parent[b] !== b) b = parent[b] = parent[parent[b]!]!;
    return b;
  };
  const sizeOf = (b: number) => planned[b]!.node.size;
  const first = planned.map(() => -1);
  const lastOwn = planned.map(() => -1);
  steps.forEach((s, i) => {
    first[s.output] = i;
    for (const b of s.inputs) lastOwn[b] = i;
  });
  for (const s of prologue) first[s.output] = -1;
  const last = new Map<number, number>();
  planned.forEach((b) => {
    const r = find(b.id);
    last.set(r, Math.max(last.get(r) ?? -1, lastOwn[b.id]!, first[b.id]!));
  });

  const out = [...steps];
  if (options.inPlace) {
    out.forEach((step, i) => {
      const o = step.output;
      const target = planned[o]!;
      if (target.role !== 'intermediate' || target.viewOf !== undefined) return;
      const positions = elementwisePositions(step, sizeOf);
      for (const k of positions) {
        const r = find(step.inputs[k]!);
        const root = planned[r]!;
        if (root.role !== 'intermediate' || root.node.dtype !== target.node.dtype || root.node.size !== target.node.size) continue;
        if (last.get(r) !== i) continue;
        // Every operand in this storage must be read at the output's own index.
        if (!step.inputs.every((b, j) => find(b) !== r || positions.includes(j))) continue;
        parent[o] = r;
        last.set(r, Math.max(i, last.get(o) ?? i));
        out[i] = { ...step, inPlace: k } as Step;
        return;
      }
    });
  }

  const regions = new Map<number, Region>();
  for (const b of planned) {
    const r = find(b.id);
    const root = planned[r]!;
    if (root.role === 'feed' || regions.has(r)) continue;
    const pinned = root.role === 'constant' || root.role === 'output' || !options.reuse;
    regions.set(r, {
      root: r,
      dtype: root.node.dtype,
      size: roundUp(root.node.size),
      first: pinned ? -Infinity : first[r]!,
      last: pinned ? Infinity : last.get(r)!,
      offset: 0,
    });
  }
  const arena = { float32: 0, float64: 0 };
  const placed: Region[] = [];
  const order = [...regions.values()].sort((a, b) => b.size - a.size || a.first - b.first || a.root - b.root);
  for (const region of order) {
    const conflicts = placed
      .filter((p) => p.dtype === region.dtype && p.first <= region.last && region.first <= p.last)
      .sort((a, b) => a.offset - b.offset);
    let offset = 0;
    for (const c of conflicts) {
      if (offset + region.size <= c.offset) break;
      offset = Math.max(offset, c.offset + c.size);
    }
    region.offset = offset;
    placed.push(region);
    arena[region.dtype] = Math.max(arena[region.dtype], offset + region.size);
  }

  const buffers: BufferSpec[] = planned.map((b) => {
    const r = find(b.id);
    const root = planned[r]!;
    return Object.freeze({
      id: b.id,
      node: b.node,
      dtype: b.node.dtype,
      shape: b.node.shape,
      size: b.node.size,
      role: b.role,
      storage: root.role === 'feed' ? { kind: 'feed', buffer: r } : { kind: 'arena', offset: regions.get(r)!.offset },
      viewOf: b.viewOf,
    } satisfies BufferSpec);
  });
  return { buffers, steps: out, arena: Object.freeze(arena) };
}
