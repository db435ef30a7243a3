import { compile, type Backend, type Feeds } from '@graft/compiler';
import { GraftError, ancestors, fmtShape, type Node } from '@graft/ir';

/** The first node, in topological order, whose value holds a NaN or an infinity. */
export interface NonFiniteNode {
  readonly node: Node;
  /** First offending element (row-major index) and its value. */
  readonly index: number;
  readonly value: number;
  /** Non-finite elements of the node. */
  readonly count: number;
  /** Largest finite |value| of each input of the node, in order (what overflowed). */
  readonly inputMaxAbs: readonly number[];
}

/**
 * Runs every node `outputs` need (a program whose outputs are all of them) on `feeds`
 * and scans them in topological order for the first non-finite value. Since every node
 * is computed from earlier ones, the first such node is where finite inputs first gave a
 * non-finite result (or a fed input that already held one).
 */
export async function findFirstNonFinite(outputs: readonly Node[], feeds: Feeds, backend: Backend): Promise<NonFiniteNode | undefined> {
  const nodes = ancestors(outputs);
  const program = compile(Object.fromEntries(nodes.map((n) => [`n${n.id}`, n])), { backend });
  try {
    const values = await program.run(feeds);
    const maxAbs = (n: Node) => {
      const v = values[`n${n.id}`]!;
      let m = 0;
      for (let i = 0; i < v.length; i++) {
        const a = Math.abs(v[i]!);
        if (a > m && Number.isFinite(a)) m = a;
      }
      return m;
    };
    for (const n of nodes) {
      const v = values[`n${n.id}`]!;
      let first = -1;
      let count = 0;
      for (let i = 0; i < v.length; i++) {
        if (!Number.isFinite(v[i]!)) {
          if (first < 0) first = i;
          count++;
        }
      }
      if (first >= 0) return { node: n, index: first, value: v[first]!, count, inputMaxAbs: n.inputs.map(maxAbs) };
    }
    return undefined;
  } finally {
    program.dispose();
  }
}

/** Describes a node for a message: `conv2d#12 [64,28,28,16] (gradient of matmul#20 by rule matmul.vjp.b) in layer dense1`. */
export function describeNode(n: Node, layerOf?: (n: Node) => string | undefined): string {
  const what =
    n.op === 'input'
      ? `input "${(n as Node<'input'>).attrs.name}"`
      : n.provenance !== undefined
        ? `${n} (${n.provenance.mode === 'vjp' ? 'gradient' : 'tangent'} node of ${n.provenance.forward} by rule ${n.provenance.rule})`
        : `${n} (forward)`;
  const layer = layerOf?.(n);
  return `${what} ${n.dtype}${fmtShape(n.shape)}${layer === undefined ? '' : ` in layer ${layer}`}`;
}

/** Training stopped on a NaN or infinite loss or update; names the first non-finite node. */
export class NonFiniteError extends GraftError {
  constructor(
    message: string,
    /** Epoch (from 1; 0 for a `Trainer.step` outside `fit`). */
    readonly epoch: number,
    /** Step within the epoch, from 1 (the update count outside `fit`). */
    readonly step: number,
    readonly firstNonFinite: NonFiniteNode | undefined,
    /** Numbers the message states besides these (the update count, the learning rate). */
    values: Record<string, unknown>,
  ) {
    const first = firstNonFinite;
    super('fit', message, {
      epoch,
      step,
      ...values,
      ...(first === undefined
        ? {}
        : {
            node: String(first.node),
            shape: first.node.shape,
            elements: first.node.size,
            index: first.index,
            value: first.value,
            count: first.count,
            // As the message writes them (three significant digits).
            inputMaxAbs: first.inputMaxAbs.map((v) => Number(v.toExponential(2))),
          }),
    });
  }
}
