/**
 * What does `conv2d_transpose` do? It is the transpose of conv2d as a linear map in x,
 * the very computation of conv2d's input gradient: `conv2dTranspose(v, w, outputShape)
 * = conv2dBackpropInput(v, w, inputShape = outputShape)`.
 *
 * This example builds a strided, padded conv2d, runs it, and checks on it that
 * (1) conv2dTranspose equals conv2dBackpropInput for every output shape that maps to
 * the same v (stride 2 makes two heights possible), and (2) both are the adjoint of
 * conv2d: ⟨conv2d(x, w), v⟩ = ⟨x, conv2dTranspose(v, w)⟩.
 */
import { Graph, compile, cpu, printGraph, validInputSizes, type FloatArray } from '../index.ts';
import { seeded } from './util.ts';

export interface ConvTransposeReport {
  readonly lines: string[];
  /** Largest |conv2dTranspose − conv2dBackpropInput| over all valid output shapes. */
  readonly maxTransposeDiff: number;
  /** Largest relative gap of the adjoint identity. */
  readonly maxAdjointGap: number;
}

function dot(a: FloatArray, b: FloatArray): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

export async function convTransposeExample(): Promise<ConvTransposeReport> {
  const lines: string[] = [];
  const attrs = { strides: [2, 2] as const, padding: 'SAME' as const, dilations: [1, 1] as const };
  const wShape = [3, 3, 2, 4];
  let maxTransposeDiff = 0;
  let maxAdjointGap = 0;

  // SAME, stride 2: heights 7 and 8 both give 4 rows, so both are valid output shapes.
  const heights = validInputSizes(4, 3, 2, 1, 'SAME');
  lines.push(`conv2d x[1,h,w,2] * w[3,3,2,4], strides 2, SAME → y[1,4,4,4] for h, w ∈ {${heights.join(', ')}}`);

  for (const h of heights) {
    for (const wd of heights) {
      const g = new Graph({ dtype: 'float64' });
      const x = g.input('x', [1, h, wd, 2]);
      const w = g.input('w', wShape);
      const v = g.input('v', [1, 4, 4, 4]);
      const y = g.conv2d(x, w, attrs);
      const t = g.conv2dTranspose(v, w, { ...attrs, outputShape: [1, h, wd, 2] });
      const b = g.conv2dBackpropInput(v, w, { ...attrs, inputShape: [1, h, wd, 2] });
      if (h === heights[0] && wd === heights[0]) lines.push('', printGraph(g.nodes), '');
      const xData = seeded(h * wd * 2, 1);
      const wData = seeded(3 * 3 * 2 * 4, 2);
      const vData = seeded(4 * 4 * 4, 3);
      const out = await compile({ y, t, b }, { backend: cpu() }).run({ x: xData, w: wData, v: vData });
      let diff = 0;
      for (let i = 0; i < out.t.length; i++) diff = Math.max(diff, Math.abs(out.t[i]! - out.b[i]!));
      const lhs = dot(out.y, vData);
      const rhs = dot(xData, out.t);
      const gap = Math.abs(lhs - rhs) / Math.max(1, Math.abs(lhs));
      maxTransposeDiff = Math.max(maxTransposeDiff, diff);
      maxAdjointGap = Math.max(maxAdjointGap, gap);
      lines.push(
        `outputShape [1,${h},${wd},2]: max|transpose − backpropInput| = ${diff.toExponential(2)}, ` +
          `⟨conv2d(x,w), v⟩ = ${lhs.toFixed(12)}, ⟨x, conv2dTranspose(v,w)⟩ = ${rhs.toFixed(12)}`,
      );
    }
  }

  const g = new Graph({ dtype: 'float64' });
  try {
    g.conv2dTranspose(g.input('v', [1, 4, 4, 4]), g.input('w', wShape), { ...attrs, outputShape: [1, 9, 7, 2] });
  } catch (e) {
    lines.push('', `an impossible outputShape is refused: ${(e as Error).message}`);
  }
  lines.push('', `max difference conv2dTranspose vs conv2dBackpropInput: ${maxTransposeDiff.toExponential(2)}`);
  lines.push(`max relative gap of the adjoint identity: ${maxAdjointGap.toExponential(2)}`);
  return { lines, maxTransposeDiff, maxAdjointGap };
}
