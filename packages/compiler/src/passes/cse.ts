import { Graph, type Node } from '@graft/ir';
import type { Pass, Stage } from '../stage.ts';
import { mapOutputs, topologicalOrder } from '../traverse.ts';

/** Ops whose operands commute exactly in IEEE arithmetic (a + b = b + a, a · b = b · a). */
const commutative: ReadonlySet<string> = new Set(['add', 'mul']);

/**
 * The structural key of a node over already-canonical inputs: op, dtype, attrs and the
 * inputs' identities (sorted for commutative ops). Inputs are keyed by name; constants by
 * dtype, shape and a hash of their values, which `sameValues` then confirms.
 */
function structuralKey(n: Node, inputs: readonly Node[], ids: ReadonlyMap<Node, number>): string {
  if (n.is('input')) return `input ${JSON.stringify(n.attrs.name)}`;
  if (n.is('constant')) return `constant ${n.dtype} [${n.shape.join(',')}] ${hashValues(n.attrs.values)}`;
  const operands = inputs.map((i) => ids.get(i)!);
  if (commutative.has(n.op)) operands.sort((a, b) => a - b);
  // A record's own text of its attrs is its key (a fused node's expression names its ops' records).
  const attrs = n.record.formatAttrs === undefined ? JSON.stringify(n.attrs) : n.record.formatAttrs(n.attrs);
  return `${n.op} ${n.dtype} ${attrs} (${operands.join(',')})`;
}

/** FNV-1a over the values' bytes. */
function hashValues(values: Float64Array): string {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return `${values.length}:${(h >>> 0).toString(16)}`;
}

/** Values equal element by element, −0 ≠ 0 and NaN = NaN (`Object.is`). */
function sameValues(a: Node<'constant'>, b: Node<'constant'>): boolean {
  const x = a.attrs.values;
  const y = b.attrs.values;
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
  return true;
}

/**
 * Common-subexpression elimination by structural hashing: nodes with the same op, attrs
 * and (canonical) inputs, and constants with the same values, become one node. The first
 * node of a class (in topological order) is kept, with its provenance.
 */
export function eliminateCommonSubexpressions(stage: Stage): { stage: Stage; merged: number } {
  const nodes = topologicalOrder(Object.values(stage.outputs), 'cse');
  const graph = new Graph({ dtype: stage.graph.dtype });
  const map = new Map<Node, Node>();
  const ids = new Map<Node, number>();
  const classes = new Map<string, Node[]>();
  let merged = 0;
  for (const n of nodes) {
    const inputs = n.inputs.map((i) => map.get(i)!);
    const key = structuralKey(n, inputs, ids);
    const bucket = classes.get(key) ?? [];
    const same = bucket.find((m) => !n.is('constant') || sameValues(n, m as Node<'constant'>));
    if (same !== undefined) {
      map.set(n, same);
      merged++;
      continue;
    }
    const copy = graph.rebuild(n, inputs, (f) => map.get(f));
    map.set(n, copy);
    ids.set(copy, ids.size);
    bucket.push(copy);
    classes.set(key, bucket);
  }
  const outputs = Object.freeze(mapOutputs(stage.outputs, map));
  return { stage: Object.freeze({ graph, outputs }), merged };
}

/** Merges structurally identical subgraphs. */
export const csePass: Pass = Object.freeze({
  name: 'cse',
  doc: 'common-subexpression elimination by structural hashing (op + attrs + inputs; constants by value)',
  run(stage: Stage) {
    const { stage: out, merged } = eliminateCommonSubexpressions(stage);
    return { stage: out, notes: [`${merged} node${merged === 1 ? '' : 's'} merged`] };
  },
});
