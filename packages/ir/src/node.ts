import type { DType } from './dtype.ts';
import type { AttrsOf, GeometryOf } from './ops/op-types.ts';
import type { AnyOpRecord } from './ops/record.ts';
import type { Shape } from './shape/shape.ts';
import type { Graph } from './graph.ts';
import type { OpName } from './ops/op-types.ts';

/** Where a gradient node came from: the forward node and the rule that made it. */
export interface Provenance {
  /** The forward node whose derivative rule produced this node. */
  readonly forward: Node;
  /** The rule's name, e.g. `conv2d.vjp.x`. */
  readonly rule: string;
  /** `vjp` (reverse mode) or `jvp` (forward mode). */
  readonly mode: 'vjp' | 'jvp';
}

/**
 * One immutable node of a graph: an op applied to earlier nodes with normalised attrs.
 * Nodes are created only by a `Graph`'s builder methods. A node carries its op's record
 * (everything about the op) and the geometry the record computed when the node was built,
 * which kernels, code generators and rewrite rules read instead of recomputing it.
 */
export class Node<K extends string = string> {
  constructor(
    /** Unique within its graph, increasing in creation (hence topological) order. */
    readonly id: number,
    readonly op: K,
    readonly inputs: readonly Node[],
    readonly attrs: AttrsOf<K>,
    readonly shape: Shape,
    readonly dtype: DType,
    readonly graph: Graph,
    readonly provenance: Provenance | undefined,
    /** The op's record. */
    readonly record: AnyOpRecord,
    /** The geometry record of ops that have one (conv, pooling, concat), else undefined. */
    readonly geometry: GeometryOf<K>,
  ) {
    Object.freeze(this);
  }

  /** Rank (number of axes). */
  get rank(): number {
    return this.shape.length;
  }

  /** Number of elements. */
  get size(): number {
    let n = 1;
    for (const d of this.shape) n *= d;
    return n;
  }

  /** `op#id`, the name the printer and error messages use. */
  toString(): string {
    return `${this.op}#${this.id}`;
  }

  /** Narrows the node's op. */
  is<P extends OpName>(op: P): this is Node<P> {
    return (this.op as string) === op;
  }
}
