import { GraphError } from '@graft/ir';
import type { BufferSpec, MemoryPlan, ProgramPlan } from './program.ts';

/**
 * Checks a plan's memory by a shadow run over the arena: it records which buffer last
 * wrote each element and confirms that every step reads elements its operand buffers
 * wrote (no storage was reused while still live), that a step whose output overlaps an
 * operand is a declared in-place step on exactly that operand's region, that no step writes
 * a feed, a constant, or an output another step wrote, and that every output still holds
 * its value at the end. Throws a `GraphError` naming the step and buffers; for tests and
 * for backend authors. `memory` is the arena executor's memory plan (`program.memory`).
 */
export function checkPlan(plan: ProgramPlan, memory: MemoryPlan): void {
  const owner = { float32: new Int32Array(memory.arena.float32).fill(-1), float64: new Int32Array(memory.arena.float64).fill(-1) };
  const buffers = plan.buffers;
  /** The buffer whose value a view shows. */
  const source = (b: BufferSpec): BufferSpec => (b.viewOf === undefined ? b : source(buffers[b.viewOf]!));
  const region = (b: BufferSpec) => {
    const storage = memory.storage[b.id]!;
    if (storage.kind !== 'arena') return undefined;
    const { offset } = storage;
    if (offset < 0 || offset + b.size > memory.arena[b.dtype]) throw new GraphError('checkPlan', `b${b.id} must lie inside the ${b.dtype} arena`, { buffer: b.id, offset, size: b.size, arena: memory.arena[b.dtype] });
    return [offset, offset + b.size] as const;
  };
  const write = (b: BufferSpec, where: string) => {
    const r = region(b);
    if (r === undefined) throw new GraphError('checkPlan', `${where} must not write b${b.id}, which is a feed`, { where, buffer: b.id });
    if (b.viewOf !== undefined) throw new GraphError('checkPlan', `${where} must not write b${b.id}, a view`, { where, buffer: b.id });
    owner[b.dtype].fill(b.id, r[0], r[1]);
  };
  const read = (b: BufferSpec, where: string) => {
    const r = region(b);
    if (r === undefined) return;
    const want = source(b).id;
    const own = owner[b.dtype];
    for (let e = r[0]; e < r[1]; e++) {
      if (own[e] !== want) {
        throw new GraphError('checkPlan', `${where} reads b${b.id} whose storage was overwritten by b${own[e]} (element ${e - r[0]})`, { where, buffer: b.id, overwrittenBy: own[e], element: e - r[0] });
      }
    }
  };
  for (const s of plan.prologue) write(buffers[s.output]!, 'the prologue');
  const pinned = new Set(buffers.filter((b) => b.role === 'constant').map((b) => b.id));
  plan.steps.forEach((s, i) => {
    const where = `step ${i} (${s.kind} ${s.node})`;
    const out = buffers[s.output]!;
    for (const b of s.inputs) read(buffers[b]!, where);
    const r = region(out);
    s.inputs.forEach((b) => {
      const ri = region(buffers[b]!);
      if (r === undefined || ri === undefined || buffers[b]!.dtype !== out.dtype) return;
      if (!(ri[0] < r[1] && r[0] < ri[1])) return;
      const k = memory.inPlace[i];
      const target = k === undefined ? undefined : region(buffers[s.inputs[k]!]!);
      const exact = target !== undefined && target[0] === ri[0] && target[1] === ri[1] && ri[0] === r[0] && ri[1] === r[1];
      if (!exact) throw new GraphError('checkPlan', `${where} writes b${out.id} over its operand b${b} without being in place on it`, { where, buffer: out.id, operand: b });
    });
    const own = owner[out.dtype];
    if (r !== undefined) {
      for (let e = r[0]; e < r[1]; e++) {
        const o = own[e]!;
        if (o >= 0 && (pinned.has(o) || buffers[o]!.role === 'output')) {
          throw new GraphError('checkPlan', `${where} writes b${out.id} over b${o}, a ${buffers[o]!.role}`, { where, buffer: out.id, over: o, role: buffers[o]!.role });
        }
      }
    }
    write(out, where);
  });
  for (const [name, { buffer }] of plan.outputs) read(buffers[buffer]!, `output "${name}" at the end`);
  for (const b of pinned) read(buffers[b]!, `constant b${b} at the end`);
}
