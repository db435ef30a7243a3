import { GraphError, type Node } from '@graft/ir';
import type { BufferRole, BufferSpec, ProgramPlan, Step } from './program.ts';
import type { Stage } from './stage.ts';
import { topologicalOrder } from './traverse.ts';

/**
 * The nodes the outputs need in creation order, which is topological because a graph is
 * append-only. The order is first established by a search that trusts nothing (cycles
 * and foreign nodes are errors naming `pass`), then each node is checked to be its graph's
 * node at its id, which makes sorting by id sound.
 */
export function liveNodes(outputs: Readonly<Record<string, Node>>, pass: string): Node[] {
  const nodes = topologicalOrder(Object.values(outputs), pass);
  const graph = nodes[0]?.graph;
  for (const n of nodes) {
    if (n.graph !== graph || graph.nodes[n.id] !== n) {
      throw new GraphError(pass, `every node must be a node of the outputs' graph; ${n} is not`, { node: String(n) });
    }
  }
  return nodes.sort((a, b) => a.id - b.id);
}

/** Options of `schedule`. */
export interface ScheduleOptions {
  /** Inputs the program is fed (by name), including ones the compiled graph no longer reads. */
  readonly feeds: ReadonlyMap<string, Node<'input'>>;
  /** Make a reshape that is not an output a view of its operand (no step, no storage). */
  readonly views: boolean;
  /** Name for errors (the pass that produced the stage). */
  readonly pass: string;
}

interface Planned {
  readonly id: number;
  readonly node: Node;
  readonly role: BufferRole;
  readonly viewOf: number | undefined;
}

/**
 * Turns a stage into a plan: one buffer per stored value (reshapes become views of their
 * operand), one step per computed buffer — a kernel step per node (a `fused` node is one
 * loop), a copy for an output that is a feed, a constant or a view — and constants as a
 * prologue; then each buffer's lifetime, which every executor frees or reuses storage by.
 */
export function schedule(stage: Stage, options: ScheduleOptions): ProgramPlan {
  const nodes = liveNodes(stage.outputs, options.pass);
  const outputNodes = new Set(Object.values(stage.outputs));

  const buffers: Planned[] = [];
  const bufferOf = new Map<Node, number>();
  const add = (node: Node, role: BufferRole, viewOf?: number) => {
    const id = buffers.length;
    buffers.push({ id, node, role, viewOf });
    return id;
  };
  const feeds = new Map<string, { node: Node<'input'>; buffer: number }>();
  for (const [name, input] of options.feeds) {
    const buffer = add(input, 'feed');
    feeds.set(name, { node: input, buffer });
  }
  for (const n of nodes) {
    if (n.is('input')) {
      const fed = feeds.get(n.attrs.name);
      if (fed === undefined) throw new GraphError(options.pass, `input "${n.attrs.name}" must be one of the program's feeds`, { name: n.attrs.name, feeds: [...feeds.keys()] });
      bufferOf.set(n, fed.buffer);
    }
  }

  const steps: Step[] = [];
  const prologue: Step[] = [];
  // A constant gets a buffer (written once, by the prologue) when something reads it as a
  // buffer: a scalar constant inside a fused node is a literal of its expression instead.
  const use = (n: Node): number => {
    let b = bufferOf.get(n);
    if (b === undefined) {
      if (!n.is('constant')) throw new GraphError(options.pass, `${n} must be computed before it is read`, { node: String(n) });
      b = add(n, 'constant');
      bufferOf.set(n, b);
      prologue.push({ kind: 'kernel', node: n, inputs: [], output: b });
    }
    return b;
  };
  for (const n of nodes) {
    if (n.is('input') || n.is('constant')) continue;
    const output = outputNodes.has(n);
    if (options.views && n.is('reshape') && !output) {
      bufferOf.set(n, add(n, 'intermediate', use(n.inputs[0]!)));
      continue;
    }
    const inputs = n.inputs.map(use);
    const buffer = add(n, output ? 'output' : 'intermediate');
    bufferOf.set(n, buffer);
    steps.push({ kind: 'kernel', node: n, inputs, output: buffer });
  }
  // An output that is a feed, a constant or a view gets a buffer of its own, filled by a copy.
  const outputs = new Map<string, { node: Node; buffer: number }>();
  const copies = new Map<Node, number>();
  for (const [name, n] of Object.entries(stage.outputs)) {
    let buffer = use(n);
    if (buffers[buffer]!.role !== 'output') {
      let copy = copies.get(n);
      if (copy === undefined) {
        copy = add(n, 'output');
        copies.set(n, copy);
        steps.push({ kind: 'copy', node: n, inputs: [buffer], output: copy });
      }
      buffer = copy;
    }
    outputs.set(name, { node: n, buffer });
  }
  return Object.freeze({
    steps: Object.freeze(steps),
    prologue: Object.freeze(prologue),
    buffers: Object.freeze(withLifetimes(buffers, steps)),
    feeds,
    outputs,
  });
}

/**
 * Lifetimes by value: a view's value is its root's, written by the root's step and read by
 * the steps reading the root or any of its views. Feeds and constants exist before the
 * first step (−1); outputs and constants live to the end (`steps.length`); a value nobody
 * reads dies at the step that wrote it.
 */
function withLifetimes(planned: readonly Planned[], steps: readonly Step[]): BufferSpec[] {
  const root = (b: number): number => (planned[b]!.viewOf === undefined ? b : root(planned[b]!.viewOf!));
  const first = planned.map(() => -1);
  const last = planned.map(() => -1);
  steps.forEach((s, i) => {
    first[s.output] = i;
    for (const b of s.inputs) last[root(b)] = Math.max(last[root(b)]!, i);
  });
  const end = steps.length;
  for (const b of planned) {
    if (b.viewOf !== undefined) continue;
    if (b.role === 'output' || b.role === 'constant') last[b.id] = end;
    else last[b.id] = Math.max(last[b.id]!, first[b.id]!);
  }
  return planned.map((b) => {
    const r = root(b.id);
    return Object.freeze({
      id: b.id,
      node: b.node,
      dtype: b.node.dtype,
      shape: b.node.shape,
      size: b.node.size,
      role: b.role,
      viewOf: b.viewOf,
      live: Object.freeze({ first: first[r]!, last: last[r]! }),
    });
  });
}
