/** Builds a small graph, compiles it for the CPU executor and runs it. */
import { Graph, compile, cpu, type DType, type FloatArray, type Node } from 'graft';
import type { Tensor } from './tensor.ts';

export interface Evaluated<O extends string> {
  readonly graph: Graph;
  readonly nodes: Record<O, Node>;
  readonly out: Record<O, FloatArray>;
}

/**
 * Declares one input per entry of `inputs` (same name, shape, the graph's dtype), builds the
 * outputs with `build`, compiles them for `cpu()` and runs with the inputs' data (converted to
 * a Float32Array for float32 graphs).
 */
export async function evaluate<I extends string, O extends string>(
  dtype: DType,
  inputs: Readonly<Record<I, Tensor>>,
  build: (g: Graph, x: Record<I, Node>) => Record<O, Node>,
): Promise<Evaluated<O>> {
  const g = new Graph({ dtype });
  const x = {} as Record<I, Node>;
  const feeds: Record<string, FloatArray> = {};
  for (const [name, t] of Object.entries(inputs) as [I, Tensor][]) {
    x[name] = g.input(name, t.shape);
    feeds[name] = dtype === 'float32' ? Float32Array.from(t.data) : Float64Array.from(t.data);
  }
  const nodes = build(g, x);
  const program = compile(nodes, { backend: cpu() });
  const out = await program.run(feeds);
  return { graph: g, nodes, out };
}
