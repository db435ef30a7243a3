import { bytesPerElement, fmtShape, formatAttrs, stridesOf } from '@graft/ir';
import type { BufferSpec, FusedExpr, ProgramPlan, Step } from './program.ts';

const dtypeTag = { float32: 'f32', float64: 'f64' } as const;
const binarySymbol = { add: '+', sub: '−', mul: '·', div: '/' } as const;

/** Where a buffer lives: `f32@+4096` (arena, byte offset), `feed "x"` or `view of b3 …`. */
function where(plan: ProgramPlan, b: BufferSpec): string {
  if (b.storage.kind === 'feed') {
    const name = [...plan.feeds].find(([, f]) => f.buffer === (b.storage as { buffer: number }).buffer)?.[0] ?? '?';
    return `feed ${JSON.stringify(name)}`;
  }
  return `${dtypeTag[b.dtype]}@+${b.storage.offset * bytesPerElement(b.dtype)}`;
}

function describe(plan: ProgramPlan, id: number): string {
  const b = plan.buffers[id]!;
  return `b${id} ${b.dtype}${fmtShape(b.shape)} ${b.size * bytesPerElement(b.dtype)} B ${where(plan, b)}`;
}

/** A fused expression in infix form over its input buffers; broadcast loads show their strides. */
export function formatExpr(expr: FusedExpr, inputs: readonly number[]): string {
  const contiguous = stridesOf(expr.shape);
  const text = (v: number): string => {
    const value = expr.values[v]!;
    switch (value.kind) {
      case 'load': {
        const name = `b${inputs[value.input]}`;
        const same = value.strides.every((s, d) => s === contiguous[d] || expr.shape[d] === 1);
        return same ? name : `${name}⟨${value.strides.join(',')}⟩`;
      }
      case 'literal':
        return Object.is(value.value, -0) ? '-0' : String(value.value);
      case 'unary':
        return `${value.op}(${bare(text(value.x))})`;
      case 'binary':
        return `(${text(value.a)} ${binarySymbol[value.op]} ${text(value.b)})`;
    }
  };
  return bare(text(expr.result));
}

/** `(a + b)` → `a + b` where the parentheses are the outermost pair. */
function bare(s: string): string {
  if (!s.startsWith('(') || !s.endsWith(')')) return s;
  let depth = 0;
  for (let i = 0; i < s.length - 1; i++) {
    if (s[i] === '(') depth++;
    else if (s[i] === ')' && --depth === 0) return s;
  }
  return s.slice(1, -1);
}

function kernelName(step: Step): string {
  if (step.kind === 'copy') return 'copy';
  if (step.kind === 'fused') return `fused[${step.nodes.map((n) => n.op).join(',')}]`;
  return step.node.op;
}

function stepLine(plan: ProgramPlan, step: Step, index: string, width: number): string {
  const inputs = step.inputs.map((b) => `b${b}`).join(', ');
  let line = `${index}  ${kernelName(step).padEnd(width)}  ${inputs || '—'} → ${describe(plan, step.output)}`;
  if (step.inPlace !== undefined) line += `  in place of b${step.inputs[step.inPlace]}`;
  if (step.kind === 'fused') line += `  ; ${formatExpr(step.expr, step.inputs)}`;
  else if (step.kind === 'kernel') {
    const attrs = formatAttrs(step.node);
    line += `  ; ${step.node}${attrs ? ` ${attrs}` : ''}`;
  }
  return line;
}

/**
 * The plan as text: a header with the arenas, feeds, views and the constants written once,
 * then one line per step — index, kernel (fused steps list their ops), input buffers, the
 * output buffer with dtype, shape, bytes and arena offset, in-place updates, and the fused
 * expression or the node and its attrs.
 */
export function formatListing(plan: ProgramPlan): string {
  const lines: string[] = [];
  lines.push(`; arena float32 ${plan.arena.float32 * 4} B, float64 ${plan.arena.float64 * 8} B`);
  for (const [name, { buffer }] of plan.feeds) {
    const b = plan.buffers[buffer]!;
    lines.push(`; feed ${JSON.stringify(name)} → b${buffer} ${b.dtype}${fmtShape(b.shape)} ${b.size * bytesPerElement(b.dtype)} B`);
  }
  for (const b of plan.buffers) {
    if (b.viewOf !== undefined) lines.push(`; view b${b.id} = reshape of b${b.viewOf} → ${describe(plan, b.id)}`);
  }
  const width = Math.max(8, ...plan.steps.map((s) => kernelName(s).length));
  const indexWidth = Math.max(String(Math.max(plan.steps.length - 1, 0)).length, plan.prologue.length > 0 ? 4 : 0);
  for (const s of plan.prologue) lines.push(stepLine(plan, s, 'once'.padStart(indexWidth), width));
  plan.steps.forEach((s, i) => lines.push(stepLine(plan, s, String(i).padStart(indexWidth), width)));
  for (const [name, { buffer }] of plan.outputs) lines.push(`; output ${JSON.stringify(name)} ← b${buffer}`);
  return lines.join('\n');
}
