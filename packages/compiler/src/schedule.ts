import {
  GraphError,
  binaryOps,
  broadcastStrides,
  unaryOps,
  type BinaryOp,
  type Node,
  type Shape,
  type UnaryOp,
} from '@graft/ir';
import { planMemory, type MemoryOptions } from './memory.ts';
import type { BufferRole, FusedExpr, FusedValue, ProgramPlan, Step } from './program.ts';
import type { FusionGroup, Stage } from './stage.ts';
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
      throw new GraphError(pass, `every node must be a node of the outputs' graph; ${n} is not`, {});
    }
  }
  return nodes.sort((a, b) => a.id - b.id);
}

const unarySet: ReadonlySet<string> = new Set(unaryOps);
const binarySet: ReadonlySet<string> = new Set(binaryOps);

/** A buffer before placement: what the memory planner decides storage for. */
export interface PlannedBuffer {
  readonly id: number;
  readonly node: Node;
  readonly role: BufferRole;
  /** The buffer whose storage a view shares. */
  readonly viewOf: number | undefined;
}

/** Options of `schedule`. */
export interface ScheduleOptions {
  /** Inputs the program is fed (by name), including ones the compiled graph no longer reads. */
  readonly feeds: ReadonlyMap<string, Node<'input'>>;
  readonly memory: MemoryOptions;
  /** Name for errors (the pass that produced the stage). */
  readonly pass: string;
}

/**
 * Turns a stage into a plan: one buffer per stored value (inner nodes of fused groups have
 * none, reshapes become views of their operand), one step per computed buffer — a fused
 * step for each group, a kernel step otherwise, a copy for an output that is a feed or a
 * constant — and constants as a prologue; then places every buffer with `planMemory`.
 */
export function schedule(stage: Stage, options: ScheduleOptions): ProgramPlan {
  const nodes = liveNodes(stage.outputs, options.pass);
  const groupOf = new Map<Node, FusionGroup>();
  for (const group of stage.fusion) for (const n of group.nodes) groupOf.set(n, group);
  const outputNodes = new Set(Object.values(stage.outputs));

  const buffers: PlannedBuffer[] = [];
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
      if (fed === undefined) throw new GraphError(options.pass, `input "${n.attrs.name}" must be one of the program's feeds`, {});
      bufferOf.set(n, fed.buffer);
    }
  }

  const steps: Step[] = [];
  const prologue: Step[] = [];
  // A constant gets a buffer (written once, by the prologue) only when something reads it
  // as a buffer: a scalar constant inside a fused group is a literal of the loop instead.
  const use = (n: Node): number => {
    let b = bufferOf.get(n);
    if (b === undefined) {
      if (!n.is('constant')) throw new GraphError(options.pass, `${n} must be computed before it is read`, {});
      b = add(n, 'constant');
      bufferOf.set(n, b);
      prologue.push({ kind: 'kernel', node: n, inputs: [], output: b, inPlace: undefined });
    }
    return b;
  };
  for (const n of nodes) {
    if (n.is('input') || n.is('constant')) continue;
    const group = groupOf.get(n);
    if (group !== undefined && group.root !== n) continue;
    const output = outputNodes.has(n);
    if (options.memory.views && n.is('reshape') && !output && group === undefined) {
      bufferOf.set(n, add(n, 'intermediate', use(n.inputs[0]!)));
      continue;
    }
    const inputs = group === undefined ? n.inputs.map(use) : undefined;
    const fused = group === undefined ? undefined : fusedExpr(group, use);
    const buffer = add(n, output ? 'output' : 'intermediate');
    bufferOf.set(n, buffer);
    if (fused === undefined) steps.push({ kind: 'kernel', node: n, inputs: inputs!, output: buffer, inPlace: undefined });
    else steps.push({ kind: 'fused', node: n, nodes: group!.nodes, expr: fused.expr, inputs: fused.inputs, output: buffer, inPlace: undefined });
  }
  // An output that is a feed or a constant gets a region of its own, filled by a copy.
  const outputs = new Map<string, { node: Node; buffer: number }>();
  const copies = new Map<Node, number>();
  for (const [name, n] of Object.entries(stage.outputs)) {
    let buffer = use(n);
    if (buffers[buffer]!.role !== 'output') {
      let copy = copies.get(n);
      if (copy === undefined) {
        copy = add(n, 'output');
        copies.set(n, copy);
        steps.push({ kind: 'copy', node: n, inputs: [buffer], output: copy, inPlace: undefined });
      }
      buffer = copy;
    }
    outputs.set(name, { node: n, buffer });
  }
  const placed = planMemory(buffers, steps, prologue, options.memory);
  return Object.freeze({
    steps: Object.freeze(placed.steps),
    prologue: Object.freeze(prologue),
    buffers: Object.freeze(placed.buffers),
    arena: placed.arena,
    feeds,
    outputs,
  });
}

/**
 * The SSA expression of a fused group and the buffers it reads. Inner nodes all have the
 * root's shape, so each is evaluated at the output's own index; operands from outside the
 * group are loads with broadcast strides (a `broadcastTo` or a broadcasting operand costs
 * no copy), and scalar constants become literals.
 */
export function fusedExpr(group: FusionGroup, bufferOf: (n: Node) => number): { expr: FusedExpr; inputs: number[] } {
  const { root } = group;
  const members = new Set(group.nodes);
  const values: FusedValue[] = [];
  const valueOf = new Map<Node, number>();
  const inputs: number[] = [];
  const loads = new Map<string, number>();
  const push = (v: FusedValue) => values.push(Object.freeze(v)) - 1;
  const operand = (n: Node): number => {
    const inner = valueOf.get(n);
    if (inner !== undefined) return inner;
    if (members.has(n)) throw new GraphError('fuse', `${n} must come before its users in group of ${root}`, {});
    if (n.is('constant') && n.size === 1) {
      const v = n.attrs.values[0]!;
      return push({ kind: 'literal', value: root.dtype === 'float32' ? Math.fround(v) : v });
    }
    const buffer = bufferOf(n);
    let input = inputs.indexOf(buffer);
    if (input < 0) input = inputs.push(buffer) - 1;
    const strides = broadcastStrides(n.shape, root.shape);
    const key = `${input}:${strides.join(',')}`;
    let v = loads.get(key);
    if (v === undefined) {
      v = push({ kind: 'load', input, strides: Object.freeze(strides) });
      loads.set(key, v);
    }
    return v;
  };
  for (const n of group.nodes) {
    const [a, b] = n.inputs;
    let v: number;
    if (unarySet.has(n.op)) v = push({ kind: 'unary', op: n.op as UnaryOp, x: operand(a!) });
    else if (binarySet.has(n.op)) v = push({ kind: 'binary', op: n.op as BinaryOp, a: operand(a!), b: operand(b!) });
    else if (n.is('biasAdd')) v = push({ kind: 'binary', op: 'add', a: operand(a!), b: operand(b!) });
    else if (n.is('broadcastTo')) v = operand(a!);
    else throw new GraphError('fuse', `${n} cannot be fused (not elementwise)`, {});
    valueOf.set(n, v);
  }
  const result = valueOf.get(root)!;
  return { expr: Object.freeze({ shape: root.shape, dtype: root.dtype, values: Object.freeze(values), result }), inputs };
}
