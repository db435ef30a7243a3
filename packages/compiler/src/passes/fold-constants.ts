import { GraphError, type Node } from '@graft/ir';
import { any, rewrite, rule, type Rule } from '@graft/rewrite';
import type { Backend } from '../program.ts';
import { schedule } from '../schedule.ts';
import type { Pass, PassContext, Stage } from '../stage.ts';

/** Largest result folded regardless of operand sizes (elements). */
const SMALL = 1024;

/**
 * Whether folding `n` keeps the graph small: its result is at most `SMALL` elements or no
 * larger than its constant operands together (a broadcast of a scalar to a batch-sized
 * tensor stays a broadcast).
 */
function worthFolding(n: Node): boolean {
  const operands = n.inputs.reduce((s, i) => s + i.size, 0);
  return n.size <= Math.max(SMALL, operands);
}

/**
 * Evaluates one node whose operands are constants on `backend`, through a plan of its own,
 * so folding computes exactly what the program would have computed at run time.
 */
export function evaluateConstant(n: Node, backend: Backend): Float64Array {
  const plan = schedule({ graph: n.graph, outputs: { value: n } }, { feeds: new Map(), views: true, pass: 'foldConstants' });
  const executable = backend.prepare(plan);
  try {
    if (executable.runSync === undefined) throw new GraphError('foldConstants', `backend "${backend.name}" must evaluate synchronously to fold constants`, { backend: backend.name });
    const out = executable.runSync(new Map()).get(plan.outputs.get('value')!.buffer)!;
    return Float64Array.from(out);
  } finally {
    executable.dispose?.();
  }
}

/** op(c₁, …, cₙ) → c: a node whose operands are all constants becomes the constant it computes. */
export function foldRule(backend: Backend): Rule {
  return rule({
    name: 'fold',
    identity: 'op(c₁, …, cₙ) → the constant it evaluates to (results ≤ 1024 elements or no larger than the operands)',
    pattern: any('n', (n) => n.inputs.length > 0 && n.inputs.every((i) => i.is('constant')) && worthFolding(n)),
    rewrite: ({ n }, _node, g) => g.constant(evaluateConstant(n, backend), n.shape, n.dtype),
  });
}

/**
 * Constant folding: every node whose operands are constants (after folding its operands)
 * is evaluated on the program's backend and replaced by a constant. A backend that cannot
 * evaluate synchronously (no `runSync`) gets no folding, with a note saying so.
 */
export const foldConstantsPass: Pass = Object.freeze({
  name: 'foldConstants',
  doc: 'constant folding: evaluates constant subgraphs on the backend',
  run(stage: Stage, { backend }: PassContext) {
    if (!canEvaluate(backend)) {
      return { stage, notes: [`backend "${backend.name}" has no synchronous evaluation (runSync); nothing folded`] };
    }
    const r = rewrite(stage.outputs, [foldRule(backend)], { name: 'foldConstants' });
    return { stage: Object.freeze({ graph: r.graph, outputs: r.outputs }), trace: r.trace };
  },
});

const probed = new WeakMap<Backend, boolean>();

/** Whether a backend's executables have `runSync` (probed once with an empty plan). */
function canEvaluate(backend: Backend): boolean {
  let ok = probed.get(backend);
  if (ok === undefined) {
    const executable = backend.prepare({ steps: [], prologue: [], buffers: [], feeds: new Map(), outputs: new Map() });
    ok = typeof executable.runSync === 'function';
    executable.dispose?.();
    probed.set(backend, ok);
  }
  return ok;
}
