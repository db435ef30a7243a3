// A TypeScript consumer: type-checked (strict, NodeNext resolution) against the .d.ts files the
// packages ship. It is compiled, never run: the types must say what the API does.
import { Graph, grad, compile, cpu, gradcheck, gpujs, BackendUnavailableError, ShapeError, type Node, type Program } from 'graft';
import { smallCnn, tinyCnn } from 'graft/programs';

const g = new Graph({ dtype: 'float64' });
const x: Node = g.input('x', [2, 9, 8, 3]);
const w: Node = g.input('w', [3, 3, 3, 4]);
const y = g.conv2d(x, w, { strides: [2, 2], padding: 'SAME', dilations: 1 });
const loss = g.sum(g.square(y));
const [dx, dw] = grad(loss, [x, w]);
const program: Program = compile({ loss, dx: dx!, dw: dw! }, { backend: cpu() });

export async function run(xData: Float64Array, wData: Float64Array): Promise<number> {
  const out = await program.run({ x: xData, w: wData });
  const first: number = out.dx![0]!;
  const report = await gradcheck(loss, [x, w], { feeds: { x: xData, w: wData } });
  const ok: boolean = report.ok;
  try {
    gpujs({ mode: 'webgl2' });
  } catch (e) {
    if (e instanceof BackendUnavailableError) return e.mode.length;
    if (e instanceof ShapeError) return e.values.length === undefined ? 0 : 1;
  }
  return ok ? first : -1;
}

export const net = smallCnn(tinyCnn);
