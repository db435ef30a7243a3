import type { DType } from '@graft/ir';
import type { MemoryPlan, ProgramPlan, Step, Storage } from './program.ts';

/**
 * What the memory planner may do (all on by default; off gives one region per buffer).
 * `views` is the compiler's (a plan either has views or not); `reuse` and `inPlace` are
 * passed to the executor, which plans its memory with `planMemory`.
 */
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

/**
 * Operand positions of a step that are read only at the output's own index, so the output
 * may overwrite them: every operand whose size is the output's of a step whose op has the
 * `inPlace` trait (an operand of equal size cannot be broadcast). Kernels of other ops
 * (conv, matmul, transpose, pools, reductions…) read their inputs in other orders and are
 * never run in place.
 */
function elementwisePositions(step: Step, sizeOf: (buffer: number) => number): number[] {
  if (step.kind !== 'kernel' || !step.node.record.traits.inPlace) return [];
  const out = sizeOf(step.output);
  return step.inputs.map((_, k) => k).filter((k) => sizeOf(step.inputs[k]!) === out);
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
 * Memory planning over a plan's steps, for an executor that keeps every value in an arena
 * (the CPU's).
 *
 * 1. Storage classes: a view shares its operand's storage; a step may write in place over
 *    an operand's storage when it is that storage's last reader, reads it only at the
 *    output's own index (`elementwisePositions`), and the storage is an intermediate of the
 *    same dtype and size — feeds, constants and outputs are never written over.
 * 2. Liveness: the plan's lifetimes (`live`), merged over a storage class; constants and
 *    outputs are live throughout (dedicated regions).
 * 3. Placement, per dtype: largest first, each at the lowest offset that overlaps no placed
 *    storage whose lifetime overlaps its own (greedy by size). One arena per dtype.
 */
export function planMemory(plan: ProgramPlan, options: Pick<MemoryOptions, 'reuse' | 'inPlace'>): MemoryPlan {
  const planned = plan.buffers;
  const steps = plan.steps;
  const parent = planned.map((b) => b.viewOf ?? b.id);
  const find = (b: number): number => {
    while (parent[b] !== b) b = parent[b] = parent[parent[b]!]!;
    return b;
  };
  const sizeOf = (b: number) => planned[b]!.size;
  const last = new Map<number, number>();
  planned.forEach((b) => {
    const r = find(b.id);
    last.set(r, Math.max(last.get(r) ?? -1, b.live.last));
  });

  const inPlace: (number | undefined)[] = steps.map(() => undefined);
  if (options.inPlace) {
    steps.forEach((step, i) => {
      const o = step.output;
      const target = planned[o]!;
      if (target.role !== 'intermediate' || target.viewOf !== undefined) return;
      const positions = elementwisePositions(step, sizeOf);
      for (const k of positions) {
        const r = find(step.inputs[k]!);
        const root = planned[r]!;
        if (root.role !== 'intermediate' || root.dtype !== target.dtype || root.size !== target.size) continue;
        if (last.get(r) !== i) continue;
        // Every operand in this storage must be read at the output's own index.
        if (!step.inputs.every((b, j) => find(b) !== r || positions.includes(j))) continue;
        parent[o] = r;
        last.set(r, Math.max(i, last.get(o) ?? i));
        inPlace[i] = k;
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
      dtype: root.dtype,
      size: roundUp(root.size),
      first: pinned ? -Infinity : root.live.first,
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

  const storage: Storage[] = planned.map((b) => {
    const r = find(b.id);
    return planned[r]!.role === 'feed' ? { kind: 'feed', buffer: r } : { kind: 'arena', offset: regions.get(r)!.offset };
  });
  return Object.freeze({ storage: Object.freeze(storage), inPlace: Object.freeze(inPlace), arena: Object.freeze(arena) });
}
