/**
 * The README's first program: a strided SAME conv2d, its gradients as new graph nodes, where
 * each came from, the numbers on cpu(), and a numerical check of them.
 *
 *     node --conditions=source --import tsx examples/quickstart/main.ts
 */
import { Graph, compile, cpu, explainGradient, grad, gradcheck } from 'graft';

export async function quickstart(): Promise<{ lines: string[]; ok: boolean }> {
  const g = new Graph({ dtype: 'float64' });
  const x = g.input('x', [2, 7, 7, 3]);
  const w = g.input('w', [3, 3, 3, 4]);
  const y = g.conv2d(x, w, { strides: [2, 2], padding: 'SAME', dilations: [1, 1] });
  const loss = g.sum(g.square(y));
  const [dx, dw] = grad(loss, [x, w]);
  const feeds = {
    x: Float64Array.from({ length: 2 * 7 * 7 * 3 }, (_, i) => Math.sin(i)),
    w: Float64Array.from({ length: 3 * 3 * 3 * 4 }, (_, i) => Math.cos(i) / 4),
  };
  const program = compile({ loss, dx: dx!, dw: dw! }, { backend: cpu() });
  const out = await program.run(feeds);
  program.dispose();
  const report = await gradcheck(loss, [x, w], { feeds });
  const lines = [
    `loss = ${out.loss![0]!.toFixed(6)}`,
    `dx: ${dx!.op} ${JSON.stringify(dx!.shape)}, dw: ${dw!.op} ${JSON.stringify(dw!.shape)}`,
    explainGradient(dx!),
    String(report),
  ];
  return { lines, ok: report.ok };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { lines, ok } = await quickstart();
  console.log(lines.join('\n'));
  process.exitCode = ok ? 0 : 1;
}
