import { GradientError, Node, ancestors, fmtShape, shapesEqual } from '@graft/ir';
import { grad, graphOf } from './reverse.ts';

/**
 * Forward mode: adds nodes computing the directional derivative of each of `ys` along
 * `tangents` (one per x, same shape): `Σⱼ ∂ys[i]/∂xs[j] · tangents[j]`, by applying each
 * op's JVP rule from the inputs forward. Outputs that do not depend on xs get zeros.
 */
export function jvp(ys: readonly Node[], xs: readonly Node[], tangents: readonly Node[]): Node[] {
  const g = graphOf('jvp', [...ys, ...xs, ...tangents]);
  if (tangents.length !== xs.length) {
    throw new GradientError('jvp', `one tangent per input is required: ${xs.length} inputs, ${tangents.length} tangents`, { inputs: xs.length, tangents: tangents.length });
  }
  xs.forEach((x, i) => {
    const t = tangents[i]!;
    if (!shapesEqual(t.shape, x.shape) || t.dtype !== x.dtype) {
      throw new GradientError(
        'jvp',
        `tangent ${i} must have its input's shape and dtype: input ${x} is ${x.dtype}${fmtShape(x.shape)}, tangent ${t} is ${t.dtype}${fmtShape(t.shape)}`,
        { index: i, input: String(x), shape: x.shape, dtype: x.dtype, tangent: String(t), tangentShape: t.shape, tangentDtype: t.dtype },
      );
    }
  });
  const tangent = new Map<Node, Node>(xs.map((x, i) => [x, tangents[i]!]));
  for (const y of ancestors(ys)) {
    if (tangent.has(y) || y.inputs.length === 0) continue;
    const ts = y.inputs.map((i) => tangent.get(i));
    if (ts.every((t) => t === undefined)) continue;
    const rule = `${y.op}.jvp`;
    const ty = g.withProvenance({ forward: y, rule, mode: 'jvp' }, () => {
      const t = y.record.jvp({ g, y, inputs: y.inputs, attrs: y.attrs, geometry: y.geometry, tangents: ts });
      // A tangent of a broadcast operand alone has the operand's shape; widen it to y's.
      return t === undefined || shapesEqual(t.shape, y.shape) ? t : g.broadcastTo(t, y.shape);
    });
    if (ty !== undefined) tangent.set(y, ty);
  }
  return ys.map((y) => tangent.get(y) ?? g.broadcastTo(g.constant(0, [], y.dtype), y.shape));
}

/**
 * Hessian-vector products of a scalar y: `H·v` for each x, as forward-over-reverse
 * (the JVP of the gradient along vs).
 */
export function hvp(y: Node, xs: readonly Node[], vs: readonly Node[]): Node[] {
  return jvp(grad(y, xs), xs, vs);
}

