import { bytesPerElement, fmtShape, formatAttrs, formatFused, type FusedExpr, type Node } from '@graft/ir';
import type { MemoryPlan, ProgramPlan, Step } from './program.ts';

const dtypeTag = { float32: 'f32', float64: 'f64' } as const;

/** Where a buffer lives: `f32@+4096` (arena, byte offset) or `feed "x"`; nothing without a memory plan. */
function where(plan: ProgramPlan, memory: MemoryPlan | undefined, id: number): string {
  const s = memory?.storage[id];
  if (s === undefined) {
    const fed = [...plan.feeds].find(([, f]) => f.buffer === id)?.[0];
    return fed === undefined ? '' : ` feed ${JSON.stringify(fed)}`;
  }
  if (s.kind === 'feed') {
    const name = [...plan.feeds].find(([, f]) => f.buffer === s.buffer)?.[0] ?? '?';
    return ` feed ${JSON.stringify(name)}`;
  }
  const b = plan.buffers[id]!;
  return ` ${dtypeTag[b.dtype]}@+${s.offset * bytesPerElement(b.dtype)}`;
}

function describe(plan: ProgramPlan, memory: MemoryPlan | undefined, id: number): string {
  const b = plan.buffers[id]!;
  return `b${id} ${b.dtype}${fmtShape(b.shape)} ${b.size * bytesPerElement(b.dtype)} B${where(plan, memory, id)}`;
}

/** A fused node's expression over its input buffers, e.g. `relu(add(b3, b4))`. */
export function formatExpr(expr: FusedExpr, inputs: readonly number[]): string {
  return formatFused(expr).replace(/\bx(\d+)\b/g, (_, k: string) => `b${inputs[Number(k)]}`);
}

function kernelName(step: Step): string {
  if (step.kind === 'copy') return 'copy';
  if (step.node.is('fused')) {
    const ops = step.node.attrs.expr.values.flatMap((v) => (v.kind === 'apply' ? [v.op.name] : []));
    return `fused[${ops.join(',')}]`;
  }
  return step.node.op;
}

function stepLine(plan: ProgramPlan, memory: MemoryPlan | undefined, step: Step, at: number | undefined, index: string, width: number): string {
  const inputs = step.inputs.map((b) => `b${b}`).join(', ');
  let line = `${index}  ${kernelName(step).padEnd(width)}  ${inputs || '—'} → ${describe(plan, memory, step.output)}`;
  const inPlace = at === undefined ? undefined : memory?.inPlace[at];
  if (inPlace !== undefined) line += `  in place of b${step.inputs[inPlace]}`;
  if (step.kind === 'kernel' && step.node.is('fused')) line += `  ; ${formatExpr((step.node as Node<'fused'>).attrs.expr, step.inputs)}`;
  else if (step.kind === 'kernel') {
    const attrs = formatAttrs(step.node);
    line += `  ; ${step.node}${attrs ? ` ${attrs}` : ''}`;
  }
  return line;
}

/**
 * The plan as text: a header with the arenas (given the executor's memory plan), feeds,
 * views and the constants written once, then one line per step — index, kernel (fused
 * steps list their ops), input buffers, the output buffer with dtype, shape, bytes and arena
 * offset, in-place updates, and the fused expression or the node and its attrs.
 */
export function formatListing(plan: ProgramPlan, memory?: MemoryPlan): string {
  const lines: string[] = [];
  if (memory !== undefined) lines.push(`; arena float32 ${memory.arena.float32 * 4} B, float64 ${memory.arena.float64 * 8} B`);
  for (const [name, { buffer }] of plan.feeds) {
    const b = plan.buffers[buffer]!;
    lines.push(`; feed ${JSON.stringify(name)} → b${buffer} ${b.dtype}${fmtShape(b.shape)} ${b.size * bytesPerElement(b.dtype)} B`);
  }
  for (const b of plan.buffers) {
    if (b.viewOf !== undefined) lines.push(`; view b${b.id} = reshape of b${b.viewOf} → ${describe(plan, memory, b.id)}`);
  }
  const width = Math.max(8, ...plan.steps.map((s) => kernelName(s).length));
  const indexWidth = Math.max(String(Math.max(plan.steps.length - 1, 0)).length, plan.prologue.length > 0 ? 4 : 0);
  for (const s of plan.prologue) lines.push(stepLine(plan, memory, s, undefined, 'once'.padStart(indexWidth), width));
  plan.steps.forEach((s, i) => lines.push(stepLine(plan, memory, s, i, String(i).padStart(indexWidth), width)));
  for (const [name, { buffer }] of plan.outputs) lines.push(`; output ${JSON.stringify(name)} ← b${buffer}`);
  return lines.join('\n');
}
